"""The README's quick start on a fresh clone of this checkout's last commit, timed, with what a stop's note says of it.

1. The main job: the README's first quick-start command, each `&&` part timed apart (setup, then Snakemake), then the
   jobs done, the training span (first training job's start to the last one's end) and the rest, each agent's speed
   and mean episode length on its capability levels, the lines of figures/all, and whether a dry run afterwards plans
   nothing.
2. The suite as CI runs it (`CI=true bash .ci/run`, which runs the README's second command): the whole run's time,
   pytest's summary and its ten slowest tests.

Issue 34's goals are the main job in 20 minutes and the suite in 30 on a 2-core AVX2-only CPU: on such a machine this
measures both. Elsewhere `--isa avx2` holds every process of both runs to AVX2 kernels (as benchmarks/avx2_training.py
does), which imitates the kernels of such a CPU but not its speed. Each run has a clone of its own, and both stay
(their folder is printed), with the main job's outputs to look at; the suite's clone has a sibling `shared` linking to
this checkout's `../shared` where there is one, as in CI. Commands' outputs are in the folder's `logs/`.

Usage: .venv/bin/python benchmarks/fresh_clone.py [--skip-main-job] [--skip-suite] [--isa native|avx2] [--into DIR]
The suite installs SLURM with apt when run as root (.ci/run). Nothing else should run meanwhile: the figures are times.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from avx2_training import REPO, child_env, dropped_kernel_settings

sys.path.insert(0, str(REPO))
from workflow_scripts.devices import cpu_flags  # noqa: E402  (the checkout's, without installing it)

# Snakemake 9's console: a time stamp line, then the job's rule ("rule x:", "localcheckpoint x:", ...) or its end.
STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
STARTED = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
FINISHED = re.compile(r"^Finished jobid: \d+ \(Rule: (\w+)\)$")
CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")


def quick_start(readme: str) -> list[str]:
    """The commands of the README's quick start: the first bash block under its heading, comments dropped."""
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = (line.split("#", 1)[0].strip() for line in block.splitlines())
    return [command for command in commands if command]


def job_events(log: str) -> list[tuple[datetime, str, str]]:
    """(time, 'start' or 'end', rule) of every job in a Snakemake console log, in order."""
    events, now = [], None
    for line in log.splitlines():
        line = line.strip()
        if stamp := STAMP.match(line):
            now = datetime.strptime(stamp[1].replace("  ", " "), "%a %b %d %H:%M:%S %Y")
        elif now and (started := STARTED.match(line)):
            events.append((now, "start", started[1]))
        elif now and (finished := FINISHED.match(line)):
            events.append((now, "end", finished[1]))
    return events


def rule_span(events: list[tuple[datetime, str, str]], rule: str) -> float | None:
    """Seconds from the first start of a rule's jobs to the last end of one, or None if none ran."""
    times = [when for when, _, name in events if name == rule]
    return (max(times) - min(times)).total_seconds() if times else None


def jobs_done(log: str) -> str:
    """Snakemake's last "N of M steps (P%) done", as "N of M"; '?' where it printed none."""
    done = re.findall(r"(\d+ of \d+) steps \(\d+%\) done", log)
    return done[-1] if done else "?"


def last_progress(train_log: str) -> str:
    """A training log's last progress line from `t=` on (timesteps, speed, ...), or '?'."""
    lines = [line for line in train_log.splitlines() if " t=" in line and "steps/s" in line]
    return lines[-1].split(" t=", 1)[1] if lines else "?"


def pytest_summary(output: str) -> str:
    """pytest's last summary line ("=== 807 passed, 9 skipped in 869.12s (0:14:29) ==="), without its rules."""
    summary = re.compile(r"^=+ .*\d+ (passed|failed|error).* in ")
    lines = [line.strip("= ") for line in output.splitlines() if summary.match(line)]
    return lines[-1] if lines else "no pytest summary"


def slowest(output: str) -> list[str]:
    """The lines of pytest's durations section (each "seconds phase test")."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if "slowest" in line and "durations" in line), None)
    if start is None:
        return []
    return [line for line in lines[start + 1:] if re.match(r"^\d+\.\d+s ", line)]


def minutes(seconds: float) -> str:
    """1234.5 -> '20 min 34 s'."""
    return f"{int(seconds // 60)} min {round(seconds % 60)} s"


def run(command: str, cwd: Path, env: dict[str, str], log: Path) -> tuple[int, float, str]:
    """A shell command's exit status, wall seconds and output (stdout and stderr, also written to `log`)."""
    start = time.perf_counter()
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    log.write_text(done.stdout)
    return done.returncode, time.perf_counter() - start, done.stdout


def machine(isa: str) -> str:
    """The CPU, its cores, the flags that decide the demo's kernels, and the kernel setting of the runs."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    flags = cpu_flags()
    has = ", ".join(f"{flag} {'yes' if flag in flags else 'no'}" for flag in CPU_FLAGS)
    kind = "AVX2-only" if "avx2" in flags and "avx512f" not in flags else "not AVX2-only"
    return (f"{model[1] if model else platform.processor()}, {os.cpu_count()} cores ({has}: {kind}); "
            f"kernels {isa}{' (held to AVX2)' if isa == 'avx2' else ''}")


def main_job(clone: Path, env: dict[str, str], command: str, logs: Path) -> bool:
    """The main job, timed part by part, and what it left. True if it and its dry run went as they should."""
    for i, part in enumerate(p.strip() for p in command.split("&&")):
        rc, seconds, output = run(part, clone, env, logs / f"main-{i}.log")
        print(f"- `{part}`: {minutes(seconds)}, exit status {rc}")
        if rc != 0:
            print(f"  failed; its output: {logs / f'main-{i}.log'}")
            return False
    events = job_events(output)
    training = rule_span(events, "train_agent") or 0.0
    print(f"- jobs: {jobs_done(output)}; training {minutes(training)} (first start to last end), "
          f"the rest {minutes(seconds - training)}")
    for run_dir in sorted((clone / "results" / "train").glob("*/seed_*")):
        capability = run_dir / "capability.csv"
        mean = f"{pd.read_csv(capability).steps.mean():.2f}" if capability.exists() else "?"
        train_log = clone / "results" / "logs" / "train" / run_dir.parent.name / f"{run_dir.name}.log"
        progress = last_progress(train_log.read_text()) if train_log.exists() else "?"
        print(f"- {run_dir.parent.name} {run_dir.name}: mean episode {mean} steps on its capability levels; "
              f"last progress t={progress}")
    listing = clone / "figures" / "all"
    print(f"- figures/all: {len(listing.read_text().splitlines()) if listing.exists() else 'missing'} lines")
    dry_log = logs / "dry-run.log"
    rc, _, dry = run(".venv/bin/snakemake -n", clone, env, dry_log)
    nothing = rc == 0 and "Nothing to be done" in dry
    print(f"- dry run afterwards: {'nothing to be done' if nothing else f'plans jobs, see {dry_log}'}")
    return nothing


def suite(clone: Path, env: dict[str, str], logs: Path) -> bool:
    """The suite as CI runs it, timed. True if it passed."""
    rc, seconds, output = run("bash .ci/run", clone, env | {"CI": "true"}, logs / "suite.log")
    print(f"- `CI=true bash .ci/run`: {minutes(seconds)} in all, exit status {rc}; {pytest_summary(output)}")
    for line in slowest(output):
        print(f"  - {line}")
    return rc == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-main-job", action="store_true")
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--isa", choices=["native", "avx2"], default="native")
    parser.add_argument("--into", type=Path, help="an empty or new folder for the clone (default: a new temporary one)")
    args = parser.parse_args()
    if warning := dropped_kernel_settings():
        print(warning, file=sys.stderr)
    into = args.into or Path(tempfile.mkdtemp(prefix="fresh-clone-"))
    if into.exists() and any(into.iterdir()):
        raise SystemExit(f"--into {into} is not empty: give a new folder, so that nothing in it is overwritten")
    into.mkdir(parents=True, exist_ok=True)
    logs = into / "logs"
    logs.mkdir()
    # Each run gets a clone of its own, as a user and CI have; the suite's has `../shared` beside it, as in CI.
    clones = {"main job": into / "main-job", "suite": into / "suite" / "main"}
    runs = [name for name, skip in (("main job", args.skip_main_job), ("suite", args.skip_suite)) if not skip]
    for name in runs:
        subprocess.run(["git", "clone", "-q", str(REPO), str(clones[name])], check=True)
    if "suite" in runs and (REPO.parent / "shared").is_dir():
        (into / "suite" / "shared").symlink_to(REPO.parent / "shared")
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %cs"], capture_output=True, text=True)
    env = {k: v for k, v in child_env(REPO, args.isa).items() if k not in ("PYTHONPATH", "MAZE_ENGINE_DIR")}
    print(f"{datetime.now():%Y-%m-%d %H:%M}, commit {commit.stdout.strip()}, {machine(args.isa)}; clones in {into}")
    if subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                      text=True).stdout.strip():
        print("note: this checkout has uncommitted changes; the clones hold its last commit without them")
    ok = True
    if "main job" in runs:
        print("Main job (README):")
        main_command = quick_start((clones["main job"] / "README.md").read_text())[0]
        ok = main_job(clones["main job"], env, main_command, logs) and ok
    if "suite" in runs:
        print("Suite (CI):")
        ok = suite(clones["suite"], env, logs) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
