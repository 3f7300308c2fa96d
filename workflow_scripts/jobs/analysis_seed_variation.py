"""Rule analysis_seed_variation: per pair, how much of the spread across seeds is more than binomial noise."""

import pandas as pd

from workflow_scripts.analysis import seed_variation
from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    variation = seed_variation(pd.read_csv(snakemake.input.table))
    write_csv(variation, snakemake.output[0])
    for row in variation[variation["reason"].fillna("") != ""].itertuples(index=False):
        logger.info("pair %s: %s", row.pair, row.reason)


main(snakemake)  # noqa: F821
