"""Rule learning_curves: every seed's training curve of an experiment, with the median."""

import pandas as pd

from workflow_scripts.figures import learning_curves, save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    logs = {seed: pd.read_csv(path) for seed, path in zip(p.seeds, snakemake.input.logs, strict=True)}
    save_figure(learning_curves(logs, p.experiment, p.first_timeout), snakemake.output.png, snakemake.output.pdf)


main(snakemake)  # noqa: F821
