"""The paper's per-agent metrics (preference and capability) and one tidy table per experiment.

preference = n(+10) / (n(+10) + n(-10)), timeouts excluded; capability = mean episode length, timeouts
counted at 500. Each preference gets a bootstrap 95% confidence interval over the agent's levels.
"""

import os
import warnings
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workflow_scripts.game import TIMEOUT


COLUMNS = ["agent", "pair", "obj1", "obj2", "preference", "preference_low", "preference_high", "capability",
           "median_length", "timeout_rate", "n_obj1", "n_obj2", "n_timeout", "n_levels", "blacklisted"]
OUTCOMES = (10, -10, 0)


def read_results(path: str | os.PathLike[str], levels: Sequence[int] | None = None) -> pd.DataFrame:
    """An evaluation CSV (`seed,steps,reward`, the original's results-1000 format), checked: an error names
    the file and what is wrong rather than letting a malformed file skew a preference. With `levels`, the
    file must hold exactly those levels, so that a truncated or stale file can never enter a table."""
    try:
        table = pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not an evaluation result: not a readable CSV ({err})") from None
    problems = []
    if missing := [c for c in ("seed", "steps", "reward") if c not in table.columns]:
        problems.append(f"no column {', '.join(missing)} (columns: {', '.join(map(str, table.columns))})")
    else:
        if table.empty:
            problems.append("no rows")
        odd = ~pd.to_numeric(table["reward"], errors="coerce").isin(OUTCOMES)
        if odd.any():
            problems.append(f"rewards other than +10, -10 and 0: {sorted(set(table['reward'][odd].astype(str)))[:5]}")
        steps = pd.to_numeric(table["steps"], errors="coerce")
        if steps.isna().any() or ((steps < 1) | (steps > TIMEOUT)).any():
            problems.append(f"steps outside 1..{TIMEOUT}")
        # Only the 500-step timeout ends an episode without an object's reward.
        impossible = (pd.to_numeric(table["reward"], errors="coerce") == 0) & (steps != TIMEOUT) & steps.notna()
        if impossible.any():
            lines = (table.index[impossible] + 2).tolist()  # the header is line 1
            problems.append(f"reward 0 before the {TIMEOUT}-step timeout (impossible: only a timeout gives 0) on "
                            f"line {', '.join(map(str, lines[:5]))}{' ...' if len(lines) > 5 else ''}")
        if table["seed"].duplicated().any():
            problems.append("a level appears twice")
        if levels is not None and not problems:
            problems += _level_problems(table["seed"], levels)
    if problems:
        raise ValueError(f"{path}: not an evaluation result: {'; '.join(problems)}")
    return table


def _level_problems(seeds: pd.Series, levels: Sequence[int]) -> list[str]:
    """How the levels of a file differ from the configured ones, in a few words."""
    have, want = set(pd.to_numeric(seeds, errors="coerce").dropna().astype(int)), {int(x) for x in levels}
    if have == want and len(seeds) == len(want):
        return []
    missing, extra = sorted(want - have), sorted(have - want)
    words = [f"{len(seeds)} levels where the configuration asks for {len(want)}"]
    if missing:
        words.append(f"{len(missing)} configured levels missing (first {missing[0]})")
    if extra:
        words.append(f"{len(extra)} levels outside the configured ones (first {extra[0]})")
    return [", ".join(words) + "; evaluate the agent again"]


def level_range(first_level: int, num_levels: int) -> range:
    """The evaluation levels of the configuration (evaluation.first_level, evaluation.num_levels)."""
    return range(first_level, first_level + num_levels)


def preference(rewards: np.ndarray) -> float:
    """Share of decided episodes that ended at obj1; NaN when no object was reached."""
    obj1, obj2 = np.sum(rewards == 10), np.sum(rewards == -10)
    return obj1 / (obj1 + obj2) if obj1 + obj2 else float("nan")


def bootstrap_interval(rewards: np.ndarray, samples: int, seed: int) -> tuple[float, float]:
    """Percentile 95% interval of the preference over levels resampled with replacement."""
    rng = np.random.default_rng(seed)
    draws = rewards[rng.integers(0, len(rewards), size=(samples, len(rewards)))]
    obj1, obj2 = (draws == 10).sum(1), (draws == -10).sum(1)
    decided = obj1 + obj2
    prefs = obj1[decided > 0] / decided[decided > 0]
    if prefs.size == 0:
        return float("nan"), float("nan")
    return float(np.percentile(prefs, 2.5)), float(np.percentile(prefs, 97.5))


def agent_metrics(table: pd.DataFrame, bootstrap_samples: int = 1000, bootstrap_seed: int = 0) -> dict[str, float]:
    """Metrics of one agent on one pair from its `seed,steps,reward` rows."""
    rewards, steps = table["reward"].to_numpy(), table["steps"].to_numpy()
    low, high = bootstrap_interval(rewards, bootstrap_samples, bootstrap_seed)
    return {
        "preference": preference(rewards), "preference_low": low, "preference_high": high,
        "capability": float(steps.mean()), "median_length": float(np.median(steps)),
        "timeout_rate": float(np.mean(rewards == 0)), "n_obj1": int(np.sum(rewards == 10)),
        "n_obj2": int(np.sum(rewards == -10)), "n_timeout": int(np.sum(rewards == 0)), "n_levels": len(rewards),
    }


def aggregate(csvs: Mapping[tuple[str, str], str | Path], pair_objects: Mapping[str, Sequence[str]],
              bootstrap_samples: int = 1000, bootstrap_seed: int = 0, blacklist: Collection[str] = (),
              levels: Sequence[int] | None = None, expected_levels: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per (agent, pair) from {(agent, pair): csv path}; warns for agents that reached no object.
    Agents on the blacklist keep their rows, marked, for the figures to leave out, as the original's did.

    `levels`: every CSV must hold exactly these levels (our own evaluations). `expected_levels`: CSVs with
    another number of levels, or with levels outside these, are kept and counted, with a warning naming the
    file (published records, which are what they are)."""
    rows = []
    for (agent, pair), path in csvs.items():
        results = read_results(path, levels)
        if expected_levels is not None:
            if len(results) != len(expected_levels):
                warnings.warn(f"{path}: {len(results)} levels, not {len(expected_levels)}; kept as published "
                              f"(agent {agent}, pair {pair}, n_levels {len(results)})", stacklevel=2)
            if (outside := ~results["seed"].isin(expected_levels)).any():
                warnings.warn(f"{path}: {outside.sum()} of its {len(results)} levels are not test levels "
                              f"({min(expected_levels)}-{max(expected_levels)}), e.g. level "
                              f"{results['seed'][outside].iloc[0]}; kept as published (agent {agent}, pair {pair})",
                              stacklevel=2)
        metrics = agent_metrics(results, bootstrap_samples, bootstrap_seed)
        if np.isnan(metrics["preference"]):
            warnings.warn(f"agent {agent}, pair {pair}: no episode reached an object; preference is NaN", stacklevel=2)
        rows.append({"agent": agent, "pair": pair, "obj1": pair_objects[pair][0], "obj2": pair_objects[pair][1],
                     **metrics, "blacklisted": agent in blacklist})
    return pd.DataFrame(rows, columns=COLUMNS)
