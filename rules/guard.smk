# Results made from files that are gone (a failed job, a deleted file) are made again, with those files:
# Snakemake alone would report success with them stale (workflow_scripts/provenance.py). The remade files
# become inputs of figures/all, whose changed parameter makes it run and so pulls them in; everything made
# from them then reruns as Snakemake's "input updated by another job".
from snakemake.logging import logger

from workflow_scripts import provenance


def workflow_products():
    """Every file that the targets of the active experiments are made of, intermediates included."""
    products = [*figure_targets(), "figures/all"]
    products += [table_path(e) for e in ACTIVE] + [table_path(e, p) for e in ACTIVE for p in pairs(e)]
    if SOURCE == "zenodo":
        # The record's chain: a failed unpack (a file that no longer matches record.md5) leaves no unpacked.txt
        # while the index made from it stays.
        products += [f"{PUBLISHED_DIR}/fetched.md5", f"{PUBLISHED_DIR}/unpacked.txt", PUBLISHED_INDEX]
    if SOURCE == "local":
        for e in ACTIVE:
            for s in seeds(e):
                run = f"results/train/{e}/seed_{s}"
                products += [final_checkpoint(e, s), f"{run}/log.csv", f"{run}/capability.csv"]
                products += [f"results/eval/{e}/{p}/seed_{s}.csv" for p in pairs(e)]
    return products


# Only the process that plans the run looks; cluster jobs parse the workflow again on their nodes.
STALE = provenance.stale_sources(workflow_products()) if workflow.is_main_process else {}
if STALE:
    logger.warning(f"{len(STALE)} files that results were made from are missing; they are made again, and so "
                   f"is everything made from them:\n  {provenance.describe(STALE)}")
