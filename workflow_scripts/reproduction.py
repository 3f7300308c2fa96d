"""Did it reproduce? Our agents against the published ones, pair by pair and claim by claim, each as a verdict
with its uncertainty: `reproduced`, `differs` or `inconclusive` (README, "Did it reproduce?").

The unit is the agent (a seed), not the level: the populations compared are the agents' preferences (timeouts
excluded; agents that decided no episode are left out and counted) and mean episode lengths. Agents on the
published blacklist (the paper's "single much longer run") are left out of both sides, as the paper's figures
left them out. Both arguments of every function are experiment tables (metrics.aggregate): ours from
results/tables/, the published ones from results/published/tables/.

The rule, for a difference d between the populations with margin m:
- differs: a difference is detected: the (1 - alpha) interval of d excludes 0, or a test of the whole
  distributions (or of the claim's statistic) has p < alpha;
- reproduced: no difference is detected, each side has at least MIN_AGENTS agents and the equivalence of the
  two within m is shown (two one-sided tests at level alpha: the (1 - 2 alpha) interval of d inside (-m, m));
- inconclusive: anything else (too few agents, or intervals too wide to tell).
"""

import warnings
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from workflow_scripts import analysis
from workflow_scripts.objects import channel_reference

VERDICTS = ("reproduced", "differs", "inconclusive")
# Fewer agents than this on either side are never `reproduced`: equivalence claimed from a handful of seeds
# would rest on a variance estimated from a handful of values.
MIN_AGENTS = 5
# Permutations of each distribution test: p-values down to 1e-4, below the Holm threshold alpha / 83 of an
# experiment with the paper's 83 pairs.
PERMUTATIONS = 9999
PAIR_COLUMNS = [
    "pair", "obj1", "obj2", "n_ours", "n_published", "undecided_ours", "undecided_published",
    "mean_ours", "mean_published", "diff", "diff_low", "diff_high", "tost_low", "tost_high",
    "p_mean", "p_mean_adjusted", "p_equivalence", "p_distribution", "p_distribution_adjusted", "verdict",
    "cap_n_ours", "cap_n_published", "cap_mean_ours", "cap_mean_published", "cap_diff", "cap_diff_low",
    "cap_diff_high", "cap_tost_low", "cap_tost_high", "cap_p_mean", "cap_p_distribution", "cap_verdict",
]
CLAIM_COLUMNS = ["claim", "item", "n_ours", "n_published", "ours", "ours_low", "ours_high", "published",
                 "published_low", "published_high", "diff", "diff_low", "diff_high", "p", "verdict"]
_RHO_BOUNDS = (1e-6, 1 - 1e-6)
_MU_BOUNDS = (1e-9, 1 - 1e-9)


# ----- the rule -------------------------------------------------------------------------------------------

def verdict(n_ours: int, n_published: int, low: float, high: float, equivalence_low: float,
            equivalence_high: float, p: float, margin: float, alpha: float) -> str:
    """The module's rule: `differs` when [low, high] (the 1 - alpha interval of the difference) excludes 0 or
    p < alpha; `reproduced` when [equivalence_low, equivalence_high] lies inside (-margin, margin) with at
    least MIN_AGENTS agents a side; `inconclusive` otherwise. NaNs detect nothing and show nothing."""
    if min(n_ours, n_published) >= 2 and (low > 0 or high < 0 or p < alpha):
        return "differs"
    if min(n_ours, n_published) >= MIN_AGENTS and -margin < equivalence_low and equivalence_high < margin:
        return "reproduced"
    return "inconclusive"


# ----- two samples of agents ------------------------------------------------------------------------------

def welch(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float, float, float, float]:
    """Mean of x minus mean of y with its Welch t interval at `level`, the two-sided p-value of no
    difference, the standard error and the Welch-Satterthwaite degrees of freedom; NaN with fewer than 2
    values a side. Without spread on either side the interval is the difference itself."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or len(y) < 2:
        nan = float("nan")
        diff = float(x.mean() - y.mean()) if len(x) and len(y) else nan
        return diff, nan, nan, nan, nan, nan
    diff = float(x.mean() - y.mean())
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = float(np.sqrt(vx + vy))
    if se == 0:
        return diff, diff, diff, float(diff == 0), 0.0, float("inf")
    df = float((vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1)))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return diff, diff - half, diff + half, float(2 * stats.t.sf(abs(diff) / se, df)), se, df


def equivalence_p(diff: float, se: float, df: float, margin: float) -> float:
    """p-value of the two one-sided tests (Schuirmann) that |difference| >= margin: the larger of the two
    one-sided Welch p-values; small p = equivalent within the margin."""
    if np.isnan(se):
        return float("nan")
    if se == 0:
        return float(abs(diff) >= margin)
    return float(max(stats.t.sf((diff + margin) / se, df), stats.t.cdf((diff - margin) / se, df)))


def _cvm_statistics(labels: np.ndarray, ends: np.ndarray, weights: np.ndarray, n: int, m: int) -> np.ndarray:
    """Two-sample Cramér-von Mises statistics, scaled by (n m)^2 to stay exact integers, of label rows (True =
    first sample) over the sorted pooled values: sum over pooled values of the squared difference of the
    two empirical CDFs, evaluated once per tie group (`ends`: each group's last index, `weights`: its size)."""
    below = np.cumsum(labels, axis=-1, dtype=np.int64)[..., ends]
    pooled = ends + 1
    gap = m * below - n * (pooled - below)
    return (weights * gap * gap).sum(axis=-1)


def distribution_p(x: np.ndarray, y: np.ndarray, permutations: int = PERMUTATIONS, seed: int = 0) -> float:
    """Permutation p-value of the two-sample Cramér-von Mises statistic (the whole distributions, not only
    their means): (1 + #{permuted >= observed}) / (1 + permutations), exact under ties and for small samples.
    The permutations are drawn from `seed`, so that the same samples give the same p."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n, m = len(x), len(y)
    if n < 2 or m < 2:
        return float("nan")
    values = np.concatenate([x, y])
    order = np.argsort(values, kind="stable")
    values = values[order]
    labels = (np.arange(n + m) < n)[order]
    ends = np.flatnonzero(np.append(values[1:] != values[:-1], True))
    weights = np.diff(np.append(-1, ends))
    observed = _cvm_statistics(labels, ends, weights, n, m)
    rng = np.random.default_rng(seed)
    permuted = rng.permuted(np.broadcast_to(labels, (permutations, n + m)), axis=1)
    return float((1 + np.sum(_cvm_statistics(permuted, ends, weights, n, m) >= observed)) / (1 + permutations))


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


def _compare(x: np.ndarray, y: np.ndarray, margin: float, alpha: float, permutations: int,
             seed: list[int]) -> dict[str, float | str]:
    """The difference of two samples of agents: interval, equivalence interval, tests and verdict."""
    diff, low, high, p_mean, se, df = welch(x, y, 1 - alpha)
    _, tost_low, tost_high, _, _, _ = welch(x, y, 1 - 2 * alpha)
    p_distribution = distribution_p(x, y, permutations, seed)
    return {"diff": diff, "diff_low": low, "diff_high": high, "tost_low": tost_low, "tost_high": tost_high,
            "p_mean": p_mean, "p_equivalence": equivalence_p(diff, se, df, margin),
            "p_distribution": p_distribution,
            "verdict": verdict(len(x), len(y), low, high, tost_low, tost_high, p_distribution, margin, alpha)}


def unmatched_pairs(ours: pd.DataFrame, published: pd.DataFrame) -> dict[str, list[str]]:
    """The pairs that only one side evaluated: {'ours only': [...], 'published only': [...]}, in table order."""
    a, b = list(dict.fromkeys(ours["pair"])), list(dict.fromkeys(published["pair"]))
    return {"ours only": [p for p in a if p not in b], "published only": [p for p in b if p not in a]}


def compare_populations(ours: pd.DataFrame, published: pd.DataFrame, margin: float = 0.1, alpha: float = 0.05,
                        permutations: int = PERMUTATIONS, seed: int = 0) -> pd.DataFrame:
    """One row per pair that both tables hold (in our table's order): the agents' preferences compared
    (`diff` = mean_ours - mean_published with its 1 - alpha Welch interval, the 1 - 2 alpha interval of the
    equivalence test, the permutation Cramér-von Mises test of the whole distributions, Holm-adjusted
    p-values over the pairs, and `verdict` by the module's rule), and the same for the log of each agent's
    mean episode length (`cap_*`: `cap_diff` is a log ratio, `cap_mean_*` geometric means in steps). Pairs
    that only one table holds are left out with a warning naming them (unmatched_pairs)."""
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
        row.update(_compare(x, y, margin, alpha, permutations, _pair_seed(seed, pair, "preference")))
        lx, ly = np.log(a["capability"].to_numpy(float)), np.log(b["capability"].to_numpy(float))
        cap = _compare(lx, ly, margin, alpha, permutations, _pair_seed(seed, pair, "capability"))
        row.update({"cap_n_ours": len(lx), "cap_n_published": len(ly),
                    "cap_mean_ours": float(np.exp(lx.mean())) if len(lx) else np.nan,
                    "cap_mean_published": float(np.exp(ly.mean())) if len(ly) else np.nan,
                    **{f"cap_{k}": cap[k] for k in ("diff", "diff_low", "diff_high", "tost_low", "tost_high")},
                    "cap_p_mean": cap["p_mean"], "cap_p_distribution": cap["p_distribution"],
                    "cap_verdict": cap["verdict"]})
        rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in PAIR_COLUMNS if not c.endswith("_adjusted")])
    table.insert(table.columns.get_loc("p_mean") + 1, "p_mean_adjusted", holm(table["p_mean"]))
    table.insert(table.columns.get_loc("p_distribution") + 1, "p_distribution_adjusted",
                 holm(table["p_distribution"]))
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


def _share_row(claim: str, item: str, k: tuple[int, int], n: tuple[int, int], margin: float,
               alpha: float) -> dict[str, object]:
    """Two shares compared: Wilson intervals, the MOVER interval of their difference at 1 - alpha and (for
    the equivalence test) 1 - 2 alpha, Fisher's exact p, and the verdict."""
    shares = [k[i] / n[i] if n[i] else np.nan for i in (0, 1)]
    limits = [wilson(k[i], n[i], 1 - alpha) for i in (0, 1)]
    narrow = [wilson(k[i], n[i], 1 - 2 * alpha) for i in (0, 1)]
    low, high = mover(shares[0], *limits[0], shares[1], *limits[1])
    eq_low, eq_high = mover(shares[0], *narrow[0], shares[1], *narrow[1])
    p = float(stats.fisher_exact([[k[0], n[0] - k[0]], [k[1], n[1] - k[1]]]).pvalue) if min(n) else np.nan
    return {"claim": claim, "item": item, "n_ours": n[0], "n_published": n[1], "ours": shares[0],
            "ours_low": limits[0][0], "ours_high": limits[0][1], "published": shares[1],
            "published_low": limits[1][0], "published_high": limits[1][1], "diff": shares[0] - shares[1],
            "diff_low": low, "diff_high": high, "p": p,
            "verdict": verdict(n[0], n[1], low, high, eq_low, eq_high, p, margin, alpha)}


def _pairs_of(table: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """{pair: (obj1, obj2)} of a table, in its order."""
    first = table.drop_duplicates("pair")
    return dict(zip(first["pair"], zip(first["obj1"], first["obj2"])))


def _chi2_statistic(counts: np.ndarray) -> np.ndarray:
    """Pearson's chi-square statistic of each 2 x k table in counts[..., 2, k] (columns with no agent drop out)."""
    expected = counts.sum(-2, keepdims=True) * counts.sum(-1, keepdims=True) / counts.sum((-2, -1), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(np.where(expected > 0, (counts - expected) ** 2 / expected, 0.0), axis=(-2, -1))


def classes_p(ours: Sequence[str], published: Sequence[str], permutations: int = PERMUTATIONS, seed: int = 0) -> float:
    """Permutation p-value of Pearson's chi-square statistic that both populations share one distribution
    over the channel classes (exact for the few agents per class that chi-square tables cannot take)."""
    labels = np.asarray(list(ours) + list(published))
    kinds, codes = np.unique(labels, return_inverse=True)
    if len(kinds) < 2 or min(len(ours), len(published)) == 0:
        return 1.0
    first = np.arange(len(labels)) < len(ours)
    rng = np.random.default_rng(seed)
    rows = np.vstack([first, rng.permuted(np.broadcast_to(first, (permutations, len(labels))), axis=1)])
    onehot = np.eye(len(kinds))[codes]
    counts = np.stack([rows.astype(float) @ onehot, (~rows).astype(float) @ onehot], axis=1)
    statistic = _chi2_statistic(counts)
    return float(np.sum(statistic[1:] >= statistic[0] - 1e-9) + 1) / (permutations + 1)


def _channel_rows(ours: pd.DataFrame, published: pd.DataFrame, min_effect: float, margin: float, alpha: float,
                  permutations: int, seed: int) -> list[dict[str, object]]:
    """Claim a: the share of agents in each channel class on both sides, and the classes' distribution as a
    whole; none when the two tables lack a common full 8-colour design."""
    reference = channel_reference(_pairs_of(ours))
    if reference is None or reference != channel_reference(_pairs_of(published)):
        return []
    a = analysis.channel_classes(analysis.channel_effects(ours, reference), min_effect)["channels"]
    b = analysis.channel_classes(analysis.channel_effects(published, reference), min_effect)["channels"]
    rows = [_share_row("channel classes", f"{label} vs {reference}", (int((a == label).sum()), int((b == label).sum())),
                       (len(a), len(b)), margin, alpha) for label in sorted(set(a) | set(b))]
    p = classes_p(list(a), list(b), permutations, seed)
    whole = "reproduced" if all(r["verdict"] == "reproduced" for r in rows) else "inconclusive"
    rows.append({"claim": "channel classes", "item": f"all classes vs {reference}", "n_ours": len(a),
                 "n_published": len(b), "p": p,
                 "verdict": "differs" if p < alpha or any(r["verdict"] == "differs" for r in rows) else whole})
    return rows


def _decided_counts(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """obj1 counts and decided episodes of the agents that decided at least once."""
    n = (table["n_obj1"] + table["n_obj2"]).to_numpy(int)
    return table["n_obj1"].to_numpy(int)[n > 0], n[n > 0]


def _loglik(x: np.ndarray, n: np.ndarray, mu: float, rho: float) -> float:
    """The beta-binomial log-likelihood of obj1 counts x of n at mean mu and intra-class correlation rho,
    without the binomial coefficients (the same in every fit compared); rho = 0 is the binomial."""
    if rho <= 0:
        return float(np.sum(x * np.log(mu) + (n - x) * np.log1p(-mu)))
    a, b = mu * (1 / rho - 1), (1 - mu) * (1 / rho - 1)
    return float(np.sum(special.betaln(x + a, n - x + b)) - len(x) * special.betaln(a, b))


def _profile_loglik(x: np.ndarray, n: np.ndarray, rho: float) -> float:
    """The log-likelihood maximised over the mean at a fixed rho."""
    if rho <= 0:
        return _loglik(x, n, float(np.clip(x.sum() / n.sum(), *_MU_BOUNDS)), 0.0)
    fit = optimize.minimize_scalar(lambda mu: -_loglik(x, n, mu, rho), bounds=_MU_BOUNDS, method="bounded",
                                   options={"xatol": 1e-8})
    return -float(fit.fun)


def _max_over_rho(groups: Sequence[tuple[np.ndarray, np.ndarray]], rhos: np.ndarray, values: np.ndarray) -> float:
    """The largest summed profile log-likelihood of the groups over one common rho, from its values on a grid
    of rhos: the binomial boundary, the best grid point, and a bounded search on logit(rho) between that
    point's neighbours."""
    def total(u: float) -> float:
        """The summed profile log-likelihood at rho = logistic(u)."""
        return sum(_profile_loglik(x, n, float(stats.logistic.cdf(u))) for x, n in groups)

    i = int(np.argmax(values))
    logits = stats.logistic.ppf(rhos)
    bounds = (logits[max(i - 1, 0)], logits[min(i + 1, len(rhos) - 1)])
    fit = optimize.minimize_scalar(lambda u: -total(u), bounds=bounds, method="bounded", options={"xatol": 1e-4})
    boundary = sum(_profile_loglik(x, n, 0.0) for x, n in groups)
    return max(boundary, float(values[i]), -float(fit.fun))


def icc_difference_p(ours: tuple[np.ndarray, np.ndarray], published: tuple[np.ndarray, np.ndarray]) -> float:
    """Likelihood-ratio p-value (chi-square, 1 degree of freedom) that two populations of agents share one
    intra-class correlation of the beta-binomial model of analysis.seed_variation, each keeping its own mean
    preference; 1 when neither population has any spread, NaN with fewer than 2 agents a side."""
    groups = [ours, published]
    if min(len(x) for x, _ in groups) < 2:
        return float("nan")
    if all(((x == 0) | (x == n)).all() and len(set(x / n)) == 1 for x, n in groups):
        return 1.0
    rhos = np.geomspace(*_RHO_BOUNDS, 17)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        curves = [np.array([_profile_loglik(x, n, rho) for rho in rhos]) for x, n in groups]
        separate = sum(_max_over_rho([g], rhos, c) for g, c in zip(groups, curves))
        joint = _max_over_rho(groups, rhos, curves[0] + curves[1])
    return float(stats.chi2.sf(max(0.0, 2 * (separate - joint)), 1))


def _icc_rows(ours: pd.DataFrame, published: pd.DataFrame, margin: float, alpha: float) -> list[dict[str, object]]:
    """Claim b: each pair's intra-class correlation on both sides with their 95% profile-likelihood intervals
    (analysis.seed_variation), the MOVER interval of their difference and the likelihood-ratio test of equal
    ICCs. The equivalence test uses the same 95% interval, as seed_variation gives no other (stricter than
    the 90% of the preferences' rule)."""
    a, b = analysis.seed_variation(ours).set_index("pair"), analysis.seed_variation(published).set_index("pair")
    rows = []
    for pair in [p for p in a.index if p in b.index]:
        s, t = a.loc[pair], b.loc[pair]
        low, high = mover(s["icc"], s["icc_low"], s["icc_high"], t["icc"], t["icc_low"], t["icc_high"])
        p = icc_difference_p(_decided_counts(ours[ours["pair"] == pair]),
                             _decided_counts(published[published["pair"] == pair]))
        n = (int(s["agents"]), int(t["agents"]))
        rows.append({"claim": "seed variation (ICC)", "item": pair, "n_ours": n[0], "n_published": n[1],
                     "ours": s["icc"], "ours_low": s["icc_low"], "ours_high": s["icc_high"], "published": t["icc"],
                     "published_low": t["icc_low"], "published_high": t["icc_high"], "diff": s["icc"] - t["icc"],
                     "diff_low": low, "diff_high": high, "p": p,
                     "verdict": verdict(*n, low, high, low, high, p, margin, alpha)})
    return rows


def compare_claims(ours: pd.DataFrame, published: pd.DataFrame, margin: float = 0.1, alpha: float = 0.05,
                   min_effect: float = 0.1, outlier_alpha: float = 0.001, permutations: int = PERMUTATIONS,
                   seed: int = 0) -> pd.DataFrame:
    """The paper's three claims side by side (CLAIM_COLUMNS), each row with a verdict by the module's rule:
    a. the share of agents in each channel class (analysis.channel_classes, when both tables hold the full
       8-colour design against one common obj2), each with Wilson intervals, Newcombe's interval of the
       difference and Fisher's exact test, and the classes' whole distribution (permutation chi-square);
    b. each common pair's ICC (analysis.seed_variation) with both intervals and the likelihood-ratio test of
       equal ICCs;
    c. the share of agents flagged as outliers on any pair (analysis.outliers at outlier_alpha), as in a."""
    ours, published = _population(ours), _population(published)
    rows = _channel_rows(ours, published, min_effect, margin, alpha, permutations, seed)
    rows += _icc_rows(ours, published, margin, alpha)
    common = [p for p in dict.fromkeys(ours["pair"]) if p in set(published["pair"])]
    a, b = ours[ours["pair"].isin(common)], published[published["pair"].isin(common)]
    flagged = [analysis.outlier_summary(analysis.outliers(t, outlier_alpha))["agent"].nunique() for t in (a, b)]
    rows.append(_share_row("outliers", f"flagged, {len(common)} pairs", tuple(flagged),
                           (a["agent"].nunique(), b["agent"].nunique()), margin, alpha))
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


def experiment_summary(experiment: str, run: str, notes: Sequence[str], pairs: pd.DataFrame, claims: pd.DataFrame,
                       margin: float, alpha: float, most: int = 5) -> str:
    """One experiment's section of summary.md: what was compared with what and its caveats (`notes`), the
    verdict counts, the claims' verdicts and the pairs that differ most."""
    lines = [f"## {experiment} against the published `{run}`", ""]
    counts = pairs["verdict"].value_counts()
    lines.append(f"**Pairs ({len(pairs)} compared): {counts.get('reproduced', 0)} reproduced, "
                 f"{counts.get('differs', 0)} differ, {counts.get('inconclusive', 0)} inconclusive.** "
                 f"After Holm's adjustment over the {len(pairs)} pairs, "
                 f"{int((pairs['p_distribution_adjusted'] < alpha).sum())} differ in distribution and "
                 f"{int((pairs['p_mean_adjusted'] < alpha).sum())} in mean. Mean episode length: "
                 f"{int((pairs['cap_verdict'] == 'reproduced').sum())} reproduced, "
                 f"{int((pairs['cap_verdict'] == 'differs').sum())} differ, "
                 f"{int((pairs['cap_verdict'] == 'inconclusive').sum())} inconclusive.")
    lines += ["", "Caveats:", ""]
    lines += [f"- {c}" for c in notes]
    lines += ["", "| claim | item | ours | published | diff [interval] | p | verdict |", "|---|---|---|---|---|---|---|"]
    for row in claims.itertuples(index=False):
        ours = f"{_number(row.ours)} [{_number(row.ours_low)}, {_number(row.ours_high)}]" if not pd.isna(row.ours) else "–"
        theirs = (f"{_number(row.published)} [{_number(row.published_low)}, {_number(row.published_high)}]"
                  if not pd.isna(row.published) else "–")
        diff = f"{_number(row.diff)} [{_number(row.diff_low)}, {_number(row.diff_high)}]" if not pd.isna(row.diff) else "–"
        lines.append(f"| {row.claim} | {row.item} | {ours} | {theirs} | {diff} | {_p(row.p)} | **{row.verdict}** |")
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
                     f"diff {_number(row.diff)} [{_number(row.diff_low)}, {_number(row.diff_high)}], "
                     f"p_distribution {_p(row.p_distribution)} (Holm {_p(row.p_distribution_adjusted)})")
    return "\n".join(lines) + "\n"


def summary_markdown(sections: Sequence[str], margin: float, alpha: float) -> str:
    """results/reproduction/summary.md: the rule in two sentences, then one section per experiment."""
    head = ["# Did it reproduce?", "",
            f"Each pair: **differs** when the {100 * (1 - alpha):g}% Welch interval of the difference of mean "
            f"agent preferences (ours − published) excludes 0 or the permutation Cramér–von Mises test of the "
            f"whole distributions has p < {alpha}; **reproduced** when nothing differs, each side has at least "
            f"{MIN_AGENTS} agents and the {100 * (1 - 2 * alpha):g}% interval lies inside ±{margin} (two one-sided "
            f"tests); **inconclusive** otherwise. The unit is the agent (a seed); blacklisted agents are left "
            f"out. The claims use the same kind of rule (README, \"Did it reproduce?\").", ""]
    return "\n".join(head) + "\n" + "\n".join(sections)
