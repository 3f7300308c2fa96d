"""A failed job or a deleted intermediate never ends in a successful run with stale results (issue 14).

Snakemake alone says "Nothing to be done" when an intermediate is missing but the files made from it exist
(snakemake/snakemake#1978). After a complete run of the tiny configuration, each test breaks the results
as a user or a failed job would, runs `figures/all` as the README does, and compares with Snakemake's own
plan and with the tables of the complete run.
"""

import os
from pathlib import Path

import pytest

from tests import tiny_workflow as tiny
from workflow_scripts import provenance


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> dict:
    root = tiny.make_copy(tmp_path_factory.mktemp("stale") / "workflow")
    tiny.run_all(root)
    return {"root": root, "tables": tables(root)}


def tables(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "results" / "tables").rglob("*.csv"))}


def plan(root: Path, target: str = "figures/all") -> set[str]:
    run = tiny.snakemake(root, target, "--dry-run", "--cores", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    text = run.stdout + run.stderr
    return set(tiny.job_counts(text))


def run(root: Path, *args: str) -> str:
    done = tiny.snakemake(root, *args, "--cores", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def settle(root: Path) -> None:
    """The run after a repair rewrites the listing once (its recorded parameter changed back); then nothing."""
    run(root, *tiny.TARGETS)
    assert plan(root) == set()


def test_snakemakes_records_are_read(workflow, monkeypatch):
    monkeypatch.chdir(workflow["root"])
    table = "results/tables/tiny-a/red-line-yellow-gem.csv"
    recorded = provenance.recorded_inputs(table)
    assert recorded[0] == "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"
    assert "workflow_scripts/metrics.py" in recorded and all(f.startswith("workflow_scripts/") for f in recorded[1:])
    assert provenance.stale_sources([table, "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"]) == {}


def test_deleted_evaluation_is_made_again_with_everything_made_from_it(workflow):
    root = workflow["root"]
    (root / "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv").unlink()
    assert plan(root) == {"evaluate_agent", "aggregate_pair", "experiment_table", "scatter_plot",
                          "experiment_summary", "analysis_outliers_pair", "analysis_outliers",
                          "analysis_seed_variation", "seed_variation_figure", "all_figures"}
    out = run(root, "figures/all")
    assert "files that results were made from are missing" in out
    assert tables(root) == workflow["tables"]
    settle(root)


def test_deleted_final_checkpoint_is_made_again_with_everything_made_from_it(workflow):
    root = workflow["root"]
    (root / "results/train/tiny-b/seed_0/final.pth").unlink()
    planned = plan(root)
    assert {"train_agent", "evaluate_agent", "aggregate_pair", "experiment_table", "all_figures"} <= planned
    run(root, "figures/all")
    assert (root / "results/train/tiny-b/seed_0/final.pth").exists()
    assert tables(root) == workflow["tables"]  # training is reproducible from the seed, so nothing changed
    settle(root)


def test_deleted_figure_is_drawn_again(workflow):
    root = workflow["root"]
    (root / "figures/tiny-b/summary.png").unlink()
    assert plan(root) == {"experiment_summary", "all_figures"}
    run(root, "figures/all")
    assert (root / "figures/tiny-b/summary.png").exists()
    settle(root)


def test_failed_evaluations_leave_no_stale_table(workflow):
    """The issue's case: a changed evaluation value whose jobs fail, then a normal run."""
    root = workflow["root"]
    config = tiny.read_config(root)
    config["evaluation"]["num_levels"] = 6
    tiny.write_config(root, config)
    try:
        failed = tiny.snakemake(root, "figures/all", "--cores", "2", "--keep-going",
                                env={**tiny.venv_env(), "MAZE_ENGINE_DIR": "/nonexistent"})
        assert failed.returncode != 0
        assert not (root / "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv").exists()
        run(root, "figures/all")
        for name, content in tables(root).items():
            n_levels = {line.split(",")[13] for line in content.decode().splitlines()[1:]}
            assert n_levels == {"6"}, (name, n_levels)
    finally:
        config["evaluation"]["num_levels"] = 10
        tiny.write_config(root, config)
    run(root, *tiny.TARGETS)
    assert tables(root) == workflow["tables"]


def test_truncated_evaluation_stops_the_run_naming_the_file(workflow):
    root = workflow["root"]
    csv = root / "results/eval/tiny-b/green-line-red-line/seed_0.csv"
    original = csv.read_text()
    csv.write_text("".join(original.splitlines(keepends=True)[:6]))  # the header and 5 of 10 levels
    try:
        done = tiny.snakemake(root, "figures/all", "--cores", "2")
        assert done.returncode != 0
        log = (root / "results/logs/tables/tiny-b/green-line-red-line.log")
        text = done.stdout + done.stderr + (log.read_text() if log.exists() else "")
        assert "results/eval/tiny-b/green-line-red-line/seed_0.csv" in text
        assert "5 levels where the configuration asks for 10" in text
        assert "Traceback (most recent call last)" in log.read_text()  # the job's log has the whole story
    finally:
        csv.write_text(original)
        os.utime(csv)
    run(root, *tiny.TARGETS)
    assert tables(root) == workflow["tables"]
