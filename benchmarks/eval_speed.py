"""Evaluation speed of one agent on one pair: our batched evaluator against a per-level loop like the
original's (a fresh env per level, batch size 1), side by side in one run, with a time breakdown.

Usage: python benchmarks/eval_speed.py CHECKPOINT [--levels 1000] [--obj1 red_line_diag] [--obj2 yellow_gem]
"""

import argparse
import platform
import time

import torch

import workflow_scripts.evaluate as ev
from workflow_scripts.agent import load_policy
from workflow_scripts.maze import MazeEnv


class Timer:
    """Accumulates time spent in wrapped callables."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
        return timed


def measure(label, run, policy, levels, **options):
    """Wall time of run(), with the share spent in the env and in inference."""
    env_timer, inference_timer = Timer(), Timer()
    originals = (MazeEnv.__init__, MazeEnv.act, MazeEnv.observe, policy.logits_and_value)
    MazeEnv.__init__, MazeEnv.act, MazeEnv.observe = (env_timer.wrap(f) for f in originals[:3])
    policy.logits_and_value = inference_timer.wrap(originals[3])
    try:
        start = time.perf_counter()
        table = run(policy, "duel", levels, **options)
        total = time.perf_counter() - start
    finally:
        MazeEnv.__init__, MazeEnv.act, MazeEnv.observe = originals[:3]
        del policy.logits_and_value
    other = total - env_timer.seconds - inference_timer.seconds
    print(f"{label:<34} {len(levels) / total:8.1f} episodes/s  {total:7.2f} s  env {env_timer.seconds / total:5.1%}  "
          f"inference {inference_timer.seconds / total:5.1%}  overhead {other / total:5.1%}")
    return total, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--levels", type=int, default=1000)
    parser.add_argument("--obj1", default="red_line_diag")
    parser.add_argument("--obj2", default="yellow_gem")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    policy = load_policy(args.checkpoint)
    levels = list(range(100_000, 100_000 + args.levels))
    options = dict(obj1=args.obj1, obj2=args.obj2)
    print(f"{time.strftime('%Y-%m-%d')}  {platform.processor() or platform.machine()}  torch threads {args.threads}  "
          f"{args.levels} levels  {args.obj1} vs {args.obj2}")
    loop, loop_table = measure("per-level loop (fresh env, batch 1)", ev.run_episodes_one_by_one, policy, levels, **options)
    fp32, fp32_table = measure("batched float32", ev.run_episodes, policy, levels, **options)
    bf16, _ = measure("batched bfloat16", ev.run_episodes, policy, levels, bf16=True, **options)
    print(f"mean episode length {fp32_table.steps.mean():.2f}; batched float32 equals the loop: "
          f"{fp32_table.equals(loop_table)}")
    print(f"speed-up: float32 {loop / fp32:.1f}x, bfloat16 {loop / bf16:.1f}x")


if __name__ == "__main__":
    main()
