"""Rule ols_plot: one pair's preferences regressed on another's across an experiment's agents."""

from pathlib import Path

import pandas as pd

from workflow_scripts.atomic import atomic_path
from workflow_scripts.figures import ols_figure, save_figure
from workflow_scripts.logs import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    # The original's OLS fit kept the blacklisted agent ; so do we.
    rows = pd.concat(map(pd.read_csv, snakemake.input.tables)).pivot(index="agent", columns="pair", values="preference")
    figure, fit = ols_figure(rows[p.x_pair_name], rows[p.y_pair_name], p.x_pair, p.y_pair, p.background, p.colours,
                             Path(snakemake.input.lib).parent)
    save_figure(figure, snakemake.output.png, snakemake.output.pdf)
    with atomic_path(snakemake.output.csv) as tmp:
        pd.DataFrame([{"x_pair": p.x_pair_name, "y_pair": p.y_pair_name, **fit}]).to_csv(tmp, index=False)
    logger.info("fit: %s", fit)


main(snakemake)  # noqa: F821
