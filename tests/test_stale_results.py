"""A failed job or a deleted intermediate never ends in a successful run with stale results.

Snakemake alone says "Nothing to be done" when an intermediate is missing but the files made from it exist
(snakemake/snakemake#1978). After a complete run of the tiny configuration, each test breaks the results
as a user or a failed job would, runs `figures/all` as the README does, and compares with Snakemake's own
plan and with the tables of the complete run.
"""

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from tests import tiny_workflow as tiny
from workflow_scripts import provenance

# Every test here works on a complete run of the tiny workflow (minutes on 2 cores).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workflow(complete_tiny_run, tmp_path_factory) -> dict:
    """A fresh copy of the workflow holding the session's complete run of the tiny configuration (conftest)."""
    root = tiny.clone_with_results(complete_tiny_run["root"], tmp_path_factory.mktemp("stale") / "workflow")
    return {"root": root, "tables": tables(root), "console": complete_tiny_run["console"]}


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


def test_training_progress_reaches_the_console_and_every_iteration_its_log(workflow):
    """The console gets the first and last iteration of each training job (a line a minute between them);
    the job's log gets all of them."""
    console, root = workflow["console"], workflow["root"]
    for experiment in tiny.EXPERIMENTS:
        log = (root / f"results/logs/train/{experiment}/seed_0.log").read_text()
        iterations = re.findall(rf"\[{experiment} seed 0\] iteration (\d+)/(\d+)", log)
        assert iterations and iterations[-1][0] == iterations[-1][1]
        shown = re.findall(rf"\[{experiment} seed 0\] iteration (\d+)/\d+  t=", console)
        assert shown[0] == "1" and shown[-1] == iterations[-1][0] and len(shown) < len(iterations) + 1


def test_jobs_load_their_declared_engine_whatever_maze_engine_dir_says(workflow):
    """MAZE_ENGINE_DIR is for use outside the workflow: a job loads results/engine, and its log says so."""
    root, out = workflow["root"], "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"
    before = (root / out).read_bytes()
    rerun = tiny.snakemake(root, out, "--cores", "1", "--forcerun", "evaluate_agent",
                           env={**tiny.venv_env(), "MAZE_ENGINE_DIR": "/nonexistent"})
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert (root / out).read_bytes() == before
    log = (root / "results/logs/eval/tiny-a/red-line-yellow-gem/seed_0.log").read_text()
    assert f"engine {(root / 'results/engine/libmaze.so').resolve()}" in log
    settle(root)


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


def test_the_evaluate_target_repairs_what_it_stands_for(workflow):
    root = workflow["root"]
    csv = root / "results/eval/tiny-b/green-line-red-line/seed_0.csv"
    csv.unlink()
    said = run(root, "evaluate")
    assert "1 files that results were made from are missing" in said and csv.exists()
    assert tables(root) == workflow["tables"]
    settle(root)



@pytest.mark.parametrize("target", ["results/tables/tiny-a/red-line-yellow-gem.csv",
                                    "figures/tiny-a/scatter/red-line-yellow-gem.png"])
def test_a_single_file_target_repairs_what_it_was_made_from(workflow, target):
    """The issue's case for single files: the evaluation behind a table (and behind the figure drawn from that
    table) is gone; asking for the table, or the figure, makes the evaluation again and then the file itself,
    where Snakemake alone says "Nothing to be done"."""
    root = workflow["root"]
    csv = root / "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"
    csv.unlink()
    planned = plan(root, target)
    assert {"evaluate_agent", "aggregate_pair"} <= planned, planned
    said = run(root, target)
    assert "files made from missing files are made again for the targets: " in said
    assert "results/tables/tiny-a/red-line-yellow-gem.csv" in said
    assert csv.exists()
    assert tables(root) == workflow["tables"]
    settle(root)


def test_a_figure_replaced_under_its_old_time_stamp_is_listed_as_it_is(workflow):
    """A whole figure replaced by hand (another valid PNG, the old time stamp kept): figures/all must list what
    is on disk, and the replacement is kept, not drawn over."""
    root = workflow["root"]
    scatter = root / "figures/tiny-a/scatter/red-line-yellow-gem.png"
    other = (root / "figures/tiny-a/scatter/yellow-line-yellow-gem.png").read_bytes()
    whole, stamp = scatter.read_bytes(), (scatter.stat().st_atime, scatter.stat().st_mtime)
    scatter.write_bytes(other)
    os.utime(scatter, stamp)
    try:
        said = run(root, "figures/all")
        assert "1 figures differ from what figures/all lists" in said
        assert scatter.read_bytes() == other
        listing = (root / "figures/all").read_text()
        assert f"{hashlib.sha256(other).hexdigest()}  figures/tiny-a/scatter/red-line-yellow-gem.png" in listing
        assert plan(root) == set()
    finally:
        scatter.write_bytes(whole)
        os.utime(scatter, stamp)
    run(root, "figures/all")
    assert f"{hashlib.sha256(whole).hexdigest()}  figures/tiny-a/scatter" in (root / "figures/all").read_text()
    settle(root)

def test_a_damaged_figure_is_drawn_again_not_listed(workflow):
    root = workflow["root"]
    scatter, summary = root / "figures/tiny-a/scatter/red-line-yellow-gem.png", root / "figures/tiny-b/summary.pdf"
    whole = scatter.read_bytes()
    stamps = [(p.stat().st_atime, p.stat().st_mtime) for p in (scatter, summary)]
    scatter.write_bytes(b"")
    summary.write_bytes(summary.read_bytes()[:200])  # cut short, as an interrupted copy leaves it
    for path, stamp in zip((scatter, summary), stamps):
        os.utime(path, stamp)  # the old time stamps: only the content says they are damaged
    said = run(root, "figures/all")
    assert "2 figures are damaged; they are drawn again" in said
    assert scatter.read_bytes() == whole and summary.read_bytes()[-6:].rstrip() == b"%%EOF"
    listing = (root / "figures/all").read_text()
    assert f"{hashlib.sha256(whole).hexdigest()}  figures/tiny-a/scatter/red-line-yellow-gem.png" in listing
    settle(root)


def test_failed_evaluations_leave_no_stale_table(workflow):
    """The issue's case: a changed evaluation value whose jobs fail, then a normal run."""
    root = workflow["root"]
    config = tiny.read_config(root)
    config["evaluation"]["num_levels"] = 6
    tiny.write_config(root, config)
    try:
        failed = tiny.snakemake(root, "figures/all", "--cores", "2", "--keep-going",
                                env={**tiny.venv_env(), **tiny.failing_jobs("evaluate_agent", root.parent / "fail")})
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


# ----- identity records (workflow_scripts/identity.py): what made a result, whatever Snakemake's records say ------
PPO = "workflow_scripts/ppo.py"


def edit_ppo(root: Path) -> str:
    """A change in meaning to the training code (a fix, as far as fingerprints can tell); returns the original."""
    original = (root / PPO).read_text()
    (root / PPO).write_text(original + "\n_FIXED = True\n")
    return original


def test_other_code_retrains_even_where_snakemakes_record_is_gone(workflow):
    """The issue's case: `--cleanup-metadata` of one agent's checkpoint, then a fix in ppo.py: both agents train
    again, not only the one whose record Snakemake still has."""
    root = workflow["root"]
    cleaned = tiny.snakemake(root, "--cleanup-metadata", "results/train/tiny-a/seed_0/final.pth")
    assert cleaned.returncode == 0, cleaned.stderr[-2000:]
    original = edit_ppo(root)
    try:
        done = tiny.snakemake(root, "figures/all", "--dry-run", "--cores", "2")
        said = done.stdout + done.stderr
        assert tiny.job_counts(said)["train_agent"] == 2
        assert "2 results were made with other code or another configuration" in said
        assert "results/train/tiny-a/seed_0/final.pth: code " in said
    finally:
        (root / PPO).write_text(original)
    assert not {"train_agent", "evaluate_agent"} & plan(root)  # the code they were made with is back
    settle(root)


def test_results_kept_with_touch_are_named_on_every_run(workflow):
    root = workflow["root"]
    original = edit_ppo(root)
    try:
        run(root, "--touch", "figures/all")
        said = run(root, "figures/all")
        assert "2 results were made with another identity and kept with --touch" in said
        assert "results/train/tiny-b/seed_0/final.pth: code " in said
        listing = (root / "figures/all").read_text()
        assert "# kept  results/train/tiny-a/seed_0/final.pth  code " in listing
        assert plan(root) == set()
        again = tiny.snakemake(root, "figures/all", "--dry-run")
        assert "kept with --touch" in again.stdout + again.stderr
    finally:
        (root / PPO).write_text(original)
    run(root, *tiny.TARGETS)
    assert "# kept" not in (root / "figures/all").read_text()
    assert tables(root) == workflow["tables"]
    settle(root)


@pytest.mark.parametrize("records", ["no .snakemake", "db backend"])
def test_a_deleted_evaluation_is_made_again_without_snakemakes_file_records(workflow, records):
    root = workflow["root"]
    saved = root.parent / "snakemake-records"
    (root / ".snakemake").rename(saved)
    backend = ("--persistence-backend", "db") if records == "db backend" else ()
    try:
        (root / "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv").unlink()
        done = tiny.snakemake(root, "figures/all", "--dry-run", "--cores", "2", *backend)
        assert {"evaluate_agent", "aggregate_pair", "scatter_plot", "all_figures"} <= set(tiny.job_counts(
            done.stdout + done.stderr)), done.stdout[-3000:]
        run(root, "figures/all", *backend)
        assert tables(root) == workflow["tables"]
    finally:
        shutil.rmtree(root / ".snakemake")
        saved.rename(root / ".snakemake")
    settle(root)


def test_a_file_target_that_cannot_be_traced_without_records_stops_the_run(workflow):
    """Without Snakemake's records nothing says what a figure was made from: a run asking for it while an
    evaluation is missing fails, naming both, rather than say "Nothing to be done" over the hole. A table is
    traced through its own identity record and is repaired."""
    root = workflow["root"]
    saved = root.parent / "snakemake-records"
    (root / ".snakemake").rename(saved)
    try:
        csv = root / "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"
        csv.unlink()
        figure = "figures/tiny-a/scatter/red-line-yellow-gem.png"
        done = tiny.snakemake(root, figure, "--dry-run", "--cores", "2")
        said = done.stdout + done.stderr
        assert done.returncode != 0
        assert "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv" in said and figure in said
        assert "this run cannot tell whether they are stale" in said
        run(root, "results/tables/tiny-a/red-line-yellow-gem.csv")
        assert csv.exists()
    finally:
        shutil.rmtree(root / ".snakemake")
        saved.rename(root / ".snakemake")
    run(root, *tiny.TARGETS)
    assert tables(root) == workflow["tables"]
    settle(root)
