"""Rule analysis_channels: each agent's colour-channel effects, its channel GLM and its channel class."""

import pandas as pd

from workflow_scripts.analysis import channel_classes, channel_effects, channel_glm
from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p, out = snakemake.params, snakemake.output
    table = pd.read_csv(snakemake.input.table)
    effects = channel_effects(table, p.reference)
    write_csv(effects, out.effects)
    write_csv(channel_glm(table, p.reference), out.glm)
    classes = channel_classes(effects, p.min_effect)
    write_csv(classes, out.classes)
    logger.info("channel classes: %s", classes["channels"].value_counts().to_dict())


main(snakemake)  # noqa: F821
