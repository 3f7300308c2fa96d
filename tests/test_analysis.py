"""The analyses against synthetic populations simulated here from stated models, whose truth is known:
logistic agents with known channel weights, beta-binomial populations of known mean and intra-class
correlation, log-normal mean episode lengths, and injected outliers."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from workflow_scripts.analysis import (binomial_noise, channel_classes, channel_effects, channel_glm, ols_fit,
                                       outlier_draws, outlier_summary, outliers, seed_variation)
from workflow_scripts.objects import channel_bits, channel_reference

# The 2x2x2 design written out by hand from the RGB of the paper's colours: each channel is 0 or 255.
BITS = {"black": (0, 0, 0), "blue": (0, 0, 1), "green": (0, 1, 0), "cyan": (0, 1, 1),
        "red": (1, 0, 0), "purple": (1, 0, 1), "yellow": (1, 1, 0), "white": (1, 1, 1)}
LEVELS = 1000


def table_rows(agent: str, pair: str, obj1: str, obj2: str, n_obj1: int, n_obj2: int, capability: float = 10.0):
    n_timeout = LEVELS - n_obj1 - n_obj2
    decided = n_obj1 + n_obj2
    return {"agent": agent, "pair": pair, "obj1": obj1, "obj2": obj2,
            "preference": n_obj1 / decided if decided else np.nan, "capability": capability,
            "n_obj1": n_obj1, "n_obj2": n_obj2, "n_timeout": n_timeout, "n_levels": LEVELS, "blacklisted": False}


def logistic_population(weights: np.ndarray, rng: np.random.Generator, timeout: float = 0.05):
    """Agents choosing the line over yellow_gem with logit p = w0 + wr R + wg G + wb B; a share of timeouts.
    Returns the table and the true main effects, computed from the true probabilities."""
    rows, truth = [], []
    for i, (w0, wr, wg, wb) in enumerate(weights):
        p = {c: expit(w0 + wr * r + wg * g + wb * b) for c, (r, g, b) in BITS.items()}
        for colour, prob in p.items():
            decided = rng.binomial(LEVELS, 1 - timeout)
            k = rng.binomial(decided, prob)
            rows.append(table_rows(f"seed_{i}", f"{colour}-line-yellow-gem", f"{colour}_line_diag", "yellow_gem",
                                   k, decided - k))
        truth.append({ch: np.mean([p[c] for c, b in BITS.items() if b[j]]) - np.mean([p[c] for c, b in BITS.items() if not b[j]])
                      for j, ch in enumerate("rgb")})
    return pd.DataFrame(rows), pd.DataFrame(truth)


def test_design_is_read_from_the_colours():
    assert channel_bits() == {f"{c}_line_diag": b for c, b in sorted(BITS.items(), key=lambda i: i[1])}
    pairs = {f"{c}-line-yellow-gem": (f"{c}_line_diag", "yellow_gem") for c in BITS}
    assert channel_reference({"red-line-green-line": ("red_line_diag", "green_line_diag"), **pairs}) == "yellow_gem"
    del pairs["cyan-line-yellow-gem"]
    assert channel_reference(pairs) is None


def test_channel_effects_cover_the_true_effects_at_the_nominal_rate():
    rng = np.random.default_rng(1)
    weights = np.column_stack([rng.normal(-1, 1, 150), rng.normal(0, 1.5, (150, 3))])
    table, truth = logistic_population(weights, rng)
    effects = channel_effects(table, "yellow_gem").set_index("agent").loc[[f"seed_{i}" for i in range(150)]]
    covered = []
    for ch in "rgb":
        low, high = effects[f"effect_{ch}_low"].to_numpy(), effects[f"effect_{ch}_high"].to_numpy()
        covered.append((low <= truth[ch].to_numpy()) & (truth[ch].to_numpy() <= high))
        # The point estimate, by hand: mean over bit set minus mean over bit clear of the observed preferences.
        agent = table[table["agent"] == "seed_0"].set_index("obj1")
        prefs = agent["n_obj1"] / (agent["n_obj1"] + agent["n_obj2"])
        j = "rgb".index(ch)
        hand = np.mean([prefs[f"{c}_line_diag"] for c, b in BITS.items() if b[j]]) - \
            np.mean([prefs[f"{c}_line_diag"] for c, b in BITS.items() if not b[j]])
        assert effects.loc["seed_0", f"effect_{ch}"] == pytest.approx(hand)
    rate = np.mean(covered)  # 450 intervals: a 95% rate gives 0.93-0.97 in nineteen of twenty draws
    assert 0.91 <= rate <= 0.99


def test_glm_recovers_weights_and_stays_finite_on_separation():
    rng = np.random.default_rng(2)
    weights = np.array([[-1.0, 2.0, 0.0, 0.0], [0.5, 0.0, -1.5, 0.8], [-30.0, 60.0, 0.0, 0.0], [30.0, 0.0, 0.0, 0.0]])
    table, _ = logistic_population(weights, rng)
    glm = channel_glm(table, "yellow_gem").set_index("agent")
    for i in (0, 1):
        for j, name in enumerate(("intercept", "r", "g", "b")):
            coef, se = glm.loc[f"seed_{i}", f"coef_{name}"], glm.loc[f"seed_{i}", f"se_{name}"]
            assert abs(coef - weights[i, j]) < 4 * se
    # seed_2 picks the line exactly when it is red (preferences 0 and 1), seed_3 always: finite fits.
    assert np.isfinite(glm.loc[["seed_2", "seed_3"]].to_numpy(float)).all()
    assert glm.loc["seed_2", "coef_r"] > 10 and glm.loc["seed_2", "p_r"] < 1e-6
    assert abs(glm.loc["seed_3", "coef_r"]) < 0.1 and glm.loc["seed_3", "p_r"] > 0.05  # no colour matters


def test_agents_are_classified_by_the_channels_they_use():
    rng = np.random.default_rng(3)
    weights = np.array([[-3.0, 6.0, 0.0, 0.0],    # red detector
                        [-3.0, 0.0, 6.0, 0.0],    # green detector
                        [0.0, 0.0, 0.0, -4.0],    # avoids blue
                        [-3.0, 3.0, 3.0, 0.0],    # red and green
                        [0.0, 0.0, 0.0, 0.0]])    # indifferent
    table, _ = logistic_population(weights, rng)
    classes = channel_classes(channel_effects(table, "yellow_gem"), min_effect=0.1).set_index("agent")
    assert list(classes["channels"]) == ["+R", "+G", "-B", "+R+G", "none"]
    assert list(classes["dominant"][:3]) == ["+R", "+G", "-B"] and classes.loc["seed_4", "dominant"] == "none"
    assert classes.loc["seed_3", "dominant"] in {"+R", "+G"}  # equal weights: either, but one it uses


def test_channel_analysis_names_the_missing_lines():
    table, _ = logistic_population(np.zeros((2, 4)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="cyan_line_diag"):
        channel_effects(table[table["obj1"] != "cyan_line_diag"], "yellow_gem")


def beta_binomial_population(mu: float, rho: float, agents: int, pairs: int, rng: np.random.Generator,
                             levels: int = LEVELS) -> pd.DataFrame:
    """Agents whose preferences are Beta(mu, rho) draws (rho = 0: all equal to mu), each seen on `levels`
    decided episodes, with log-normal mean episode lengths."""
    rows = []
    for j in range(pairs):
        if rho == 0:
            p = np.full(agents, mu)
        else:
            scale = 1 / rho - 1
            p = rng.beta(mu * scale, (1 - mu) * scale, agents)
        k = rng.binomial(levels, p)
        capability = np.exp(rng.normal(np.log(8), 0.3, agents))
        for i in range(agents):
            rows.append(table_rows(f"seed_{i}", f"pair-{j}", "red_line_diag", "yellow_gem", k[i], levels - k[i],
                                   capability[i]))
    return pd.DataFrame(rows)


def test_homogeneous_populations_are_not_declared_heterogeneous():
    rng = np.random.default_rng(4)
    table = beta_binomial_population(0.3, 0.0, agents=20, pairs=60, rng=rng, levels=300)
    result = seed_variation(table)
    # p-values of a true null are uniform: a Kolmogorov-Smirnov distance the 60 draws should keep.
    p = np.sort(result["p_homogeneity"].to_numpy())
    assert np.max(np.abs(p - np.arange(1, 61) / 60)) < 0.25
    assert np.mean(result["icc_low"] == 0) >= 0.9  # the interval reaches 0
    assert (result["icc"] < 0.02).all() and (result["icc"] >= 0).all()


@pytest.mark.parametrize("rho", [0.05, 0.3])
def test_overdispersed_population_is_declared_so_with_its_icc(rho):
    table = beta_binomial_population(0.4, rho, agents=100, pairs=3, rng=np.random.default_rng(5))
    result = seed_variation(table)
    assert (result["p_homogeneity"] < 1e-6).all()
    assert ((result["icc_low"] > 0) & (result["icc_low"] <= result["icc"]) & (result["icc"] <= result["icc_high"])).all()
    assert np.abs(result["icc"] - rho).max() < 0.5 * rho
    assert np.mean((result["icc_low"] <= rho) & (rho <= result["icc_high"])) >= 2 / 3


def test_degenerate_populations_give_numbers_not_errors():
    table = pd.DataFrame([table_rows(f"seed_{i}", "p", "red_line_diag", "yellow_gem", 1000, 0) for i in range(5)] +
                         [table_rows("seed_0", "q", "red_line_diag", "yellow_gem", 0, 0)])
    result = seed_variation(table).set_index("pair")
    # Every agent always picks the line: homogeneous, but the ICC is not identified.
    assert result.loc["p", "p_homogeneity"] == 1 and np.isnan(result.loc["p", "icc"]) and result.loc["p", "mu"] == 1
    assert "not identified" in result.loc["p", "reason"]
    assert np.isnan(result.loc["q", "icc"]) and result.loc["q", "agents"] == 0 and result.loc["q", "reason"]
    assert outliers(table).empty


def test_binomial_noise_is_the_binomial_distribution():
    table = pd.DataFrame([table_rows(f"seed_{i}", "p", "red_line_diag", "yellow_gem", k, 10 - k) for i, k in
                          enumerate([2, 3, 5])]).assign(n_levels=10, n_timeout=0)
    bins = np.linspace(-0.05, 1.05, 12)  # one bin around each k / 10
    expected = binomial_noise(table, bins)
    # Pooled preference 10/30; three agents of 10 decided episodes each: 3 Binomial(10, 1/3) pmfs.
    from math import comb
    pmf = [3 * comb(10, k) * (1 / 3) ** k * (2 / 3) ** (10 - k) for k in range(11)]
    np.testing.assert_allclose(expected, pmf)


def test_injected_outliers_are_flagged_and_false_flags_stay_near_alpha():
    rng = np.random.default_rng(6)
    table = beta_binomial_population(0.3, 0.02, agents=40, pairs=4, rng=rng)
    injected = {("seed_3", "pair-0"): "preference", ("seed_7", "pair-2"): "capability",
                ("seed_7", "pair-3"): "preference"}
    for (agent, pair), reason in injected.items():
        at = (table["agent"] == agent) & (table["pair"] == pair)
        if reason == "preference":
            table.loc[at, ["n_obj1", "n_obj2", "preference"]] = [950, 50, 0.95]
        else:
            table.loc[at, "capability"] = 8 * np.exp(2.0)  # 6.7 population standard deviations above
    alpha = 0.05
    flags = outliers(table, alpha=alpha)
    floor = 1 / (outlier_draws(alpha) + 1)  # the smallest bootstrap p-value
    for key, reason in injected.items():
        row = flags[(flags["agent"] == key[0]) & (flags["pair"] == key[1]) & (flags["reason"] == reason)]
        assert len(row) == 1 and row["tail_probability"].iloc[0] <= max(floor, 1e-6)
    false = flags[[(a, p) not in injected for a, p in zip(flags["agent"], flags["pair"])]]
    tests = 2 * len(table)  # a preference and a capability test per row
    # alpha x tests = 16 expected false flags: binomial bounds.
    assert 3 <= len(false) <= alpha * tests + 3 * np.sqrt(alpha * tests)
    # The injected rows are the most extreme of each test: at the bootstrap's floor, or an exact t tail < 1e-6.
    strict = flags[flags["tail_probability"] <= np.where(flags["reason"] == "preference", floor, 1e-6)]
    assert {(a, p) for a, p in zip(strict["agent"], strict["pair"])} == set(injected)

    summary = outlier_summary(strict).set_index("agent")
    assert set(summary.index) == {"seed_3", "seed_7"}
    assert summary.loc["seed_7", "n_flags"] == 2
    assert set(summary.loc["seed_7", "flagged"].split("; ")) == {"pair-2 (capability)", "pair-3 (preference)"}


def test_outliers_check_alpha():
    with pytest.raises(ValueError, match="alpha"):
        outliers(beta_binomial_population(0.3, 0.0, 5, 1, np.random.default_rng(0)), alpha=0)


def test_ols_matches_least_squares_and_skips_agents_without_a_preference():
    rng = np.random.default_rng(0)
    x = pd.Series(rng.uniform(0, 1, 40))
    y = pd.Series(0.1 + 0.7 * x + rng.normal(0, 0.05, 40))
    slope, intercept = np.polyfit(x, y, 1)
    r2 = 1 - ((y - intercept - slope * x) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    fit = ols_fit(x, y)
    assert fit["slope"] == pytest.approx(slope) and fit["intercept"] == pytest.approx(intercept)
    assert fit["r2"] == pytest.approx(r2) and fit["n"] == 40
    # An agent that decided no episode of one pair has no preference there: it is left out of the fit.
    assert ols_fit(pd.concat([x, pd.Series([np.nan])], ignore_index=True),
                   pd.concat([y, pd.Series([0.5])], ignore_index=True)) == fit
    two = ols_fit(x[:2], y[:2])
    assert two["n"] == 2 and two["r2"] == pytest.approx(1)
