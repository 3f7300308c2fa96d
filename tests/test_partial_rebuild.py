"""After a complete run of a tiny configuration, one change at a time reruns exactly the jobs it touches.

The truth is Snakemake's own dry run of the copy (its job blocks and job table), never our helper functions.
Each test edits the copy, asks for the plan and restores the edit, so the tests are independent.
"""

import contextlib
from pathlib import Path

import pytest

from tests import tiny_workflow as tiny


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> dict:
    """A copy of the workflow with the tiny configuration, run to completion; its complete plan."""
    root = tiny.make_copy(tmp_path_factory.mktemp("tiny") / "workflow")
    complete_plan = tiny.planned_jobs(root)
    tiny.run_all(root)
    return {"root": root, "complete_plan": complete_plan}


@contextlib.contextmanager
def edited(path: Path, new_text: str):
    old = path.read_text()
    path.write_text(new_text)
    try:
        yield
    finally:
        path.write_text(old)


@contextlib.contextmanager
def edited_config(root: Path, change):
    config = tiny.read_config(root)
    change(config)
    path = root / "config.yaml"
    old = path.read_text()
    tiny.write_config(root, config)
    try:
        yield
    finally:
        path.write_text(old)


def job(rule: str, **wildcards) -> tuple[str, str]:
    return rule, ", ".join(f"{k}={v}" for k, v in wildcards.items())


def test_complete_run_leaves_nothing_to_do(workflow):
    assert tiny.planned_jobs(workflow["root"]) == set()
    # Every rule of the workflow's products ran once per job in the complete plan.
    rules = {rule for rule, _ in workflow["complete_plan"]}
    assert rules == {"compile_engine", "prepare_assets", "train_agent", "training_capability", "evaluate_agent",
                     "aggregate_pair", "experiment_table", "scatter_plot", "experiment_summary", "learning_curves", "illustration",
                     "agent_gif", "object_icons", "all_figures", "analysis_outliers_pair", "analysis_outliers",
                     "analysis_seed_variation", "seed_variation_figure"}
    # The tiny experiments lack the 8 line colours against one object: no channel analysis, cleanly.
    assert not any(rule.startswith("channel") or rule == "analysis_channels" for rule in rules)


def test_one_experiments_training_value_reruns_that_experiment_only(workflow):
    def change(config):
        config["experiments"]["tiny-a"]["overrides"] = {"learning_rate": 1.0e-3}

    with edited_config(workflow["root"], change):
        plan = tiny.planned_jobs(workflow["root"])
    assert plan == {
        job("train_agent", experiment="tiny-a", seed=0),
        job("training_capability", experiment="tiny-a", seed=0),
        job("evaluate_agent", experiment="tiny-a", pair="red-line-yellow-gem", seed=0),
        job("evaluate_agent", experiment="tiny-a", pair="yellow-line-yellow-gem", seed=0),
        job("aggregate_pair", experiment="tiny-a", pair="red-line-yellow-gem"),
        job("aggregate_pair", experiment="tiny-a", pair="yellow-line-yellow-gem"),
        job("experiment_table", tables="results/tables", experiment="tiny-a"),
        job("scatter_plot", experiment="tiny-a", pair="red-line-yellow-gem"),
        job("scatter_plot", experiment="tiny-a", pair="yellow-line-yellow-gem"),
        job("experiment_summary", experiment="tiny-a"),
        job("learning_curves", experiment="tiny-a"),
        job("agent_gif", experiment="tiny-a", seed=0, env="train"),
        job("analysis_outliers_pair", experiment="tiny-a", pair="red-line-yellow-gem"),
        job("analysis_outliers_pair", experiment="tiny-a", pair="yellow-line-yellow-gem"),
        job("analysis_outliers", experiment="tiny-a"),
        job("analysis_seed_variation", experiment="tiny-a"),
        job("seed_variation_figure", experiment="tiny-a"),
        job("all_figures"),
    }


def test_added_pair_runs_its_evaluation_and_its_figures(workflow):
    """The new pair's objects are already in use, so the icon sheet stays. Each pair has a table (and an
    outlier table) of its own, so the other pairs' scatter plots stay; the experiment's summary and analyses
    cover every pair and are redone."""
    def change(config):
        config["experiments"]["tiny-b"]["pairs"].append(["yellow_gem", "red_line_diag"])

    with edited_config(workflow["root"], change):
        plan = tiny.planned_jobs(workflow["root"])
    assert plan == {
        job("evaluate_agent", experiment="tiny-b", pair="yellow-gem-red-line", seed=0),
        job("aggregate_pair", experiment="tiny-b", pair="yellow-gem-red-line"),
        job("experiment_table", tables="results/tables", experiment="tiny-b"),
        job("scatter_plot", experiment="tiny-b", pair="yellow-gem-red-line"),
        job("experiment_summary", experiment="tiny-b"),
        job("analysis_outliers_pair", experiment="tiny-b", pair="yellow-gem-red-line"),
        job("analysis_outliers", experiment="tiny-b"),
        job("analysis_seed_variation", experiment="tiny-b"),
        job("seed_variation_figure", experiment="tiny-b"),
        job("all_figures"),
    }


def test_plotting_option_reruns_only_figures(workflow):
    def change(config):
        config["figures"]["summary_columns"] = 2

    with edited_config(workflow["root"], change):
        plan = tiny.planned_jobs(workflow["root"])
    # The seed-variation pages are small multiples of the pairs too, laid out alike.
    assert plan == {job("experiment_summary", experiment="tiny-a"), job("experiment_summary", experiment="tiny-b"),
                    job("seed_variation_figure", experiment="tiny-a"), job("seed_variation_figure", experiment="tiny-b"),
                    job("all_figures")}


def test_outlier_rate_reruns_the_outlier_tables_and_the_plots_that_mark_them(workflow):
    def change(config):
        config["analysis"]["outlier_alpha"] = 0.01

    with edited_config(workflow["root"], change):
        plan = tiny.planned_jobs(workflow["root"])
    pairs = {"tiny-a": ["red-line-yellow-gem", "yellow-line-yellow-gem"], "tiny-b": ["red-line-yellow-gem", "green-line-red-line"]}
    expected = {job("all_figures")}
    for experiment, names in pairs.items():
        expected |= {job("analysis_outliers", experiment=experiment), job("experiment_summary", experiment=experiment)}
        for pair in names:
            expected |= {job("analysis_outliers_pair", experiment=experiment, pair=pair),
                         job("scatter_plot", experiment=experiment, pair=pair)}
    assert plan == expected


def test_cpp_source_change_rebuilds_the_engine_and_everything_using_it(workflow):
    root = workflow["root"]
    source = root / "cpp" / "rng.cpp"
    source.touch()  # same content: inputs this small are compared by checksum
    assert tiny.planned_jobs(root) == set()
    with edited(source, source.read_text() + "// a content change\n"):
        plan = tiny.planned_jobs(root)
    # Only the artwork does not depend on the library.
    assert plan == {j for j in workflow["complete_plan"] if j[0] != "prepare_assets"}
    assert len(plan) == len(workflow["complete_plan"]) - 1
