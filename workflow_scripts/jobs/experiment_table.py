"""Rule experiment_table: an experiment's pair tables joined, in config order."""

import pandas as pd

from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    table = pd.concat([pd.read_csv(t) for t in snakemake.input.tables], ignore_index=True)
    write_csv(table, snakemake.output[0])
    logger.info("%d rows from %d pair tables", len(table), len(snakemake.input.tables))


main(snakemake)  # noqa: F821
