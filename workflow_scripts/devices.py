"""One device setup for every job that runs the network (training, evaluation, benchmarks): which device,
how many CPU threads, and the numerics that make CUDA runs repeatable.

Float32 means IEEE float32 on every device: TF32, on by default for cuDNN convolutions on Ampere and
later, is turned off, so CUDA training and evaluation compute what the CPU computes up to rounding order.
Deterministic algorithms are required (an op without one raises instead of warning), so two CUDA runs with
the same seed give identical weights.
"""

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import torch

from workflow_scripts.gpus import claim_gpu

logger = logging.getLogger(__name__)


def bf16_note(capability: tuple[int, int]) -> str | None:
    """A warning when bfloat16 autocast would run emulated (GPUs before compute capability 8.0 have no
    native bfloat16 arithmetic), else None."""
    if capability < (8, 0):
        return (f"bf16 is set, but this GPU (compute capability {capability[0]}.{capability[1]}) has no native "
                "bfloat16: it runs emulated, usually slower than float32; set bf16: false for this GPU")
    return None


# CPU flags of native bfloat16 arithmetic; without them autocast emulates it, several times slower than float32
# (8x for a policy forward pass on an AVX2-only AMD EPYC, README "Quick start").
CPU_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_flags(cpuinfo: str | os.PathLike[str] = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags as Linux lists them; empty where there is no such file (macOS, Windows)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


# oneDNN's instruction-set ceilings (ONEDNN_MAX_CPU_ISA) below AVX-512 BF16: under them its bfloat16
# convolutions are emulated whatever the CPU has.
ONEDNN_ISAS_WITHOUT_BF16 = frozenset({"SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE",
                                      "AVX512_CORE_VNNI"})


def cpu_kernels_allow_bf16() -> bool:
    """False where ATEN_CPU_CAPABILITY or ONEDNN_MAX_CPU_ISA hold torch's kernels below AVX-512: a CPU with
    bfloat16 instructions then runs as an AVX2-only one would (benchmarks/avx2_training.py)."""
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "ALL").strip().upper()
    return torch.backends.cpu.get_cpu_capability().startswith("AVX512") and isa not in ONEDNN_ISAS_WITHOUT_BF16


def native_bf16(device: torch.device) -> bool:
    """Whether the device computes bfloat16 natively: CUDA GPUs of compute capability 8.0 or later, CPUs with
    AVX-512 BF16 or AMX whose kernels are not held below AVX-512."""
    if device.type == "cuda":
        return torch.cuda.get_device_capability(device) >= (8, 0)
    return bool(CPU_BF16_FLAGS & cpu_flags()) and cpu_kernels_allow_bf16()


def resolve_bf16(setting: bool | str, device: torch.device) -> bool:
    """A `bf16` setting made a choice: "auto" is bfloat16 autocast where the device has it natively, float32
    elsewhere; true and false are kept."""
    if setting == "auto":
        return native_bf16(device)
    if not isinstance(setting, bool):
        raise ValueError(f"bf16 must be true, false or auto, not {setting!r}")
    return setting


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


# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4


def keep_freed_memory() -> bool:
    """Make glibc keep freed memory for reuse instead of handing it back to the kernel; False where the C
    library has no mallopt (macOS, musl). By default every block over 32 MiB (a 512-frame minibatch's
    activations are up to 128 MiB) is mapped on allocation and unmapped on free, so each update step faults
    in some 300,000 fresh zeroed pages: keeping them makes the demo's training 1.2-1.3x faster on 2 cores
    (BENCHMARKS.md, "Training on AVX2"). The process then holds its peak memory, which a training job reaches
    every step."""
    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, 2**31 - 1))


def set_numerics(threads: int) -> None:
    """CPU threads, IEEE float32 (no TF32), deterministic algorithms and the allocator, on every device."""
    torch.set_num_threads(threads)
    keep_freed_memory()
    # Read by cuBLAS when its first handle is made: deterministic matmuls need a fixed workspace.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.backends.cudnn.conv.fp32_precision = "ieee"
    torch.backends.cuda.matmul.fp32_precision = "ieee"
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    deterministic_algorithms()


def deterministic_algorithms() -> None:
    """torch.use_deterministic_algorithms(True), without importing the inductor compiler where nothing has, and
    without filling each new tensor with NaN first.

    The torch we install (2.13; pytorch/pytorch#165950) imports torch._inductor there to set its `deterministic`
    flag: 0.9 s of the start-up of every job that plays an agent, though no job compiles (BENCHMARKS.md, "Job
    start-up and the test suite"). The eager flag is set directly instead, and inductor gets the same setting from
    its environment variable when something imports it later; where it is loaded already, the public call costs
    nothing.

    Deterministic mode also writes NaN into every tensor that torch.empty and its kin make, so that a program that
    reads memory before writing it reads the same NaN each run. Ours writes everything it reads (a NaN read would
    reach the weights and the evaluations), so the fill changes no result and costs 4-6% of CPU training
    (BENCHMARKS.md, "Training on AVX2"); torch's documentation names this switch for such programs."""
    torch.utils.deterministic.fill_uninitialized_memory = False
    if "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True)
        return
    os.environ["TORCHINDUCTOR_DETERMINISTIC"] = "1"
    torch._C._set_deterministic_algorithms(True, warn_only=False)


def describe(device: torch.device, bf16: bool | str) -> str:
    """One log line naming the device and the precision (and, for bf16: auto, what it chose)."""
    precision = "bfloat16 autocast" if resolve_bf16(bf16, device) else "float32 (TF32 off)"
    if bf16 == "auto":
        precision += f" (bf16: auto; {'native' if native_bf16(device) else 'no native'} bfloat16 on this device)"
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        major, minor = torch.cuda.get_device_capability(index)
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        return (f"device cuda:{index} ({torch.cuda.get_device_name(index)}, compute capability {major}.{minor}, "
                f"CUDA_VISIBLE_DEVICES={visible if visible is not None else 'unset'}), {precision}, "
                f"{torch.get_num_threads()} CPU threads, deterministic algorithms")
    return f"device cpu, {precision}, {torch.get_num_threads()} CPU threads, deterministic algorithms"


@contextlib.contextmanager
def device_setup(device: str = "auto", threads: int = 1, bf16: bool | str = False, gpu_requested: bool = False,
                 agents_per_gpu: int = 1, num_gpus: int | None = None,
                 lock_dir: str | os.PathLike[str] | None = None) -> Iterator[torch.device]:
    """The device a job runs on, set up as the module docstring says, and logged (at INFO; the bf16 note at
    WARNING). Where no scheduler chose the GPU (CUDA_VISIBLE_DEVICES unset) and the device names none, a GPU
    slot is claimed with a lock file (gpus.claim_gpu) for the duration of the block, so concurrent jobs spread
    over the GPUs, at most agents_per_gpu to one. num_gpus overrides torch's device count (for tests)."""
    set_numerics(threads)
    resolved = resolve_device(device, gpu_requested)
    with contextlib.ExitStack() as stack:
        if resolved.type == "cuda" and resolved.index is None and "CUDA_VISIBLE_DEVICES" not in os.environ:
            gpu, lock = claim_gpu(torch.cuda.device_count() if num_gpus is None else num_gpus, agents_per_gpu, lock_dir)
            stack.callback(lock.close)
            resolved = torch.device("cuda", gpu)
        if resolved.type == "cuda":
            torch.cuda.set_device(resolved)
            if bf16 is True and (note := bf16_note(torch.cuda.get_device_capability(resolved))):
                logger.warning(note)
        logger.info(describe(resolved, bf16))
        yield resolved
