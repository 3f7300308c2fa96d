"""The two ends of the capability scale in the training game: a uniformly random policy and the shortest
path (breadth-first search on the engine's own layouts), over the same unseen levels.
Usage: python benchmarks/maze_baselines.py [--world_dim 5] [--levels 100000 101000]"""

import argparse
from collections import deque

import numpy as np

from workflow_scripts.maze import MazeEnv

WALL, GOAL = 51, 2


def shortest_path(grid: np.ndarray) -> int:
    """Steps from the start cell (0, 0) to the goal; grid[y, x] with y = 0 at the bottom."""
    w = grid.shape[0]
    queue, seen = deque([(0, 0, 0)]), {(0, 0)}
    while queue:
        x, y, d = queue.popleft()
        if grid[y, x] == GOAL:
            return d
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if 0 <= nx < w and 0 <= ny < w and grid[ny, nx] != WALL and (nx, ny) not in seen:
                seen.add((nx, ny))
                queue.append((nx, ny, d + 1))
    raise ValueError("goal unreachable")


def random_policy_lengths(levels: list[int], world_dim: int, seed: int = 0) -> np.ndarray:
    env = MazeEnv(len(levels), "single", world_dim=world_dim, level_seeds=levels)
    rng = np.random.RandomState(seed)
    lengths = np.zeros(len(levels))
    done = np.zeros(len(levels), dtype=bool)
    for t in range(1, 501):  # the 500th step ends every episode still running
        env.act(rng.randint(0, 15, size=len(levels)))
        first = env.observe()[2]
        lengths[first & ~done] = t
        done |= first
    return lengths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world_dim", type=int, default=5)
    parser.add_argument("--levels", type=int, nargs=2, default=[100_000, 101_000])
    args = parser.parse_args()
    levels = list(range(*args.levels))
    grids = MazeEnv(len(levels), "single", world_dim=args.world_dim, level_seeds=levels).get_grid()
    paths = np.array([shortest_path(g) for g in grids])
    rand = random_policy_lengths(levels, args.world_dim)
    print(f"world {args.world_dim}, levels {args.levels[0]}..{args.levels[1] - 1}")
    print(f"shortest path: mean {paths.mean():.2f}, median {np.median(paths):.0f}, max {paths.max()}")
    print(f"random policy: mean {rand.mean():.1f}, median {np.median(rand):.0f}, timeouts {(rand == 500).mean():.1%}")


if __name__ == "__main__":
    main()
