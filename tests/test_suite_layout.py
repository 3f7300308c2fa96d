"""The suite's layout on pytest-xdist's workers (tests/conftest.py): each worker computes on its share of the cores,
and a hung test ends (pyproject.toml)."""

import os
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import REPO, threads_per_worker


@pytest.mark.skipif("PYTEST_XDIST_WORKER" not in os.environ, reason="runs on xdist's workers (`-n 0` runs none)")
def test_a_worker_and_the_jobs_it_starts_compute_on_its_share_of_the_cores():
    probe = "import torch; print(torch.get_num_threads())"
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    assert int(run.stdout) == threads_per_worker() == max(1, len(os.sched_getaffinity(0)) // workers)


HANGS = """
import time


def test_before():
    pass


def test_hangs():
    time.sleep(300)


def test_after():
    pass
"""


def test_a_hung_test_prints_its_stack_then_fails_and_the_rest_of_the_suite_runs(tmp_path):
    """pyproject.toml's limits on a hung test, shortened to seconds: its stack on the console first, then the test
    failed and the rest run (a hang once ended CI at its 90 minutes with no word of where)."""
    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert options["faulthandler_timeout"] < options["timeout"]  # the stack comes before the test fails
    (tmp_path / "test_hangs.py").write_text(HANGS)
    (tmp_path / "test_other.py").write_text("def test_other():\n    pass\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir",
                          str(tmp_path), "-p", "no:cacheprovider", "-n", "2", "-o", "faulthandler_timeout=1",
                          "-o", "timeout=4", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    console = run.stdout + run.stderr
    assert run.returncode == 1, console
    assert 'test_hangs.py", line 10 in test_hangs' in console, console
    assert "FAILED test_hangs.py::test_hangs" in console, console
    assert "Failed: Timeout" in console, console  # failed in the test, not a crashed worker: no second try
    assert "1 failed, 3 passed" in console, console
