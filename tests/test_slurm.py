"""profiles/slurm on a real single-node SLURM: the tiny configuration end to end, every job submitted with sbatch.

Needs root and Debian's slurmctld, slurmd, slurm-client and munge (.ci/run installs them); skips elsewhere.
Only the values that are specific to a cluster are adapted to this one-node cluster (partition, memory, cores,
no GPU, squeue for job states); everything else comes from profiles/slurm/config.yaml as shipped.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests import tiny_workflow as tiny
from tests.conftest import REPO

CLUSTER_SCRIPT = REPO / "tests" / "slurm_cluster.sh"
SLURM_PROGRAMS = ("slurmctld", "slurmd", "munged", "mungekey", "sbatch", "squeue", "sinfo")
SLURM_CONF = Path("/etc/slurm/slurm.conf")


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "starting slurmctld, slurmd and munged needs root (CI runs as root)"
    missing = [p for p in SLURM_PROGRAMS if shutil.which(p) is None]
    if missing:
        return (f"SLURM is not installed ({', '.join(missing)} missing): "
                "apt-get install --no-install-recommends slurmctld slurmd slurm-client munge")
    if len(os.sched_getaffinity(0)) < 2:
        return "the test packs two evaluations into one allocation, which needs a node with two cores"
    if SLURM_CONF.exists() and "written by tests/slurm_cluster.sh" not in SLURM_CONF.read_text():
        return f"{SLURM_CONF} belongs to a real SLURM installation; the test does not replace it"
    return None


pytestmark = [pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or ""), pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("slurm")
    start = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", str(state)], capture_output=True, text=True)
    try:
        if start.returncode != 0:
            logs = "\n".join(f"--- {f.name}\n{f.read_text()[-2000:]}" for f in sorted((state / "log").glob("*.log")))
            pytest.fail(f"the test cluster did not start:\n{start.stdout}{start.stderr}\n{logs}")
        # A node that offers fewer cores than the machine has never starts the packed evaluations (two cores).
        cpus = subprocess.run(["sinfo", "--noheader", "--nodes=localhost", "--format=%c"], capture_output=True,
                              text=True, check=True).stdout.strip()
        assert cpus == str(len(os.sched_getaffinity(0))), f"the test node offers {cpus} cores"
        yield state
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(state)], check=True)


def profile_for_this_cluster(tmp_path) -> Path:
    """profiles/slurm with its site-specific values set for the one-node test cluster."""
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    assert profile["executor"] == "slurm"
    profile["default-resources"].update(slurm_partition="debug", mem_mb=500)
    for resources in profile["set-resources"].values():
        resources.pop("slurm_partition", None)
        if "mem_mb" in resources:
            resources["mem_mb"] = 500
    train = profile["set-resources"]["train_agent"]
    assert train["gpu"] == 1
    train.update(gpu=0, cpus_per_task=1)
    # No slurmdbd here; and status checks early, not after the 40 s meant for busy clusters.
    # A packed allocation asks for its jobs' summed cores; this node has two (a larger group would never start).
    assert profile["group-components"] == ["evaluation=16"]
    profile["group-components"] = ["evaluation=2"]
    profile.update({"slurm-status-command": "squeue", "slurm-init-seconds-before-status-checks": 2,
                    "seconds-between-status-checks": 2, "slurm-keep-successful-logs": True, "jobs": 4})
    path = tmp_path / "slurm-test-profile" / "config.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(profile))
    return path.parent


def job_records(run_uuid: str) -> list[dict]:
    """slurmctld's records of the run's jobs (kept for MinJobAge after they end): id, rule comment, state."""
    out = subprocess.run(["squeue", "--states=all", "--noheader", f"--name={run_uuid}", "--format=%i|%k|%T"],
                         capture_output=True, text=True, check=True).stdout
    return [dict(zip(("id", "comment", "state"), line.split("|"))) for line in out.splitlines() if line.strip()]


def test_tiny_workflow_runs_through_sbatch(cluster, tmp_path):
    root = tiny.make_copy(tmp_path / "workflow")
    profile = profile_for_this_cluster(tmp_path)
    run = tiny.snakemake(root, *tiny.TARGETS, "--profile", str(profile), "--verbose", timeout=600)
    assert run.returncode == 0, f"rc {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-8000:]}"
    for target in tiny.TARGETS:
        assert (root / target).stat().st_size > 0

    # Independent of Snakemake's own account: the controller's job records of this run.
    uuids = {line.split("--job-name ")[1].split()[0] for line in (run.stdout + run.stderr).splitlines()
             if line.lstrip().startswith("sbatch ") and "--job-name " in line}
    assert len(uuids) == 1, f"expected one run's sbatch calls, found job names {uuids}"
    records = job_records(uuids.pop())
    assert records and all(r["state"] == "COMPLETED" for r in records), records
    comments = [r["comment"] for r in records]
    for experiment in tiny.EXPERIMENTS:
        assert any(c.startswith("rule_train_agent") and experiment in c for c in comments), comments
    # The four evaluations are packed two by two (group-components).
    assert sum(c.startswith("rule_evaluation_") for c in comments) == 2, comments
    assert not any(c.startswith("rule_evaluate_agent") for c in comments), comments
    logs = list((root / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert {p.stem for p in logs} >= {r["id"] for r in records}
