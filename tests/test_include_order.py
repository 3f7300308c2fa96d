"""The rule files call nothing of each other (each holds its rules and their input functions; the Python they
call lives in parse-time modules): the Snakefile's includes in another order plan the same jobs, with the same
inputs, outputs, params and resources, at the demo and the paper scale."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import tiny_workflow as tiny
from tests.conftest import REPO

INCLUDE = re.compile(r"^include: .*$", re.MULTILINE)


def workflow_copy(dest: Path, reorder: bool) -> Path:
    """The workflow with the shipped config.yaml, its includes reversed when `reorder`; an engine record, so that
    the jobs behind the engine's checkpoint are planned too."""
    root = tiny.make_copy(dest)
    shutil.copy2(REPO / "config.yaml", root / "config.yaml")
    if reorder:
        snakefile = root / "Snakefile"
        text = snakefile.read_text()
        includes = INCLUDE.findall(text)
        assert len(includes) >= 9 and includes != includes[::-1]
        parts = INCLUDE.split(text)
        snakefile.write_text("".join(part + include for part, include in zip(parts, [*includes[::-1], ""])))
        assert INCLUDE.findall(snakefile.read_text()) == includes[::-1]
    (root / "results" / "engine").mkdir(parents=True)
    (root / "results" / "engine" / "engine.json").write_text("{}\n")
    return root


def planned(root: Path, *args: str) -> list[dict]:
    """Every job of a forced dry run of the default target (figures/all and the capability tables)."""
    out = root / "plan.json"
    run = subprocess.run([sys.executable, str(REPO / "tests" / "dry_run.py"), str(out), "--dry-run", "--forceall",
                          "--cores", "2", *args], cwd=root, env=tiny.venv_env(), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return json.loads(out.read_text())


def check_same_plan(tmp_path: Path, *args: str) -> None:
    normal = planned(workflow_copy(tmp_path / "normal", reorder=False), *args)
    reordered = planned(workflow_copy(tmp_path / "reordered", reorder=True), *args)
    assert {job["rule"] for job in normal} >= {"train_agent", "evaluate_agent", "scatter_plot", "all_figures"}
    assert [(j["rule"], j["wildcards"]) for j in reordered] == [(j["rule"], j["wildcards"]) for j in normal]
    for before, after in zip(normal, reordered):
        assert after == before, before["rule"]


def test_includes_in_another_order_plan_the_same_demo(tmp_path):
    check_same_plan(tmp_path)


@pytest.mark.slow
def test_includes_in_another_order_plan_the_same_paper(tmp_path):
    check_same_plan(tmp_path, "--config", "scale=paper")
