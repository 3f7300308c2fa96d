"""The benchmarks' kernel settings (benchmarks/avx2_training.py): `--isa` alone picks the kernels of their runs, a
setting that the shell exports, which they replace, is named rather than dropped without a word, and a result of
other kernels is never printed under this setting's name."""

import importlib
import json

import pytest

from tests.conftest import REPO


@pytest.fixture
def benchmark(monkeypatch):
    """A benchmark script imported as its own runs import it, with benchmarks/ on the path."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    return importlib.import_module


def test_an_exported_kernel_setting_is_replaced_by_isa_and_named(benchmark, monkeypatch):
    bench = benchmark("avx2_training")
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    assert bench.dropped_kernel_settings() is None
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX512_CORE_BF16")  # oneDNN held below AMX
    assert "ONEDNN_MAX_CPU_ISA" not in bench.child_env(REPO, "native")
    assert bench.child_env(REPO, "avx2")["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    warning = bench.dropped_kernel_settings()
    assert "ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16" in warning and "ATEN_CPU_CAPABILITY" not in warning


def test_demo_sets_reuses_a_result_of_the_same_kernels_only(benchmark, tmp_path):
    demo_sets = benchmark("demo_sets")
    name = "env16-e3-mb16-lr1e-3-41k"
    (tmp_path / name).mkdir()
    (tmp_path / name / "seed_0.json").write_text(json.dumps({"candidate": name, "seed": 0, "isa": "native",
                                                             "capability": 5.76}))
    assert demo_sets.run_agent(tmp_path, name, 0, "native")["capability"] == 5.76
    with pytest.raises(SystemExit, match=r"seed_0.json holds an agent trained with native kernels, not avx2"):
        demo_sets.run_agent(tmp_path, name, 0, "avx2")
