"""Rule analysis_outliers: an experiment's flagged (agent, pair) rows, and each flagged agent once."""

import pandas as pd

from workflow_scripts.analysis import outlier_summary
from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    flags = pd.concat([pd.read_csv(t) for t in snakemake.input.tables], ignore_index=True)
    write_csv(flags, snakemake.output.flags)
    agents = outlier_summary(flags)
    write_csv(agents, snakemake.output.agents)
    logger.info("%d flagged rows, %d agents", len(flags), len(agents))


main(snakemake)  # noqa: F821
