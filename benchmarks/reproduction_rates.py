"""How often the reproduction's verdicts say `differs` when nothing differs, and how often they find a real
difference: simulated experiments over the whole grid of population sizes, as a BENCHMARKS.md-ready table.

    .venv/bin/python benchmarks/reproduction_rates.py [--parts null classes power] [--experiments 400]
        [--channel-experiments 60] [--class-experiments 400] [--power 400] [--processes 2]

Both sides are drawn from one population (tests/reproduction_models.py: `split`, one pair of Beta(0.5, 0.5)
preferences; `channel`, the 8 lines against the yellow gem from agents that each rely on one colour channel)
with our side of 2 to 100 agents against 100 published, and both sides small. Each cell is the share of rows
(pairs) or experiments (a claim's family) that read `differs`, with the upper end of its 95% Clopper-Pearson
interval in brackets (over rows as if independent: a channel experiment's 8 pairs share their agents, so
that bound is indicative); alpha is 0.05. The power rows draw a real difference with 100 agents a side. The
outlier test runs at outlier_alpha 0.01 rather than the workflow's 0.001: 5x fewer bootstrap draws, and
more agents flagged, so that its row has more to compare.
"""

import argparse
import logging
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.reproduction_models import ROW_KINDS, null_experiment, power_experiment  # noqa: E402

SIZES = [(2, 100), (3, 100), (5, 100), (10, 100), (30, 100), (100, 100), (2, 2), (3, 3), (5, 5), (10, 10),
         (20, 20), (30, 30)]
CLAIMS = ("channel classes", "seed variation (ICC)", "outliers")
PAIRS_PER_EXPERIMENT = {"split": 1, "channel": 8}


def _quiet() -> None:
    """Workers log errors only: the analyses' notes on small populations would drown the table."""
    logging.basicConfig(level=logging.ERROR)


def _null(job: tuple[str, int, int, int, tuple[str, ...]]) -> dict[str, float]:
    """One null experiment (for the process pool)."""
    model, n, m, seed, claims = job
    return null_experiment(model, n, m, seed, claims=claims)


def _power(job: tuple[str, int]) -> dict[str, object]:
    """One power experiment (for the process pool)."""
    return power_experiment(*job)


def _cell(values: list[float], rows_each: int) -> str:
    """'0.031 (≤0.052)': the share that read differs, and the upper end of its 95% Clopper-Pearson interval
    over all the rows behind it; a dash where no experiment had such a row."""
    values = [v for v in values if not np.isnan(v)]
    if not values:
        return "–"
    rows = len(values) * rows_each
    hits = int(round(sum(values) * rows_each))
    upper = stats.binomtest(hits, rows).proportion_ci(0.95, method="exact").high
    return f"{hits / rows:.3f} (≤{upper:.3f})"


def _null_table(pool: ProcessPoolExecutor, jobs: dict[str, tuple[int, tuple[str, ...]]],
                kinds: tuple[str, ...]) -> None:
    """One row per model and size: the share of each kind of row that read differs, for `jobs` {model:
    (experiments, claims)}."""
    print("| model | ours v published | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for model, (count, claims) in jobs.items():
        for n, m in SIZES:
            seeds = [1000 * n + m + 100_000 * seed for seed in range(count)]
            results = list(pool.map(_null, [(model, n, m, seed, claims) for seed in seeds]))
            cells = [_cell([r.get(kind, np.nan) for r in results],
                           PAIRS_PER_EXPERIMENT[model] if kind.startswith("pair") else 1) for kind in kinds]
            print(f"| {model} | {n} v {m} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parts = ["null", "classes", "power"]
    parser.add_argument("--parts", nargs="+", default=parts, choices=parts,
                        help="null: every kind of row; classes: the channel-class claim alone, with more "
                             "experiments (it needs no outlier test); power: real differences")
    parser.add_argument("--experiments", type=int, default=400, help="null experiments per size, split model")
    parser.add_argument("--channel-experiments", type=int, default=60,
                        help="null experiments per size, channel model (8 pairs and the claims each)")
    parser.add_argument("--class-experiments", type=int, default=400, help="experiments per size, part classes")
    parser.add_argument("--power", type=int, default=400, help="experiments per power scenario")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    started = time.time()
    with ProcessPoolExecutor(args.processes, initializer=_quiet) as pool:
        if "null" in args.parts:
            print(f"Null: both sides one population, {args.experiments} (split) and {args.channel_experiments} "
                  f"(channel) experiments per size, alpha 0.05; share reading differs (95% upper bound).\n")
            _null_table(pool, {"split": (args.experiments, ()), "channel": (args.channel_experiments, CLAIMS)},
                        ROW_KINDS)
        if "classes" in args.parts:
            print(f"\nNull, the channel-class claim alone: {args.class_experiments} experiments per size.\n")
            _null_table(pool, {"channel": (args.class_experiments, ("channel classes",))},
                        ("all classes", "any class row"))
        if "power" in args.parts:
            print(f"\nPower: 100 agents a side, {args.power} experiments each.\n")
            print("| scenario | verdict | share |")
            print("|---|---|---|")
            for scenario, wanted in (("shift", "differs"), ("icc", "differs"), ("class", "differs"),
                                     ("same", "reproduced")):
                results = list(pool.map(_power, [(scenario, seed) for seed in range(args.power)]))
                for key in results[0]:
                    share = np.mean([r[key] == wanted for r in results])
                    print(f"| {scenario} ({key}) | {wanted} | {share:.2f} |", flush=True)
    print(f"\n{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
