"""What the entry scripts of the rules that evaluate an agent share: ours and the published agents are evaluated
alike. (GIFs and vector fields have modules of their own beside this one, so that each job's code, and so what
reruns it, is only what it runs.)"""

import logging
from pathlib import Path

from workflow_scripts import evaluate
from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging, job_device, record_job
from workflow_scripts.metrics import level_range


def evaluation(snakemake) -> None:
    """An agent's checkpoint on a pair's levels, written as the original's results-1000 CSV."""
    logger = configure_logging(snakemake)
    # An evaluation's log follows its episodes every 50 steps; other jobs that play episodes leave that out.
    evaluate.logger.setLevel(logging.DEBUG)
    p = snakemake.params
    with job_device(snakemake, p.bf16) as device:
        table = evaluate.evaluate_checkpoint(snakemake.input.model, p.obj1, p.obj2, p.background,
                                             level_range(p.first_level, p.num_levels), p.seed, device,
                                             world_dim=p.world_dim, colours=p.colours, bf16=p.bf16,
                                             max_batch=snakemake.resources.max_batch,
                                             engine=Path(snakemake.input.lib).parent)
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    record_job(snakemake)
    logger.info("done: %d obj1, %d obj2, %d timeouts, mean length %.2f", (table.reward == 10).sum(),
                (table.reward == -10).sum(), (table.reward == 0).sum(), table.steps.mean())
