"""Job start-up and a whole tiny run, this tree against a baseline commit, side by side.

1. Start-up of each rule's entry script: a fresh interpreter runs the script's module-level imports and, for the
   scripts that play an agent, the CPU device setup (workflow_scripts.devices.device_setup) that the job does
   before its work; best of `--repeats`, the two trees taking turns.
2. The tiny configuration (tests/config/tiny.yaml) from scratch, the engine's build included, as the tests run it:
   the wall time and the CPU time of Snakemake and every job it starts, the two trees taking turns for `--rounds`.
3. After each such run, `--repeats` dry runs of it (Snakemake's parse and a plan with nothing to do, which the
   tests ask for about a hundred times): their mean wall and CPU time.

Usage: .venv/bin/python benchmarks/job_startup.py [--baseline COMMIT] [--repeats 3] [--rounds 2] [--isa avx2]
Nothing else should run meanwhile: the figures are times.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from avx2_training import ISA_ENV, REPO, child_env, dropped_kernel_settings, extract

sys.path.insert(0, str(REPO))
from tests.test_job_startup import module_imports  # noqa: E402  (the checkout's, without installing it)
from workflow_scripts.code_deps import project_imports  # noqa: E402

# What an entry script that loads or trains a network does before its work (plays_agent).
DEVICE_SETUP = "\nfrom workflow_scripts.devices import device_setup\nwith device_setup('cpu', threads=1):\n    pass\n"

TINY_RUN = """
import json, resource, sys, time
from pathlib import Path
from tests import tiny_workflow as tiny

def cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

root, dry_runs = tiny.make_copy(Path(sys.argv[1])), int(sys.argv[2])
start = time.perf_counter()
tiny.run_all(root)
found = {"wall": time.perf_counter() - start, "cpu": cpu()}
start, before = time.perf_counter(), cpu()
for _ in range(dry_runs):
    dry = tiny.snakemake(root, *tiny.TARGETS, "--dry-run", "--cores", "2")
    assert "Nothing to be done" in dry.stdout + dry.stderr, dry.stdout + dry.stderr
found.update(dry_wall=(time.perf_counter() - start) / dry_runs, dry_cpu=(cpu() - before) / dry_runs)
print(json.dumps(found))
"""


def plays_agent(tree: Path, script: Path) -> bool:
    """Whether the script, or a project module it imports, sets up a device (devices.device_setup, which
    jobs/shared/job.py's job_device calls)."""
    modules = [script, *(tree / m for m in project_imports(str(script.relative_to(tree)), str(tree)))]
    return any(call in m.read_text() for m in modules if m.name not in ("devices.py", "job.py")
               for call in ("job_device(", "device_setup("))


def start_up(trees: dict[str, Path], repeats: int, isa: str) -> dict[str, dict[str, float]]:
    """{script: {tree: best seconds}} for the scripts both trees have."""
    names = sorted(set.intersection(*({p.stem for p in (t / "workflow_scripts" / "jobs").glob("*.py")}
                                      for t in trees.values())) - {"__init__"})
    best: dict[str, dict[str, float]] = {name: {} for name in names}
    for _ in range(repeats):
        for name in names:
            for label, tree in trees.items():
                script = tree / "workflow_scripts" / "jobs" / f"{name}.py"
                code = module_imports(script) + (DEVICE_SETUP if plays_agent(tree, script) else "")
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], cwd=tree, env=child_env(tree, isa), check=True)
                seconds = time.perf_counter() - start
                best[name][label] = min(best[name].get(label, seconds), seconds)
    return best


def tiny_runs(trees: dict[str, Path], rounds: int, dry_runs: int, isa: str, scratch: Path) -> dict[str, list[dict]]:
    """{tree: one result of TINY_RUN per round}, the trees taking turns."""
    runs: dict[str, list[dict]] = {label: [] for label in trees}
    for r in range(rounds):
        for label, tree in trees.items():
            out = subprocess.run([sys.executable, "-c", TINY_RUN, str(scratch / f"{label}-{r}"), str(dry_runs)],
                                 cwd=tree, env=child_env(tree, isa), check=True, capture_output=True, text=True)
            runs[label].append(json.loads(out.stdout.splitlines()[-1]))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD~1", help="the commit to compare with (default HEAD~1)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--isa", choices=sorted(ISA_ENV), default="avx2")
    args = parser.parse_args()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.baseline], check=True,
                            capture_output=True, text=True).stdout.strip()
    print(f"{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"kernels {args.isa}; baseline {commit}, this tree {REPO}")
    if warning := dropped_kernel_settings():
        print(warning, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"baseline": extract(commit, Path(tmp) / "baseline"), "this tree": REPO}
        best = start_up(trees, args.repeats, args.isa)
        print(f"\nStart-up of each entry script, best of {args.repeats} (s):\n")
        print("| entry script | baseline | this tree | ratio |\n|---|---:|---:|---:|")
        for name, times in sorted(best.items(), key=lambda kv: -kv[1]["baseline"]):
            print(f"| {name} | {times['baseline']:.2f} | {times['this tree']:.2f} | "
                  f"{times['baseline'] / times['this tree']:.2f}x |")
        runs = tiny_runs(trees, args.rounds, args.repeats, args.isa, Path(tmp) / "runs")
        print(f"\nThe tiny configuration from scratch, {args.rounds} rounds taking turns, then {args.repeats} dry "
              "runs of each (s):\n")
        print("| tree | wall | CPU of Snakemake and its jobs | a dry run's wall | its CPU |\n|---|---|---|---|---|")
        for label, done in runs.items():
            cells = (", ".join(f"{r[key]:.{2 if 'dry' in key else 1}f}" for r in done)
                     for key in ("wall", "cpu", "dry_wall", "dry_cpu"))
            print(f"| {label} | {' | '.join(cells)} |")
        cpu = {label: sum(r["cpu"] for r in done) / len(done) for label, done in runs.items()}
        print(f"\nCPU per tiny run, baseline over this tree: {cpu['baseline'] / cpu['this tree']:.2f}x")


if __name__ == "__main__":
    main()
