# Results made from files that are gone (a failed job, a deleted file) are made again, with those files:
# Snakemake alone would report success with them stale (workflow_scripts/provenance.py). The remade files
# become inputs of figures/all, whose changed parameter makes it run and so pulls them in; everything made
# from them then reruns as Snakemake's "input updated by another job". rules/targets.smk finds STALE, the missing
# files, among its lists of products (stale_sources) and wires the functions below into the targets.
# Results whose identity record (workflow_scripts/identity.py) says other code or another configuration made them
# are made again too, whatever Snakemake's records say: rules/targets.smk plans IDENTITY (check_identities).
import os

from snakemake.exceptions import WorkflowError
from snakemake.iocontainers import Wildcards
from snakemake.logging import logger

from workflow_scripts import identity, provenance


def stale_sources(products):
    """{missing file: the products made from it} among `products` (provenance.stale_sources), with a warning."""
    stale = provenance.stale_sources(products)
    if stale:
        logger.warning(f"{len(stale)} files that results were made from are missing; every target makes those it "
                       f"needs again, and everything made from them:\n  {provenance.describe(stale)}")
    return stale


def rule_params(rule_name, **wildcards):
    """The params of the job of `rule_name` with these wildcards, as Snakemake gives them to the job."""
    wc = Wildcards(fromdict={k: str(v) for k, v in wildcards.items()})
    return {k: v(wc) if callable(v) else v for k, v in getattr(rules, rule_name).params.items()}


def check_identities(planned):
    """identity.check over {result: (rule, params)}, with a warning for each kind: results made again, and
    results the user kept with --touch, named on every run."""
    remade, kept = identity.check(planned)
    if remade:
        logger.warning(f"{len(remade)} results were made with other code or another configuration than they are "
                       f"planned with now (their identity records say so); they are made again, with what was "
                       f"made from them:\n  {identity.describe(remade)}")
    if kept:
        logger.warning(f"{len(kept)} results were made with another identity and kept with --touch; figures/all "
                       f"and the reproduction summary name them. To make them again, delete them or run with "
                       f"--forcerun and their rule:\n  {identity.describe(kept)}")
    return remade, kept


_TARGETS_REPAIRED = []


def repair_file_targets():
    """Runs once, while the first job is planned, before Snakemake decides what needs to run (it is called from
    every script rule's inputs, job_code): results of another identity join Snakemake's forced files, as
    `--forcerun` would make them (with --touch they are marked kept instead); and files named as targets are
    remade when they, or any file they were made from, are stale, since Snakemake alone finds the targets up
    to date. The named targets figures/all, engine, train and evaluate repair through their own inputs."""
    if _TARGETS_REPAIRED or not workflow.is_main_process:
        return
    _TARGETS_REPAIRED.append(True)
    remade = IDENTITY[0]
    if remade and workflow.touch:
        if not workflow.dryrun:
            identity.keep(PLANNED, remade)
        logger.warning(f"--touch keeps {len(remade)} results of another identity; every later run names them")
    elif remade:
        workflow.dag.forcefiles.update(remade)
    if not STALE:
        return
    # The missing files are inputs of figures/all; forcing it makes them needed even where Snakemake has no
    # record of its params to see them change (no .snakemake/, or the db backend).
    workflow.dag.forcefiles.add("figures/all")
    files = [t for t in workflow.dag_settings.targets if not workflow.is_rule(t) and t != "figures/all"]
    untraced = [t for t in files if os.path.exists(t) and provenance.recorded_inputs(t) is None]
    if untraced:
        raise WorkflowError(
            f"files that results were made from are missing ({', '.join(sorted(STALE))}), and with no record of "
            f"what {', '.join(untraced)} {'was' if len(untraced) == 1 else 'were'} made from (Snakemake's records "
            f"are gone, or kept by the db backend) this run cannot tell whether they are stale. Make the missing "
            f"files again first with `snakemake figures/all` or the stage target (engine, train, evaluate), or "
            f"delete the targets to have them made anew")
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
