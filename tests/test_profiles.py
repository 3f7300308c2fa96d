"""The shipped profiles as Snakemake reads them: a dry run of the tiny configuration with each."""

import re

import pytest
import yaml

from tests import tiny_workflow as tiny


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tiny.make_copy(tmp_path_factory.mktemp("profiles") / "workflow")


def dry_run(root, profile: str) -> str:
    run = tiny.snakemake(root, *tiny.TARGETS, "--dry-run", "--forceall", "--profile", f"profiles/{profile}")
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run.stdout + run.stderr


def job_resources(text: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, resources) of each job block of a dry run."""
    jobs = []
    for rule, resources in re.findall(r"(?:rule|checkpoint) (\w+):\n(?:\s+\w+:.*\n)*?\s+resources: (.*)", text):
        jobs.append((rule, dict(item.split("=", 1) for item in resources.split(", "))))
    return jobs


def test_slurm_profile_asks_a_gpu_for_each_training_job_and_packs_evaluations(root):
    text = dry_run(root, "slurm")
    jobs = job_resources(text)
    assert len(jobs) == sum(tiny.job_counts(text).values())
    train = [res for rule, res in jobs if rule == "train_agent"]
    assert len(train) == 2
    # The tiny config says train.gpu: false, as would `auto` on a login node without CUDA: the profile decides.
    for res in train:
        assert (res["gpu"], res["cpus_per_task"], res["slurm_partition"]) == ("1", "8", "gpu")
    for rule, res in jobs:
        if rule != "train_agent":
            assert res["slurm_partition"] == "cpu" and "gpu" not in res, (rule, res)
    # The four evaluations form one group job (at most 16 per allocation).
    assert text.count("Group job evaluation") == 1
    assert tiny.job_counts(text)["evaluate_agent"] == 4


def test_local_profile_leaves_evaluations_unpacked(root):
    text = dry_run(root, "local")
    assert text.count("Group job evaluation") == tiny.job_counts(text)["evaluate_agent"] == 4


def test_agents_per_gpu_sets_each_gpu_jobs_share_of_a_gpu(root):
    """train.agents_per_gpu = 4: every GPU job asks for a quarter of profiles/local's gpu_share per GPU, so
    four run on one GPU at once; CPU jobs ask for none."""
    overlay = root / "four_per_gpu.yaml"
    overlay.write_text(yaml.safe_dump({"train": {"gpu": True, "agents_per_gpu": 4}, "evaluation": {"device": "cuda"}}))
    run = tiny.snakemake(root, *tiny.TARGETS, "--dry-run", "--forceall", "--profile", "profiles/local",
                         "--configfile", "config.yaml", overlay.name)
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    jobs = job_resources(run.stdout + run.stderr)
    limit = yaml.safe_load((root / "profiles" / "local" / "config.yaml").read_text())["resources"]["gpu_share"]
    gpu_rules = {"train_agent", "evaluate_agent", "training_capability"}
    assert gpu_rules <= {rule for rule, _ in jobs}
    for rule, res in jobs:
        if rule in gpu_rules:
            assert (res["gpu"], int(res["gpu_share"]) * 4) == ("1", limit), (rule, res)
        else:
            assert "gpu_share" not in res and "gpu" not in res, (rule, res)
