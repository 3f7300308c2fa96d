"""The demo's training speed with AVX2 kernels and with the CPU's own, this tree against a baseline commit.

For each kernel setting (`avx2`: ATEN_CPU_CAPABILITY=avx2 and ONEDNN_MAX_CPU_ISA=AVX2, as an AVX2-only CPU
would run; `native`: neither) and each round, the baseline's code and this tree's each train two agents side
by side (seeds 0 and 1, one process and one torch thread each, as the main job runs them on 2 cores) for a
few PPO iterations of the PPO set as each one's config.yaml has it. The runs take turns, so that a change in the
machine's load hits both alike. Prints steps/s per agent, the ratio of this tree to the baseline, the kernels each
run reports using, and, against the baseline whose speed those times stand for (`--baseline 93e9afc`), the main
job's time projected for the 2-core machines where it was measured: their training scaled by the demo's steps
(this tree's over the baseline's) and divided by the speed ratio.

Usage: .venv/bin/python benchmarks/avx2_training.py [--baseline COMMIT] [--ppo demo] [--iterations 4]
       [--rounds 3] [--isa avx2 native] [--set key=value ...]
The engine must be built (results/engine, or $MAZE_ENGINE_DIR):
`.venv/bin/snakemake --cores 2 results/engine/engine.json`.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
ISA_ENV = {"avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}, "native": {}}
KERNEL_VARIABLES = tuple(dict.fromkeys(name for setting in ISA_ENV.values() for name in setting))  # those --isa sets
# The main job from a fresh clone on two 2-core machines (BENCHMARKS.md, 2026-12-02), as (minutes in all, of which
# training): an AVX2-only AMD EPYC, and one with AVX-512 BF16. A kernel setting here runs faster or slower than
# such a machine, so the projection scales its training by the ratio measured here and keeps the rest.
REFERENCE = {"avx2": ("AVX2-only AMD EPYC", 71 + 18 / 60, 65 + 52 / 60),
             "native": ("AMD EPYC with AVX-512 BF16", 13 + 12 / 60, 9 + 58 / 60)}
# The code whose training speed those runs are taken to stand for: the last commit before issue 34 made training
# faster (the runs were of earlier code, its training as fast). A speed ratio against any other baseline does not
# scale them, so only this baseline gets a projection.
REFERENCE_CODE = "93e9afc"

# Run in a child process from the tree under test: the PPO set's values that this tree's TrainConfig knows,
# one warm-up iteration, then `iterations` timed ones.
DRIVER = """
import dataclasses, json, sys, time, torch
from workflow_scripts.devices import device_setup, resolve_bf16
from workflow_scripts.train import Trainer, TrainConfig
values, iterations = json.loads(sys.argv[1]), int(sys.argv[2])
known = {f.name for f in dataclasses.fields(TrainConfig)}
config = TrainConfig(**{k: v for k, v in values.items() if k in known})
with device_setup("cpu", config.torch_threads, config.bf16) as device:
    config = dataclasses.replace(config, bf16=resolve_bf16(config.bf16, device))
    trainer = Trainer(config, device)
    trainer.iterate()
    start = time.perf_counter()
    for _ in range(iterations):
        trainer.iterate()
    seconds = time.perf_counter() - start
print(json.dumps({"steps_per_s": iterations * config.n_envs * config.n_steps / seconds, "bf16": config.bf16,
                  "aten": torch.backends.cpu.get_cpu_capability()}))
"""

# One small convolution with oneDNN's verbose log on: its first lines name the instruction set it dispatches to.
PROBE = """
import torch
torch.nn.functional.conv2d(torch.rand(8, 16, 32, 32), torch.rand(16, 16, 3, 3), padding=1)
"""


def extract(commit: str, into: Path) -> Path:
    """The baseline's tracked files, as `git archive` gives them."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def child_env(tree: Path, isa: str) -> dict[str, str]:
    """The environment of a run of `tree` under the kernel setting `isa`: this one's, but for its own kernel
    settings, which `isa` replaces (so that `native` is the CPU's own kernels whatever the shell exports)."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARIABLES}
    env.update(ISA_ENV[isa], PYTHONPATH=str(tree))
    env.setdefault("MAZE_ENGINE_DIR", str(REPO / "results" / "engine"))
    return env


def dropped_kernel_settings() -> str | None:
    """A warning naming the kernel settings that this process's environment holds and child_env does not pass on,
    or None: an export such as ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16 would otherwise be dropped without a word."""
    found = [f"{name}={os.environ[name]}" for name in KERNEL_VARIABLES if name in os.environ]
    if not found:
        return None
    choices = ", ".join(ISA_ENV)
    return f"warning: not passed on to the runs, as --isa picks their kernels ({choices}): {', '.join(found)}"


def tree_config(tree: Path) -> dict:
    """A tree's config.yaml."""
    return yaml.safe_load((tree / "config.yaml").read_text())


def ppo_values(tree: Path, ppo: str, overrides: dict) -> dict:
    """A tree's own PPO set, one torch thread and inline envs per agent (as the main job runs the demo), `overrides`."""
    return tree_config(tree)["ppo"][ppo] | {"torch_threads": 1, "env_threads": 0} | overrides


def demo_steps(tree: Path, ppo: str) -> int:
    """The steps each agent of the tree's demo-scale experiments on the PPO set trains (whole iterations)."""
    config = tree_config(tree)
    batch = config["ppo"][ppo]["n_envs"] * config["ppo"][ppo]["n_steps"]
    return max(-(-exp["timesteps"] // batch) * batch for exp in config["experiments"].values()
               if exp["ppo"] == ppo and exp["scale"] == "demo")


def is_reference_code(commit: str) -> bool:
    """Whether `commit` is REFERENCE_CODE, the code the reference machines' times stand for (False where git
    cannot resolve either, as in a shallow clone)."""
    def resolve(rev: str) -> str | None:
        run = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                             capture_output=True, text=True)
        return run.stdout.strip() if run.returncode == 0 else None
    mine = resolve(commit)
    return mine is not None and mine == resolve(REFERENCE_CODE)


def projected_minutes(isa: str, steps_share: float, ratio: float) -> float:
    """The main job's minutes on `isa`'s reference machine with training `ratio` times as fast per step as
    REFERENCE_CODE's and `steps_share` of its steps; the rest of that job as it was measured there."""
    _, total, training = REFERENCE[isa]
    return total - training + training * steps_share / ratio


def onednn_isa(isa: str) -> str:
    """The instruction set oneDNN reports under a kernel setting, or a note that it said none."""
    env = child_env(REPO, isa) | {"ONEDNN_VERBOSE": "1"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if ",isa:" in line:
            return line.split(",isa:", 1)[1].split(",")[0].strip()
    return "not reported"


def as_chosen_under(isa: str, values: dict) -> dict:
    """`bf16: auto` made the choice an AVX2-only CPU makes (float32): the baseline may predate the check of
    the kernel variables (devices.cpu_kernels_allow_bf16) and would otherwise read this CPU's own flags."""
    return {"bf16": False} if isa == "avx2" and values.get("bf16") == "auto" else {}


def side_by_side(tree: Path, isa: str, values: dict, iterations: int) -> list[dict]:
    """Two agents (seeds 0 and 1) trained at once from `tree`, one process each."""
    procs = [subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(values | {"seed": seed}), str(iterations)],
                              cwd=tree, env=child_env(tree, isa), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for seed in (0, 1)]
    results = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode:
            sys.exit(f"a training run from {tree} failed:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD", help="the commit to compare this tree with (default HEAD)")
    parser.add_argument("--ppo", default="demo", help="a PPO set of this tree's config.yaml")
    parser.add_argument("--iterations", type=int, default=4, help="timed PPO iterations per run, after one warm-up")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--isa", nargs="+", choices=list(ISA_ENV), default=list(ISA_ENV))
    parser.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE",
                        help="other PPO-set values, YAML-parsed, e.g. epochs=2")
    args = parser.parse_args()

    overrides = {k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)}
    engine = Path(os.environ.get("MAZE_ENGINE_DIR", REPO / "results" / "engine"))
    if not (engine / "libmaze.so").is_file():
        sys.exit(f"no engine in {engine}: build it first (.venv/bin/snakemake --cores 2 results/engine/engine.json)")

    print(f"{time.strftime('%Y-%m-%d')}  {platform.processor() or platform.machine()}  {os.cpu_count()} CPUs  "
          f"python {platform.python_version()}")
    if warning := dropped_kernel_settings():
        print(warning, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        trees = {f"baseline {args.baseline}": extract(args.baseline, Path(tmp)), "this tree": REPO}
        values = {name: ppo_values(tree, args.ppo, overrides) for name, tree in trees.items()}
        steps = {name: demo_steps(tree, args.ppo) for name, tree in trees.items()}
        for name in trees:
            print(f"{name}: ppo={args.ppo} {json.dumps(values[name])}; the demo trains {steps[name]:,} steps")
        print(f"{args.iterations} timed iterations per run, {args.rounds} rounds")
        speeds: dict[tuple[str, str], list[float]] = {(isa, name): [] for isa in args.isa for name in trees}
        for isa in args.isa:
            print(f"{isa}: oneDNN reports isa {onednn_isa(isa)!r}", flush=True)
        for round_ in range(args.rounds):
            for isa in args.isa:
                # ABBA order: neither tree always runs first.
                order = list(trees) if round_ % 2 == 0 else list(trees)[::-1]
                for name in order:
                    chosen = values[name] | as_chosen_under(isa, values[name])
                    runs = side_by_side(trees[name], isa, chosen, args.iterations)
                    per_agent = statistics.mean(r["steps_per_s"] for r in runs)
                    speeds[(isa, name)].append(per_agent)
                    print(f"round {round_ + 1}  {isa:6}  {name:20}  {per_agent:7.1f} steps/s per agent  "
                          f"(aten {runs[0]['aten']}, bf16 {runs[0]['bf16']})", flush=True)

    print("\n| kernels | code | steps/s per agent here (two side by side) | this tree / baseline | demo steps | "
          "main job on the reference machine, projected |")
    print("|---|---|---:|---:|---:|---:|")
    reference = is_reference_code(args.baseline)
    for isa in args.isa:
        base = speeds[(isa, f"baseline {args.baseline}")]
        for name in trees:
            ratios = [new / old for new, old in zip(speeds[(isa, name)], base)]
            ratio = statistics.median(ratios)
            spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if name == "this tree" else ""
            share = steps[name] / steps[f"baseline {args.baseline}"]
            projected = f"{projected_minutes(isa, share, ratio):.1f} min" if reference else "-"
            print(f"| {isa} | {name} | {statistics.median(speeds[(isa, name)]):.1f} | {ratio:.2f}{spread} | "
                  f"{steps[name]:,} | {projected} |")
    print("\nReference machines (2 cores, main job from a fresh clone, BENCHMARKS.md 2026-12-02): " + "; ".join(
        f"{isa}: {machine}, {total:.1f} min of which training {training:.1f}" for isa, (machine, total, training)
        in REFERENCE.items()) + f", training at the speed of {REFERENCE_CODE}'s code. " + (
        "Projected: the training times the demo's steps over the baseline's, divided by the median speed ratio; "
        "the rest as measured there (its main job trained the baseline's steps)." if reference else
        f"No projection: it needs --baseline {REFERENCE_CODE}, since a ratio against other code does not scale "
        "those times."))


if __name__ == "__main__":
    main()
