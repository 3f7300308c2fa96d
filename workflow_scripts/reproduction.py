"""Did it reproduce? Our agents against the published ones, pair by pair and claim by claim, each as a verdict
with its uncertainty: `reproduced`, `differs` or `inconclusive` (docs/reproduction.md).

The unit is the agent (a seed), not the level: the populations compared are the agents' preferences (timeouts
excluded; agents that decided no episode are left out and counted) and mean episode lengths. Agents on the
published blacklist (the paper's "single much longer run") are left out of both sides, as the paper's figures
left them out. Both arguments of every function are experiment tables (metrics.aggregate): ours from
results/tables/, the published ones from results/published/tables/.

One rule for every row: `differs` exactly when the row's deciding p-value (`p` for a pair, `p_adjusted` for a
claim's row) is below alpha, and every test behind it holds its level at any number of agents, so that two
samples of one population read `differs` with probability at most alpha per row and, for a claim of several
rows, at most alpha for any of them:
- a pair's preferences ask two questions, each at alpha / 2 (Bonferroni): do the means differ (Welch's t
  referred to its permutation distribution) and do the whole distributions differ (the Cramér-von Mises
  statistic, the same permutations); the interval of the difference of means is the permutation test
  inverted, so it excludes 0 exactly when that test rejects; the same for the log mean episode length;
- shares of agents (channel classes, outliers) use Fisher's exact test; the classes' rows are one family
  (Holm), and their whole distribution is one more test (permutation chi-square);
- ICCs use a permutation test of the difference of the two sides' ICCs; the pairs' ICC rows are one family
  (Holm).
`reproduced` needs nothing to differ, at least MIN_AGENTS agents a side and equivalence within the margin
(two one-sided tests at alpha: the 1 - 2 alpha interval inside (-margin, margin)); anything else is
`inconclusive`, with its `reason`.
"""

import itertools
import math
import warnings
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workflow_scripts import analysis
from workflow_scripts.objects import channel_reference

VERDICTS = ("reproduced", "differs", "inconclusive")
# Fewer agents than this on either side are never `reproduced`: equivalence claimed from a handful of seeds
# would rest on a variance estimated from a handful of values.
MIN_AGENTS = 5
# Permutations of each pair's tests: p-values down to 1e-4, below the Holm threshold alpha / 83 of an
# experiment with the paper's 83 pairs. Populations with fewer distinct arrangements are enumerated whole.
PERMUTATIONS = 9999
# Statistics of two arrangements that agree to this relative precision are ties: the same value summed in
# another order must count as at least as extreme as itself.
TIE = 1e-9
PAIR_COLUMNS = [
    "pair", "obj1", "obj2", "n_ours", "n_published", "undecided_ours", "undecided_published",
    "mean_ours", "mean_published", "diff", "diff_low", "diff_high", "tost_low", "tost_high",
    "p_mean", "p_distribution", "p_equivalence", "p", "p_adjusted", "min_p", "verdict", "reason",
    "cap_n_ours", "cap_n_published", "cap_mean_ours", "cap_mean_published", "cap_diff", "cap_diff_low",
    "cap_diff_high", "cap_tost_low", "cap_tost_high", "cap_p_mean", "cap_p_distribution", "cap_p_equivalence",
    "cap_p", "cap_p_adjusted", "cap_min_p", "cap_verdict", "cap_reason",
]
CLAIMS = ("channel classes", "seed variation (ICC)", "outliers")
CLAIM_COLUMNS = ["claim", "item", "n_ours", "n_published", "ours", "ours_low", "ours_high", "published",
                 "published_low", "published_high", "diff", "diff_low", "diff_high", "p", "p_adjusted", "verdict",
                 "reason", "family"]


# ----- the rule -------------------------------------------------------------------------------------------

def verdict(n_ours: int, n_published: int, p: float, equivalent: bool, alpha: float,
            detected_by: str = "", min_p: float = 0.0,
            not_equivalent: str = "the interval is wider than the margin") -> tuple[str, str]:
    """The module's rule, with its reason: `differs` when p < alpha (what `detected_by` names found it);
    `reproduced` when `equivalent` (within the margin) with at least MIN_AGENTS agents a side; `inconclusive`
    otherwise, saying why (too few agents for any test, a test that cannot reach alpha at these sizes
    (`min_p`, the smallest p it can give), too few agents to show equivalence, or `not_equivalent`). NaN p
    detects nothing."""
    fewest = min(n_ours, n_published)
    if fewest < 2:
        return "inconclusive", f"{fewest} agent(s) on a side: nothing to compare"
    if p < alpha:
        return "differs", f"{detected_by or 'the test'}: p {p:.2g} < {alpha:g}"
    if equivalent and fewest >= MIN_AGENTS:
        return "reproduced", ""
    if not min_p < alpha:
        return "inconclusive", (f"{n_ours} against {n_published} agents: the test cannot give p below {alpha:g} "
                                f"(its smallest is {min_p:.2g})")
    if fewest < MIN_AGENTS:
        return "inconclusive", f"no difference detected; equivalence needs at least {MIN_AGENTS} agents a side"
    return "inconclusive", f"no difference detected; {not_equivalent}"


# ----- permutation tests of two samples of agents ---------------------------------------------------------

def arrangements(n: int, m: int, permutations: int = PERMUTATIONS, seed: object = 0) -> np.ndarray:
    """Which of n + m agents lie on the first side, one boolean row per arrangement, row 0 the observed (the
    first n): all C(n + m, n) arrangements when there are at most permutations + 1 (the test is then exact
    enumeration), otherwise the observed and `permutations` drawn from `seed` (a Monte Carlo test, whose
    p-value (1 + #{as extreme}) / (1 + permutations) holds its level for any number of draws)."""
    total = n + m
    if math.comb(total, n) <= permutations + 1:
        chosen = np.array(list(itertools.combinations(range(total), n)), dtype=np.intp).reshape(-1, n)
        rows = np.zeros((len(chosen), total), bool)
        rows[np.arange(len(chosen))[:, None], chosen] = True
        return rows
    observed = np.arange(total) < n
    rng = np.random.default_rng(seed)
    return np.vstack([observed, rng.permuted(np.broadcast_to(observed, (permutations, total)), axis=1)])


def tail(statistics: np.ndarray, value: float) -> float:
    """Permutation p-value of `value`: the share of arrangements whose (non-negative) statistic is at least as
    large, ties to TIE included, and never below one arrangement's share (the observed one always counts, also
    for a value moved beyond all of them, as the equivalence test moves it)."""
    return max(int(np.sum(statistics >= value * (1 - TIE))), 1) / len(statistics)


def critical_value(statistics: np.ndarray, level: float) -> float:
    """The value the observed statistic must exceed for tail() to fall below `level`: the test at `level`
    rejects exactly when it does. Infinite when no arrangement can reach `level` (too few agents)."""
    ordered = np.sort(statistics)[::-1]
    total = len(ordered)
    allowed = int(np.ceil(level * total))  # the most arrangements at least as extreme with a p below level
    while allowed > 0 and allowed / total >= level:
        allowed -= 1
    while (allowed + 1) / total < level:
        allowed += 1
    if allowed == 0:
        return float("inf")
    return float(ordered[allowed] / (1 - TIE))


def welch_statistics(values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per arrangement (rows of arrangements()): the difference of means (first side minus second), its
    Welch standard error and |t| (0 for no difference, infinite for a difference without spread)."""
    first = rows.astype(float)
    n = int(rows[0].sum())
    m = rows.shape[1] - n
    centred = values - values.mean()
    sum1, squares1 = first @ centred, first @ (centred * centred)
    sum2, squares2 = centred.sum() - sum1, float(centred @ centred) - squares1
    mean1, mean2 = sum1 / n, sum2 / m
    var1 = np.maximum(squares1 - n * mean1 * mean1, 0.0) / (n - 1)
    var2 = np.maximum(squares2 - m * mean2 * mean2, 0.0) / (m - 1)
    diff, se = mean1 - mean2, np.sqrt(var1 / n + var2 / m)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, np.abs(diff) / se, np.where(np.abs(diff) > 0, np.inf, 0.0))
    return diff, se, t


def _cvm_statistics(labels: np.ndarray, ends: np.ndarray, weights: np.ndarray, n: int, m: int) -> np.ndarray:
    """Two-sample Cramér-von Mises statistics, scaled by (n m)^2 to stay exact integers, of label rows (True =
    first sample) over the sorted pooled values: sum over pooled values of the squared difference of the
    two empirical CDFs, evaluated once per tie group (`ends`: each group's last index, `weights`: its size)."""
    below = np.cumsum(labels, axis=-1, dtype=np.int64)[..., ends]
    pooled = ends + 1
    gap = m * below - n * (pooled - below)
    return (weights * gap * gap).sum(axis=-1)


def cvm_statistics(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per arrangement, the two-sample Cramér-von Mises statistic of the whole distributions (exact integers,
    so ties are exact)."""
    n = int(rows[0].sum())
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    ends = np.flatnonzero(np.append(ordered[1:] != ordered[:-1], True))
    weights = np.diff(np.append(-1, ends))
    return _cvm_statistics(rows[:, order], ends, weights, n, len(values) - n)


def distribution_p(x: np.ndarray, y: np.ndarray, permutations: int = PERMUTATIONS, seed: object = 0) -> float:
    """Permutation p-value of the two-sample Cramér-von Mises statistic (the whole distributions, not only
    their means), exact under ties and for small samples; NaN with fewer than 2 values a side."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or len(y) < 2:
        return float("nan")
    statistics = cvm_statistics(np.concatenate([x, y]), arrangements(len(x), len(y), permutations, seed))
    return tail(statistics, statistics[0])


def _half_width(critical: float, se: float) -> float:
    """Half the width of the interval diff ± critical x se; infinite where the test cannot reject at all."""
    return float("inf") if np.isinf(critical) else float(critical * se)


def _one_sided(t: np.ndarray, s: float) -> float:
    """P(T >= s) for the symmetric permutation distribution whose |T| values are t."""
    return tail(t, s) / 2 if s > 0 else 1 - tail(t, -s) / 2


def compare_samples(x: np.ndarray, y: np.ndarray, margin: float, alpha: float, permutations: int = PERMUTATIONS,
                    seed: object = 0, bounds: tuple[float, float] = (-np.inf, np.inf)) -> dict[str, float | str]:
    """Two samples of agents (ours x, published y) by the module's rule: `diff` of means with its interval
    at 1 - alpha / 2 (the permutation-t test inverted: it excludes 0 exactly when p_mean < alpha / 2; cut to
    `bounds`, the differences possible, which never moves 0 in or out), the
    1 - 2 alpha interval and p of the equivalence test (two one-sided permutation-t tests), `p_distribution`
    (Cramér-von Mises), `p` = min(1, 2 min(p_mean, p_distribution)) (Bonferroni over the two questions),
    `min_p` (the smallest p these sizes allow), `verdict` and `reason`. Both tests use the same arrangements."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    nan = float("nan")
    result: dict[str, float | str] = {
        "diff": float(x.mean() - y.mean()) if len(x) and len(y) else nan, "diff_low": nan, "diff_high": nan,
        "tost_low": nan, "tost_high": nan, "p_mean": nan, "p_distribution": nan, "p_equivalence": nan, "p": nan,
        "min_p": nan}
    if min(len(x), len(y)) < 2:
        result["verdict"], result["reason"] = verdict(len(x), len(y), nan, False, alpha)
        return result
    values = np.concatenate([x, y])
    rows = arrangements(len(x), len(y), permutations, seed)
    diffs, ses, t = welch_statistics(values, rows)
    cvm = cvm_statistics(values, rows)
    diff, se = float(diffs[0]), ses[0]
    p_mean, p_distribution = tail(t, t[0]), tail(cvm, cvm[0])
    min_p = min(1.0, 2 * min(tail(t, t.max()), tail(cvm, cvm.max())))
    half, narrow = (_half_width(critical_value(t, level), se) for level in (alpha / 2, 2 * alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_equivalence = max(_one_sided(t, (diff + margin) / se), _one_sided(t, (margin - diff) / se))
    p = min(1.0, 2 * min(p_mean, p_distribution))
    found = " and ".join(name for name, q in (("mean", p_mean), ("distribution", p_distribution)) if 2 * q < alpha)
    low, high = bounds
    result.update(diff=diff, diff_low=max(low, diff - half), diff_high=min(high, diff + half),
                  tost_low=max(low, diff - narrow), tost_high=min(high, diff + narrow), p_mean=p_mean,
                  p_distribution=p_distribution, p_equivalence=p_equivalence, p=p, min_p=min_p)
    result["verdict"], result["reason"] = verdict(len(x), len(y), p, p_equivalence < alpha, alpha, found, min_p)
    return result


def _pair_seed(seed: int, pair: str, what: str) -> list[int]:
    """A seed of its own for each (pair, quantity): a pair's p-value does not change when other pairs come
    or go."""
    return [seed, zlib.crc32(pair.encode()), zlib.crc32(what.encode())]


def _population(table: pd.DataFrame) -> pd.DataFrame:
    """The agents that the comparison counts: all but those on the published blacklist."""
    if "blacklisted" not in table.columns:
        return table
    return table[~table["blacklisted"].astype(bool)]


def holm(p: pd.Series) -> pd.Series:
    """Holm's step-down adjustment over the defined p-values (analysis.holm): it holds the chance of any false
    `differs` among them at alpha. NaN stays NaN."""
    return pd.Series(analysis.holm(p.to_numpy(float))[0], index=p.index)


def unmatched_pairs(ours: pd.DataFrame, published: pd.DataFrame) -> dict[str, list[str]]:
    """The pairs that only one side evaluated: {'ours only': [...], 'published only': [...]}, in table order."""
    a, b = list(dict.fromkeys(ours["pair"])), list(dict.fromkeys(published["pair"]))
    return {"ours only": [p for p in a if p not in b], "published only": [p for p in b if p not in a]}


def compare_populations(ours: pd.DataFrame, published: pd.DataFrame, margin: float = 0.1, alpha: float = 0.05,
                        permutations: int = PERMUTATIONS, seed: int = 0) -> pd.DataFrame:
    """One row per pair that both tables hold (in our table's order): the agents' preferences compared by
    compare_samples (`diff` = mean_ours - mean_published, its interval, the equivalence test, the mean and
    distribution tests, the pair's deciding `p`, `verdict` and `reason`), `p_adjusted` (Holm over the pairs:
    below alpha, the pair differs beyond what chance gives among this many pairs), and the same for the log
    of each agent's mean episode length (`cap_*`: `cap_diff` is a log ratio, `cap_mean_*` geometric means in
    steps). Pairs that only one table holds are left out with a warning naming them (unmatched_pairs)."""
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 0.5), not {alpha}")
    if not margin > 0:
        raise ValueError(f"margin must be positive, not {margin}")
    lone = unmatched_pairs(ours, published)
    if lone["ours only"] or lone["published only"]:
        warnings.warn(f"pairs not compared, evaluated on one side only: ours only {lone['ours only']}, "
                      f"published only {lone['published only']}", stacklevel=2)
    ours, published = _population(ours), _population(published)
    rows = []
    for pair in dict.fromkeys(ours["pair"]):
        if pair in lone["ours only"]:
            continue
        a, b = ours[ours["pair"] == pair], published[published["pair"] == pair]
        x, y = a["preference"].dropna().to_numpy(float), b["preference"].dropna().to_numpy(float)
        row: dict[str, object] = {"pair": pair, "obj1": a["obj1"].iloc[0], "obj2": a["obj2"].iloc[0],
                                  "n_ours": len(x), "n_published": len(y),
                                  "undecided_ours": int(a["preference"].isna().sum()),
                                  "undecided_published": int(b["preference"].isna().sum()),
                                  "mean_ours": float(np.mean(x)) if len(x) else np.nan,
                                  "mean_published": float(np.mean(y)) if len(y) else np.nan}
        row.update(compare_samples(x, y, margin, alpha, permutations, _pair_seed(seed, pair, "preference"),
                                   bounds=(-1.0, 1.0)))
        lx, ly = np.log(a["capability"].to_numpy(float)), np.log(b["capability"].to_numpy(float))
        cap = compare_samples(lx, ly, margin, alpha, permutations, _pair_seed(seed, pair, "capability"))
        row.update({"cap_n_ours": len(lx), "cap_n_published": len(ly),
                    "cap_mean_ours": float(np.exp(lx.mean())) if len(lx) else np.nan,
                    "cap_mean_published": float(np.exp(ly.mean())) if len(ly) else np.nan,
                    **{f"cap_{k}": v for k, v in cap.items()}})
        rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in PAIR_COLUMNS if not c.endswith("p_adjusted")])
    table.insert(table.columns.get_loc("p") + 1, "p_adjusted", holm(table["p"]))
    table.insert(table.columns.get_loc("cap_p") + 1, "cap_p_adjusted", holm(table["cap_p"]))
    return table[PAIR_COLUMNS]


# ----- the paper's claims ---------------------------------------------------------------------------------

def wilson(k: int, n: int, level: float) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n at `level`; NaN for n = 0."""
    if n == 0:
        return float("nan"), float("nan")
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def mover(a: float, a_low: float, a_high: float, b: float, b_low: float, b_high: float) -> tuple[float, float]:
    """Interval of a - b from intervals of two independent estimates (Zou and Donner's MOVER, Newcombe's
    hybrid score interval when they are Wilson intervals): each side's distance to its limits, combined."""
    d = a - b
    return (float(d - np.sqrt((a - a_low) ** 2 + (b_high - b) ** 2)),
            float(d + np.sqrt((a_high - a) ** 2 + (b - b_low) ** 2)))


def fisher_min_p(n: tuple[int, int], total: int) -> float:
    """The smallest two-sided p-value Fisher's exact test can give for two groups of n agents of which
    `total` are in the class: that of the most lopsided table with these margins."""
    if min(n) == 0:
        return 1.0
    lowest, highest = max(0, total - n[1]), min(total, n[0])
    return min(float(stats.fisher_exact([[k, n[0] - k], [total - k, n[1] - total + k]]).pvalue)
               for k in (lowest, highest))


def _share_row(claim: str, item: str, k: tuple[int, int], n: tuple[int, int], margin: float, alpha: float,
               min_p: float, family: int = 1) -> dict[str, object]:
    """Two shares of agents compared: Wilson intervals of each, Newcombe's interval of the difference at
    1 - alpha / family (the level at which a family's row is read) and, for the equivalence test, at
    1 - 2 alpha, and Fisher's exact p (which decides: the interval is approximate, the test exact), with
    `min_p` (fisher_min_p) for _decide."""
    shares = [k[i] / n[i] if n[i] else np.nan for i in (0, 1)]
    limits = [wilson(k[i], n[i], 1 - alpha / family) for i in (0, 1)]
    narrow = [wilson(k[i], n[i], 1 - 2 * alpha) for i in (0, 1)]
    low, high = mover(shares[0], *limits[0], shares[1], *limits[1])
    eq_low, eq_high = mover(shares[0], *narrow[0], shares[1], *narrow[1])
    p = float(stats.fisher_exact([[k[0], n[0] - k[0]], [k[1], n[1] - k[1]]]).pvalue) if min(n) else np.nan
    return {"claim": claim, "item": item, "n_ours": n[0], "n_published": n[1], "ours": shares[0],
            "ours_low": limits[0][0], "ours_high": limits[0][1], "published": shares[1],
            "published_low": limits[1][0], "published_high": limits[1][1], "diff": shares[0] - shares[1],
            "diff_low": low, "diff_high": high, "p": p, "min_p": min_p,
            "equivalent": bool(-margin < eq_low and eq_high < margin), "test": "Fisher's exact test"}


def _decide(rows: list[dict[str, object]], alpha: float, kind: str = "") -> list[dict[str, object]]:
    """The verdicts of one family of `kind` rows ('' for a single test): `p_adjusted` is Holm's over the
    family (so that any false `differs` among them has probability at most alpha), and decides. Rows whose
    test cannot reach alpha at all at their sizes (`min_p`) cannot add a false `differs` and stay out of the
    family (as in Tarone's refinement), so that classes of one or two agents do not dilute the others; each
    row's `family` says how it is read. A row's `not_equivalent`, where given, says why it is not reproduced."""
    testable = [i for i, r in enumerate(rows) if r["min_p"] < alpha]
    adjusted = np.full(len(rows), np.nan)
    if testable:
        adjusted[testable] = analysis.holm(np.array([rows[i]["p"] for i in testable], float))[0]
    if not kind:
        family = "one test"
    elif testable:
        family = f"Holm over the {len(testable)} of {len(rows)} {kind} rows whose test can reach alpha"
    else:
        family = f"{len(rows)} {kind} rows, none of whose tests can reach alpha here"
    for row, q in zip(rows, adjusted):
        row["p_adjusted"] = float(q)
        extra = {"not_equivalent": row.pop("not_equivalent")} if "not_equivalent" in row else {}
        row["verdict"], row["reason"] = verdict(int(row["n_ours"]), int(row["n_published"]), float(q),
                                                bool(row.pop("equivalent")), alpha, row.pop("test"),
                                                float(row.pop("min_p")), **extra)
        row["family"] = family
    return rows


def _pairs_of(table: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """{pair: (obj1, obj2)} of a table, in its order."""
    first = table.drop_duplicates("pair")
    return dict(zip(first["pair"], zip(first["obj1"], first["obj2"])))


def _chi2_statistic(counts: np.ndarray) -> np.ndarray:
    """Pearson's chi-square statistic of each 2 x k table in counts[..., 2, k] (columns with no agent drop out)."""
    expected = counts.sum(-2, keepdims=True) * counts.sum(-1, keepdims=True) / counts.sum((-2, -1), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(np.where(expected > 0, (counts - expected) ** 2 / expected, 0.0), axis=(-2, -1))


def classes_p(ours: Sequence[str], published: Sequence[str], permutations: int = PERMUTATIONS,
              seed: object = 0) -> float:
    """Permutation p-value of Pearson's chi-square statistic that both populations share one distribution
    over the channel classes: exact for the few agents per class that chi-square tables cannot take, and
    exact enumeration when there are few arrangements (arrangements())."""
    labels = np.asarray(list(ours) + list(published))
    kinds, codes = np.unique(labels, return_inverse=True)
    if len(kinds) < 2 or min(len(ours), len(published)) == 0:
        return 1.0
    rows = arrangements(len(ours), len(published), permutations, seed)
    onehot = np.eye(len(kinds))[codes]
    counts = np.stack([rows.astype(float) @ onehot, (~rows).astype(float) @ onehot], axis=1)
    statistic = _chi2_statistic(counts)
    return tail(statistic, statistic[0])


def _channel_rows(ours: pd.DataFrame, published: pd.DataFrame, min_effect: float, margin: float, alpha: float,
                  permutations: int, seed: int) -> list[dict[str, object]]:
    """Claim a: the share of agents in each channel class on both sides (one family: Holm), and the classes'
    distribution as a whole (its own test, the claim's familywise decision); none when the two tables lack a
    common full 8-colour design."""
    reference = channel_reference(_pairs_of(ours))
    if reference is None or reference != channel_reference(_pairs_of(published)):
        return []
    a = analysis.channel_classes(analysis.channel_effects(ours, reference), min_effect)["channels"].dropna()
    b = analysis.channel_classes(analysis.channel_effects(published, reference), min_effect)["channels"].dropna()
    n = (len(a), len(b))
    counts = {label: (int((a == label).sum()), int((b == label).sum())) for label in sorted(set(a) | set(b))}
    min_ps = {label: fisher_min_p(n, sum(k)) for label, k in counts.items()}
    family = max(sum(q < alpha for q in min_ps.values()), 1)
    rows = _decide([_share_row("channel classes", f"{label} vs {reference}", k, n, margin, alpha, min_ps[label],
                               family) for label, k in counts.items()], alpha, "class")
    p = classes_p(list(a), list(b), permutations, seed)
    equivalent = bool(rows) and all(r["verdict"] == "reproduced" for r in rows)
    return rows + _decide([{"claim": "channel classes", "item": f"all classes vs {reference}", "n_ours": n[0],
                            "n_published": n[1], "p": p, "min_p": 0.0, "equivalent": equivalent,
                            "test": "permutation chi-square", "not_equivalent": "not every class is reproduced"}],
                          alpha)


def icc_statistics(x: np.ndarray, n: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per arrangement (rows of arrangements()), |ICC of the first side - ICC of the second| by the one-way
    ANOVA estimator of the intra-class correlation of agents' obj1 counts x of n decided episodes,
    (MSB - MSW) / (MSB + (n0 - 1) MSW): sums over each side's agents, so every arrangement costs two matrix
    products. A side without any spread has ICC 0; one whose agents each always pick one object, 1."""
    x, n = x.astype(float), n.astype(float)
    squares = x * x / n

    def side(members: np.ndarray) -> np.ndarray:
        agents, total, successes = members.sum(1), members @ n, members @ x
        between = (members @ squares - successes * successes / total) / (agents - 1)
        within = (successes - members @ squares) / np.maximum(total - agents, 1)
        n0 = (total - (members @ (n * n)) / total) / (agents - 1)
        denominator = between + (n0 - 1) * within
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator > 0, (between - within) / denominator, 0.0)

    first = rows.astype(float)
    return np.abs(side(first) - side(1.0 - first))


def icc_difference_p(ours: tuple[np.ndarray, np.ndarray], published: tuple[np.ndarray, np.ndarray],
                     permutations: int = PERMUTATIONS, seed: object = 0) -> tuple[float, float]:
    """Permutation p-value that two populations of agents share one spread of preferences: the difference of
    their ANOVA ICCs (icc_statistics) against its distribution over arrangements of the agents, exact at any
    number of agents (the beta-binomial likelihood-ratio test it replaces said `differs` for 6-10% of pairs
    from one population of channel-reliant agents, whose preferences are no beta distribution); and the
    smallest p these numbers of agents allow. NaN with fewer than 2 agents a side."""
    (x, n), (y, m) = ours, published
    if min(len(x), len(y)) < 2:
        return float("nan"), float("nan")
    statistics = icc_statistics(np.concatenate([x, y]), np.concatenate([n, m]),
                                arrangements(len(x), len(y), permutations, seed))
    return tail(statistics, statistics[0]), tail(statistics, statistics.max())


def _icc_rows(ours: pd.DataFrame, published: pd.DataFrame, margin: float, alpha: float, permutations: int,
              seed: int) -> list[dict[str, object]]:
    """Claim b: each pair's intra-class correlation on both sides with their 95% profile-likelihood intervals
    (analysis.seed_variation), the MOVER interval of their difference (descriptive: the decision is the
    test's) and the permutation test of equal spread (icc_difference_p), the pairs one family (Holm). The
    equivalence test uses the same 95% interval, as seed_variation gives no other (stricter than the 90% of
    the preferences' rule)."""
    a, b = analysis.seed_variation(ours).set_index("pair"), analysis.seed_variation(published).set_index("pair")
    rows = []
    for pair in [p for p in a.index if p in b.index]:
        s, t = a.loc[pair], b.loc[pair]
        low, high = mover(s["icc"], s["icc_low"], s["icc_high"], t["icc"], t["icc_low"], t["icc_high"])
        p, min_p = icc_difference_p(analysis.decided_counts(ours[ours["pair"] == pair]),
                                    analysis.decided_counts(published[published["pair"] == pair]), permutations,
                                    _pair_seed(seed, pair, "icc"))
        n = (int(s["agents"]), int(t["agents"]))
        rows.append({"claim": "seed variation (ICC)", "item": pair, "n_ours": n[0], "n_published": n[1],
                     "ours": s["icc"], "ours_low": s["icc_low"], "ours_high": s["icc_high"], "published": t["icc"],
                     "published_low": t["icc_low"], "published_high": t["icc_high"], "diff": s["icc"] - t["icc"],
                     "diff_low": low, "diff_high": high, "p": p, "min_p": min_p,
                     "equivalent": bool(-margin < low and high < margin), "test": "permutation test of the ICCs"})
    return _decide(rows, alpha, "ICC")


def compare_claims(ours: pd.DataFrame, published: pd.DataFrame, margin: float = 0.1, alpha: float = 0.05,
                   min_effect: float = 0.1, outlier_alpha: float = 0.001, permutations: int = PERMUTATIONS,
                   seed: int = 0, claims: Sequence[str] = CLAIMS) -> pd.DataFrame:
    """The paper's three claims side by side (CLAIM_COLUMNS), each row with a verdict by the module's rule,
    decided by `p_adjusted` within its `family`:
    a. the share of agents in each channel class (analysis.channel_classes, when both tables hold the full
       8-colour design against one common obj2), each with Wilson intervals, Newcombe's interval of the
       difference and Fisher's exact test, Holm over the classes; and the classes' whole distribution
       (permutation chi-square), the claim's one familywise decision;
    b. each common pair's ICC (analysis.seed_variation) with both intervals and the permutation test of equal
       ICCs, Holm over the pairs;
    c. the share of agents flagged as outliers on any pair (analysis.outliers at outlier_alpha), as in a.
    `claims` names those wanted (CLAIMS: all three; the outlier test takes the longest)."""
    unknown = set(claims) - set(CLAIMS)
    if unknown:
        raise ValueError(f"unknown claims {sorted(unknown)}: choose from {list(CLAIMS)}")
    ours, published = _population(ours), _population(published)
    rows = []
    if CLAIMS[0] in claims:
        rows += _channel_rows(ours, published, min_effect, margin, alpha, permutations, seed)
    if CLAIMS[1] in claims:
        rows += _icc_rows(ours, published, margin, alpha, permutations, seed)
    if CLAIMS[2] not in claims:
        return pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    common = [p for p in dict.fromkeys(ours["pair"]) if p in set(published["pair"])]
    a, b = ours[ours["pair"].isin(common)], published[published["pair"].isin(common)]
    flagged = [analysis.outlier_summary(analysis.outliers(t, outlier_alpha))["agent"].nunique() for t in (a, b)]
    n = (a["agent"].nunique(), b["agent"].nunique())
    rows += _decide([_share_row("outliers", f"flagged, {len(common)} pairs", tuple(flagged), n, margin, alpha,
                                fisher_min_p(n, sum(flagged)))], alpha)
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


# ----- the summary ----------------------------------------------------------------------------------------

def _number(value: float, digits: int = 3) -> str:
    """A table cell: the value rounded, or a dash where undefined."""
    return "–" if pd.isna(value) else f"{value:.{digits}f}"


def _p(value: float) -> str:
    """A p-value for a person: two significant digits, or a dash."""
    return "–" if pd.isna(value) else f"{value:.2g}"


def _setting(key: str, value: object) -> str:
    """A training setting in words: step counts with thousands separators."""
    return f"{value:,} steps" if key == "timesteps" else repr(value)


def caveats(experiment: str, info: Mapping[str, object], ours: pd.DataFrame, published: pd.DataFrame,
            pairs: pd.DataFrame) -> list[str]:
    """What a reader must know before trusting one comparison, one sentence each: the agents on each side,
    whether it is like-for-like, how the two trainings differ, agents left out, the evaluation levels and the
    pairs only one side has. `info` is rules/reproduction.smk's comparison_info."""
    notes = [f"agents: {ours['agent'].nunique()} ours, {published['agent'].nunique()} published, of which "
             f"{published.loc[published['blacklisted'].astype(bool), 'agent'].nunique()} blacklisted and left out"]
    if not info["like_for_like"]:
        notes.append(f"not like-for-like: our {experiment} against the published run {info['run']} of "
                     f"{info['published_experiment']}")
    for key, value in info["ours"].items():
        theirs = info["published"][key]
        if value != theirs:
            notes.append(f"our agents trained with {key} {_setting(key, value)} vs the paper's {_setting(key, theirs)}")
    undecided = int(pairs["undecided_ours"].sum()), int(pairs["undecided_published"].sum())
    if any(undecided):
        notes.append(f"(agent, pair) preferences left out for deciding no episode: {undecided[0]} ours, "
                     f"{undecided[1]} published")
    levels = sorted(set(ours["n_levels"])), sorted(set(published["n_levels"]))
    if levels[0] != levels[1]:
        notes.append(f"evaluation levels per agent: ours {levels[0]}, published {levels[1]}")
    for side, lone in unmatched_pairs(ours, published).items():
        if lone:
            notes.append(f"pairs not compared ({side}): {', '.join(lone)}")
    return notes


def chance_line(pairs: pd.DataFrame, claims: pd.DataFrame, alpha: float) -> str:
    """What chance alone gives at these sizes: were both sides one population, each verdict that can read
    `differs` here (its test able to reach alpha) does so with probability at most alpha, and each claim
    family (its rows together) at most alpha; the expected count of such false verdicts is at most their sum."""
    detectable = [int((pairs[f"{prefix}min_p"] < alpha).sum()) for prefix in ("", "cap_")]
    families = claims.groupby(["claim", "family"], sort=False).size() if len(claims) else pd.Series(dtype=int)
    testable = (claims[claims["p_adjusted"].notna()].groupby(["claim", "family"], sort=False).size()
                if len(claims) else families)
    bound = alpha * (sum(detectable) + len(testable))
    return (f"By chance alone: were our agents and the published ones one population, each verdict below "
            f"would read differs with probability at most {alpha:g}. Of the {len(pairs)} pairs, "
            f"{detectable[0]} preference and {detectable[1]} episode-length verdicts can reach p < {alpha:g} at "
            f"these numbers of agents, and {len(testable)} of the {len(families)} claim families have a test that "
            f"can (each family's rows together at most {alpha:g}): at most {bound:.2g} false *differs* expected "
            f"in all. The Holm-adjusted counts hold the chance of any false *differs* among the pairs at {alpha:g}.")


def _verdict_cell(value: str, p: float) -> str:
    """A verdict cell: bold, with the p-value that decided it when it is `differs`."""
    return f"**{value}** (p {_p(p)})" if value == "differs" else f"**{value}**"


def experiment_summary(experiment: str, run: str, notes: Sequence[str], pairs: pd.DataFrame, claims: pd.DataFrame,
                       margin: float, alpha: float, most: int = 5) -> str:
    """One experiment's section of summary.md: what chance alone gives at its sizes, the verdict counts, its
    caveats (`notes`), the claims' verdicts (each `differs` with the p that decided it and the family whose
    rate it holds) and the pairs that differ most."""
    lines = [f"## {experiment} against the published `{run}`", "", chance_line(pairs, claims, alpha), ""]
    counts = pairs["verdict"].value_counts()
    cap = pairs["cap_verdict"].value_counts()
    lines.append(f"**Pairs ({len(pairs)} compared): {counts.get('reproduced', 0)} reproduced, "
                 f"{counts.get('differs', 0)} differ, {counts.get('inconclusive', 0)} inconclusive.** "
                 f"After Holm's adjustment over the {len(pairs)} pairs, {int((pairs['p_adjusted'] < alpha).sum())} "
                 f"differ. Mean episode length: {cap.get('reproduced', 0)} reproduced, {cap.get('differs', 0)} "
                 f"differ ({int((pairs['cap_p_adjusted'] < alpha).sum())} after Holm), "
                 f"{cap.get('inconclusive', 0)} inconclusive.")
    lines += ["", "Caveats:", ""]
    lines += [f"- {c}" for c in notes]
    lines += ["", "| claim | item | ours | published | diff [interval] | p | p adjusted | verdict | read within |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in claims.itertuples(index=False):
        ours = f"{_number(row.ours)} [{_number(row.ours_low)}, {_number(row.ours_high)}]" if not pd.isna(row.ours) else "–"
        theirs = (f"{_number(row.published)} [{_number(row.published_low)}, {_number(row.published_high)}]"
                  if not pd.isna(row.published) else "–")
        diff = f"{_number(row.diff)} [{_number(row.diff_low)}, {_number(row.diff_high)}]" if not pd.isna(row.diff) else "–"
        lines.append(f"| {row.claim} | {row.item} | {ours} | {theirs} | {diff} | {_p(row.p)} | {_p(row.p_adjusted)} "
                     f"| {_verdict_cell(row.verdict, row.p_adjusted)} | {row.family} |")
    for claim, group in claims.groupby("claim", sort=False):
        tally = group["verdict"].value_counts()
        lines.append(f"\n{claim}: " + ", ".join(f"{tally.get(v, 0)} {v}" for v in VERDICTS))
    ranked = pairs.assign(size=pairs["diff"].abs()).sort_values("size", ascending=False, na_position="last")
    ranked = ranked[ranked["verdict"] == "differs"].head(most)
    lines += ["", f"Pairs that differ most (largest |diff| among those that differ; margin ±{margin}):", ""]
    if ranked.empty:
        lines.append("- none")
    for row in ranked.itertuples(index=False):
        lines.append(f"- {row.pair}: ours {_number(row.mean_ours)} vs published {_number(row.mean_published)}, "
                     f"diff {_number(row.diff)} [{_number(row.diff_low)}, {_number(row.diff_high)}], differs by "
                     f"{row.reason} (Holm over the pairs {_p(row.p_adjusted)})")
    return "\n".join(lines) + "\n"


def summary_markdown(sections: Sequence[str], margin: float, alpha: float) -> str:
    """results/reproduction/summary.md: the rule in a few sentences, then one section per experiment."""
    head = ["# Did it reproduce?", "",
            f"Each row reads **differs** exactly when the p-value that decides it is below {alpha}, and each "
            f"test holds that rate at any number of agents. A pair's preferences ask two questions at "
            f"{alpha / 2:g} each (Bonferroni): do the mean agent preferences differ (Welch's t against its "
            f"permutation distribution; the {100 * (1 - alpha / 2):g}% interval of the difference excludes 0 exactly "
            f"then) and do the whole distributions differ (permutation Cramér–von Mises); the same for the log "
            f"mean episode length. **Reproduced**: nothing differs, each side has at least {MIN_AGENTS} agents and "
            f"the {100 * (1 - 2 * alpha):g}% interval lies inside ±{margin} (two one-sided tests). "
            f"**Inconclusive** otherwise, with the reason. A claim's rows are read within their family "
            f"(Holm): the chance of any false *differs* among them is at most {alpha}. The unit is the agent (a "
            f"seed); blacklisted agents are left out (docs/reproduction.md).", ""]
    return "\n".join(head) + "\n" + "\n".join(sections)
