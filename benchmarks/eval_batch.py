"""Evaluation speed by inference batch size (`evaluation.max_batch`): trained agents on their experiment's pairs,
as the main job's evaluation jobs run them (one thread each, two agents side by side), the sizes taking turns.

Each child process plays its agent on every pair of the experiment once per size, and reports the seconds of each
evaluation (start-up excluded) and the sha256 of its CSV, so that the sizes are checked to give the same tables.

Usage: .venv/bin/python benchmarks/eval_batch.py [--experiment demo-maze-5x5] [--results results] [--sizes 256 64]
       [--isa native avx2] [--rounds 2]
Run after the main job (it needs the agents' final.pth). Nothing else should run meanwhile: the figures are times.
"""

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import yaml

from avx2_training import REPO, child_env, dropped_kernel_settings, onednn_isa

# One agent on every pair at each size in turn (the order reversed every other round): seconds and CSV digests.
CHILD = r"""
import hashlib, json, sys, time
from workflow_scripts import evaluate, experiments
from workflow_scripts.devices import device_setup
from workflow_scripts.metrics import level_range
from workflow_scripts.objects import colours_used

config, experiment, model, sizes = json.loads(sys.argv[1])
spec, evaluation = config["experiments"][experiment], config["evaluation"]
out = {}
with device_setup("cpu", threads=1) as device:
    for size in sizes:
        for name, (obj1, obj2) in experiments.pairs(config, experiment).items():
            start = time.perf_counter()
            table = evaluate.evaluate_checkpoint(model, obj1, obj2, spec["background"],
                                                 level_range(evaluation["first_level"], evaluation["num_levels"]),
                                                 evaluation["seed"], device, world_dim=spec["world_dim"],
                                                 colours=colours_used((obj1, obj2), config["colours"]),
                                                 max_batch=size)
            seconds = time.perf_counter() - start
            digest = hashlib.sha256(table.to_csv(index=False).encode()).hexdigest()
            out.setdefault(str(size), {})[name] = [seconds, digest]
print(json.dumps(out))
"""


def side_by_side(isa: str, config: dict, experiment: str, models: list[Path], sizes: list[int]) -> list[dict]:
    """One child per agent, all at once, each evaluating its agent at every size in `sizes`' order."""
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, json.dumps([config, experiment, str(m), sizes])],
                              cwd=REPO, env=child_env(REPO, isa),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for m in models]
    results = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"an evaluation child failed:\n{err[-3000:]}")
        results.append(json.loads(out.splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="demo-maze-5x5")
    parser.add_argument("--results", type=Path, default=REPO / "results", help="the main job's results folder")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 64])
    parser.add_argument("--isa", nargs="+", choices=["native", "avx2"], default=["native", "avx2"])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if warning := dropped_kernel_settings():
        print(warning, file=sys.stderr)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    models = sorted((args.results / "train" / args.experiment).glob("seed_*/final.pth"))
    if not models:
        raise SystemExit(f"no agents in {args.results / 'train' / args.experiment}: run the main job first")
    print(f"{platform.processor() or platform.machine()}, python {platform.python_version()}; "
          f"{len(models)} agents of {args.experiment} side by side, one thread each")
    for isa in args.isa:
        print(f"kernels {isa}: oneDNN reports {onednn_isa(isa)}")
        seconds: dict[int, list[float]] = {size: [] for size in args.sizes}
        digests: dict[int, list[str]] = {size: [] for size in args.sizes}
        for round_ in range(args.rounds):
            order = args.sizes if round_ % 2 == 0 else args.sizes[::-1]
            for agent in side_by_side(isa, config, args.experiment, models, order):
                for size in args.sizes:
                    runs = agent[str(size)]
                    seconds[size].append(sum(s for s, _ in runs.values()))
                    digests[size].append("".join(d for _, d in runs.values()))
        base = args.sizes[0]
        print(f"| kernels | max_batch | seconds per agent (all pairs), median | vs {base} | CSVs as at {base} |")
        print("|---|---:|---:|---:|---|")
        for size in args.sizes:
            median = statistics.median(seconds[size])
            same = "yes" if digests[size] == digests[base] else "NO"
            print(f"| {isa} | {size} | {median:.1f} | {statistics.median(seconds[base]) / median:.2f}x | {same} |")


if __name__ == "__main__":
    main()
