"""benchmarks/fresh_clone.py reads what the tools it runs print: the README's quick start, a Snakemake console and a
pytest console, each made here by the installed tool itself, so that a new version's format fails here rather than
giving a stop's note wrong times."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_docs import QUICK_START
from tests.tiny_workflow import venv_env

SNAKEFILE = """
rule all:
    input: "b.txt"

rule slow:
    output: "a{i}.txt"
    shell: "sleep 2 && touch {output}"

checkpoint b:
    input: "a1.txt", "a2.txt"
    output: "b.txt"
    localrule: True
    shell: "touch {output}"
"""

TESTS = """
import time

def test_quick():
    pass

def test_slow():
    time.sleep(1.2)
"""


@pytest.fixture
def fresh_clone(monkeypatch):
    """The script as a module, imported as its own run imports it, with benchmarks/ on the path."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import fresh_clone
    return fresh_clone


def test_the_commands_are_the_readmes_quick_start(fresh_clone):
    assert fresh_clone.quick_start((REPO / "README.md").read_text()) == [c.split("#")[0].strip() for c in QUICK_START]
    assert fresh_clone.quick_start("## Quick start\n\n```bash\na && b   # one\n\n# only a comment\nc\n```\n") == \
        ["a && b", "c"]


def test_snakemakes_console_gives_the_jobs_and_a_rules_span(fresh_clone, tmp_path: Path):
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    snakemake = Path(sys.executable).with_name("snakemake")
    done = subprocess.run([str(snakemake), "--cores", "1"], cwd=tmp_path, env=venv_env(), capture_output=True,
                          text=True, timeout=120)
    console = done.stdout + done.stderr
    assert done.returncode == 0, console
    events = fresh_clone.job_events(console)
    # (Whether `all` runs after a checkpoint is Snakemake's business: 9.x leaves it out.)
    assert [(kind, rule) for _, kind, rule in events if rule != "all"] == \
        [("start", "slow"), ("end", "slow"), ("start", "slow"), ("end", "slow"), ("start", "b"), ("end", "b")]
    # Two jobs of 2 s one after another: the span covers both (Snakemake stamps whole seconds).
    assert 3 <= fresh_clone.rule_span(events, "slow") <= 10
    assert fresh_clone.rule_span(events, "train_agent") is None
    assert events[-1][0] - events[0][0] < timedelta(seconds=30)
    assert fresh_clone.jobs_done(console) in ("3 of 4", "4 of 4")


def test_pytests_console_gives_the_summary_and_the_slowest_tests(fresh_clone, tmp_path: Path):
    (tmp_path / "test_some.py").write_text(TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "-ra",
                           "--durations=10", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    console = done.stdout + done.stderr
    assert done.returncode == 0, console
    assert fresh_clone.pytest_summary(console).startswith("2 passed in "), console
    slowest = fresh_clone.slowest(console)
    assert slowest and slowest[0].endswith("test_some.py::test_slow"), console
    assert float(slowest[0].split("s ")[0]) >= 1.2


def test_the_last_progress_line_of_a_training_log(fresh_clone):
    log = ("2026-12-05 23:19:55,342 INFO workflow_scripts.devices: device cpu, float32\n"
           "2026-12-05 23:26:44,721 INFO workflow_scripts.train: [demo-maze-5x5 seed 0] iteration 40/40  t=40,960  "
           "100 steps/s  ETA 0.0 min  episode length 6.3  reward 10.00\n")
    assert fresh_clone.last_progress(log).startswith("40,960  100 steps/s")
    assert fresh_clone.last_progress("no progress yet\n") == "?"
