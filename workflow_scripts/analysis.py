"""The paper's three claims as numbers with their uncertainty, from an experiment table (metrics.aggregate):
which colour channels an agent relies on (claim a), how much preferences vary across seeds beyond the
binomial noise of the test levels (claim b), and which agents are outliers of their population (claim c);
and the paper's OLS of one pair's preferences on another's across agents (ols_fit).

Preferences are n_obj1 / (n_obj1 + n_obj2): timeouts are excluded everywhere, as in the paper. Every analysis
checks its table first (validate_table) and refuses one it cannot count correctly.
"""

import logging
import warnings
import zlib

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from workflow_scripts.objects import channel_bits

logger = logging.getLogger(__name__)

CHANNELS = ("r", "g", "b")
Z95 = float(stats.norm.ppf(0.975))
CHI2_95 = float(stats.chi2.ppf(0.95, 1))
# Pseudo-counts added to each colour's obj1 and obj2 counts in the channel GLM (the Haldane-Anscombe 1/2):
# they keep the fit finite when an agent always or never picks a line.
GLM_PSEUDO_COUNT = 0.5
# The Price-Bonett adjustment for a contrast of k = 8 proportions: 2/k pseudo successes in 4/k pseudo episodes
# per colour. It shrinks each colour far less than one success and one failure would, so that intervals of
# near-deterministic agents still cover, and it always leaves the unadjusted effect inside the interval.
PB_SUCCESSES, PB_EPISODES = 2 / 8, 4 / 8
# Family-wise error rate of the three channel tests of one agent (Holm), for channel_classes.
CLASS_ALPHA = 0.05
# Below this many agents the profile-likelihood interval of the ICC covers well under 95% (0.85-0.89 at 5
# agents, 0.76 at 2 in simulations), so none is given.
MIN_ICC_AGENTS = 20
# The preference test needs the spread of at least 2 other agents; from 3 agents on it holds its rate.
MIN_PREFERENCE_AGENTS = 3
# The capability test's Student-t needs 2 degrees of freedom: 3 other agents.
MIN_CAPABILITY_AGENTS = 4
# Parametric-bootstrap draws of the preference test: at least DRAWS_PER_ALPHA / alpha, so that about 10
# simulated statistics lie beyond the critical value (the p-value is valid for any number; more draws, more
# power, and 2 seconds a pair of 100 agents at alpha 0.001).
DRAWS_PER_ALPHA = 10
MIN_DRAWS = 2000
# Agents whose preference p-value under the fit to all agents is below this (or below RETEST_PER_ALPHA x alpha
# in outliers, if smaller) are tested again under the fit to the others alone (costly: a fit and a bootstrap
# each).
SCREEN_TAIL = 0.05
RETEST_PER_ALPHA = 20
# ... from this many agents on: with fewer, the fit to the others is too uncertain (at 3 agents it doubled the
# false-flag rate), and the fit to all, which the tested agent can only widen, is the safer reference.
REFIT_AGENTS = 10
COUNT_COLUMNS = ("n_obj1", "n_obj2", "n_timeout", "n_levels")
_RHO_MAX = 1 - 1e-6
_MU_EPS = 1e-9


class AnalysisInputError(ValueError):
    """An experiment table the analyses cannot count correctly; the message names each agent and pair."""


def _where(rows: pd.DataFrame, shown: int = 5) -> str:
    """'agent a, pair p; agent b, pair q; ... (7 rows)' for an error message."""
    names = [f"agent {a}, pair {p}" for a, p in zip(rows["agent"], rows["pair"])]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return "; ".join(dict.fromkeys(names[:shown])) + more


def validate_table(table: pd.DataFrame, capability: bool = False) -> None:
    """Raises AnalysisInputError, naming agent and pair, for a table whose counts cannot be trusted: a
    duplicated (agent, pair) row, counts that are missing, non-finite, fractional or negative, obj1 + obj2 +
    timeouts that do not add up to n_levels, and (with `capability`) a non-finite or non-positive capability."""
    needed = ["agent", "pair", *COUNT_COLUMNS, *(["capability"] if capability else [])]
    if missing := [c for c in needed if c not in table.columns]:
        raise AnalysisInputError(f"the experiment table has no column {', '.join(missing)}")
    problems = []
    duplicated = table[table.duplicated(["agent", "pair"], keep=False)]
    if not duplicated.empty:
        problems.append(f"an (agent, pair) appears more than once, which would count it twice: {_where(duplicated)}")
    counts = table[list(COUNT_COLUMNS)].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(counts).all(1)
    if bad.any():
        problems.append(f"missing or non-finite counts: {_where(table[bad])}")
    finite = np.where(np.isfinite(counts), counts, 0)
    if (odd := ~bad & ((finite < 0) | (finite != np.round(finite))).any(1)).any():
        problems.append(f"negative or fractional counts: {_where(table[odd])}")
    if (unequal := ~bad & (finite[:, :3].sum(1) != finite[:, 3])).any():
        problems.append(f"n_obj1 + n_obj2 + n_timeout differs from n_levels: {_where(table[unequal])}")
    if capability:
        lengths = pd.to_numeric(table["capability"], errors="coerce").to_numpy(float)
        if (wrong := ~(np.isfinite(lengths) & (lengths > 0))).any():
            problems.append(f"missing, non-finite or non-positive capability: {_where(table[wrong])}")
    if problems:
        raise AnalysisInputError("the experiment table cannot be analysed: " + " | ".join(problems))


# ----- claim a: colour channels ---------------------------------------------------------------------------

def _channel_counts(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """One row per (agent, line colour) with its bits and counts; an error names what is missing."""
    validate_table(table)
    bits = channel_bits()
    rows = table[(table["obj2"] == reference) & table["obj1"].isin(list(bits))]
    found = rows.groupby("agent")["obj1"].nunique()
    if rows.empty or (found < len(bits)).any():
        lacking = sorted(set(bits) - set(rows["obj1"])) or sorted(found[found < len(bits)].index)[:5]
        raise ValueError(f"the channel analysis needs every agent on all 8 lines vs {reference!r}; missing: {lacking}")
    if rows.duplicated(["agent", "obj1"]).any():
        twice = rows[rows.duplicated(["agent", "obj1"], keep=False)]
        raise AnalysisInputError(f"two rows for one line vs {reference!r}: {_where(twice)}")
    counts = rows[["agent", "obj1", "n_obj1", "n_obj2"]].copy()
    for i, channel in enumerate(CHANNELS):
        counts[channel] = counts["obj1"].map(lambda o, i=i: bits[o][i])
    return counts.sort_values(["agent", "r", "g", "b"], ignore_index=True)


def channel_effects(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per agent, the factorial main effect of each channel on the preference for the line over `reference`:
    mean preference over the 4 lines with the bit set minus the mean over the 4 without, with a 95% Wald
    interval of the Price-Bonett adjusted contrast ((y + 1/4) / (n + 1/2) per colour) and the two-sided
    p-value of that contrast. A colour without a decided episode leaves the effects NaN, with a `reason`."""
    counts = _channel_counts(table, reference)
    lines = list(channel_bits())
    wide = counts.pivot(index="agent", columns="obj1", values=["n_obj1", "n_obj2"])
    x = wide["n_obj1"][lines].to_numpy(float)
    decided = x + wide["n_obj2"][lines].to_numpy(float)
    signs = np.where(np.array(list(channel_bits().values())) == 1, 1.0, -1.0) / 4  # colour x channel
    with np.errstate(invalid="ignore", divide="ignore"):
        effect = (x / decided) @ signs
    adjusted = (x + PB_SUCCESSES) / (decided + PB_EPISODES)
    centre = adjusted @ signs
    se = np.sqrt((adjusted * (1 - adjusted) / (decided + PB_EPISODES)) @ signs**2)
    undecided = decided == 0
    result = pd.DataFrame({"agent": wide.index})
    for j, channel in enumerate(CHANNELS):
        known = ~undecided.any(1)
        result[f"effect_{channel}"] = effect[:, j]
        result[f"effect_{channel}_low"] = np.where(known, np.clip(centre[:, j] - Z95 * se[:, j], -1, 1), np.nan)
        result[f"effect_{channel}_high"] = np.where(known, np.clip(centre[:, j] + Z95 * se[:, j], -1, 1), np.nan)
        result[f"p_{channel}"] = np.where(known, 2 * stats.norm.sf(np.abs(centre[:, j]) / se[:, j]), np.nan)
    result["reason"] = [f"no decided episode on {', '.join(np.array(lines)[row])}" if row.any() else ""
                        for row in undecided]
    return result


def channel_glm(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per agent, a binomial GLM (logit link, statsmodels) of choosing the line over `reference` on the three
    bits: coefficients, standard errors and p-values of the intercept and of r, g, b (log-odds per bit).
    GLM_PSEUDO_COUNT is added to every colour's obj1 and obj2 counts, which keeps every fit finite
    (a preference of exactly 0 or 1 would otherwise separate the data and send a coefficient to infinity)."""
    # statsmodels is imported where it fits, here and in ols_fit: the outlier and seed-variation jobs, a few of
    # every experiment, never fit and started 0.15 s slower with it. statsmodels.api itself does not import with
    # this pandas (its tsa module fails); the GLM and formula parts do.
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.tools import add_constant

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


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values, one family per row of p-values: the family is the row's defined
    values (the i-th smallest of m times m - i + 1, kept increasing, at most 1); NaN stays NaN. A p-value is
    rejected at family-wise rate alpha when its adjusted value is at most alpha. By hand because statsmodels'
    multipletests takes one family per call, tens of milliseconds each."""
    p = np.atleast_2d(np.asarray(p, dtype=float))
    order = np.argsort(p, axis=1)  # NaN last
    ranked = np.take_along_axis(p, order, axis=1)
    factors = np.isfinite(p).sum(axis=1, keepdims=True) - np.arange(p.shape[1])
    adjusted = np.minimum(1.0, np.fmax.accumulate(ranked * factors, axis=1))
    adjusted[np.isnan(ranked)] = np.nan
    result = np.empty_like(adjusted)
    np.put_along_axis(result, order, adjusted, axis=1)
    return result


def channel_classes(effects: pd.DataFrame, min_effect: float = 0.1, alpha: float = CLASS_ALPHA) -> pd.DataFrame:
    """Per agent (from channel_effects), the channels it relies on: those whose effect is at least
    `min_effect` in size and whose test (p_r, p_g, p_b) rejects 0 under Holm's correction for the three
    channels at family-wise rate `alpha`, each signed (+R: more red, more line); `channels` joins them
    ('+R-B', or 'none'), `dominant` is the used channel of largest effect size ('none' if none). An agent
    with NaN effects gets NaN everywhere and its `reason`."""
    sizes = effects[[f"effect_{c}" for c in CHANNELS]].to_numpy(float)
    known = np.isfinite(sizes).all(1)
    p = np.where(known[:, None], effects[[f"p_{c}" for c in CHANNELS]].to_numpy(float), 1.0)
    used = (holm(p) <= alpha) & (np.abs(sizes) >= min_effect) & known[:, None]
    reasons = effects["reason"].fillna("") if "reason" in effects else pd.Series("", index=effects.index)
    rows = []
    for agent, size, use, ok, reason in zip(effects["agent"], sizes, used, known, reasons):
        if not ok:
            rows.append({"agent": agent, "channels": np.nan, "dominant": np.nan, "n_channels": np.nan,
                         "reason": reason or "a channel effect is NaN"})
            continue
        labels = [f"{'+' if size[i] >= 0 else '-'}{c.upper()}" for i, c in enumerate(CHANNELS) if use[i]]
        dominant = labels[int(np.argmax(np.abs(size[use])))] if labels else "none"
        rows.append({"agent": agent, "channels": "".join(labels) or "none", "dominant": dominant,
                     "n_channels": len(labels), "reason": ""})
    return pd.DataFrame(rows, columns=["agent", "channels", "dominant", "n_channels", "reason"])


# ----- claim b: variation across seeds --------------------------------------------------------------------

def decided_counts(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """obj1 counts and decided episodes of the rows that decided at least once."""
    n = (table["n_obj1"] + table["n_obj2"]).to_numpy(int)
    return table["n_obj1"].to_numpy(int)[n > 0], n[n > 0]


def betabinom_loglik(x: np.ndarray, n: np.ndarray, mu: float, rho: float) -> float:
    """Log-likelihood of obj1 counts x of n under a beta-binomial of mean mu and intra-class correlation rho
    (a = mu (1/rho - 1), b = (1 - mu)(1/rho - 1)); rho = 0 is the binomial."""
    if rho <= 0:
        return float(np.sum(stats.binom.logpmf(x, n, mu)))
    scale = 1 / rho - 1
    a, b = mu * scale, (1 - mu) * scale
    # The beta-binomial pmf C(n, x) B(x + a, n - x + b) / B(a, b) in scipy's special functions: the optimiser
    # calls this hundreds of times, and scipy.stats' argument checks would take most of that time.
    log_choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    return float(np.sum(log_choose + special.betaln(x + a, n - x + b)) - len(x) * special.betaln(a, b))


def _profile(x: np.ndarray, n: np.ndarray, rho: float) -> float:
    """The log-likelihood maximised over mu at a fixed rho."""
    if rho <= 0:
        return betabinom_loglik(x, n, np.clip(x.sum() / n.sum(), _MU_EPS, 1 - _MU_EPS), 0.0)
    fit = optimize.minimize_scalar(lambda mu: -betabinom_loglik(x, n, mu, rho), bounds=(_MU_EPS, 1 - _MU_EPS),
                                   method="bounded", options={"xatol": 1e-7})
    return -float(fit.fun)


def fit_betabinom(x: np.ndarray, n: np.ndarray, start: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """Maximum-likelihood (mu, rho, log-likelihood) of a beta-binomial population, rho in [0, 1): the better
    of the binomial fit (rho = 0, the boundary) and a bounded L-BFGS-B fit inside; the binomial fit alone
    when every agent chose the same object every time (the ICC is then not identified)."""
    x, n = np.asarray(x, int), np.asarray(n, int)
    pooled = float(np.clip(x.sum() / n.sum(), _MU_EPS, 1 - _MU_EPS))
    best = (pooled, 0.0, betabinom_loglik(x, n, pooled, 0.0))
    # With every agent at 0 (or every one at n) all ICCs fit equally well: no evidence of spread, so none.
    if len(x) < 2 or (x == 0).all() or (x == n).all():
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


SEED_VARIATION_COLUMNS = ["pair", "icc", "icc_low", "icc_high", "mu", "p_homogeneity", "agents", "reason"]


def seed_variation(table: pd.DataFrame) -> pd.DataFrame:
    """Per pair (in table order): `icc`, the intra-class correlation of a beta-binomial model of the agents'
    obj1 counts among decided episodes (the share of the spread of preferences that is real rather than
    binomial noise; 0 when all agents share one preference), its 95% profile-likelihood interval (from
    MIN_ICC_AGENTS agents on; NaN below, with the `reason`), the fitted mean preference `mu`,
    `p_homogeneity` (homogeneity_p) and the number of agents that decided. When every agent chose the same
    object every time, the ICC is not identified: NaN, with the reason."""
    validate_table(table)
    rows = []
    for pair, group in table.groupby("pair", sort=False):
        x, n = decided_counts(group)
        row = {"pair": pair, "icc": np.nan, "icc_low": np.nan, "icc_high": np.nan, "mu": np.nan,
               "p_homogeneity": homogeneity_p(x, n), "agents": len(x), "reason": ""}
        if len(x) < 2:
            row["reason"] = f"{len(x)} agent(s) decided an episode: no spread between agents to measure"
        elif (x == 0).all() or (x == n).all():
            # The likelihood is 1 for every ICC: the data say nothing about the spread between agents.
            row.update(mu=float(x[0] > 0), reason="every agent chose the same object every time: the ICC is "
                       "not identified")
        else:
            mu, rho, loglik = fit_betabinom(x, n)
            row.update(icc=rho, mu=mu)
            if len(x) < MIN_ICC_AGENTS:
                row["reason"] = (f"{len(x)} agents: the 95% interval of the ICC needs at least {MIN_ICC_AGENTS} "
                                 "to hold its coverage")
            else:
                row["icc_low"], row["icc_high"] = icc_interval(x, n, rho, loglik)
        rows.append(row)
    return pd.DataFrame(rows, columns=SEED_VARIATION_COLUMNS)


def binomial_noise(table: pd.DataFrame, bins: np.ndarray) -> np.ndarray:
    """Expected number of an experiment pair's agents per preference bin if every agent shared the pooled
    preference and only the binomial noise of its decided episodes spread them (exact, no simulation)."""
    validate_table(table)
    x, n = decided_counts(table)
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

def preference_statistic(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """For each agent (last axis), its standardised distance from the other agents on Anscombe's arcsine
    scale asin(sqrt((x + 3/8) / (n + 3/4))), where binomial noise has variance 1/(4n) at any preference:
    (y - mean of the others) over the standard deviation of that difference, with the between-agent variance
    estimated from the others' spread less their binomial noise (at least 0). Needs 3 agents."""
    y = np.arcsin(np.sqrt((x + 3 / 8) / (n + 3 / 4)))
    m = y.shape[-1] - 1
    noise = 1 / (4 * n)
    others_mean = (y.sum(-1, keepdims=True) - y) / m
    others_var = ((y**2).sum(-1, keepdims=True) - y**2 - m * others_mean**2) / (m - 1)
    others_noise = (noise.sum() - noise) / m
    between = np.maximum(0.0, others_var - others_noise)
    return (y - others_mean) / np.sqrt(between + noise + (between + others_noise) / m)


def _bootstrap_tails(x: np.ndarray, n: np.ndarray, mu: float, rho: float, draws: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Each agent's share of `draws` populations simulated from the beta-binomial (mu, rho), every agent on its
    own number of decided episodes, whose |preference_statistic| for that agent is at least its own:
    (1 + count) / (draws + 1). mu is kept half an episode off 0 and 1 first."""
    # A population mean of exactly 0 or 1 would make any single other choice impossible, hence an outlier.
    edge = 0.5 / (n.sum() + 1)
    mu = float(np.clip(mu, edge, 1 - edge))
    if rho > 0:
        scale = 1 / rho - 1
        p = rng.beta(mu * scale, (1 - mu) * scale, size=(draws, len(x)))
    else:
        p = np.full((draws, len(x)), mu)
    simulated = np.abs(preference_statistic(rng.binomial(n.astype(int), p).astype(float), n))
    observed = np.abs(preference_statistic(x, n))
    # Equal counts give equal statistics up to rounding in the sums: count those as ties, not as smaller.
    return (1 + (simulated >= observed * (1 - 1e-9)).sum(0)) / (draws + 1)


def preference_tails(x: np.ndarray, n: np.ndarray, draws: int = MIN_DRAWS, seed: int = 0,
                     retest_below: float = SCREEN_TAIL) -> np.ndarray:
    """For each agent, the parametric-bootstrap p-value of |preference_statistic| (_bootstrap_tails, seeded)
    under the beta-binomial fitted to all agents; from REFIT_AGENTS agents on, an agent below `retest_below` is
    tested again under the fit to the other agents, so that an outlier cannot widen the population it is
    tested against, and keeps that p-value. NaN for fewer than MIN_PREFERENCE_AGENTS agents."""
    x, n = np.asarray(x, float), np.asarray(n, float)
    if len(x) < MIN_PREFERENCE_AGENTS:
        return np.full(len(x), np.nan)
    rng = np.random.default_rng(seed)
    mu, rho, _ = fit_betabinom(x.astype(int), n.astype(int))
    tails = _bootstrap_tails(x, n, mu, rho, draws, rng)
    retested = np.flatnonzero(tails < retest_below) if len(x) >= REFIT_AGENTS else []
    for i in retested:
        others = np.arange(len(x)) != i
        mu_i, rho_i, _ = fit_betabinom(x[others].astype(int), n[others].astype(int), start=(mu, max(rho, 0.01)))
        tails[i] = _bootstrap_tails(x, n, mu_i, rho_i, draws, rng)[i]
    return tails


def capability_tails(capability: np.ndarray) -> np.ndarray:
    """For each agent, the two-sided tail probability of its log mean episode length under a normal
    population fitted to the other agents: (y - mean) / (sd sqrt(1 + 1/m)) is Student-t with m - 1
    degrees of freedom for m other agents."""
    y = np.log(np.asarray(capability, float))
    tails = np.full(len(y), np.nan)
    if len(y) < MIN_CAPABILITY_AGENTS:
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


def outlier_draws(alpha: float) -> int:
    """Bootstrap draws of the preference test at level alpha: enough that its critical value is resolved."""
    return max(MIN_DRAWS, int(np.ceil(DRAWS_PER_ALPHA / alpha)))


def outliers(table: pd.DataFrame, alpha: float = 0.001, seed: int = 0) -> pd.DataFrame:
    """One row per flagged (agent, pair, reason): a preference (preference_tails, from 3 agents that decided)
    or a mean episode length (log-normal, capability_tails, from 4 agents) whose tail probability under the
    pair's population is below alpha, the false-alarm rate of each test. Pairs with too few agents for a test
    are logged with the reason and give no flag. The bootstrap of each pair is seeded by `seed` and the
    pair's name, so a pair gets the same result alone or within its experiment."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), not {alpha}")
    validate_table(table, capability=True)
    rows = []
    for pair, group in table.groupby("pair", sort=False):
        tested = group[(group["n_obj1"] + group["n_obj2"]) > 0]
        untested = [f"preference ({len(tested)} agents decided an episode; the test needs {MIN_PREFERENCE_AGENTS} "
                    "to hold its rate)"] if len(tested) < MIN_PREFERENCE_AGENTS else []
        if len(group) < MIN_CAPABILITY_AGENTS:
            untested.append(f"capability ({len(group)} agents; the test needs {MIN_CAPABILITY_AGENTS})")
        if untested:
            logger.warning("pair %s: no agent is flagged on %s", pair, " or ".join(untested))
        pair_seed = [seed, zlib.crc32(str(pair).encode())]
        preference = preference_tails(*decided_counts(group), draws=outlier_draws(alpha),
                                      seed=int(np.random.SeedSequence(pair_seed).generate_state(1)[0]),
                                      retest_below=min(SCREEN_TAIL, RETEST_PER_ALPHA * alpha))
        tests = [("preference", tested, preference),
                 ("capability", group, capability_tails(group["capability"].to_numpy(float)))]
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


def ols_fit(x: pd.Series, y: pd.Series) -> dict[str, float]:
    """Ordinary least squares y = intercept + slope * x (statsmodels), with R^2 and the number of agents."""
    import statsmodels.formula.api as smf  # see channel_glm

    data = pd.DataFrame({"x": x.to_numpy(), "y": y.to_numpy()}).dropna()
    fit = smf.ols("y ~ x", data).fit()
    return {"r2": float(fit.rsquared), "intercept": float(fit.params["Intercept"]), "slope": float(fit.params["x"]),
            "n": len(data)}
