"""Every Python example in README.md and docs/*.md runs as written, against a run of the demo experiment (trained
here for one tiny PPO iteration, so that the paths they name exist). An example that needs the network or a GPU says so
by a marker on the line before it, `<!-- not run by the tests: <reason> -->`; no other example is skipped."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import tiny_workflow as tiny
from tests.conftest import REPO

# Every test here works on a complete run of the tiny workflow (minutes on 2 cores).
pytestmark = pytest.mark.slow

SKIP = re.compile(r"<!-- not run by the tests: (?P<reason>.+?) -->")
ALLOWED_REASONS = ("needs the network", "needs a GPU")


def examples(text: str) -> list[tuple[int, str, str | None]]:
    """(line number, code, reason it is not run or None) of each ```python block."""
    found, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start = i + 1
            end = lines.index("```", start)
            marker = SKIP.search(lines[i - 1]) if i else None
            found.append((start + 1, "\n".join(lines[start:end]), marker["reason"] if marker else None))
            i = end
        i += 1
    return found


# README.md and every page of docs/, by their path in the repository.
DOCUMENTS = ["README.md", *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md"))]
EXAMPLES = [(document, line, code, reason) for document in DOCUMENTS
            for line, code, reason in examples((REPO / document).read_text())]


def test_the_docs_have_examples_and_skip_only_what_needs_the_network_or_a_gpu():
    assert len(EXAMPLES) >= 8
    assert len({document for document, *_ in EXAMPLES}) >= 5
    for document, line, _, reason in EXAMPLES:
        assert reason is None or reason.startswith(ALLOWED_REASONS), f"{document} line {line}: {reason}"


def test_examples_are_found_with_their_markers():
    text = "a\n```python\nx = 1\n```\n<!-- not run by the tests: needs a GPU -->\n```python\ny = 2\n```\n"
    assert examples(text) == [(3, "x = 1", None), (7, "y = 2", "needs a GPU")]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    """A copy of the workflow whose demo experiment is trained for one tiny iteration and evaluated on ten
    levels: every file the examples name exists, as after the main job."""
    root = tiny.make_copy(tmp_path_factory.mktemp("readme") / "workflow")
    config = tiny.read_config(root)
    config["scale"] = "demo"
    config["experiments"]["demo-maze-5x5"].update(timesteps=256, ppo="tiny")
    tiny.write_config(root, config)
    targets = ["results/tables/demo-maze-5x5.csv",
               *(f"results/train/demo-maze-5x5/seed_{s}/final.pth" for s in (0, 1))]
    run = tiny.snakemake(root, *targets, "--cores", "2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return root


@pytest.mark.parametrize("document, line, code",
                         [(document, line, code) for document, line, code, reason in EXAMPLES if reason is None],
                         ids=[f"{document}:{line}" for document, line, _, reason in EXAMPLES if reason is None])
def test_example_runs_as_written(demo_run, document, line, code, tmp_path):
    # TMPDIR: what an example leaves in the temporary folder (Stable-Baselines3's SB3-<time> log folders) stays here.
    env = {**tiny.venv_env(), "PYTHONPATH": str(demo_run), "MPLBACKEND": "Agg", "TMPDIR": str(tmp_path)}
    env.pop("MAZE_ENGINE_DIR", None)
    run = subprocess.run([sys.executable, "-c", code], cwd=demo_run, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f"{document} line {line}:\n{code}\n{run.stderr[-3000:]}"
