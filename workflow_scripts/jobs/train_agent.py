"""Rule train_agent: one agent of one experiment, resumed from its last iteration (workflow_scripts/train.py)."""

import contextlib
import sys
from pathlib import Path

from workflow_scripts.logs import LogStream, configure_logging
from workflow_scripts.train import TrainConfig, train


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    label = f"[{snakemake.wildcards.experiment} seed {snakemake.wildcards.seed}] "
    p = snakemake.params
    with contextlib.redirect_stdout(LogStream(logger)):
        # The run's identity is what Snakemake reruns the job for: a checkpoint of other code or another engine
        # is never resumed.
        train(TrainConfig(**p.train), Path(snakemake.output.final).parent, device=p.device, label=label,
              gpu_requested=getattr(snakemake.resources, "gpu", 0) > 0,
              agents_per_gpu=getattr(snakemake.resources, "agents_per_gpu", 1),
              identity={"code": p.code, "engine": p.engine}, engine=Path(snakemake.input.lib).parent,
              # Snakemake shows a job's stderr: a line a minute there, every iteration in the job's log.
              progress=sys.stderr)


main(snakemake)  # noqa: F821
