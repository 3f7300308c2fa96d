"""What the entry scripts of the GIF rules share: ours and the published agents are drawn alike."""

from pathlib import Path

from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.media import agent_gif


def gif(snakemake) -> None:
    """A GIF of an agent in its training game or a pair."""
    logger = configure_logging(snakemake)
    p = snakemake.params
    agent_gif(snakemake.input.model, snakemake.output[0], p.game, p.frames, p.first_level, p.seed, p.scale,
              p.duration_ms, colours=p.colours, engine=Path(snakemake.input.lib).parent, background=p.background,
              world_dim=p.world_dim, **p.objects)
    logger.info("%d frames of %s", p.frames, snakemake.input.model)
