"""Rule scatter_plot: the paper's preference-vs-capability plot of one pair."""

import pandas as pd

from workflow_scripts.figures import plotted, preference_capability_scatter, read_icons, save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    rows = plotted(pd.read_csv(snakemake.input.table))
    flagged = set(pd.read_csv(snakemake.input.outliers)["agent"])
    figure = preference_capability_scatter(rows, p.obj1, p.obj2, p.goal, read_icons(snakemake.input.icons), flagged,
                                           p.intervals)
    save_figure(figure, snakemake.output.png, snakemake.output.pdf)


main(snakemake)  # noqa: F821
