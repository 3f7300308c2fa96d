"""Candidate PPO sets for the demo, judged by the agents they train: each candidate trains several seeds of the
demo experiment, and each agent is measured as the workflow measures it.

For every (candidate, seed) a child process trains one agent with one torch thread, two at a time (as the main job
runs the demo's two agents on 2 cores), then plays 1,000 unseen levels of its training game (mean episode length,
the capability of the paper's scatter plots) and 1,000 levels of the red line against the yellow gem (how many
episodes end at neither object, i.e. time out: a preference needs decided episodes). Prints a line per agent as
it finishes, then a table with one row per candidate and its cost: network passes per agent relative to the
demo's former set (a rollout forward pass per step, a forward and backward pass, about 3 forward passes, per
sample and epoch).

Usage: .venv/bin/python benchmarks/demo_sets.py OUT [--candidates NAME ...] [--seeds 0 1 2] [--isa native|avx2]
OUT keeps each agent's run folder and result; a rerun skips the agents it already has. The engine must be built
(results/engine, or $MAZE_ENGINE_DIR): `.venv/bin/snakemake --cores 2 results/engine/engine.json`.
"""

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from avx2_training import ISA_ENV, REPO, child_env, dropped_kernel_settings, onednn_isa

sys.path.insert(0, str(REPO))
from workflow_scripts.experiments import train_config  # noqa: E402  (the checkout's, without installing it)
from workflow_scripts.train_config import TrainConfig  # noqa: E402

EXPERIMENT = "demo-maze-5x5"
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())

# {name: (timesteps, values laid over config.yaml's `demo` PPO set)}; each names its envs, since the sets differ
# in them. `former` is the demo's set before issue 34, against which the cost is counted; `env16-e3-mb16-lr1.5e-3-37k`
# the one chosen, after `e3-mb8-lr1e-3-82k` and `env16-e3-mb16-lr1e-3-41k`.
def _set(n_envs: int, epochs: int, minibatches: int, learning_rate: float, **more: Any) -> dict[str, Any]:
    return {"n_envs": n_envs, "epochs": epochs, "minibatches": minibatches, "learning_rate": learning_rate, **more}


CANDIDATES: dict[str, tuple[int, dict[str, Any]]] = {
    "former": (150_000, _set(32, 3, 4, 5.0e-4)),
    "e1-mb8-lr1e-3-100k": (100_000, _set(32, 1, 8, 1.0e-3)),
    "e2-mb8-lr1e-3-57k": (57_344, _set(32, 2, 8, 1.0e-3)),
    "e3-mb8-lr1e-3-41k": (40_960, _set(32, 3, 8, 1.0e-3)),
    "e3-mb8-lr1e-3-61k": (61_440, _set(32, 3, 8, 1.0e-3)),
    "e3-mb8-lr1e-3-82k": (81_920, _set(32, 3, 8, 1.0e-3)),
    "e3-mb8-lr1e-3-82k-float32": (81_920, _set(32, 3, 8, 1.0e-3, bf16=False)),
    # Half the samples, as many Adam steps as the 82k set: minibatches of 128, from 32 envs or from 16.
    "e3-mb16-lr1e-3-41k": (40_960, _set(32, 3, 16, 1.0e-3)),
    "env16-e3-mb8-lr1e-3-41k": (40_960, _set(16, 3, 8, 1.0e-3)),
    # Twice those Adam steps again: minibatches of 64, from 32 envs or from 16 (the chosen set); a larger learning rate.
    "e3-mb32-lr1e-3-41k": (40_960, _set(32, 3, 32, 1.0e-3)),
    "env16-e3-mb16-lr1e-3-41k": (40_960, _set(16, 3, 16, 1.0e-3)),
    "e3-mb16-lr2e-3-41k": (40_960, _set(32, 3, 16, 2.0e-3)),
    # Fresher samples still (batches of 512), or minibatches of 64 from batches of 1,024 at a larger learning rate.
    "env8-e3-mb8-lr1e-3-41k": (40_960, _set(8, 3, 8, 1.0e-3)),
    "env16-e3-mb16-lr2e-3-41k": (40_960, _set(16, 3, 16, 2.0e-3)),
    "env16-e3-mb16-lr1e-3-41k-float32": (40_960, _set(16, 3, 16, 1.0e-3, bf16=False)),
    # The second round's set cut short, in float32 as AVX2-only CPUs train it: does it need all its 40 iterations?
    "env16-e3-mb16-lr1e-3-37k-float32": (36_864, _set(16, 3, 16, 1.0e-3, bf16=False)),
    "env16-e3-mb16-lr1e-3-33k-float32": (32_768, _set(16, 3, 16, 1.0e-3, bf16=False)),
    # Cut short with a larger learning rate, to make up for the shorter decay.
    "env16-e3-mb16-lr1.5e-3-37k-float32": (36_864, _set(16, 3, 16, 1.5e-3, bf16=False)),
    "env16-e3-mb16-lr2e-3-33k-float32": (32_768, _set(16, 3, 16, 2.0e-3, bf16=False)),
    "env16-e3-mb16-lr1.5e-3-37k": (36_864, _set(16, 3, 16, 1.5e-3)),
}

DRIVER = """
import json, sys, time
from workflow_scripts.capability import training_game_episodes
from workflow_scripts.evaluate import evaluate_checkpoint
from workflow_scripts.train import train
from workflow_scripts.train_config import TrainConfig
values, out = json.loads(sys.argv[1]), sys.argv[2]
config = TrainConfig(**values)
start = time.perf_counter()
final = train(config, out, device="cpu", progress_every_s=1e9)
seconds = time.perf_counter() - start
levels = range(100_000, 101_000)
steps = training_game_episodes(final, config.goal, config.background, config.world_dim, levels)["steps"]
duel = evaluate_checkpoint(final, "red_line_diag", "yellow_gem", config.background, levels, world_dim=config.world_dim)
print(json.dumps({"train_s": seconds, "capability": float(steps.mean()), "median": float(steps.median()),
                  "obj1": int((duel.reward > 0).sum()), "obj2": int((duel.reward < 0).sum()),
                  "timeouts": int((duel.reward == 0).sum())}))
"""


def candidate_values(name: str, seed: int) -> dict[str, Any]:
    """The TrainConfig values of one candidate's agent: config.yaml's demo experiment with the candidate's changes."""
    config = copy.deepcopy(CONFIG)
    timesteps, changes = CANDIDATES[name]
    config["ppo"]["demo"].update(changes)
    config["experiments"][EXPERIMENT]["timesteps"] = timesteps
    return json.loads(train_config(config, EXPERIMENT, seed).as_json())


def cost(values: dict[str, Any], former: dict[str, Any]) -> float:
    """Network passes per agent relative to `former`: 1 forward pass per step in the rollout, 3 per sample and epoch,
    over the steps a run takes (whole iterations)."""
    def passes(v: dict[str, Any]) -> float:
        return TrainConfig(**v).final_timesteps() * (1 + 3 * v["epochs"])
    return passes(values) / passes(former)


def run_agent(out: Path, name: str, seed: int, isa: str) -> dict[str, Any]:
    """Trains and measures one agent in a child process, unless OUT already holds its result (of these kernels:
    one of others stops the run, as its numbers would be printed under this setting's name)."""
    result_path = out / name / f"seed_{seed}.json"
    if result_path.exists():
        result = json.loads(result_path.read_text())
        if result["isa"] != isa:
            raise SystemExit(f"{result_path} holds an agent trained with {result['isa']} kernels, not {isa}: "
                             "give another OUT for another kernel setting")
        return result
    values = candidate_values(name, seed)
    run = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(values), str(out / name / f"seed_{seed}")],
                         env=child_env(REPO, isa), capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"{name} seed {seed} failed:\n{run.stderr[-3000:]}")
    result = {"candidate": name, "seed": seed, "isa": isa, "bf16": values["bf16"],
              **json.loads(run.stdout.splitlines()[-1])}
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result))
    print(f"{name} seed {seed}: {result['capability']:.2f} steps, {result['timeouts']} timeouts, "
          f"{result['train_s']:.0f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--candidates", nargs="+", default=[n for n in CANDIDATES if n != "former"],
                        choices=list(CANDIDATES),
                        help="default: all but the former set (its agents are the main job's)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--isa", choices=list(ISA_ENV), default="native")
    parser.add_argument("--parallel", type=int, default=2, help="agents trained at once (the main job: 2)")
    args = parser.parse_args()

    if warning := dropped_kernel_settings():
        print(warning, file=sys.stderr)
    print(f"kernels {args.isa}: oneDNN reports isa {onednn_isa(args.isa)!r}", flush=True)
    started = time.time()
    jobs = [(name, seed) for name in args.candidates for seed in args.seeds]
    with ThreadPoolExecutor(args.parallel) as pool:
        results = list(pool.map(lambda job: run_agent(args.out, *job, args.isa), jobs))

    former = candidate_values("former", 0)
    print(f"\n{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"kernels {args.isa}; {time.time() - started:.0f} s (training seconds depend on the machine's load)\n")
    print("| epochs x minibatches, learning rate | steps | cost vs former | capability, seed by seed (mean steps) "
          "| timeouts of 1,000 (red line v yellow gem) | training s |")
    print("|---|---:|---:|---|---|---|")
    for name in args.candidates:
        values = candidate_values(name, 0)
        rows = sorted((r for r in results if r["candidate"] == name), key=lambda r: r["seed"])
        label = (f"{values['epochs']} x {values['minibatches']}, {values['learning_rate']:g}, {values['n_envs']} envs"
                 f"{', float32' if values['bf16'] is False else ''}")
        capability = " / ".join(format(r["capability"], ".2f") for r in rows)
        timeouts = " / ".join(str(r["timeouts"]) for r in rows)
        seconds = " / ".join(format(r["train_s"], ".0f") for r in rows)
        print(f"| {label} | {TrainConfig(**values).final_timesteps():,} | {cost(values, former):.2f} | {capability} "
              f"(mean {statistics.mean(r['capability'] for r in rows):.2f}) | {timeouts} | {seconds} |")


if __name__ == "__main__":
    main()
