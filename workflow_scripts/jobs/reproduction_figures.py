"""Rule reproduction_figures: per experiment, the agents' preferences ours vs published, the differences per
pair, and the paper's claims side by side."""

import pandas as pd

from workflow_scripts.figures import save_figure
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.reproduction_figures import claims_figure, ecdf_figure, forest_figure


def main(snakemake) -> None:
    configure_logging(snakemake)
    p, out = snakemake.params, snakemake.output
    ours, published = pd.read_csv(snakemake.input.ours), pd.read_csv(snakemake.input.published)
    pairs = pd.read_csv(snakemake.input.pairs)
    save_figure(ecdf_figure(ours, published, pairs, p.title, p.columns), out.preferences_png, out.preferences_pdf)
    save_figure(forest_figure(pairs, p.margin, p.title, p.alpha), out.forest_png, out.forest_pdf)
    save_figure(claims_figure(pd.read_csv(snakemake.input.claims), p.title), out.claims_png, out.claims_pdf)


main(snakemake)  # noqa: F821
