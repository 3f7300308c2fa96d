"""After a complete run of a tiny configuration, one change at a time reruns exactly the jobs it touches.

The truth is Snakemake's own dry run of the copy (its job blocks and job table), never our helper functions.
Each test edits the copy, asks for the plan and restores the edit, so the tests are independent.
"""

import contextlib
import json
import os
import modulefinder
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
    """The file edited for the block, then restored with its old time stamp too (Snakemake compares a
    rule's script by time stamp)."""
    old, stat = path.read_text(), path.stat()
    path.write_text(new_text)
    try:
        yield
    finally:
        path.write_text(old)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


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
                     "agent_gif", "vector_field", "object_icons", "all_figures", "analysis_outliers_pair",
                     "analysis_outliers", "analysis_seed_variation", "seed_variation_figure"}
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
        job("vector_field", experiment="tiny-a", env="train", level=100000, facing="left", seed=0),
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


def _modulefinder_imports(script: Path) -> set[str]:
    """Independent truth for the code inputs: the project modules Python's modulefinder sees `script` import."""
    finder = modulefinder.ModuleFinder(path=[str(tiny.REPO)])
    finder.run_script(str(script))
    files = {Path(m.__file__).resolve() for m in finder.modules.values() if m.__file__}
    package = (tiny.REPO / "workflow_scripts").resolve()
    return {str(f.relative_to(tiny.REPO)) for f in files if package in f.parents and f != script.resolve()}


def _declared_code(root: Path) -> dict[str, set[str]]:
    """{rule: project modules among its jobs' inputs}, read from the `input:` lines of a --forceall dry run."""
    run = tiny.snakemake(root, *tiny.TARGETS, "--dry-run", "--forceall", "--cores", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    declared, rule = {}, None
    for line in (run.stdout + run.stderr).splitlines():
        header = tiny.JOB_HEADER.match(line.strip())
        if header:
            rule = header.group(1)
        elif rule and line.strip().startswith("input:"):
            inputs = {f.strip() for f in line.split(":", 1)[1].split(",")}
            declared[rule] = {f for f in inputs if f.startswith("workflow_scripts/")}
    return declared


def test_each_rule_declares_exactly_the_modules_its_script_imports(workflow):
    root = workflow["root"]
    declared = _declared_code(root)
    for rule in {rule for rule, _ in workflow["complete_plan"]}:
        script = root / "workflow_scripts" / "jobs" / f"{rule}.py"
        if script.exists():
            assert declared.get(rule, set()) == _modulefinder_imports(script), rule


def test_editing_a_module_reruns_the_rules_whose_scripts_import_it(workflow):
    """Snakemake plans those rules' jobs and what is made from them; a module no job imports reruns nothing."""
    root = workflow["root"]
    imports = {rule: _modulefinder_imports(root / "workflow_scripts" / "jobs" / f"{rule}.py")
               for rule, _ in workflow["complete_plan"] if (root / "workflow_scripts" / "jobs" / f"{rule}.py").exists()}
    for path in sorted((root / "workflow_scripts").rglob("*.py")):
        module = str(path.relative_to(root))
        expected = {rule for rule, found in imports.items() if module in found}
        if module.startswith("workflow_scripts/jobs/") and path.stem in imports:
            expected.add(path.stem)  # a rule's own script: Snakemake's code trigger
        with edited(path, path.read_text() + "\n# an edit\n"):
            planned = {rule for rule, _ in tiny.planned_jobs(root)}
        assert expected <= planned and (planned or not expected) and (expected or not planned), (module, planned)


def test_every_project_module_is_used_by_a_rule_or_when_parsing():
    """A module no rule imports must be one the workflow uses while it is parsed, as the README says."""
    scripts = sorted((tiny.REPO / "workflow_scripts" / "jobs").glob("*.py"))
    used = {str(s.relative_to(tiny.REPO)) for s in scripts}.union(*(_modulefinder_imports(s) for s in scripts))
    unused = {str(p.relative_to(tiny.REPO)) for p in (tiny.REPO / "workflow_scripts").glob("*.py")} - used
    readme = (tiny.REPO / "README.md").read_text()
    for module in sorted(unused):
        assert f"`{module}`" in readme and module in PARSE_TIME_MODULES, module


# Imported by the Snakefile and rules/*.smk while the workflow is parsed, never by a job.
PARSE_TIME_MODULES = {"workflow_scripts/config_check.py", "workflow_scripts/provenance.py",
                      "workflow_scripts/code_deps.py"}


def test_every_declared_log_is_written(workflow):
    """Snakemake's records of the complete run name each job's log; every one exists and says something."""
    root = workflow["root"]
    records = [json.loads(p.read_text()) for p in (root / ".snakemake" / "metadata").rglob("*") if p.is_file()]
    logs = sorted({log for record in records for log in record.get("log", [])})
    assert len(logs) >= len(workflow["complete_plan"])
    assert [log for log in logs if not (root / log).is_file() or (root / log).stat().st_size == 0] == []
