"""Env steps per second of our `duel` game against the real procgen `maze`, side by side in one run.

Both are driven through gym3's CEnv (act + observe per step) with the same number of envs, threads and
pre-drawn random actions; the best of several alternating repeats is kept because the machine is shared.
Usage: python benchmarks/engine_speed.py [--envs 64] [--steps 1000] [--threads 0 1 2] [--repeats 3]
"""

import argparse
import platform
import time

import numpy as np

from workflow_scripts.maze import MazeEnv


def make_env(kind: str, num: int, threads: int):
    if kind == "ours (duel)":
        return MazeEnv(num, "duel", num_threads=threads, rand_seed=0)
    from procgen import ProcgenGym3Env

    return ProcgenGym3Env(num=num, env_name="maze", distribution_mode="easy", num_threads=threads, rand_seed=0)


def steps_per_second(kind: str, num: int, threads: int, actions: np.ndarray) -> float:
    env = make_env(kind, num, threads)
    for a in actions[:50]:  # warm-up
        env.act(a)
        env.observe()
    start = time.perf_counter()
    for a in actions:
        env.act(a)
        env.observe()
    elapsed = time.perf_counter() - start
    env.close()
    return actions.shape[0] * num / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--threads", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    actions = np.random.RandomState(0).randint(0, 15, size=(args.steps, args.envs)).astype(np.int32)
    kinds = ["ours (duel)", "procgen maze"]
    print(f"{time.strftime('%Y-%m-%d')}  {platform.processor() or platform.machine()}  "
          f"{args.envs} envs, {args.steps} steps, best of {args.repeats}")
    print(f"{'threads':>7}  {'ours steps/s':>13}  {'procgen steps/s':>15}  {'ratio':>6}")
    ours = {}
    for threads in args.threads:
        best = {k: 0.0 for k in kinds}
        for r in range(args.repeats):
            for kind in kinds if r % 2 == 0 else kinds[::-1]:
                best[kind] = max(best[kind], steps_per_second(kind, args.envs, threads, actions))
        ours[threads] = best[kinds[0]]
        print(f"{threads:>7}  {best[kinds[0]]:>13,.0f}  {best[kinds[1]]:>15,.0f}  {best[kinds[0]] / best[kinds[1]]:>5.1f}x")
    if 1 in ours:
        scaling = ", ".join(f"{t} threads {ours[t] / ours[1]:.2f}x" for t in sorted(ours) if t > 1)
        print(f"scaling of ours against 1 thread: {scaling or 'n/a'}")


if __name__ == "__main__":
    main()
