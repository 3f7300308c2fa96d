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


def test_only_the_reference_code_as_baseline_gets_a_projection(benchmark):
    """The reference machines' times stand for one commit's speed: a ratio against another baseline (the last
    commit, say) projected from them would claim a speed-up of that baseline over the reference's code."""
    bench = benchmark("avx2_training")
    if not bench.is_reference_code(bench.REFERENCE_CODE):
        pytest.skip(f"{bench.REFERENCE_CODE} is not in this clone's history (shallow clone)")
    assert not bench.is_reference_code("HEAD") and not bench.is_reference_code("no-such-commit")
    # Worked by hand: 71.3 min of which 65.87 training; a quarter of the steps at 1.25x the speed.
    assert bench.projected_minutes("avx2", 1.0, 1.0) == pytest.approx(71 + 18 / 60)
    assert bench.projected_minutes("avx2", 0.25, 1.25) == pytest.approx(5 + 26 / 60 + (65 + 52 / 60) * 0.25 / 1.25)
