"""The analyses' stated error rates, re-measured on populations simulated here from known models: the outlier
test's false-flag rate at every population size and near preferences of 0 and 1, the coverage of the channel
effects' intervals for near-deterministic agents, the channel classes of agents without an effect, the ICC
interval at few agents, and the refusal of tables that would be counted wrongly."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from test_analysis import BITS, beta_binomial_population, table_rows
from workflow_scripts.analysis import (AnalysisInputError, MIN_ICC_AGENTS, betabinom_loglik, channel_classes,
                                       channel_effects, channel_glm, fit_betabinom, icc_interval, outliers,
                                       preference_tails, seed_variation)


def population_counts(agents: int, mu: float, rho: float, rng: np.random.Generator, levels: int = 1000):
    """obj1 counts of `agents` agents, each on `levels` decided episodes, preferences Beta(mu, rho) (rho = 0:
    all at mu)."""
    n = np.full(agents, levels)
    if rho == 0:
        return rng.binomial(n, mu), n
    scale = 1 / rho - 1
    return rng.binomial(n, rng.beta(mu * scale, (1 - mu) * scale, agents)), n


# (mean, ICC) of null populations: a moderate spread, a wide one, and all agents at one preference near 0 or 1.
NULLS = [(0.3, 0.05), (0.5, 0.3), (1e-5, 0.0), (0.999, 0.0)]


@pytest.mark.parametrize("agents", [3, 5, 10, 20, 100])
def test_preference_false_flags_stay_near_alpha_at_every_population_size(agents):
    alpha = 0.05  # measurable with a few hundred tests; the test's construction does not depend on alpha
    rng = np.random.default_rng(agents)
    populations = int(np.ceil(240 / agents))
    for mu, rho in NULLS:
        flags = 0
        for r in range(populations):
            x, n = population_counts(agents, mu, rho, rng)
            flags += int((preference_tails(x, n, seed=r) < alpha).sum())
        tests = populations * agents
        # The former plug-in tail flagged 29% of 3 agents at ICC 0.05; 3 alpha is 0.15 here.
        assert flags / tests <= 3 * alpha, (mu, rho, flags, tests)


def test_a_single_choice_near_zero_is_not_an_outlier_but_half_is():
    # 99 agents at 0 of 1,000 and one at 1 of 1,000: what a population at preference 1e-5 gives by chance.
    x, n = np.zeros(100, int), np.full(100, 1000)
    x[0] = 1
    assert preference_tails(x, n, draws=20000)[0] > 0.001
    x[0] = 500
    assert preference_tails(x, n, draws=20000)[0] < 0.001
    assert (preference_tails(x, n, draws=20000)[1:] > 0.001).all()


def test_populations_near_zero_rarely_contain_a_false_flag():
    # All 100 agents share preference 1e-5: the plug-in tail put a false flag in 41% of such populations.
    rng = np.random.default_rng(11)
    flagged = 0
    for r in range(12):
        x, n = population_counts(100, 1e-5, 0.0, rng)
        flagged += bool((preference_tails(x, n, draws=20000, seed=r) < 0.001).any())
    assert flagged <= 2  # alpha x 100 tests = 0.1 expected flags per population


def test_outliers_give_no_preference_flag_below_three_agents_and_say_why(caplog):
    table = pd.DataFrame([table_rows("seed_0", "p", "red_line_diag", "yellow_gem", 0, 1000),
                          table_rows("seed_1", "p", "red_line_diag", "yellow_gem", 1000, 0)])
    with caplog.at_level("WARNING"):
        assert outliers(table, alpha=0.05).empty
    assert "needs 3" in caplog.text and "pair p: no agent is flagged" in caplog.text


def test_outlier_results_are_reproducible_and_pair_by_pair():
    table = beta_binomial_population(0.3, 0.05, agents=8, pairs=3, rng=np.random.default_rng(3))
    first = outliers(table, alpha=0.2)
    pd.testing.assert_frame_equal(first, outliers(table, alpha=0.2))
    alone = outliers(table[table["pair"] == "pair-1"], alpha=0.2)
    pd.testing.assert_frame_equal(alone, first[first["pair"] == "pair-1"].reset_index(drop=True))


def channel_population(probabilities: dict[str, float], agents: int, decided: int, rng: np.random.Generator):
    """`agents` agents with the same probability of choosing each coloured line, each on `decided` decided
    episodes per colour."""
    rows = []
    for i in range(agents):
        for colour, p in probabilities.items():
            k = rng.binomial(decided, p)
            rows.append(table_rows(f"seed_{i}", f"{colour}-line-yellow-gem", f"{colour}_line_diag", "yellow_gem",
                                   k, decided - k))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("q", [0.9, 0.99, 0.999])
@pytest.mark.parametrize("decided", [20, 100, 1000])
def test_channel_intervals_cover_near_deterministic_agents(q, decided):
    # The line is chosen with probability q when red, 1 - q otherwise: effect_r = 2q - 1, the others 0.
    table = channel_population({c: q if b[0] else 1 - q for c, b in BITS.items()}, 300, decided,
                               np.random.default_rng(int(q * 1000) + decided))
    effects = channel_effects(table, "yellow_gem")
    for channel, truth in zip("rgb", (2 * q - 1, 0.0, 0.0)):
        low, high, effect = (effects[f"effect_{channel}{s}"] for s in ("_low", "_high", ""))
        # 95% intervals: 300 agents give 0.92 or more in 99 of 100 draws; the (x+1)/(n+2) intervals gave 0.45.
        assert ((low <= truth) & (truth <= high)).mean() >= 0.92, channel
        assert ((low <= effect) & (effect <= high)).all()


def test_a_deterministic_red_detector_contains_its_own_effect():
    rows = [table_rows("seed_0", f"{c}-line-yellow-gem", f"{c}_line_diag", "yellow_gem", 1000 if b[0] else 0,
                       0 if b[0] else 1000) for c, b in BITS.items()]
    effects = channel_effects(pd.DataFrame(rows), "yellow_gem").iloc[0]
    assert effects["effect_r"] == 1 and effects["effect_r_low"] < 1 <= effects["effect_r_high"]
    assert effects["effect_g_low"] <= 0 <= effects["effect_g_high"]


@pytest.mark.parametrize("decided, rate", [(5, 0.12), (10, 0.08), (30, 0.08)])
def test_agents_without_a_channel_are_rarely_classed_as_using_one(decided, rate):
    # Holm over the three channels at family-wise 0.05; without it 8-13% of these agents were classed.
    for p in (0.5, 0.8):
        table = channel_population({c: p for c in BITS}, 1000, decided, np.random.default_rng(decided))
        classes = channel_classes(channel_effects(table, "yellow_gem"), min_effect=0.1)
        assert (classes["channels"] != "none").mean() <= rate, p


def test_dominant_is_always_a_channel_in_use():
    rng = np.random.default_rng(8)
    rows = []
    for i in range(300):
        w = rng.normal(0, 1.5, 4)
        for c, (r, g, b) in BITS.items():
            k = rng.binomial(12, 1 / (1 + np.exp(-(w[0] + w[1] * r + w[2] * g + w[3] * b))))
            rows.append(table_rows(f"seed_{i}", f"{c}-line-yellow-gem", f"{c}_line_diag", "yellow_gem", k, 12 - k))
    classes = channel_classes(channel_effects(pd.DataFrame(rows), "yellow_gem"))
    for channels, dominant in zip(classes["channels"], classes["dominant"]):
        assert dominant in channels  # 'none' in 'none', '+R' in '+R-G'


def test_a_colour_without_decided_episodes_gives_nan_and_a_reason():
    rows = [table_rows("seed_0", f"{c}-line-yellow-gem", f"{c}_line_diag", "yellow_gem", 0 if c == "cyan" else 600,
                       0 if c == "cyan" else 400) for c in BITS]
    effects = channel_effects(pd.DataFrame(rows), "yellow_gem")
    assert effects[[f"effect_{c}{s}" for c in "rgb" for s in ("", "_low", "_high")]].isna().all(axis=None)
    assert "cyan_line_diag" in effects["reason"].iloc[0]
    classes = channel_classes(effects).iloc[0]
    assert pd.isna(classes["channels"]) and pd.isna(classes["dominant"]) and "cyan_line_diag" in classes["reason"]


@pytest.mark.parametrize("agents", [2, 5])
def test_icc_interval_is_withheld_below_twenty_agents(agents):
    table = beta_binomial_population(0.4, 0.3, agents=agents, pairs=2, rng=np.random.default_rng(agents))
    result = seed_variation(table)
    assert result[["icc_low", "icc_high"]].isna().all(axis=None)
    assert result["reason"].str.contains(f"at least {MIN_ICC_AGENTS}").all()


@pytest.mark.parametrize("rho", [0.01, 0.3, 0.9])
def test_icc_interval_covers_at_twenty_agents(rho):
    rng = np.random.default_rng(int(rho * 100))
    covered = []
    for _ in range(25):
        x, n = population_counts(MIN_ICC_AGENTS, 0.4, rho, rng)
        if (x == 0).all() or (x == n).all():
            continue
        mu, fitted, loglik = fit_betabinom(x, n)
        low, high = icc_interval(x, n, fitted, loglik)
        covered.append(low <= rho <= high)
    # Nominal 0.95; 25 populations fall below 0.8 with probability under 1% at the nominal rate.
    assert np.mean(covered) >= 0.8


def good_table() -> pd.DataFrame:
    """Four agents on one pair, with capabilities."""
    return pd.DataFrame([table_rows(f"seed_{i}", "p", "red_line_diag", "yellow_gem", 300 + i, 600 - i, 10 + i)
                         for i in range(4)])


def duplicated(table: pd.DataFrame) -> pd.DataFrame:
    """seed_2's row twice."""
    return pd.concat([table, table.iloc[[2]]], ignore_index=True)


def nan_counts(table: pd.DataFrame) -> pd.DataFrame:
    """seed_2's obj1 count missing."""
    return table.assign(n_obj1=table["n_obj1"].where(table["agent"] != "seed_2"))


def negative(table: pd.DataFrame) -> pd.DataFrame:
    """seed_2 with a negative obj2 count and its timeouts raised to keep the sum."""
    at = table["agent"] == "seed_2"
    return table.assign(n_obj2=np.where(at, -1, table["n_obj2"]),
                        n_timeout=np.where(at, 1000 - table["n_obj1"] + 1, table["n_timeout"]))


def unequal(table: pd.DataFrame) -> pd.DataFrame:
    """seed_2's counts add up to one more than n_levels."""
    return table.assign(n_obj1=np.where(table["agent"] == "seed_2", table["n_obj1"] + 1, table["n_obj1"]))


def nan_capability(table: pd.DataFrame) -> pd.DataFrame:
    """seed_2's mean episode length missing."""
    return table.assign(capability=table["capability"].where(table["agent"] != "seed_2"))


@pytest.mark.parametrize("spoil, words", [(duplicated, "more than once"), (nan_counts, "non-finite counts"),
                                          (negative, "negative"), (unequal, "n_levels"),
                                          (nan_capability, "capability")])
def test_bad_tables_are_refused_naming_agent_and_pair(spoil, words):
    bad = spoil(good_table())
    analyses = [lambda t: outliers(t)]
    if spoil is not nan_capability:  # only the outlier test reads capabilities
        analyses.append(seed_variation)
    for analysis in analyses:
        with pytest.raises(AnalysisInputError, match=f"{words}.*agent seed_2, pair p"):
            analysis(bad)


@pytest.mark.parametrize("spoil", [duplicated, nan_counts, negative, unequal])
def test_channel_analyses_refuse_bad_tables(spoil):
    table = pd.DataFrame([table_rows("seed_2", f"{c}-line-yellow-gem", f"{c}_line_diag", "yellow_gem", 300, 600)
                          for c in BITS])
    for analysis in (channel_effects, channel_glm):
        with pytest.raises(AnalysisInputError, match="agent seed_2, pair"):
            analysis(spoil(table), "yellow_gem")


def test_beta_binomial_likelihood_is_scipys():
    x, n = np.array([0, 3, 50, 999, 5]), np.array([10, 10, 100, 1000, 5])
    for mu, rho in [(0.3, 0.2), (1e-4, 0.01), (0.9, 0.95)]:
        scale = 1 / rho - 1
        assert betabinom_loglik(x, n, mu, rho) == pytest.approx(
            stats.betabinom.logpmf(x, n, mu * scale, (1 - mu) * scale).sum(), rel=1e-10)
