"""Evaluation throughput of many agents on one pair, as the workflow's evaluation jobs run it, projected to
the paper's 100 agents x 1,000 levels: on a GPU (jobs one after another) or on the CPU cores (one job per
core, each single-threaded).

The agents are freshly initialised (seeds 0, 1, ...): they wander until the timeout on most levels, so this
is an upper bound of the cost of trained agents, whose episodes mostly take a few steps.

Usage: python benchmarks/eval_many.py [--agents 10] [--levels 1000] [--device auto] [--threads 1] [--cores N]
"""

import argparse
import logging
import os
import platform
import sys
import time

import torch

from workflow_scripts.agent import new_policy
from workflow_scripts.devices import device_setup
from workflow_scripts.evaluate import PAPER_TEST_LEVELS, run_episodes

PAPER_AGENTS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--levels", type=int, default=len(PAPER_TEST_LEVELS))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=1, help="torch threads of one evaluation job")
    parser.add_argument("--cores", type=int, default=os.cpu_count(), help="CPU jobs run side by side (CPU only)")
    parser.add_argument("--max_batch", type=int, default=256)
    args = parser.parse_args()
    # The device setup logs the device and precision measured: the report shows them.
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)

    levels = list(PAPER_TEST_LEVELS)[:args.levels]
    with device_setup(args.device, args.threads) as device:
        seconds = []
        for seed in range(args.agents):
            torch.manual_seed(seed)
            policy = new_policy(device)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            start = time.perf_counter()
            table = run_episodes(policy, "duel", levels, 0, device, max_batch=args.max_batch, obj1="red_line_diag",
                                 obj2="yellow_gem")
            seconds.append(time.perf_counter() - start)
        where = torch.cuda.get_device_name(device) if device.type == "cuda" else (platform.processor() or
                                                                                   platform.machine())
    # The first agent pays for kernel selection and allocator warm-up: left out of the mean when there are more.
    per_agent = sum(seconds[1:]) / (len(seconds) - 1) if len(seconds) > 1 else seconds[0]
    parallel = args.cores if device.type == "cpu" else 1
    # Linear in agents and levels: each agent is one job, and levels cost alike on average.
    minutes = per_agent * PAPER_AGENTS / parallel * len(PAPER_TEST_LEVELS) / args.levels / 60
    print(f"{time.strftime('%Y-%m-%d')}  {where}  {args.agents} agents x {args.levels} levels, "
          f"{args.threads} thread(s) per job, mean episode length of the last agent {table.steps.mean():.1f}")
    print(f"per agent {per_agent:.2f} s; 100 agents x 1,000 levels: {minutes:.1f} min "
          f"({'one job at a time on the GPU' if parallel == 1 else f'{parallel} single-threaded jobs side by side'})")
    print(f"row: | {device.type} ({where}) | {args.agents} x {args.levels} | {args.threads} | {per_agent:.2f} s | "
          f"{parallel} | {minutes:.1f} min |")


if __name__ == "__main__":
    main()
