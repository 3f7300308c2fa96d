"""A fix in the training code or in the engine retrains: the default target after the fix ends with the agents
and results that a from-scratch run of the fixed code gives, never with the old agents resumed. A comment
retrains nothing, and a deleted final checkpoint of unchanged code is remade from the run's last checkpoint.

Each case edits a complete run of one tiny experiment and compares it file by file with a fresh copy of the
workflow that holds the same edits and runs from scratch.
"""

from pathlib import Path

import pytest

from tests import tiny_workflow as tiny
from tests.tiny_workflow import apply_engine_fix, apply_ppo_fix, differences, results, same, weights_of

# Every test here works on a complete run of the tiny workflow (minutes on 2 cores).
pytestmark = pytest.mark.slow


def one_experiment(root: Path) -> Path:
    """The tiny configuration with only tiny-a on one pair, and without GIFs, vector fields or illustrations:
    agents, evaluations, tables and analyses, in a third of the jobs."""
    config = tiny.read_config(root)
    del config["experiments"]["tiny-b"]
    config["experiments"]["tiny-a"]["pairs"] = config["experiments"]["tiny-a"]["pairs"][:1]
    config["figures"].update(gifs=[], vector_fields=[], illustration=[])
    tiny.write_config(root, config)
    return root


def default_target(root: Path) -> str:
    run = tiny.snakemake(root, "--cores", "2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def complete(tmp_path_factory) -> dict:
    root = one_experiment(tiny.make_copy(tmp_path_factory.mktemp("retrain") / "workflow"))
    default_target(root)
    return {"root": root, "factory": tmp_path_factory}


def from_scratch(factory, *fixes) -> dict[str, object]:
    root = one_experiment(tiny.make_copy(factory.mktemp("scratch") / "workflow"))
    for fix in fixes:
        fix(root)
    default_target(root)
    return results(root)


def test_a_comment_retrains_nothing(complete):
    root = complete["root"]
    path = root / "workflow_scripts" / "ppo.py"
    old = path.read_text()
    path.write_text("# a comment about the advantages\n" + old)
    try:
        assert tiny.planned_jobs(root, targets=[]) == set()
    finally:
        path.write_text(old)


def test_fixes_in_training_code_then_engine_give_the_results_of_a_run_from_scratch(complete):
    root, factory = complete["root"], complete["factory"]
    before = results(root)

    apply_ppo_fix(root)
    log = default_target(root)
    assert "resuming" not in (root / "results/logs/train/tiny-a/seed_0.log").read_text(), log[-2000:]
    after_ppo, scratch = results(root), from_scratch(factory, apply_ppo_fix)
    assert not all(same(a, b) for a, b in zip(weights_of(before), weights_of(scratch))), "the fix changes nothing"
    assert differences(after_ppo, scratch) == []

    apply_engine_fix(root)
    default_target(root)
    after_engine, scratch = results(root), from_scratch(factory, apply_ppo_fix, apply_engine_fix)
    assert not all(same(a, b) for a, b in zip(weights_of(after_ppo), weights_of(scratch))), "the fix changes nothing"
    assert differences(after_engine, scratch) == []

    # A deleted final checkpoint of unchanged code is remade from the run's last checkpoint, not retrained.
    final = root / "results/train/tiny-a/seed_0/final.pth"
    final.unlink()
    default_target(root)
    assert "resuming at timestep 256" in (root / "results/logs/train/tiny-a/seed_0.log").read_text()
    assert differences(results(root), after_engine) == []
