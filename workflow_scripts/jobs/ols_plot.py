"""Rule ols_plot: one pair's preferences regressed on another's across an experiment's agents."""

import pandas as pd

from workflow_scripts.analysis import ols_fit
from workflow_scripts.atomic import atomic_path
from workflow_scripts.figures import ols_figure, read_icons, save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    # The original's OLS fit kept the blacklisted agent ; so do we.
    rows = pd.concat(map(pd.read_csv, snakemake.input.tables)).pivot(index="agent", columns="pair", values="preference")
    x, y = rows[p.x_pair_name], rows[p.y_pair_name]
    fit = ols_fit(x, y)
    save_figure(ols_figure(x, y, fit, p.x_pair, p.y_pair, read_icons(snakemake.input.icons)), snakemake.output.png,
                snakemake.output.pdf)
    with atomic_path(snakemake.output.csv) as tmp:
        pd.DataFrame([{"x_pair": p.x_pair_name, "y_pair": p.y_pair_name, **fit}]).to_csv(tmp, index=False)
    logger.info("fit: %s", fit)


main(snakemake)  # noqa: F821
