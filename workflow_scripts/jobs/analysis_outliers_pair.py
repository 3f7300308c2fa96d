"""Rule analysis_outliers_pair: the agents implausible under the population of one pair's other agents."""

import pandas as pd

from workflow_scripts.analysis import outliers
from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    flags = outliers(pd.read_csv(snakemake.input.table), snakemake.params.alpha)
    write_csv(flags, snakemake.output[0])
    logger.info("%d flagged at alpha %g", len(flags), snakemake.params.alpha)


main(snakemake)  # noqa: F821
