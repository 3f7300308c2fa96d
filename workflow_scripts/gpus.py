"""GPU bookkeeping that needs no torch: a parse-time probe for GPUs, and distinct GPUs (or slots of one) for
concurrent jobs on one machine, claimed with a lock file per (GPU, slot)."""

import functools
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from workflow_scripts.locks import try_lock


@functools.cache
def nvidia_gpu_count() -> int:
    """GPUs on this machine as the driver sees them (nvidia-smi, else /dev/nvidiaN device nodes), without
    importing torch or creating a CUDA context. It says nothing about whether torch was built with CUDA: a
    job that then finds no CUDA fails with a message (devices.device_setup)."""
    if shutil.which("nvidia-smi"):
        try:
            run = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=20)
            if run.returncode == 0:
                return len([line for line in run.stdout.splitlines() if line.strip()])
        except (OSError, subprocess.TimeoutExpired):
            pass
    return len([p for p in glob.glob("/dev/nvidia*") if os.path.basename(p)[len("nvidia"):].isdigit()])


def default_lock_dir() -> Path:
    """Machine-wide, so that jobs of different workflows on one machine share the GPUs fairly."""
    return Path(os.environ.get("CSGM_GPU_LOCK_DIR", Path(tempfile.gettempdir()) / "csgm-gpu-locks"))


def claim_gpu(num_gpus: int, agents_per_gpu: int, lock_dir: str | os.PathLike[str] | None = None
              ) -> tuple[int, IO[str]]:
    """The index of a GPU with a free slot, and the open lock file that holds the slot until it is closed
    (or the process ends). Slots are filled GPU by GPU in turn (slot 0 of every GPU first), so k jobs on
    k GPUs get one GPU each. Raises when every slot is taken: Snakemake's resources (profiles/local) keep
    that from happening."""
    if num_gpus < 1:
        raise ValueError("no GPU to claim")
    lock_dir = Path(lock_dir) if lock_dir is not None else default_lock_dir()
    lock_dir.mkdir(parents=True, exist_ok=True)
    for slot in range(agents_per_gpu):
        for gpu in range(num_gpus):
            if (handle := try_lock(lock_dir / f"gpu{gpu}-slot{slot}.lock")) is not None:
                return gpu, handle
    raise RuntimeError(f"all {num_gpus} GPU(s) x {agents_per_gpu} slot(s) (train.agents_per_gpu) are taken by other "
                       f"jobs (lock files in {lock_dir}); run with --profile profiles/local, whose gpu_share resource "
                       "limits how many GPU jobs run at once")
