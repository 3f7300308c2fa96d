"""One device setup for every job that runs the network (training, evaluation, benchmarks): which device,
how many CPU threads, and the numerics that make CUDA runs repeatable.

Float32 means IEEE float32 on every device: TF32, on by default for cuDNN convolutions on Ampere and
later, is turned off, so CUDA training and evaluation compute what the CPU computes up to rounding order.
Deterministic algorithms are required (an op without one raises instead of warning), so two CUDA runs with
the same seed give identical weights.
"""

import contextlib
import os
from collections.abc import Callable, Iterator

import torch

from workflow_scripts.gpus import claim_gpu


def bf16_note(capability: tuple[int, int]) -> str | None:
    """A warning when bfloat16 autocast would run emulated (GPUs before compute capability 8.0 have no
    native bfloat16 arithmetic), else None."""
    if capability < (8, 0):
        return (f"bf16 is set, but this GPU (compute capability {capability[0]}.{capability[1]}) has no native "
                "bfloat16: it runs emulated, usually slower than float32; set bf16: false for this GPU")
    return None


def resolve_device(device: str, gpu_requested: bool = False) -> torch.device:
    """'auto' picks CUDA when torch has it, else the CPU; but a job that was given a GPU (its `gpu` resource)
    must not silently run on the CPU, which at hard-500 scale takes hours instead of minutes."""
    cuda = torch.cuda.is_available()
    if device == "auto":
        if gpu_requested and not cuda:
            raise RuntimeError(
                f"this job was given a GPU (resources.gpu > 0) but torch {torch.__version__} cannot use CUDA "
                f"(built with CUDA: {torch.version.cuda or 'no'}); install a CUDA build of torch, or set "
                "train.device / evaluation.device to cpu and train.gpu to false")
        return torch.device("cuda" if cuda else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not cuda:
        raise RuntimeError(f"device {device!r} asked for, but torch {torch.__version__} cannot use CUDA here "
                           f"(built with CUDA: {torch.version.cuda or 'no'})")
    return resolved


def set_numerics(threads: int) -> None:
    """CPU threads, IEEE float32 (no TF32) and deterministic algorithms, on every device."""
    torch.set_num_threads(threads)
    # Read by cuBLAS when its first handle is made: deterministic matmuls need a fixed workspace.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.backends.cudnn.conv.fp32_precision = "ieee"
    torch.backends.cuda.matmul.fp32_precision = "ieee"
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)


def describe(device: torch.device, bf16: bool) -> str:
    """One log line naming the device and the precision."""
    precision = "bfloat16 autocast" if bf16 else "float32 (TF32 off)"
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        major, minor = torch.cuda.get_device_capability(index)
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        return (f"device cuda:{index} ({torch.cuda.get_device_name(index)}, compute capability {major}.{minor}, "
                f"CUDA_VISIBLE_DEVICES={visible if visible is not None else 'unset'}), {precision}, "
                f"{torch.get_num_threads()} CPU threads, deterministic algorithms")
    return f"device cpu, {precision}, {torch.get_num_threads()} CPU threads, deterministic algorithms"


@contextlib.contextmanager
def device_setup(device: str = "auto", threads: int = 1, bf16: bool = False, gpu_requested: bool = False,
                 agents_per_gpu: int = 1, num_gpus: int | None = None, lock_dir: str | os.PathLike[str] | None = None,
                 log: Callable[[str], None] = print) -> Iterator[torch.device]:
    """The device a job runs on, set up as the module docstring says, and logged. Where no scheduler chose
    the GPU (CUDA_VISIBLE_DEVICES unset) and the device names none, a GPU slot is claimed with a lock file
    (gpus.claim_gpu) for the duration of the block, so concurrent jobs spread over the GPUs, at most
    agents_per_gpu to one. num_gpus overrides torch's device count (for tests)."""
    set_numerics(threads)
    resolved = resolve_device(device, gpu_requested)
    with contextlib.ExitStack() as stack:
        if resolved.type == "cuda" and resolved.index is None and "CUDA_VISIBLE_DEVICES" not in os.environ:
            gpu, lock = claim_gpu(torch.cuda.device_count() if num_gpus is None else num_gpus, agents_per_gpu, lock_dir)
            stack.callback(lock.close)
            resolved = torch.device("cuda", gpu)
        if resolved.type == "cuda":
            torch.cuda.set_device(resolved)
            if bf16 and (note := bf16_note(torch.cuda.get_device_capability(resolved))):
                log(f"WARNING: {note}")
        log(describe(resolved, bf16))
        yield resolved
