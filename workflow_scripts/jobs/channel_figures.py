"""Rule channel_figures: preference by line colour per agent, and the agents in the planes of channel effects."""

import pandas as pd

from workflow_scripts.analysis_figures import channel_planes, channel_preferences
from workflow_scripts.figures import save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p, inp, out = snakemake.params, snakemake.input, snakemake.output
    classes = pd.read_csv(inp.classes)
    save_figure(channel_preferences(pd.read_csv(inp.table), p.reference, classes, p.experiment),
                out.preferences_png, out.preferences_pdf)
    save_figure(channel_planes(pd.read_csv(inp.effects), classes, p.experiment), out.effects_png, out.effects_pdf)


main(snakemake)  # noqa: F821
