"""Rule train_agent: one agent of one experiment, resumed from its last iteration (workflow_scripts/train.py)."""

import contextlib
from pathlib import Path

from workflow_scripts.logs import LogStream, configure_logging
from workflow_scripts.train import TrainConfig, train


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    label = f"[{snakemake.wildcards.experiment} seed {snakemake.wildcards.seed}] "
    with contextlib.redirect_stdout(LogStream(logger)):
        train(TrainConfig(**snakemake.params.train), Path(snakemake.output.final).parent,
              device=snakemake.params.device, label=label, gpu_requested=getattr(snakemake.resources, "gpu", 0) > 0,
              agents_per_gpu=getattr(snakemake.resources, "agents_per_gpu", 1))


main(snakemake)  # noqa: F821
