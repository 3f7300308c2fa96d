"""Shared fixtures: the engine built through the workflow, one complete run of the tiny workflow, and the optional
../shared spec material; and the suite's layout on pytest-xdist's workers (pyproject.toml's addopts)."""

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MAZE_SHARED_DIR", REPO.parent / "shared"))
CONFORMANCE = SHARED / "conformance"
REFERENCE_MODEL = SHARED / "spec" / "reference_model.py"


MAX_WORKERS = 4


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: a worker per core, at most MAX_WORKERS, since a workflow test runs Snakemake on 2 cores itself and
    every worker holds its own torch."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def threads_per_worker() -> int:
    """This process's share of the cores: all of them in one process, cores / workers on xdist's workers."""
    return max(1, len(os.sched_getaffinity(0)) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))


def pytest_configure(config) -> None:
    """On xdist's workers, torch, OpenMP and BLAS (here and in the jobs that tests start) default to the worker's
    share of the cores: two workers computing on two threads each on 2 cores ran a training 2.5x slower than on one
    each, as OpenMP's threads wait for a core that the other worker holds. A value the caller set is kept."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads_per_worker()))


def pytest_collection_modifyitems(config, items) -> None:
    """Modules with the most slow test functions first (a parametrized one counts once: its cases share their
    fixtures), each module's order and the rest's kept. xdist hands out whole modules in this order (`--dist loadfile
    --no-loadscope-reorder`), a worker taking its next one while two of its tests are left, so the long ones start
    early and the short ones fill the gaps. With the slow modules in name order one of two workers ran 1,004 s of
    tests and the other 884; this order, replayed on that run's durations, 946 and 942 (BENCHMARKS.md, "Job start-up
    and the test suite")."""
    functions = {(item.path, item.originalname) for item in items if item.get_closest_marker("slow")}
    slow = Counter(path for path, _ in functions)
    items.sort(key=lambda item: -slow[item.path])


def _shared_folder(tmp_path_factory) -> Path:
    """A folder that all workers of this pytest run share (the run's own base folder when there are none)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@pytest.fixture(scope="session")
def engine(tmp_path_factory) -> Path:
    """Builds the engine with the workflow's own rules (a no-op when up to date) and returns its folder."""
    if "MAZE_ENGINE_DIR" in os.environ:
        return Path(os.environ["MAZE_ENGINE_DIR"])
    targets = ["results/engine/libmaze.so", "results/engine/engine.json",
               *[f"results/engine/assets/{n}.pam" for n in _asset_names()]]
    # One worker at a time: Snakemake locks the checkout, so a second build beside the first would fail.
    with FileLock(_shared_folder(tmp_path_factory) / "engine.lock"):
        run = subprocess.run([sys.executable, "-m", "snakemake", *targets, "--cores", "2"], cwd=REPO,
                             capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail(f"building the engine failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return REPO / "results" / "engine"


@pytest.fixture(scope="session")
def complete_tiny_run(tmp_path_factory) -> dict:
    """One complete run of the tiny workflow (tests/config/tiny.yaml) per pytest run, whatever its workers: its folder,
    the plan a fresh copy had before it, and the run's console. Tests change copies of it
    (tiny_workflow.clone_with_results), never it, so the suite pays for the run once (about a minute on 2 cores)."""
    from tests import tiny_workflow as tiny

    # The first worker to ask makes it; the others wait for it and read its record.
    folder = _shared_folder(tmp_path_factory) / "complete-tiny-run"
    record = folder / "run.json"
    with FileLock(folder.with_suffix(".lock")):
        if not record.exists():
            root = tiny.make_copy(folder / "workflow")
            complete_plan = sorted(tiny.planned_jobs(root))
            first = tiny.run_all(root)
            tmp = record.with_suffix(".tmp")
            tmp.write_text(json.dumps({"complete_plan": complete_plan, "console": first.stdout + first.stderr}))
            tmp.replace(record)
    run = json.loads(record.read_text())
    return {"root": folder / "workflow", "complete_plan": {tuple(job) for job in run["complete_plan"]},
            "console": run["console"]}


def imported_of(code: str, modules: tuple[str, ...] = ("torch", "gym3")) -> list[str]:
    """Which of `modules` a fresh interpreter has imported after running `code` in the checkout."""
    probe = f"{code}\nimport sys\nprint(*(m for m in {modules!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return run.stdout.split()


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
