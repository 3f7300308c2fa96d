"""Rule training_capability: an agent's episodes in its own training game on levels it never trained on."""

from pathlib import Path

from workflow_scripts.atomic import atomic_path
from workflow_scripts.capability import training_game_episodes
from workflow_scripts.devices import resolve_bf16
from workflow_scripts.jobs.shared.job import configure_logging, job_device, record_job
from workflow_scripts.metrics import level_range


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    with job_device(snakemake, p.bf16) as device:
        table = training_game_episodes(snakemake.input.model, p.goal, p.background, p.world_dim,
                                       level_range(p.first_level, p.num_levels), p.colours, device=device,
                                       bf16=resolve_bf16(p.bf16, device),
                                       engine=Path(snakemake.input.lib).parent)
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    record_job(snakemake)
    logger.info("mean episode length %.2f, median %.1f, timeouts %.1f%%", table.steps.mean(), table.steps.median(),
                100 * (table.reward == 0).mean())


main(snakemake)  # noqa: F821
