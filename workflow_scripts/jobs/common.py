"""What two rules' entry scripts share: ours and the published agents are evaluated and drawn alike."""

import contextlib
import logging
from pathlib import Path

from workflow_scripts.atomic import atomic_path
from workflow_scripts.devices import device_setup
from workflow_scripts.evaluate import evaluate_checkpoint
from workflow_scripts.logs import LogStream, configure_logging
from workflow_scripts.media import agent_gif
from workflow_scripts.metrics import level_range
from workflow_scripts.vector_field import vector_field_outputs


def job_device(snakemake, bf16: bool, logger: logging.Logger) -> contextlib.AbstractContextManager:
    """The device of a job that plays an agent (`params.device`), set up with the job's threads and GPU."""
    return device_setup(snakemake.params.device, snakemake.threads, bf16, getattr(snakemake.resources, "gpu", 0) > 0,
                        getattr(snakemake.resources, "agents_per_gpu", 1), log=logger.info)


def evaluation(snakemake) -> None:
    """An agent's checkpoint on a pair's levels, written as the original's results-1000 CSV."""
    logger = configure_logging(snakemake)
    p = snakemake.params
    with job_device(snakemake, p.bf16, logger) as device:
        table = evaluate_checkpoint(snakemake.input.model, p.obj1, p.obj2, p.background,
                                    level_range(p.first_level, p.num_levels), p.seed, device, world_dim=p.world_dim,
                                    colours=p.colours, bf16=p.bf16, max_batch=p.max_batch, progress=LogStream(logger))
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    logger.info("done: %d obj1, %d obj2, %d timeouts, mean length %.2f", (table.reward == 10).sum(),
                (table.reward == -10).sum(), (table.reward == 0).sum(), table.steps.mean())


def gif(snakemake) -> None:
    """A GIF of an agent in its training game or a pair."""
    logger = configure_logging(snakemake)
    p = snakemake.params
    agent_gif(snakemake.input.model, snakemake.output[0], p.game, p.frames, p.first_level, p.seed, p.scale,
              p.duration_ms, colours=p.colours, engine=Path(snakemake.input.lib).parent, background=p.background,
              world_dim=p.world_dim, **p.objects)
    logger.info("%d frames of %s", p.frames, snakemake.input.model)


def vector_field(snakemake) -> None:
    """An agent's vector field on a level, or the difference of two agents' fields."""
    logger = configure_logging(snakemake)
    p = snakemake.params
    vector_field_outputs(snakemake.input.models, p.labels, snakemake.output.png, snakemake.output.csv, p.game,
                         p.level, p.facing == "right", p.title, colours=p.colours,
                         engine=Path(snakemake.input.lib).parent, background=p.background, world_dim=p.world_dim,
                         **p.objects)
    logger.info("field of %s on level %d", " minus ".join(p.labels), p.level)
