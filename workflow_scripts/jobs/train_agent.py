"""Rule train_agent: one agent of one experiment, resumed from its last iteration (workflow_scripts/train.py)."""

from pathlib import Path

from workflow_scripts.jobs.shared.job import configure_logging, record_job
from workflow_scripts.train import TrainConfig, train


def main(snakemake) -> None:
    configure_logging(snakemake)
    label = f"[{snakemake.wildcards.experiment} seed {snakemake.wildcards.seed}] "
    p = snakemake.params
    # The run's identity is what Snakemake reruns the job for: a checkpoint of other code or another engine is
    # never resumed. Every iteration goes to the job's log, a line a minute (logs.CONSOLE) to the console.
    train(TrainConfig(**p.train), Path(snakemake.output.final).parent, device=p.device, label=label,
          gpu_requested=getattr(snakemake.resources, "gpu", 0) > 0,
          agents_per_gpu=getattr(snakemake.resources, "agents_per_gpu", 1),
          identity={"code": p.code, "engine": p.engine}, engine=Path(snakemake.input.lib).parent)
    record_job(snakemake)


main(snakemake)  # noqa: F821
