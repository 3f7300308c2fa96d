"""The paper's three claims as numbers with their uncertainty, from an experiment table (metrics.aggregate):
which colour channels an agent relies on (claim a), how much preferences vary across seeds beyond the
binomial noise of the test levels (claim b), and which agents are outliers of their population (claim c).

Preferences are n_obj1 / (n_obj1 + n_obj2): timeouts are excluded everywhere, as in the paper.
"""

import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats
# statsmodels.api itself does not import with this pandas (its tsa module fails); the GLM parts do.
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.tools import add_constant

from workflow_scripts.objects import channel_bits

CHANNELS = ("r", "g", "b")
Z95 = float(stats.norm.ppf(0.975))
CHI2_95 = float(stats.chi2.ppf(0.95, 1))
# Pseudo-counts added to each colour's obj1 and obj2 counts in the channel GLM (the Haldane-Anscombe 1/2):
# they keep the fit finite when an agent always or never picks a line.
GLM_PSEUDO_COUNT = 0.5
_RHO_MAX = 1 - 1e-6
_MU_EPS = 1e-9


# ----- claim a: colour channels ---------------------------------------------------------------------------

def _channel_counts(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """One row per (agent, line colour) with its bits and counts; an error names what is missing."""
    bits = channel_bits()
    rows = table[(table["obj2"] == reference) & table["obj1"].isin(list(bits))]
    found = rows.groupby("agent")["obj1"].nunique()
    if rows.empty or (found < len(bits)).any():
        lacking = sorted(set(bits) - set(rows["obj1"])) or sorted(found[found < len(bits)].index)[:5]
        raise ValueError(f"the channel analysis needs every agent on all 8 lines vs {reference!r}; missing: {lacking}")
    if rows.duplicated(["agent", "obj1"]).any():
        raise ValueError(f"an agent has two rows for one line vs {reference!r}")
    counts = rows[["agent", "obj1", "n_obj1", "n_obj2"]].copy()
    for i, channel in enumerate(CHANNELS):
        counts[channel] = counts["obj1"].map(lambda o, i=i: bits[o][i])
    return counts.sort_values(["agent", "r", "g", "b"], ignore_index=True)


def channel_effects(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per agent, the factorial main effect of each channel on the preference for the line over `reference`:
    mean preference over the 4 lines with the bit set minus the mean over the 4 without, with a 95% Wald
    interval whose variance uses one pseudo success and failure per colour (Agresti-Caffo), so that
    preferences of exactly 0 or 1 still get an interval of non-zero width."""
    rows = []
    for agent, group in _channel_counts(table, reference).groupby("agent", sort=False):
        decided = (group["n_obj1"] + group["n_obj2"]).to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            pref = group["n_obj1"].to_numpy(float) / decided
        adjusted = (group["n_obj1"].to_numpy(float) + 1) / (decided + 2)
        variance = adjusted * (1 - adjusted) / (decided + 2)
        row: dict[str, object] = {"agent": agent}
        for channel in CHANNELS:
            sign = np.where(group[channel].to_numpy() == 1, 1.0, -1.0) / 4
            half = Z95 * np.sqrt(np.sum(sign**2 * variance))
            centre = float(np.sum(sign * adjusted))
            row[f"effect_{channel}"] = float(np.sum(sign * pref))
            row[f"effect_{channel}_low"] = max(-1.0, centre - half)
            row[f"effect_{channel}_high"] = min(1.0, centre + half)
        rows.append(row)
    return pd.DataFrame(rows)


def channel_glm(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per agent, a binomial GLM (logit link, statsmodels) of choosing the line over `reference` on the three
    bits: coefficients, standard errors and p-values of the intercept and of r, g, b (log-odds per bit).
    GLM_PSEUDO_COUNT is added to every colour's obj1 and obj2 counts, which keeps every fit finite
    (a preference of exactly 0 or 1 would otherwise separate the data and send a coefficient to infinity)."""
    rows = []
    for agent, group in _channel_counts(table, reference).groupby("agent", sort=False):
        endog = np.column_stack([group["n_obj1"], group["n_obj2"]]).astype(float) + GLM_PSEUDO_COUNT
        exog = add_constant(group[list(CHANNELS)].to_numpy(float), has_constant="add")
        fit = GLM(endog, exog, family=Binomial()).fit()
        row: dict[str, object] = {"agent": agent}
        for i, name in enumerate(("intercept", *CHANNELS)):
            row[f"coef_{name}"] = float(fit.params[i])
            row[f"se_{name}"] = float(fit.bse[i])
            row[f"p_{name}"] = float(fit.pvalues[i])
        row["deviance"] = float(fit.deviance)
        rows.append(row)
    return pd.DataFrame(rows)


def channel_classes(effects: pd.DataFrame, min_effect: float = 0.1) -> pd.DataFrame:
    """Per agent (from channel_effects), the channels it relies on: those whose effect is at least
    `min_effect` in size with a 95% interval that excludes 0, each signed (+R: more red, more line);
    `channels` joins them ('+R-B', or 'none'), `dominant` is the signed channel of largest effect size."""
    rows = []
    for row in effects.itertuples(index=False):
        used, sizes = [], {}
        for channel in CHANNELS:
            effect, low, high = (getattr(row, f"effect_{channel}{s}") for s in ("", "_low", "_high"))
            label = f"{'+' if effect >= 0 else '-'}{channel.upper()}"
            sizes[label] = abs(effect)
            if abs(effect) >= min_effect and (low > 0 or high < 0):
                used.append(label)
        dominant = max(sizes, key=sizes.get) if used else "none"
        rows.append({"agent": row.agent, "channels": "".join(used) or "none", "dominant": dominant,
                     "n_channels": len(used)})
    return pd.DataFrame(rows, columns=["agent", "channels", "dominant", "n_channels"])


# ----- claim b: variation across seeds --------------------------------------------------------------------

def _decided(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """obj1 counts and decided episodes of the rows that decided at least once."""
    n = (table["n_obj1"] + table["n_obj2"]).to_numpy(int)
    return table["n_obj1"].to_numpy(int)[n > 0], n[n > 0]


def betabinom_loglik(x: np.ndarray, n: np.ndarray, mu: float, rho: float) -> float:
    """Log-likelihood of obj1 counts x of n under a beta-binomial of mean mu and intra-class correlation rho
    (a = mu (1/rho - 1), b = (1 - mu)(1/rho - 1)); rho = 0 is the binomial."""
    if rho <= 0:
        return float(np.sum(stats.binom.logpmf(x, n, mu)))
    scale = 1 / rho - 1
    return float(np.sum(stats.betabinom.logpmf(x, n, mu * scale, (1 - mu) * scale)))


def _profile(x: np.ndarray, n: np.ndarray, rho: float) -> float:
    """The log-likelihood maximised over mu at a fixed rho."""
    if rho <= 0:
        return betabinom_loglik(x, n, np.clip(x.sum() / n.sum(), _MU_EPS, 1 - _MU_EPS), 0.0)
    fit = optimize.minimize_scalar(lambda mu: -betabinom_loglik(x, n, mu, rho), bounds=(_MU_EPS, 1 - _MU_EPS),
                                   method="bounded", options={"xatol": 1e-7})
    return -float(fit.fun)


def fit_betabinom(x: np.ndarray, n: np.ndarray, start: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """Maximum-likelihood (mu, rho, log-likelihood) of a beta-binomial population, rho in [0, 1): the better
    of the binomial fit (rho = 0, the boundary) and a bounded L-BFGS-B fit inside."""
    x, n = np.asarray(x, int), np.asarray(n, int)
    pooled = float(np.clip(x.sum() / n.sum(), _MU_EPS, 1 - _MU_EPS))
    best = (pooled, 0.0, betabinom_loglik(x, n, pooled, 0.0))
    if len(x) < 2:
        return best
    if start is None:
        p = x / n
        excess = np.var(p, ddof=1) - pooled * (1 - pooled) * np.mean(1 / n)
        start = (pooled, float(np.clip(excess / max(pooled * (1 - pooled), 1e-9), 0.01, 0.9)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the optimiser probes the bounds, where logs overflow
        fit = optimize.minimize(lambda v: -betabinom_loglik(x, n, v[0], v[1]), np.clip(start, [0.001, 0.001], [0.999, 0.99]),
                                method="L-BFGS-B", bounds=[(_MU_EPS, 1 - _MU_EPS), (1e-8, _RHO_MAX)])
    if np.isfinite(fit.fun) and -fit.fun > best[2]:
        best = (float(fit.x[0]), float(fit.x[1]), -float(fit.fun))
    return best


def icc_interval(x: np.ndarray, n: np.ndarray, rho_hat: float, loglik: float) -> tuple[float, float]:
    """95% profile-likelihood interval of rho: where twice the drop of the profile log-likelihood from its
    maximum stays under the chi-square(1) 95% point; it reaches 0 (or 1) when the profile stays above there."""
    def excess(rho: float) -> float:
        return 2 * (loglik - _profile(x, n, rho)) - CHI2_95

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = 0.0 if rho_hat <= 0 or excess(0.0) <= 0 else optimize.brentq(excess, 0.0, rho_hat, xtol=1e-6)
        high = 1.0 if excess(_RHO_MAX) <= 0 else optimize.brentq(excess, max(rho_hat, 1e-8), _RHO_MAX, xtol=1e-6)
    return float(low), float(high)


def homogeneity_p(x: np.ndarray, n: np.ndarray) -> float:
    """p-value of Pearson's chi-square test (scipy) that all agents share one preference, on the agents x
    (obj1, obj2) table; 1 when every agent chose the same object every time, NaN for fewer than 2 agents."""
    if len(x) < 2:
        return float("nan")
    counts = np.column_stack([x, n - x])
    if (counts.sum(0) == 0).any():
        return 1.0
    return float(stats.chi2_contingency(counts, correction=False).pvalue)


def seed_variation(table: pd.DataFrame) -> pd.DataFrame:
    """Per pair (in table order): `icc`, the intra-class correlation of a beta-binomial model of the agents'
    obj1 counts among decided episodes (the share of the spread of preferences that is real rather than
    binomial noise; 0 when all agents share one preference), its 95% profile-likelihood interval, the
    fitted mean preference `mu`, `p_homogeneity` (homogeneity_p) and the number of agents that decided."""
    rows = []
    for pair, group in table.groupby("pair", sort=False):
        x, n = _decided(group)
        if len(x) < 2:
            rows.append({"pair": pair, "icc": np.nan, "icc_low": np.nan, "icc_high": np.nan, "mu": np.nan,
                         "p_homogeneity": np.nan, "agents": len(x)})
            continue
        if (x == 0).all() or (x == n).all():
            # No spread at all: the likelihood is 1 for every icc, so the data bound it by nothing but rule out none.
            mu, rho, (low, high) = float(x[0] > 0), 0.0, (0.0, 1.0)
        else:
            mu, rho, loglik = fit_betabinom(x, n)
            low, high = icc_interval(x, n, rho, loglik)
        rows.append({"pair": pair, "icc": rho, "icc_low": low, "icc_high": high, "mu": mu,
                     "p_homogeneity": homogeneity_p(x, n), "agents": len(x)})
    return pd.DataFrame(rows, columns=["pair", "icc", "icc_low", "icc_high", "mu", "p_homogeneity", "agents"])


def binomial_noise(table: pd.DataFrame, bins: np.ndarray) -> np.ndarray:
    """Expected number of an experiment pair's agents per preference bin if every agent shared the pooled
    preference and only the binomial noise of its decided episodes spread them (exact, no simulation)."""
    x, n = _decided(table)
    expected = np.zeros(len(bins) - 1)
    if len(x) == 0:
        return expected
    pooled = x.sum() / n.sum()
    for size in n:
        k = np.arange(size + 1)
        index = np.clip(np.searchsorted(bins, k / size, side="right") - 1, 0, len(bins) - 2)
        np.add.at(expected, index, stats.binom.pmf(k, size, pooled))
    return expected


# ----- claim c: outliers ----------------------------------------------------------------------------------

def _two_sided(dist, value: float) -> float:
    """Two-sided tail probability of a discrete observation: twice the smaller tail, at most 1."""
    return float(min(1.0, 2 * min(dist.cdf(value), dist.sf(value - 1))))


def preference_tails(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """For each agent, the two-sided tail probability of its obj1 count under the beta-binomial population
    fitted to the other agents (leave one out, so an outlier cannot widen its own population)."""
    tails = np.full(len(x), np.nan)
    if len(x) < 3:
        return tails
    mu, rho, _ = fit_betabinom(x, n)
    for i in range(len(x)):
        others = np.arange(len(x)) != i
        m, r, _ = fit_betabinom(x[others], n[others], start=(mu, max(rho, 0.01)))
        dist = stats.binom(n[i], m) if r <= 0 else stats.betabinom(n[i], m * (1 / r - 1), (1 - m) * (1 / r - 1))
        tails[i] = _two_sided(dist, x[i])
    return tails


def capability_tails(capability: np.ndarray) -> np.ndarray:
    """For each agent, the two-sided tail probability of its log mean episode length under a normal
    population fitted to the other agents: (y - mean) / (sd sqrt(1 + 1/m)) is Student-t with m - 1
    degrees of freedom for m other agents."""
    y = np.log(np.asarray(capability, float))
    tails = np.full(len(y), np.nan)
    if len(y) < 4:
        return tails
    for i in range(len(y)):
        others = np.delete(y, i)
        m, sd = len(others), np.std(others, ddof=1)
        if sd == 0:
            tails[i] = 1.0 if y[i] == others[0] else 0.0
            continue
        t = (y[i] - others.mean()) / (sd * np.sqrt(1 + 1 / m))
        tails[i] = float(2 * stats.t.sf(abs(t), m - 1))
    return tails


OUTLIER_COLUMNS = ["agent", "pair", "reason", "tail_probability", "preference", "capability"]


def outliers(table: pd.DataFrame, alpha: float = 0.001) -> pd.DataFrame:
    """One row per flagged (agent, pair, reason): a preference (beta-binomial, preference_tails) or a mean
    episode length (log-normal, capability_tails) whose tail probability under the population of the pair's
    other agents is below alpha, the false-alarm rate of each test."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), not {alpha}")
    rows = []
    for pair, group in table.groupby("pair", sort=False):
        decided = (group["n_obj1"] + group["n_obj2"]) > 0
        tested = group[decided]
        tests = [("preference", tested, preference_tails(*_decided(group)))]
        tests.append(("capability", group, capability_tails(group["capability"].to_numpy(float))))
        for reason, rows_tested, tails in tests:
            for row, tail in zip(rows_tested.itertuples(index=False), tails):
                if tail < alpha:
                    rows.append({"agent": row.agent, "pair": pair, "reason": reason, "tail_probability": tail,
                                 "preference": row.preference, "capability": row.capability})
    return pd.DataFrame(rows, columns=OUTLIER_COLUMNS)


def outlier_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Each flagged agent once (from outliers): how many of its (pair, reason) tests flagged it, which, and the
    smallest tail probability; the most extreme agent first."""
    if flags.empty:
        return pd.DataFrame(columns=["agent", "n_flags", "flagged", "min_tail_probability"])
    summary = flags.groupby("agent", sort=False).apply(lambda g: pd.Series({
        "n_flags": len(g), "flagged": "; ".join(f"{p} ({r})" for p, r in zip(g["pair"], g["reason"])),
        "min_tail_probability": g["tail_probability"].min()}), include_groups=False).reset_index()
    return summary.sort_values(["min_tail_probability", "agent"], ignore_index=True)
