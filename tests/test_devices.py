"""Device setup (issue 15): no silent CPU fallback for a job given a GPU, distinct GPU slots for concurrent
jobs, IEEE float32 and strict determinism, the bf16 warning, and the torch-free GPU probe of parse time."""

import logging
import os
import subprocess
import sys
import textwrap

import pytest
import torch

from tests.conftest import REPO, imported_of
from workflow_scripts import gpus
from workflow_scripts import devices
from workflow_scripts.devices import bf16_note, device_setup, resolve_bf16, resolve_device

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the behaviour where torch has no CUDA")


@no_cuda
def test_auto_fails_when_the_job_was_given_a_gpu_but_torch_has_no_cuda():
    with pytest.raises(RuntimeError, match=r"given a GPU \(resources.gpu > 0\).*cannot use CUDA"):
        resolve_device("auto", gpu_requested=True)
    assert resolve_device("auto") == torch.device("cpu")


@no_cuda
def test_an_explicit_cuda_device_without_cuda_fails_with_a_message():
    with pytest.raises(RuntimeError, match="'cuda:1' asked for"):
        resolve_device("cuda:1")


def device_lines(caplog) -> list[str]:
    """What device_setup logged, in order."""
    return [r.getMessage() for r in caplog.records if r.name == devices.__name__]


def test_setup_turns_tf32_off_makes_determinism_strict_and_logs_the_device(caplog):
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.utils.deterministic.fill_uninitialized_memory = True
    torch.backends.cudnn.conv.fp32_precision = "tf32"
    caplog.set_level(logging.INFO, logger=devices.__name__)
    with device_setup("cpu", threads=1) as device:
        assert device == torch.device("cpu")
        assert torch.backends.cudnn.conv.fp32_precision == "ieee"
        assert torch.backends.cuda.matmul.fp32_precision == "ieee"
        assert torch.are_deterministic_algorithms_enabled()
        assert not torch.is_deterministic_algorithms_warn_only_enabled()
        # No NaN written into each new tensor first: 4-6% of CPU training (tests/test_train.py shows it safe).
        assert not torch.utils.deterministic.fill_uninitialized_memory
        assert torch.get_num_threads() == 1
    assert device_lines(caplog) == ["device cpu, float32 (TF32 off), 1 CPU threads, deterministic algorithms"]
    assert [r.levelno for r in caplog.records] == [logging.INFO]


@pytest.mark.parametrize("capability, warned", [((7, 5), True), ((7, 0), True), ((8, 0), False), ((9, 0), False)])
def test_bf16_warns_on_gpus_without_native_bfloat16(capability, warned):
    note = bf16_note(capability)
    assert (note is not None) == warned
    if warned:
        assert f"{capability[0]}.{capability[1]}" in note and "emulated" in note



def test_bf16_on_a_gpu_without_native_bfloat16_is_logged_as_a_warning(monkeypatch, caplog):
    """The note is a warning, so a job's console shows it (logs.for_console), before the device's line."""
    monkeypatch.setattr(devices, "resolve_device", lambda device, gpu_requested: torch.device("cuda", 0))
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: None)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))
    monkeypatch.setattr(devices, "describe", lambda device, bf16: "device cuda:0 (a T4)")
    caplog.set_level(logging.INFO, logger=devices.__name__)
    with device_setup("cuda:0", threads=1, bf16=True):
        pass
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.WARNING, bf16_note((7, 5))),
                                                                      (logging.INFO, "device cuda:0 (a T4)")]


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512_bf16\nbogomips\t: 1\n")
    assert devices.cpu_flags(cpuinfo) >= {"avx2", "avx512_bf16"}
    assert devices.cpu_flags(tmp_path / "none") == frozenset()


@pytest.mark.parametrize("flags, chosen", [({"avx2"}, False), ({"avx2", "avx512f"}, False),
                                           ({"avx512f", "avx512_bf16"}, True), ({"amx_bf16"}, True)])
def test_bf16_auto_takes_bfloat16_only_where_the_cpu_has_it(monkeypatch, caplog, flags, chosen):
    """auto must not pick the emulated bfloat16 of an AVX2-only (or AVX-512 without BF16) CPU: 8x slower than
    float32 there."""
    monkeypatch.setattr(devices, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    cpu = torch.device("cpu")
    assert resolve_bf16("auto", cpu) is chosen
    assert resolve_bf16(True, cpu) is True and resolve_bf16(False, cpu) is False
    caplog.set_level(logging.INFO, logger=devices.__name__)
    with device_setup("cpu", threads=1, bf16="auto"):
        pass
    lines = device_lines(caplog)
    assert lines[0].startswith("device cpu, bfloat16 autocast" if chosen else "device cpu, float32 (TF32 off)")
    assert "(bf16: auto; " in lines[0]
    with pytest.raises(ValueError, match="true, false or auto"):
        resolve_bf16("yes", cpu)

@pytest.mark.parametrize("capability, onednn_isa, chosen", [
    ("AVX512", None, True), ("AVX512", "ALL", True), ("AVX512", "avx512_core_bf16", True),
    ("AVX512", "AVX512_CORE_AMX", True), ("AVX2", None, False), ("AVX512", "AVX2", False),
    ("AVX512", " avx512_core ", False), ("DEFAULT", None, False)])
def test_bf16_auto_takes_float32_where_the_kernels_are_held_below_avx512(monkeypatch, capability, onednn_isa, chosen):
    """A CPU with bfloat16 instructions whose kernels ATEN_CPU_CAPABILITY or ONEDNN_MAX_CPU_ISA hold at AVX2
    emulates bfloat16 as an AVX2-only CPU does (6 steps/s against 37 in float32 for the demo there)."""
    monkeypatch.setattr(devices, "cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    if onednn_isa is None:
        monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    else:
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", onednn_isa)
    assert resolve_bf16("auto", torch.device("cpu")) is chosen


def test_bf16_auto_follows_aten_cpu_capability_in_a_fresh_process():
    """The real variable, not a patched function: torch reads ATEN_CPU_CAPABILITY when it starts."""
    code = ("import torch; from workflow_scripts.devices import resolve_bf16; "
            "print(torch.backends.cpu.get_cpu_capability(), resolve_bf16('auto', torch.device('cpu')))")
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["AVX2", "False"]


def test_freed_memory_is_kept_for_reuse():
    """After the setting, a freed 128 MiB block is reused: once the heap has settled (the small allocations
    between the large ones leave holes at first, so the first few allocations still grow it; after 16 it has
    stopped growing in every run tried), 16 more allocations fault in no fresh pages (without the setting,
    32,768 each)."""
    code = textwrap.dedent("""
        import resource, torch
        from workflow_scripts.devices import keep_freed_memory
        assert keep_freed_memory()
        for _ in range(16):
            torch.ones(2**25)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(16):
            torch.ones(2**25)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    faults = int(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout)
    assert faults < 1000, faults


def test_concurrent_jobs_claim_distinct_gpus_then_share_them_up_to_the_limit(tmp_path):
    """A fake machine of 2 GPUs, 2 agents per GPU: slots fill GPU by GPU, the fifth claim fails, and a
    released slot is claimed again."""
    held = [gpus.claim_gpu(2, 2, tmp_path) for _ in range(4)]
    assert [gpu for gpu, _ in held] == [0, 1, 0, 1]
    with pytest.raises(RuntimeError, match=r"train.agents_per_gpu.*profiles/local"):
        gpus.claim_gpu(2, 2, tmp_path)
    held[1][1].close()
    gpu, handle = gpus.claim_gpu(2, 2, tmp_path)
    assert gpu == 1
    for _, h in [*held, (gpu, handle)]:
        h.close()


def test_a_gpu_held_by_another_process_is_not_claimed_and_is_freed_when_it_ends(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from workflow_scripts.gpus import claim_gpu
            gpu, lock = claim_gpu(2, 1, {str(tmp_path)!r})
            print(gpu, flush=True)
            sys.stdin.read()
        """)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "0"
        gpu, handle = gpus.claim_gpu(2, 1, tmp_path)
        assert gpu == 1
        handle.close()
    finally:
        holder.communicate("")
    gpu, handle = gpus.claim_gpu(2, 1, tmp_path)  # the lock died with its process
    assert gpu == 0
    handle.close()


def test_the_parse_time_probe_asks_nvidia_smi(tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\nprintf '0\\n1\\n2\\n'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    gpus.nvidia_gpu_count.cache_clear()
    try:
        assert gpus.nvidia_gpu_count() == 3
    finally:
        gpus.nvidia_gpu_count.cache_clear()


def test_config_and_gpu_modules_import_neither_torch_nor_gym3():
    """What workflow_scripts/plan.py imports for training must not cost parsing a torch import (issue 13)."""
    assert imported_of("import workflow_scripts.train_config, workflow_scripts.gpus") == []


class _OffCpuPolicy(torch.nn.Module):
    """A stand-in policy whose parameters live on the `meta` device: it checks that its input was moved to
    its device (as a CUDA policy needs) and answers uniform log-probabilities on the CPU."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(1, device="meta"))

    def logits_and_value(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        assert obs.device.type == "meta", obs.device
        n = obs.shape[0]
        return torch.full((n, 15), -torch.log(torch.tensor(15.0))), torch.zeros(n)


def test_gif_frames_are_given_to_the_policy_on_its_own_device(engine):
    from workflow_scripts.media import agent_frames

    assert agent_frames(_OffCpuPolicy(), "single", 3).shape == (3, 64, 64, 3)


@no_cuda
def test_a_training_job_given_a_gpu_fails_before_writing_anything(tmp_path):
    from workflow_scripts.train import TrainConfig, train

    with pytest.raises(RuntimeError, match="given a GPU"):
        train(TrainConfig(timesteps=64, n_envs=4, n_steps=16, minibatches=2), tmp_path / "run", gpu_requested=True)
    assert not (tmp_path / "run").exists()
