"""Rule experiment_summary: all pairs of an experiment as small multiples of the scatter plot."""

import pandas as pd

from workflow_scripts.figures import experiment_summary, plotted, read_icons, save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    flags = pd.read_csv(snakemake.input.outliers)
    figure = experiment_summary(plotted(pd.read_csv(snakemake.input.table)), p.pairs, p.goal, p.background,
                                p.experiment, read_icons(snakemake.input.icons), p.columns,
                                flags.groupby("pair")["agent"].apply(set).to_dict())
    save_figure(figure, snakemake.output.png, snakemake.output.pdf)


main(snakemake)  # noqa: F821
