"""Config errors in words, with the file line or the config key: duplicate keys, YAML syntax, schema
violations, names that must refer to each other, and values the engine cannot take. Checked on the library
(config_check.problems, the one validator) and through Snakemake's dry run."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from workflow_scripts.config_check import (ConfigError, check_config, check_interpreter, load_yaml_strict, problems,
                                           range_problems)

SCHEMA = REPO / "schemas" / "config.schema.yaml"


def shipped() -> dict:
    return yaml.safe_load((REPO / "config.yaml").read_text())


def test_a_python_under_a_path_with_a_space_is_named_before_any_job():
    check_interpreter("/home/me/csgm/.venv/bin/python")
    with pytest.raises(ConfigError, match=r"/home/me/my work/\.venv/bin/python, whose path holds a space"):
        check_interpreter("/home/me/my work/.venv/bin/python")


def test_duplicate_key_names_both_lines(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scale: demo\nsource: local\nscale: paper\n")
    with pytest.raises(ConfigError, match=r"c.yaml, line 3: key 'scale' is given twice .*first on line 1"):
        load_yaml_strict(path)


def test_nested_duplicate_key_is_found(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("evaluation:\n  seed: 0\n  num_levels: 10\n  seed: 1\n")
    with pytest.raises(ConfigError, match="line 4: key 'seed'"):
        load_yaml_strict(path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scale: demo\nevaluation:\n  seed: [0\n  num_levels: 10\n")
    with pytest.raises(ConfigError, match=r"c.yaml, line \d+, column \d+: not valid YAML"):
        load_yaml_strict(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nowhere.yaml does not exist"):
        load_yaml_strict(tmp_path / "nowhere.yaml")


def test_shipped_config_passes():
    check_config(shipped(), SCHEMA)


@pytest.mark.parametrize("mutate, message", [
    (lambda c: c["experiments"]["maze-5x5"].update(world_dim=4), "experiments.maze-5x5.world_dim: 4 must be odd"),
    (lambda c: c["experiments"]["maze-5x5"]["pairs"].append(["red_line_diag", "yellow_gem"]),
     "experiments.maze-5x5.pairs: ['red_line_diag', 'yellow_gem'] given more than once"),
    (lambda c: c["evaluation"].update(first_level=2**31), "evaluation.first_level: 2147483648 must be at most 2147483647"),
    (lambda c: c["experiments"]["maze-5x5"]["seeds"].update(start=3_000_000_000),
     "experiments.maze-5x5.seeds.start: 3000000000 must be at most 2147483647"),
    (lambda c: c["experiments"]["maze-5x5"].update(background="white"),
     "experiments.maze-5x5.background: 'white' must be one of black, grey, textured"),
    (lambda c: c["evaluation"].update(num_level=10), "evaluation: unknown key 'num_level' (known keys: bf16, bootstrap"),
    (lambda c: c["ppo"]["hard-500"].pop("gamma"), "ppo.hard-500: 'gamma' is missing"),
    (lambda c: c["ppo"]["demo"].update(bf16="yes"), "ppo.demo.bf16: 'yes' must be one of true, false, auto"),
    # A job holds every level's game at once: 2,147,383,648 levels grew a job by 250 MB/s until it was killed.
    (lambda c: c["evaluation"].update(num_levels=2147383648), "evaluation.num_levels: 2147383648 must be at most 100000"),
    (lambda c: c["capability"].update(num_levels=100001), "capability.num_levels: 100001 must be at most 100000"),
])
def test_schema_problems_in_words(mutate, message):
    config = copy.deepcopy(shipped())
    mutate(config)
    with pytest.raises(ConfigError) as caught:
        check_config(config, SCHEMA)
    assert message in str(caught.value)
    assert "should not be valid under" not in str(caught.value)


@pytest.mark.parametrize("mutate, key", [
    (lambda c: c["evaluation"].update(first_level=2**31 - 10), "evaluation.first_level + num_levels"),
    (lambda c: c["capability"].update(first_level=2**31 - 999), "capability.first_level + num_levels"),
    (lambda c: c["experiments"]["demo-maze-5x5"]["seeds"].update(start=2**31 - 1),
     "experiments.demo-maze-5x5.seeds.start + count"),
    (lambda c: c["ppo"]["demo"].update(start_level=2**31 - 5), "experiments.demo-maze-5x5 (ppo demo): start_level"),
    (lambda c: c["figures"]["gif"].update(first_level=2**31 - 2), "figures.gif.first_level + frames"),
])
def test_values_past_the_engines_range_name_their_key(mutate, key):
    config = copy.deepcopy(shipped())
    mutate(config)
    problems = range_problems(config)
    assert any(p.startswith(key) for p in problems), problems
    with pytest.raises(ConfigError, match="past the engine's largest seed 2147483647"):
        check_config(config, SCHEMA)


def test_largest_values_that_fit_pass():
    config = copy.deepcopy(shipped())
    config["evaluation"]["first_level"] = 2**31 - config["evaluation"]["num_levels"]
    assert range_problems(config) == []


def _dry_run(config_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "config.yaml"
    path.write_text(config_text)
    return subprocess.run([sys.executable, "-m", "snakemake", "engine", "--dry-run", "--nolock", "--cores", "1",
                           "--configfile", str(path)], cwd=REPO, capture_output=True, text=True)


def test_duplicate_key_in_a_configfile_stops_the_workflow(tmp_path):
    text = (REPO / "config.yaml").read_text().replace("scale: demo\n", "scale: demo\nscale: paper\n", 1)
    run = _dry_run(text, tmp_path)
    assert run.returncode != 0
    assert "key 'scale' is given twice in one mapping" in run.stdout + run.stderr


def test_engine_range_stops_the_workflow_before_any_job(tmp_path):
    config = shipped()
    config["experiments"]["demo-maze-5x5"]["seeds"]["start"] = 2**31 - 1
    run = _dry_run(yaml.safe_dump(config), tmp_path)
    assert run.returncode != 0
    assert "experiments.demo-maze-5x5.seeds.start + count: seeds run from 2147483647 to 2147483648" in run.stdout + run.stderr


@pytest.mark.parametrize("against, message", [
    ({"demo-maze-5x5x": "maze-5x5"}, "reproduction.against.demo-maze-5x5x: unknown experiment 'demo-maze-5x5x'"),
    ({"demo-maze-5x5": "maze-5x5x"}, "reproduction.against.demo-maze-5x5: no experiment has published_run 'maze-5x5x'; "
                                     "published runs: maze-5x5, maze-5x5-grey-background"),
])
def test_reproduction_names_known_experiments_and_runs(against, message):
    config = copy.deepcopy(shipped())
    config["reproduction"]["against"] = against
    with pytest.raises(ConfigError) as caught:
        check_config(config, SCHEMA)
    assert message in str(caught.value)


def test_reproduction_values_are_checked_by_the_schema():
    config = copy.deepcopy(shipped())
    config["reproduction"].update(margin=0, alpha=0.5, colour="red")
    with pytest.raises(ConfigError) as caught:
        check_config(config, SCHEMA)
    for message in ("reproduction.margin: 0 must be greater than 0", "reproduction.alpha: 0.5 must be at most 0.25",
                    "reproduction: unknown key 'colour'"):
        assert message in str(caught.value)


def test_an_unknown_reproduction_run_stops_the_workflow_before_any_job(tmp_path):
    config = shipped()
    config["reproduction"]["against"] = {"demo-maze-5x5": "maze-5x5-blue-line"}
    run = _dry_run(yaml.safe_dump(config), tmp_path)
    assert run.returncode != 0
    assert "reproduction.against.demo-maze-5x5: no experiment has published_run 'maze-5x5-blue-line'" in run.stdout + run.stderr


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda c: c["experiments"]["maze-5x5"]["pairs"].append(["red_line", "yellow_gem"]),
         "experiment 'maze-5x5', pair [red_line, yellow_gem]: unknown object 'red_line'"),
        (lambda c: c["experiments"]["maze-5x5"]["pairs"].append(["orange_gem", "teal_gem"]),
         "unknown object 'teal_gem'"),
        (lambda c: c["experiments"]["maze-5x5"].update(goal="yellow_square"), "unknown object 'yellow_square'"),
        (lambda c: c["experiments"]["maze-5x5"].update(ppo="hard-5000"), "unknown ppo set 'hard-5000'"),
        (lambda c: c["ppo"]["demo"].update(minibatches=3), "not divisible by minibatches = 3"),
        (lambda c: c.update(scale="huge"), "no experiment has scale 'huge'"),
        (lambda c: c["figures"]["ols"][0].update(x="green-line-blue-line"), "has no pair 'green-line-blue-line'"),
        (lambda c: c["figures"]["gifs"][0].update(env="red-line-blue-gem"),
         "env 'red-line-blue-gem' is neither 'train' nor a pair of"),
        (lambda c: c["figures"]["gifs"][0].update(seed=100), "has no seed 100 (seeds 0..99)"),
        (lambda c: c["figures"]["gifs"][0].update(experiment="maze-9x9"), "figures.gifs: unknown experiment 'maze-9x9'"),
        (lambda c: c["figures"]["illustration"][0].update(pair="red-gem-red-line"), "has no pair 'red-gem-red-line'"),
        (lambda c: c["figures"]["illustration"].append(c["figures"]["illustration"][0]), "one entry per experiment"),
        (lambda c: c["published"]["compare"][0].update(pair="blue-gem-red-gem"),
         "published.compare: experiment 'maze-5x5' has no pair 'blue-gem-red-gem'"),
        (lambda c: c["published"]["compare"][0].update(experiment="demo-maze-5x5"),
         "published.compare: experiment 'demo-maze-5x5' has no published_run"),
        (lambda c: c["published"]["gifs"][0].update(env="red-gem-red-line"),
         "published.gifs: env 'red-gem-red-line' is neither 'train' nor a pair of 'maze-5x5-with-backgrounds'"),
        (lambda c: c["published"]["gifs"][0].update(experiment="demo-maze-5x5"),
         "published.gifs: experiment 'demo-maze-5x5' has no published_run"),
        (lambda c: c["figures"]["vector_fields"][0].update(env="red-gem-red-line"),
         "figures.vector_fields: env 'red-gem-red-line' is neither 'train' nor a pair of 'demo-maze-5x5'"),
        (lambda c: c["figures"]["vector_fields"][0].update(seed=2),
         "figures.vector_fields: experiment 'demo-maze-5x5' has no seed 2 (seeds 0..1)"),
        (lambda c: c["figures"]["vector_field_differences"][0].update(seeds=[0, 7]),
         "figures.vector_field_differences: experiment 'demo-maze-5x5' has no seed 7"),
        (lambda c: c["figures"]["vector_field_differences"][0].update(seeds=[1, 1]),
         "figures.vector_field_differences: a difference of seed 1 with itself"),
    ],
    ids=["unknown-object", "undeclared-colour", "bad-goal", "unknown-ppo-set", "indivisible-batch", "no-experiment",
         "ols-unknown-pair", "gif-unknown-env", "gif-unknown-seed", "gif-unknown-experiment", "illustration-pair",
         "illustration-twice", "compare-unknown-pair", "compare-unpublished", "published-gif-env",
         "published-gif-unpublished", "field-unknown-env", "field-unknown-seed", "difference-unknown-seed",
         "difference-same-seed"],
)
def test_names_the_config_lacks_are_problems_in_words(mutate, fragment):
    config = copy.deepcopy(shipped())
    mutate(config)
    found = problems(config)
    assert any(fragment in p for p in found), found


def test_every_problem_is_listed_in_one_pass():
    config = copy.deepcopy(shipped())
    config["colours"]["red"] = [200, 0, 0]
    config["experiments"]["maze-5x5"]["pairs"].append(["red_line", "yellow_gem"])
    config["ppo"]["demo"].update(minibatches=3)
    config["figures"]["gifs"][0].update(seed=100)
    config["figures"]["vector_fields"][0].update(env="red-gem-red-line")
    config["reproduction"]["against"] = {"demo-maze-5x5x": "maze-5x5"}
    config["evaluation"]["first_level"] = 2**31 - 10
    found = problems(config)
    expected = ["colours: colour 'red' is already defined", "unknown object 'red_line'",
                "not divisible by minibatches = 3", "figures.gifs: experiment 'maze-5x5-with-backgrounds' has no seed 100",
                "figures.vector_fields: env 'red-gem-red-line'", "reproduction.against.demo-maze-5x5x",
                "evaluation.first_level + num_levels"]
    assert [e for e in expected if not any(e in p for p in found)] == [], found
    assert len(found) == len(expected), found


def test_schema_problems_come_alone():
    """The other checks read the shapes the schema guarantees: with a schema problem, only those are listed."""
    config = copy.deepcopy(shipped())
    config["experiments"]["maze-5x5"].update(world_dim=4, ppo="hard-5000")
    assert problems(config) == ["experiments.maze-5x5.world_dim: 4 must be odd"]


def test_no_active_experiment_is_a_problem():
    config = copy.deepcopy(shipped())
    config["source"] = "zenodo"
    for exp in config["experiments"].values():
        exp.pop("published_run", None)
    config["published"]["compare"], config["published"]["gifs"] = [], []
    config["reproduction"]["against"] = {}
    assert problems(config) == ["source: zenodo, but no experiment names a published_run"]
