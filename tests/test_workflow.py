"""The workflow's config validation and the engine build rule, checked through Snakemake itself."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from tests.conftest import REPO

SCHEMA = REPO / "schemas" / "config.schema.yaml"


def load_config() -> dict:
    return yaml.safe_load((REPO / "config.yaml").read_text())


def test_shipped_config_is_valid():
    validate(load_config(), str(SCHEMA))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["engine"]["cxxflags"].append("-ffast-math"),
        lambda c: c["engine"]["cxxflags"].append("-Ofast"),
        lambda c: c["engine"]["cxxflags"].remove("-ffp-contract=off"),
        lambda c: c["colours"].update(orange=[255, 128]),
        lambda c: c["colours"].update(orange=[255, 128, 300]),
        lambda c: c["colours"].update({"Orange": [1, 2, 3]}),
        lambda c: c.update(unknown_section={}),
        lambda c: c["experiments"]["maze-5x5"]["pairs"].append(["red_line_diag", "yellow_gem", "blue_gem"]),
        lambda c: c["experiments"]["maze-5x5"]["pairs"].append(c["experiments"]["maze-5x5"]["pairs"][0]),
        lambda c: c["experiments"]["maze-5x5"].update(world_dim=4),
        lambda c: c["experiments"]["maze-5x5"].update(background="white"),
        lambda c: c["ppo"]["hard-500"].pop("gamma"),
        lambda c: c["experiments"]["maze-5x5"].update(overrides={"learning_rat": 1e-3}),
        lambda c: c["figures"]["gif"].update(duration_ms=0),
        lambda c: c["figures"]["gifs"][0].pop("env"),
        lambda c: c.update(source="figshare"),
        lambda c: c["published"].update(record="zenodo.10200914"),
        lambda c: c["published"].update(files=[]),
        lambda c: c["published"]["compare"][0].update(agents=0),
        lambda c: c["figures"]["vector_fields"][0].update(facing="up"),
        lambda c: c["figures"]["vector_fields"][0].update(level=-1),
        lambda c: c["figures"]["vector_field_differences"][0].update(seeds=[0]),
        lambda c: c["train"].update(agents_per_gpu=0),
        lambda c: c["evaluation"].update(device="gpu"),
        lambda c: c["experiments"]["maze-5x5"]["seeds"].update(count=1_000_000_000),
    ],
    ids=["fast-math", "Ofast", "no-fp-contract-off", "two-channels", "channel-300", "capital-name", "unknown-key",
         "three-objects", "duplicate-pair", "even-world", "unknown-background", "missing-ppo-value", "typo-override",
         "gif-zero-duration", "gif-without-env", "unknown-source", "record-not-an-id", "no-files",
         "compare-no-agents", "field-facing-up", "field-negative-level", "difference-one-seed",
         "zero-agents-per-gpu", "unknown-evaluation-device", "a-billion-seeds"],
)
def test_schema_rejects(mutate):
    config = copy.deepcopy(load_config())
    mutate(config)
    with pytest.raises(WorkflowError):
        validate(config, str(SCHEMA))


def dry_run(tmp_path: Path, config: dict, target: str, *extra: str) -> subprocess.CompletedProcess:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    # The target goes first: --configfile takes several values.
    return subprocess.run([sys.executable, "-m", "snakemake", target, *extra, "--dry-run", "--nolock", "--cores", "1",
                           "--configfile", str(path)], cwd=REPO, capture_output=True, text=True)


def test_another_working_directory_is_refused_naming_the_checkout(tmp_path):
    run = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(tmp_path),
                          "--dry-run", "--cores", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode != 0
    said = run.stdout + run.stderr
    assert f"the working directory {tmp_path} is not a checkout of this workflow" in said, said[-2000:]
    assert f"run Snakemake in {REPO}" in said
    assert not (tmp_path / "results").exists()


def test_changed_compiler_flag_rebuilds_the_engine(engine, tmp_path):
    lib = "results/engine/libmaze.so"
    assert "Nothing to be done" in dry_run(tmp_path, load_config(), lib).stdout
    config = load_config()
    config["engine"]["cxxflags"] = [f if f != "-O2" else "-O3" for f in config["engine"]["cxxflags"]]
    run = dry_run(tmp_path, config, lib)
    assert run.returncode == 0 and "compile_engine" in run.stdout
    assert "results/engine/libmaze.so: flags -O2 -> -O3" in run.stdout + run.stderr  # the guard names the change


def test_every_config_problem_stops_the_workflow_before_any_job(tmp_path):
    """The Snakefile prints every problem config_check.problems finds (tests/test_config_check.py checks each),
    not only the first, and plans nothing."""
    config = load_config()
    config["colours"]["red"] = [200, 0, 0]
    config["experiments"]["maze-5x5"].update(ppo="hard-5000")
    config["figures"]["vector_field_differences"][0].update(seeds=[1, 1])
    run = dry_run(tmp_path, config, "evaluate")
    said = run.stdout + run.stderr
    assert run.returncode != 0
    for fragment in ("colour 'red' is already defined", "experiment 'maze-5x5': unknown ppo set 'hard-5000'",
                     "figures.vector_field_differences: a difference of seed 1 with itself"):
        assert fragment in said, said[-3000:]
    assert "Job stats" not in said


@pytest.mark.slow
def test_paper_scale_plans_every_agent_and_pair(tmp_path):
    config = load_config()
    config["scale"] = "paper"
    run = dry_run(tmp_path, config, "evaluate", "--forceall")
    assert run.returncode == 0, run.stderr[-2000:]
    counts = dict(line.split() for line in run.stdout.splitlines() if line.startswith(("train_agent ", "evaluate_agent ")))
    assert counts == {"train_agent": "600", "evaluate_agent": str(83 * 100)}


@pytest.mark.slow
def test_figures_all_covers_every_figure(tmp_path):
    """The listing's inputs planned by Snakemake, against the figures the config asks for."""
    for scale in ("demo", "paper"):
        config = load_config()
        config["scale"] = scale
        active = [name for name, exp in config["experiments"].items() if exp["scale"] == scale]
        run = dry_run(tmp_path, config, "figures/all", "--forceall")
        assert run.returncode == 0, run.stderr[-2000:]
        counts = {k: int(v) for k, v in (line.split() for line in run.stdout.splitlines()
                                         if line.split()[:1] and line.split()[0] in FIGURE_RULES)}
        figures = config["figures"]
        expected = {
            "scatter_plot": sum(len(config["experiments"][e]["pairs"]) for e in active),
            "experiment_summary": len(active), "learning_curves": len(active), "object_icons": 1,
            # One per object of every configured experiment, active or not.
            "object_icon": len({o for exp in config["experiments"].values() for o in [exp["goal"], *sum(exp["pairs"], [])]}),
            "ols_plot": sum(o["experiment"] in active for o in figures["ols"]),
            "illustration": sum(i["experiment"] in active for i in figures["illustration"]),
            "agent_gif": sum(g["experiment"] in active for g in figures["gifs"]),
            "vector_field": sum(v["experiment"] in active for v in figures["vector_fields"]),
            "vector_field_difference": sum(d["experiment"] in active for d in figures["vector_field_differences"]),
            "all_figures": 1,
            "analysis_outliers_pair": sum(len(config["experiments"][e]["pairs"]) for e in active),
            "analysis_outliers": len(active), "analysis_seed_variation": len(active),
            "seed_variation_figure": len(active),
            # By hand: every experiment but maze-5x5-white-line evaluates the 8 lines against one gem.
            "analysis_channels": {"demo": 1, "paper": 5}[scale], "channel_figures": {"demo": 1, "paper": 5}[scale],
        }
        assert counts == {rule: n for rule, n in expected.items() if n}  # the dry run omits rules without jobs
        if scale == "demo":
            assert counts["vector_field"] == 2 and counts["vector_field_difference"] == 1
        assert counts["scatter_plot"] == {"demo": 10, "paper": 83}[scale] and counts["agent_gif"] == 2


def test_published_source_plans_the_paper_figures_without_training(tmp_path):
    config = load_config()
    config["source"] = "zenodo"
    run = dry_run(tmp_path, config, "figures/all", "--forceall")
    assert run.returncode == 0, run.stderr[-2000:]
    counts = {k: int(v) for k, v in (line.split() for line in run.stdout.splitlines()
                                     if len(line.split()) == 2 and line.split()[1].isdigit())}
    published = [e for e, exp in config["experiments"].items() if "published_run" in exp]
    assert counts["scatter_plot"] == counts["import_published"] == 83
    assert counts["experiment_table"] == counts["experiment_summary"] == len(published) == 6
    assert counts["download_published"] == counts["unpack_published"] == counts["index_published"] == 1
    # What needs the record's models or logs is planned once the record is indexed (it may have been fetched
    # without them: tests/test_published.py), so a dry run before that does not list it.
    assert not {"compare_published", "published_agent_gif", "published_learning_curves"} & set(counts)
    assert counts["analysis_seed_variation"] == 6
    assert counts["analysis_channels"] == counts["channel_figures"] == 5
    assert not {"train_agent", "evaluate_agent", "learning_curves", "agent_gif", "vector_field",
                "vector_field_difference"} & set(counts)


FIGURE_RULES = {"scatter_plot", "experiment_summary", "learning_curves", "object_icon", "object_icons", "ols_plot", "illustration",
                "agent_gif", "vector_field", "vector_field_difference", "all_figures", "analysis_outliers_pair",
                "analysis_outliers", "analysis_seed_variation", "seed_variation_figure", "analysis_channels",
                "channel_figures"}


def test_the_tiny_configuration_runs_as_users_run_it():
    """tests/config/tiny.yaml over config.yaml, as the README's command gives it: its two experiments only."""
    run = subprocess.run([sys.executable, "-m", "snakemake", "all", "--dry-run", "--forceall", "--nolock", "--cores", "1",
                          "--configfile", "tests/config/tiny.yaml"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    counts = {k: int(v) for k, v in (line.split() for line in run.stdout.splitlines()
                                     if len(line.split()) == 2 and line.split()[1].isdigit())}
    assert counts["train_agent"] == 2 and counts["evaluate_agent"] == 4 and counts["scatter_plot"] == 4
    assert "results/train/tiny-a/seed_0/final.pth" in run.stdout and "demo-maze-5x5" not in run.stdout
