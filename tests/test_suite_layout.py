"""The suite's layout on pytest-xdist's workers (tests/conftest.py): each worker computes on its share of the cores."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, threads_per_worker


@pytest.mark.skipif("PYTEST_XDIST_WORKER" not in os.environ, reason="runs on xdist's workers (`-n 0` runs none)")
def test_a_worker_and_the_jobs_it_starts_compute_on_its_share_of_the_cores():
    probe = "import torch; print(torch.get_num_threads())"
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    assert int(run.stdout) == threads_per_worker() == max(1, len(os.sched_getaffinity(0)) // workers)
