"""benchmarks/gpu_check.sh runs through on the CPU with --dry: every stage, a tiny workload, a row per
measurement, and nothing written outside its folder."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO


def _files(root: Path) -> dict[str, int]:
    """Every file under root but the virtual environment and git's metadata, with its mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".venv", ".git")]
        for name in filenames:
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = path.stat().st_mtime_ns
    return out


@pytest.mark.slow
def test_gpu_check_dry_run_goes_through_every_stage_and_writes_only_its_folder(engine, tmp_path):
    before = _files(REPO)
    out = tmp_path / "check"
    run = subprocess.run(["bash", str(REPO / "benchmarks" / "gpu_check.sh"), str(out), "--dry"], cwd=tmp_path,
                         env={**os.environ, "MAZE_ENGINE_DIR": str(engine)}, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    report = (out / "report.md").read_text()
    for stage in ("cuda_tests", "train_float32", "train_bfloat16", "eval_gpu", "eval_cpu", "startup"):
        assert f"(stage {stage}: exit 0," in report, report
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(rows) == 5, report  # two training rows, two evaluation rows, the import time
    assert "| hard-500 | cpu" in report and "| bfloat16 |" in report and "| float32 |" in report
    assert "CUDA is not available" in report  # the cuda tests were collected and skipped with their reason
    assert "failed stages: 0" in report
    assert _files(REPO) == before
