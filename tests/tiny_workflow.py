"""A tiny, complete configuration of the workflow in a copy of the repository, and Snakemake's own view of it.

Used by the partial-rebuild tests and the SLURM test: the copy keeps the checkout's results/ and .snakemake/
untouched; its config.yaml is the shipped one with tests/config/tiny.yaml laid over it, as users run it.
"""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml
from snakemake.utils import update_config

from tests.conftest import REPO

WORKFLOW_FILES = ["Snakefile", "config.yaml", "rules", "workflow_scripts", "cpp", "schemas", "report", "profiles"]
EXPERIMENTS = ("tiny-a", "tiny-b")
# Everything the workflow makes: the figures and, outside them, each agent's capability table.
TARGETS = ["figures/all", *[f"results/train/{e}/seed_0/capability.csv" for e in EXPERIMENTS]]


TINY_CONFIG = REPO / "tests" / "config" / "tiny.yaml"


def tiny_config() -> dict:
    """tests/config/tiny.yaml laid over config.yaml as Snakemake's --configfile lays it (snakemake.utils.update_config)."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    update_config(config, yaml.safe_load(TINY_CONFIG.read_text()))
    return config


def make_copy(dest: Path) -> Path:
    """The workflow's files copied to dest, configured with tiny_config()."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    write_config(dest, tiny_config())
    return dest


def read_config(root: Path) -> dict:
    return yaml.safe_load((root / "config.yaml").read_text())


def write_config(root: Path, config: dict) -> None:
    (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def venv_env() -> dict:
    """The environment for Snakemake and its jobs: this interpreter's bin first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def snakemake(root: Path, *args: str, timeout: int = 900, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=root, env=env or venv_env(),
                          capture_output=True, text=True, timeout=timeout)


def run_all(root: Path) -> subprocess.CompletedProcess:
    run = snakemake(root, *TARGETS, "--cores", "2")
    if run.returncode != 0:
        raise AssertionError(f"the tiny workflow failed (rc {run.returncode}):\n{run.stdout[-4000:]}\n"
                             f"{run.stderr[-6000:]}")
    return run


JOB_HEADER = re.compile(r"^(?:local)?(?:rule|checkpoint) (\S+):$")


def planned_jobs(root: Path) -> set[tuple[str, str]]:
    """The jobs Snakemake's dry run of TARGETS would run, as (rule, wildcards as printed, '' if none).

    Read from the job blocks of `snakemake -n`: each starts with `rule NAME:` (or `localrule NAME:`) and
    may carry a `wildcards:` line. The job-count table at the end is checked against the blocks.
    """
    run = snakemake(root, *TARGETS, "--dry-run", "--cores", "2")
    if run.returncode != 0:
        raise AssertionError(f"dry run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    text = run.stdout + run.stderr
    jobs, rule, wildcards = [], None, ""
    for line in text.splitlines():
        header = JOB_HEADER.match(line.strip())
        if header:
            if rule is not None:
                jobs.append((rule, wildcards))
            rule, wildcards = header.group(1), ""
        elif rule is not None and line.strip().startswith("wildcards:"):
            wildcards = line.strip().removeprefix("wildcards:").strip()
        elif rule is not None and not line.startswith((" ", "\t")) and line.strip():
            jobs.append((rule, wildcards))
            rule = None
    if rule is not None:
        jobs.append((rule, wildcards))
    assert job_counts(text) == Counter(rule for rule, _ in jobs), f"job blocks disagree with Snakemake's job table:\n{text[-3000:]}"
    return set(jobs)


def job_counts(text: str) -> dict[str, int]:
    """The `job  count` table Snakemake prints under 'Job stats:' ({} for 'Nothing to be done')."""
    if "Nothing to be done" in text:
        return {}
    lines = text.split("Job stats:", 1)[1].splitlines()
    counts = {}
    for line in lines[3:]:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit() or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts
