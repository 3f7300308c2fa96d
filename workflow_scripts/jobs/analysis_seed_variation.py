"""Rule analysis_seed_variation: per pair, how much of the spread across seeds is more than binomial noise."""

import pandas as pd

from workflow_scripts.analysis import seed_variation
from workflow_scripts.atomic import write_csv
from workflow_scripts.logs import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    write_csv(seed_variation(pd.read_csv(snakemake.input.table)), snakemake.output[0])


main(snakemake)  # noqa: F821
