# Results made from files that are gone (a failed job, a deleted file) are made again, with those files:
# Snakemake alone would report success with them stale (workflow_scripts/provenance.py). The remade files
# become inputs of figures/all, whose changed parameter makes it run and so pulls them in; everything made
# from them then reruns as Snakemake's "input updated by another job". rules/targets.smk finds STALE, the missing
# files, among its lists of products (stale_sources) and wires the functions below into the targets.
from snakemake.logging import logger

from workflow_scripts import provenance


def stale_sources(products):
    """{missing file: the products made from it} among `products` (provenance.stale_sources), with a warning."""
    stale = provenance.stale_sources(products)
    if stale:
        logger.warning(f"{len(stale)} files that results were made from are missing; every target makes those it "
                       f"needs again, and everything made from them:\n  {provenance.describe(stale)}")
    return stale


_TARGETS_REPAIRED = []


def repair_file_targets():
    """Files named as targets are remade when they, or any file they were made from, are stale: those stale
    products join Snakemake's forced files, as `--forcerun` would make them, since Snakemake alone finds the
    targets up to date. Called from every script rule's inputs (job_code), so that it runs while the first job
    is planned, before Snakemake decides what needs to run; the named targets (engine, train, evaluate,
    figures/all) repair through their own inputs."""
    if _TARGETS_REPAIRED or not STALE:
        return
    _TARGETS_REPAIRED.append(True)
    files = [t for t in workflow.dag_settings.targets if not workflow.is_rule(t)]
    forced = provenance.stale_ancestors(files, STALE)
    if forced:
        logger.warning(f"{len(forced)} files made from missing files are made again for the targets: "
                       + ", ".join(sorted(forced)))
        workflow.dag.forcefiles.update(forced)


def stale_under(*folders):
    """The missing files that results under the folders were made from: inputs of the intermediate targets
    (engine, train, evaluate), so that they repair what they stand for as figures/all repairs everything."""
    return sorted(s for s, made in STALE.items() if any(p.startswith(folders) for p in [s, *made]))


_DAMAGED_CHECKED = []


def redraw_damaged_figures(figures):
    """Figures that are on disk but not whole (provenance.damaged_files: empty, or cut short) are drawn again
    rather than listed: they join Snakemake's forced files while figures/all is planned, before it decides
    which jobs need to run, so a dry run shows them too. Whole figures whose content is not what figures/all
    lists are listed again."""
    if _DAMAGED_CHECKED or not workflow.is_main_process:
        return
    _DAMAGED_CHECKED.append(True)
    damaged = provenance.damaged_files(figures)
    if damaged:
        logger.warning(f"{len(damaged)} figures are damaged; they are drawn again: "
                       + "; ".join(f"{path} ({why})" for path, why in sorted(damaged.items())))
        workflow.dag.forcefiles.update(damaged)
    changed = sorted(set(provenance.listed_but_changed("figures/all")) - set(damaged))
    if changed:
        logger.warning(f"{len(changed)} figures differ from what figures/all lists (replaced since it was written; "
                       f"a figure is never overwritten unasked: delete one to have it drawn again); figures/all "
                       f"lists them again as they are: " + ", ".join(changed))
        workflow.dag.forcefiles.add("figures/all")
