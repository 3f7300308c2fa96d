"""Env steps per second of our `duel` game against the real procgen `maze`, or with the engine's final-frame
capture off against on, side by side in one run.

All are driven through gym3's CEnv (act + observe per step) with the same number of envs, threads and
pre-drawn random actions; the best of several alternating repeats is kept because the machine is shared.
With `--compare capture`, the third column also reads the captured frames after every step that ended an
episode, as the Gymnasium envs do.
Usage: python benchmarks/engine_speed.py [--compare procgen|capture] [--envs 64] [--steps 1000]
       [--threads 0 1 2] [--repeats 3]
"""

import argparse
import platform
import time

import numpy as np

from workflow_scripts.maze import MazeEnv

OURS, CAPTURE, CAPTURE_READ, PROCGEN = "ours (duel)", "capture on", "capture on, frames read", "procgen maze"
KINDS = {"procgen": [OURS, PROCGEN], "capture": [OURS, CAPTURE, CAPTURE_READ]}


def make_env(kind: str, num: int, threads: int):
    """A gym3 env of the kind named, seeded alike."""
    if kind != PROCGEN:
        return MazeEnv(num, "duel", num_threads=threads, rand_seed=0, final_frames=kind != OURS)
    from procgen import ProcgenGym3Env

    return ProcgenGym3Env(num=num, env_name="maze", distribution_mode="easy", num_threads=threads, rand_seed=0)


def steps_per_second(kind: str, num: int, threads: int, actions: np.ndarray) -> float:
    """Env steps per second over the pre-drawn actions, after a short warm-up."""
    env = make_env(kind, num, threads)
    read = kind == CAPTURE_READ
    for a in actions[:50]:  # warm-up
        env.act(a)
        env.observe()
    start = time.perf_counter()
    for a in actions:
        env.act(a)
        first = env.observe()[2]
        if read and first.any():
            env.get_final_frames(np.flatnonzero(first))
    elapsed = time.perf_counter() - start
    env.close()
    return actions.shape[0] * num / elapsed


def main() -> None:
    """Print one row per thread count, each kind's best of the repeats and their ratios to the first kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", choices=sorted(KINDS), default="procgen")
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--threads", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    actions = np.random.RandomState(0).randint(0, 15, size=(args.steps, args.envs)).astype(np.int32)
    kinds = KINDS[args.compare]
    print(f"{time.strftime('%Y-%m-%d')}  {platform.processor() or platform.machine()}  "
          f"{args.envs} envs, {args.steps} steps, best of {args.repeats}")
    print(f"{'threads':>7}  " + "  ".join(f"{k + ' steps/s':>28}" for k in kinds) + "  ratio")
    ours = {}
    for threads in args.threads:
        best = {k: 0.0 for k in kinds}
        for r in range(args.repeats):
            for kind in kinds if r % 2 == 0 else kinds[::-1]:
                best[kind] = max(best[kind], steps_per_second(kind, args.envs, threads, actions))
        ours[threads] = best[kinds[0]]
        if args.compare == "procgen":  # how many times faster ours is
            ratios = f"{best[OURS] / best[PROCGEN]:.1f}x"
        else:  # the speed kept with the capture on (and with the frames read)
            ratios = "  ".join(f"{best[k] / best[OURS]:.3f}" for k in kinds[1:])
        print(f"{threads:>7}  " + "  ".join(f"{best[k]:>28,.0f}" for k in kinds) + f"  {ratios}")
    if 1 in ours:
        scaling = ", ".join(f"{t} threads {ours[t] / ours[1]:.2f}x" for t in sorted(ours) if t > 1)
        print(f"scaling of ours against 1 thread: {scaling or 'n/a'}")


if __name__ == "__main__":
    main()
