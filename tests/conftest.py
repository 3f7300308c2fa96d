"""Shared fixtures: the engine built through the workflow, one complete run of the tiny workflow, and the optional
../shared spec material."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MAZE_SHARED_DIR", REPO.parent / "shared"))
CONFORMANCE = SHARED / "conformance"
REFERENCE_MODEL = SHARED / "spec" / "reference_model.py"


@pytest.fixture(scope="session")
def engine() -> Path:
    """Builds the engine with the workflow's own rules (a no-op when up to date) and returns its folder."""
    if "MAZE_ENGINE_DIR" in os.environ:
        return Path(os.environ["MAZE_ENGINE_DIR"])
    targets = ["results/engine/libmaze.so", "results/engine/engine.json",
               *[f"results/engine/assets/{n}.pam" for n in _asset_names()]]
    run = subprocess.run([sys.executable, "-m", "snakemake", *targets, "--cores", "2"], cwd=REPO,
                         capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail(f"building the engine failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return REPO / "results" / "engine"


@pytest.fixture(scope="session")
def complete_tiny_run(tmp_path_factory) -> dict:
    """One complete run of the tiny workflow (tests/config/tiny.yaml) per session: its folder, the plan a fresh copy
    had before it, and the run's console. Tests change copies of it (tiny_workflow.clone_with_results), never it,
    so the suite pays for the run once (about two minutes on 2 cores)."""
    from tests import tiny_workflow as tiny

    root = tiny.make_copy(tmp_path_factory.mktemp("complete-tiny-run") / "workflow")
    complete_plan = tiny.planned_jobs(root)
    first = tiny.run_all(root)
    return {"root": root, "complete_plan": complete_plan, "console": first.stdout + first.stderr}


def _asset_names() -> list[str]:
    from workflow_scripts.prepare_assets import ASSET_NAMES

    return ASSET_NAMES


@pytest.fixture(scope="session")
def reference_model():
    """The spec's slow Python model of the original engine (independent of our C++)."""
    if not REFERENCE_MODEL.exists():
        pytest.skip(f"spec material not available: {REFERENCE_MODEL} is absent (CI has ../shared beside the checkout)")
    spec = importlib.util.spec_from_file_location("reference_model", REFERENCE_MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def one_torch_thread():
    """torch on one thread for the test, as batches this small run slower on more (restored afterwards)."""
    import torch  # here, so that collecting tests that never train does not import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
