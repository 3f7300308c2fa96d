"""After a complete run of a tiny configuration, one change at a time reruns exactly the jobs it touches.

The truth is Snakemake's own dry run of the copy (its job blocks and job table), never our helper functions.
Each test edits the copy, asks for the plan and restores the edit, so the tests are independent.
"""

import contextlib
import importlib.util
import json
import modulefinder
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests import tiny_workflow as tiny
from workflow_scripts import code_deps

# Every test here works on a complete run of the tiny workflow (minutes on 2 cores).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workflow(complete_tiny_run, tmp_path_factory) -> dict:
    """A fresh copy of the workflow holding the session's complete run of the tiny configuration (conftest), and
    the plan of that run."""
    root = tiny.clone_with_results(complete_tiny_run["root"], tmp_path_factory.mktemp("tiny") / "workflow")
    return {"root": root, "complete_plan": complete_tiny_run["complete_plan"]}


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


def test_the_icons_are_the_same_for_both_sources(workflow):
    """The only products both sources make: switching source (or back) redraws none of them."""
    icons = ["figures/icons.png", "figures/icons.pdf"]
    assert tiny.planned_jobs(workflow["root"], "--config", "source=zenodo", targets=icons) == set()


def test_complete_run_leaves_nothing_to_do(workflow):
    assert tiny.planned_jobs(workflow["root"]) == set()
    # Every rule of the workflow's products ran once per job in the complete plan.
    rules = {rule for rule, _ in workflow["complete_plan"]}
    assert rules == {"compile_engine", "prepare_assets", "engine_built", "train_agent", "training_capability",
                     "evaluate_agent", "aggregate_pair", "experiment_table", "scatter_plot", "experiment_summary",
                     "learning_curves", "illustration", "agent_gif", "vector_field", "object_icon", "object_icons",
                     "all_figures", "analysis_outliers_pair", "analysis_outliers", "analysis_seed_variation",
                     "seed_variation_figure"}
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
    """C++ is compared by meaning: a touch or a comment rebuilds nothing. A real change rebuilds the engine;
    jobs that load it are planned once it is built (they take it through a checkpoint), so the plan that
    follows `snakemake engine` is the truth: everything but the artwork."""
    root = workflow["root"]
    source = root / "cpp" / "game.cpp"
    source.touch()
    assert tiny.planned_jobs(root) == set()
    with edited(source, "// a comment on top\n" + source.read_text().replace("{\n", "{  /* and inside */\n")):
        assert tiny.planned_jobs(root) == set()
    original = source.read_text()
    with edited(source, original.replace("reward_ = 10.0f", "reward_ = 9.0f", 1)):
        assert original.count("reward_ = 10.0f") >= 1
        assert {rule for rule, _ in tiny.planned_jobs(root)} >= {"compile_engine", "train_agent"}
        build_engine(root)
        plan = tiny.planned_jobs(root)
    assert plan == {j for j in workflow["complete_plan"] if j[0] not in ("prepare_assets", "compile_engine", "engine_built")}
    build_engine(root)  # back to the original engine: its users' records still match it
    assert tiny.planned_jobs(root) == set()


def build_engine(root: Path) -> None:
    run = tiny.snakemake(root, "engine", "--cores", "2")
    assert run.returncode == 0, run.stderr[-3000:]


def test_a_new_compiler_rebuilds_the_engine_and_retrains_nothing(workflow):
    """The compiler is part of the build, not of the engine's meaning: moving a finished run to a machine with
    another g++ rebuilds the library, and no job that loads it reruns."""
    root = workflow["root"]
    version = subprocess.run(["g++", "-dumpversion"], capture_output=True, text=True).stdout.strip().split(".")[0]
    named = shutil.which(f"g++-{version}")
    if named is None:
        pytest.skip(f"no g++-{version} beside g++ to stand for another compiler")

    def change(config):
        config["engine"]["cxx"] = named

    with edited_config(root, change):
        assert ("compile_engine", "") in tiny.planned_jobs(root)
        run = tiny.snakemake(root, *tiny.TARGETS, "--cores", "2")
        assert run.returncode == 0, run.stderr[-3000:]
        ran = jobs_run(run.stdout + run.stderr)
        assert tiny.planned_jobs(root) == set()
    # Cheap jobs below the agents may rerun (Snakemake keeps their first-pass reason across the checkpoint);
    # nothing that loads the engine or trains does.
    assert "compile_engine" in ran
    assert not ran & {"train_agent", "training_capability", "evaluate_agent", "agent_gif", "vector_field",
                      "illustration", "object_icon", "prepare_assets"}, ran
    build_engine(root)
    assert tiny.planned_jobs(root) == set()


def jobs_run(log: str) -> set[str]:
    """The rules of the jobs a real run's log says it ran."""
    return {m.group(1) for line in log.splitlines() if (m := tiny.JOB_HEADER.match(line.strip()))}


def test_a_fresh_clone_with_the_results_copied_in_plans_nothing(workflow, tmp_path):
    """git clone gives every file a new time stamp; results restored with theirs (cp -a, tar, rsync -a)."""
    clone = tiny.clone_with_results(workflow["root"], tmp_path / "clone")
    assert tiny.planned_jobs(clone) == set()
    # A touch of every file of the workflow (a checkout back and forth) changes no content.
    for name in tiny.WORKFLOW_FILES:
        path = clone / name
        for f in [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]:
            f.touch()
    assert tiny.planned_jobs(clone) == set()


def test_a_new_venv_with_the_same_packages_plans_nothing(workflow, tmp_path):
    """The artwork and libenv.h are read by content from wherever procgen and gym3 are installed: a copy of both
    packages elsewhere, with new time stamps, first on the path, plans nothing."""
    site = Path(importlib.util.find_spec("procgen").origin).parent.parent
    venv = tmp_path / "site-packages"
    for package in ("procgen", "gym3"):
        shutil.copytree(site / package, venv / package)
    env = {**tiny.venv_env(), "PYTHONPATH": str(venv)}
    probe = subprocess.run([sys.executable, "-c", "import importlib.util as u; print(u.find_spec('procgen').origin)"],
                           env=env, capture_output=True, text=True)
    assert probe.stdout.startswith(str(venv)), probe
    assert tiny.planned_jobs(workflow["root"], env=env) == set()
    # Different artwork is a different engine: everything that draws or plays reruns.
    wall = venv / "procgen" / "data" / "assets" / "kenney" / "Ground" / "Sand" / "sandCenter.png"
    image = Image.open(wall).convert("RGBA")
    image.putpixel((0, 0), tuple(255 - v for v in image.getpixel((0, 0))[:3]) + (255,))
    image.save(wall)
    assert ("prepare_assets", "") in tiny.planned_jobs(workflow["root"], env=env)


def test_comments_docstrings_and_layout_in_every_module_plan_nothing(workflow):
    root = workflow["root"]
    with contextlib.ExitStack() as stack:
        for path in sorted((root / "workflow_scripts").rglob("*.py")):
            text = path.read_text()
            stack.enter_context(edited(path, "# a new first comment\n" + text.replace("\n\n\n", "\n\n\n\n") +
                                       "\n# a closing comment\n"))
            path.touch()
        assert tiny.planned_jobs(root) == set()


def test_unused_colour_plans_nothing_and_a_used_one_only_its_pair(workflow):
    root = workflow["root"]

    def declare(config):
        config["colours"]["teal"] = [0, 128, 128]

    with edited_config(root, declare):
        assert tiny.planned_jobs(root) == set()

    def use(config):
        declare(config)
        config["experiments"]["tiny-b"]["pairs"][1] = ["teal_line_diag", "red_line_diag"]

    with edited_config(root, use):
        plan = tiny.planned_jobs(root)
    pair = "teal-line-red-line"
    assert plan == {
        job("evaluate_agent", experiment="tiny-b", pair=pair, seed=0),
        job("aggregate_pair", experiment="tiny-b", pair=pair),
        job("experiment_table", tables="results/tables", experiment="tiny-b"),
        job("scatter_plot", experiment="tiny-b", pair=pair),
        job("experiment_summary", experiment="tiny-b"),
        job("analysis_outliers_pair", experiment="tiny-b", pair=pair),
        job("analysis_outliers", experiment="tiny-b"),
        job("analysis_seed_variation", experiment="tiny-b"),
        job("seed_variation_figure", experiment="tiny-b"),
        job("object_icon", object="teal_line_diag"),
        job("object_icons"),
        job("all_figures"),
    }


def test_a_setting_that_changes_no_result_reruns_nothing(workflow):
    def change(config):
        config["evaluation"]["max_batch"] = 3

    with edited_config(workflow["root"], change):
        assert tiny.planned_jobs(workflow["root"]) == set()


def test_reordered_keys_of_a_dict_setting_rerun_nothing(workflow):
    """Snakemake compares a dict param by its repr, which keeps key order: the rules pass such params with
    their keys sorted (experiments.canonical), so `{seed: 0, samples: 100}` is `{samples: 100, seed: 0}`."""
    def change(config):
        bootstrap = config["evaluation"]["bootstrap"]
        config["evaluation"]["bootstrap"] = dict(reversed(list(bootstrap.items())))

    with edited_config(workflow["root"], change):
        assert list(tiny.read_config(workflow["root"])["evaluation"]["bootstrap"]) == ["seed", "samples"]
        assert tiny.planned_jobs(workflow["root"]) == set()


def test_rerun_triggers_that_break_the_promise_are_named(workflow):
    root = workflow["root"]
    with_code = tiny.snakemake(root, *tiny.TARGETS, "-n", "--rerun-triggers", "mtime", "params", "input", "code")
    assert with_code.returncode == 0 and "`code` rerun trigger is on" in with_code.stdout + with_code.stderr
    mtime_only = tiny.snakemake(root, *tiny.TARGETS, "-n", "--rerun-triggers", "mtime")
    assert mtime_only.returncode == 0 and "rerun triggers input, params are off" in mtime_only.stdout + mtime_only.stderr
    default = tiny.snakemake(root, *tiny.TARGETS, "-n")
    assert "rerun trigger" not in default.stdout + default.stderr


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
    """A statement added to a module changes the code fingerprint (a param) of exactly the rules whose scripts
    import it: every module, computed as the rules compute it. And Snakemake plans the jobs of those rules and what
    is made from them, and nothing else: a dry run for one module of each set of importing rules (about a dozen
    sets, a module no job imports among them), where a dry run per module would take minutes."""
    root = workflow["root"]
    rule_graph = rules_made_from(root)
    scripts = {rule: root / "workflow_scripts" / "jobs" / f"{rule}.py" for rule, _ in workflow["complete_plan"]}
    imports = {rule: _modulefinder_imports(script) for rule, script in scripts.items() if script.exists()}
    before = _code_versions(root, imports)
    representatives: dict[frozenset[str], Path] = {}
    for path in sorted((root / "workflow_scripts").rglob("*.py")):
        module = str(path.relative_to(root))
        # code_deps.py computes the fingerprints and is left out of them: a statement there that leaves every
        # fingerprint as it was reruns nothing, though the trainer imports it.
        expected = {rule for rule, found in imports.items() if module in found and module != CODE_DEPS}
        if module.startswith("workflow_scripts/jobs/") and path.stem in imports:
            expected.add(path.stem)  # a rule's own script
        with edited(path, path.read_text() + "\n_EDIT = 1\n"):
            after = _code_versions(root, imports)
        assert {rule for rule in imports if after[rule] != before[rule]} == expected, module
        representatives.setdefault(frozenset(expected), path)
    assert len(representatives) >= 10 and frozenset() in representatives
    for expected, path in representatives.items():
        module = str(path.relative_to(root))
        with edited(path, path.read_text() + "\n_EDIT = 1\n"):
            planned = {rule for rule, _ in tiny.planned_jobs(root)}
        # The engine's users are planned with it whenever it is to be built (they follow a checkpoint).
        builds_engine = expected & {"compile_engine", "prepare_assets", "engine_built"}
        reachable = downstream(rule_graph, expected) | (set(rule_graph) if builds_engine else set())
        if module == CODE_DEPS:
            reachable = set()
        assert expected <= planned <= reachable, (module, planned - reachable, expected - planned)


def _code_versions(root: Path, rules) -> dict[str, str]:
    """{rule: code_version param} as the rules compute it now (code_deps.code_fingerprint, its caches fresh)."""
    # Cleared, not reloaded: a reload would leave the functions that other test modules imported calling the new
    # module's caches, which clearing no longer reaches.
    code_deps.clear_caches()
    return {rule: code_deps.code_fingerprint(f"workflow_scripts/jobs/{rule}.py", str(root)) for rule in rules}


CODE_DEPS = "workflow_scripts/code_deps.py"


def rules_made_from(root: Path) -> dict[str, set[str]]:
    """{rule: rules with a job that takes its output}, from Snakemake's own rule graph of TARGETS."""
    run = tiny.snakemake(root, *tiny.TARGETS, "--rulegraph", "--forceall")
    assert run.returncode == 0, run.stderr[-3000:]
    names = dict(re.findall(r'^\s*(\d+)\[label = "([^"]+)"', run.stdout, re.M))
    graph = {name: set() for name in names.values()}
    for a, b in re.findall(r"^\s*(\d+) -> (\d+)", run.stdout, re.M):
        graph[names[a]].add(names[b])
    return graph


def downstream(graph: dict[str, set[str]], rules: set[str]) -> set[str]:
    """The rules and every rule made from them, transitively."""
    seen, todo = set(rules), list(rules)
    while todo:
        for after in graph.get(todo.pop(), ()):
            if after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def test_every_project_module_is_used_by_a_rule_or_when_parsing():
    """A module no rule imports must be one the workflow uses while it is parsed, or a library for code outside
    the workflow, as the README says."""
    scripts = sorted((tiny.REPO / "workflow_scripts" / "jobs").glob("*.py"))
    used = {str(s.relative_to(tiny.REPO)) for s in scripts}.union(*(_modulefinder_imports(s) for s in scripts))
    unused = {str(p.relative_to(tiny.REPO)) for p in (tiny.REPO / "workflow_scripts").glob("*.py")} - used
    readme = (tiny.REPO / "README.md").read_text()
    for module in sorted(unused):
        assert f"`{module}`" in readme and module in PARSE_TIME_MODULES | LIBRARY_MODULES, module


# Imported by the Snakefile and rules/*.smk while the workflow is parsed, never by a job.
PARSE_TIME_MODULES = {"workflow_scripts/config_check.py", "workflow_scripts/experiments.py",
                      "workflow_scripts/provenance.py", "workflow_scripts/code_deps.py", "workflow_scripts/guard.py",
                      "workflow_scripts/snakemake_internals.py", "workflow_scripts/published_plan.py",
                      "workflow_scripts/layout.py", "workflow_scripts/plan.py", "workflow_scripts/rule_inputs.py",
                      "workflow_scripts/targets.py"}
# For training code outside the workflow (docs/gymnasium.md); tests/test_gym.py covers it.
LIBRARY_MODULES = {"workflow_scripts/gym.py"}


def test_every_declared_log_is_written(workflow):
    """Snakemake's records of the complete run name each job's log; every one exists and says something."""
    root = workflow["root"]
    records = [json.loads(p.read_text()) for p in (root / ".snakemake" / "metadata").rglob("*") if p.is_file()]
    logs = sorted({log for record in records for log in record.get("log", [])})
    assert len(logs) >= len(workflow["complete_plan"])
    assert [log for log in logs if not (root / log).is_file() or (root / log).stat().st_size == 0] == []
