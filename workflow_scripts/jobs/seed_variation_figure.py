"""Rule seed_variation_figure: per pair, the agents' preferences beside what binomial noise alone would give."""

import pandas as pd

from workflow_scripts.analysis_figures import seed_variation_figure
from workflow_scripts.figures import save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    figure = seed_variation_figure(pd.read_csv(snakemake.input.table), pd.read_csv(snakemake.input.variation),
                                   p.pairs, p.experiment, p.columns)
    save_figure(figure, snakemake.output.png, snakemake.output.pdf)


main(snakemake)  # noqa: F821
