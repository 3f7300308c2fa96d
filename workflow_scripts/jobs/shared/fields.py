"""What the entry scripts of the vector-field rules share: one agent's field, or two agents' difference."""

from pathlib import Path

from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.vector_field import vector_field_outputs


def vector_field(snakemake) -> None:
    """An agent's vector field on a level, or the difference of two agents' fields."""
    logger = configure_logging(snakemake)
    p = snakemake.params
    vector_field_outputs(snakemake.input.models, p.labels, snakemake.output.png, snakemake.output.csv, p.game,
                         p.level, p.facing == "right", p.title, colours=p.colours,
                         engine=Path(snakemake.input.lib).parent, background=p.background, world_dim=p.world_dim,
                         **p.objects)
    logger.info("field of %s on level %d", " minus ".join(p.labels), p.level)
