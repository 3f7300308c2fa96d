"""A tiny, complete configuration of the workflow in a copy of the repository, and Snakemake's own view of it.

Used by the partial-rebuild tests and the SLURM test: the copy keeps the checkout's results/ and .snakemake/
untouched; its config.yaml is the shipped one with tests/config/tiny.yaml laid over it, as users run it.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import torch
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


def clone_with_results(source: Path, dest: Path) -> Path:
    """A fresh copy of the workflow at dest (new time stamps, as `git clone` gives them) with source's config,
    and source's results, figures and Snakemake records copied with their time stamps (as `cp -a` does)."""
    clone = make_copy(dest)
    shutil.copy2(source / "config.yaml", clone / "config.yaml")
    for name in ("results", "figures", ".snakemake"):
        shutil.copytree(source / name, clone / name, symlinks=True)
    return clone


def read_config(root: Path) -> dict:
    return yaml.safe_load((root / "config.yaml").read_text())


def write_config(root: Path, config: dict) -> None:
    (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def venv_env() -> dict:
    """The environment for Snakemake and its jobs: this interpreter's bin first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def failing_jobs(rule: str, folder: Path) -> dict:
    """Environment variables under which every job of `rule` fails at its start (a `sitecustomize` in folder
    that exits when the job's script runs), while Snakemake and other jobs run as usual."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import sys\n"
        f"if any(arg.endswith('.{rule}.py') for arg in sys.argv):\n"
        f"    sys.exit('a failure injected into {rule} by the tests')\n")
    return {"PYTHONPATH": os.pathsep.join([str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])}


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


def planned_jobs(root: Path, *args: str, env: dict | None = None,
                 targets: list[str] = TARGETS) -> set[tuple[str, str]]:
    """The jobs Snakemake's dry run of `targets` (with `args`) would run, as (rule, wildcards as printed, '' if none).

    Read from the job blocks of `snakemake -n`: each starts with `rule NAME:` (or `localrule NAME:`) and
    may carry a `wildcards:` line. The job-count table at the end is checked against the blocks.
    """
    run = snakemake(root, *targets, "--dry-run", "--cores", "2", *args, env=env)
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


def results(root: Path) -> dict[str, object]:
    """What a run's results are: the agents' weights, their training logs without timings, and every table."""
    found: dict[str, object] = {}
    for final in sorted((root / "results" / "train").glob("*/seed_*/final.pth")):
        found[str(final.relative_to(root))] = torch.load(final, weights_only=True)["model_state_dict"]
        rows = list(csv.DictReader(io.StringIO((final.parent / "log.csv").read_text())))
        found[str(final.parent.relative_to(root) / "log.csv")] = [
            {k: v for k, v in row.items() if k not in ("wall_time", "fps")} for row in rows]
    for folder in ("results/eval", "results/tables", "results/analysis", "results/train", "figures"):
        for path in sorted((root / folder).rglob("*.csv")):
            if path.name != "log.csv":
                found[str(path.relative_to(root))] = path.read_bytes()
    return found


def differences(a: dict[str, object], b: dict[str, object]) -> list[str]:
    """The names of results() that differ between two runs, or that only one has."""
    names = sorted(set(a) | set(b))
    return [name for name in names if name not in a or name not in b or not same(a[name], b[name])]


def same(x: object, y: object) -> bool:
    """Equal results: state dicts tensor by tensor, anything else by ==."""
    if isinstance(x, dict) and x and all(isinstance(v, torch.Tensor) for v in x.values()):
        return x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)
    return x == y


def weights_of(found: dict[str, object]) -> list[object]:
    """The agents' weights among results(), in path order."""
    return [v for k, v in found.items() if k.endswith("final.pth")]


# Two real fixes, for the tests that check a fix retrains: one in the training code, one in the engine.
PPO_FIX = ("(advantages.std() + 1e-8)", "(advantages.std() + 1e-2)")
# obj1 and obj2 swap rewards, and the mouse faces the other way: every pair changes, and so does training
# (a tiny run's few steps rarely reach the goal, but every frame shows the mouse).
ENGINE_FIX = [("reward_ = 10.0f;", "reward_ = -10.0f;"), ("reward_ = -10.0f;", "reward_ = 10.0f;"),
              ("if (vx > 0) mirrored_ = true;", "if (vx > 0) mirrored_ = false;"),
              ("if (vx < 0) mirrored_ = false;", "if (vx < 0) mirrored_ = true;")]


def apply_ppo_fix(root: Path) -> None:
    """PPO_FIX in the copy at root."""
    path = root / "workflow_scripts" / "ppo.py"
    assert PPO_FIX[0] in path.read_text()
    path.write_text(path.read_text().replace(*PPO_FIX))


def apply_engine_fix(root: Path) -> None:
    """ENGINE_FIX in the copy at root, every replacement at once (two of them swap)."""
    path = root / "cpp" / "game.cpp"
    text = path.read_text()
    for i, (old, _) in enumerate(ENGINE_FIX):
        assert text.count(old) == 1, old
        text = text.replace(old, f"@{i}@")
    for i, (_, new) in enumerate(ENGINE_FIX):
        text = text.replace(f"@{i}@", new)
    path.write_text(text)
