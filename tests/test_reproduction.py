"""Did it reproduce? The verdicts against populations simulated from stated models (not from the code under
test), and end to end: the tests' synthetic published record against a tiny local experiment. The error
rates over the whole grid of population sizes are in test_reproduction_rates.py."""

import itertools
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import fisher_exact, norm, ttest_ind
from statsmodels.stats.multitest import multipletests

from tests.conftest import REPO
from tests.published_archive import AGENTS, BLACKLISTED, PAIRS, RUN, build_record
from tests.reproduction_models import beta, channel_table, population
from tests.tiny_workflow import job_counts, make_copy, tiny_config, write_config
from workflow_scripts.reproduction import (PAIR_COLUMNS, arrangements, compare_claims, compare_populations,
                                           compare_samples, critical_value, distribution_p, experiment_summary,
                                           icc_difference_p, icc_statistics, tail, verdict, welch_statistics)


# The paper's kind of population: seeds split between the two objects.
split_population = beta(0.5, 0.5)


# ----- the rule and the tests behind it -------------------------------------------------------------------

def test_the_rule_as_stated():
    assert verdict(50, 50, 0.01, True, 0.05, "mean")[0] == "differs"
    assert verdict(50, 50, 0.01, True, 0.05, "mean")[1] == "mean: p 0.01 < 0.05"
    assert verdict(50, 50, 0.5, True, 0.05) == ("reproduced", "")
    assert verdict(50, 50, 0.5, False, 0.05)[0] == "inconclusive"  # too wide
    assert "at least 5 agents" in verdict(4, 50, 0.5, True, 0.05)[1]  # too few agents for equivalence
    assert "nothing to compare" in verdict(1, 1, np.nan, False, 0.05)[1]
    # A test that cannot reach alpha at these sizes says so.
    assert "smallest is 0.33" in verdict(2, 2, 0.5, False, 0.05, min_p=1 / 3)[1]
    assert verdict(50, 50, 0.05, True, 0.05)[0] == "reproduced"  # p = alpha does not differ


def test_arrangements_enumerate_small_populations_and_draw_large_ones():
    rows = arrangements(2, 3, permutations=99)
    assert rows.shape == (10, 5) and (rows.sum(1) == 2).all()
    assert rows[0].tolist() == [True, True, False, False, False]  # the observed first
    assert len({tuple(r) for r in rows}) == 10  # every arrangement once: an exact test
    drawn = arrangements(30, 30, permutations=99, seed=1)
    assert drawn.shape == (100, 60) and drawn[0].tolist() == [True] * 30 + [False] * 30
    assert (drawn.sum(1) == 30).all() and np.array_equal(drawn, arrangements(30, 30, permutations=99, seed=1))


def test_critical_value_rejects_exactly_where_the_p_value_is_below_the_level():
    rng = np.random.default_rng(1)
    for total, level in itertools.product((6, 20, 100, 1000), (0.025, 0.05, 0.1)):
        statistics = np.round(np.abs(rng.normal(size=total)), 1)  # many ties
        c = critical_value(statistics, level)
        # The observed statistic is one of the arrangements': at most their largest.
        values = np.concatenate([statistics, statistics * (1 + 1e-12), statistics + 0.05])
        for value in values[values <= statistics.max() * (1 + 1e-12)]:
            assert (tail(statistics, value) < level) == (value > c), (total, level, value, c)
    assert critical_value(np.array([1.0, 1.0, 0.0, 0.0, 0.0, 0.0]), 0.05) == np.inf  # 2 of 6 at least: p >= 1/3


def test_welch_statistics_against_scipy():
    rng = np.random.default_rng(2)
    x, y = rng.beta(2, 5, 7), rng.beta(3, 4, 11)
    rows = arrangements(7, 11, permutations=50, seed=3)
    diffs, ses, t = welch_statistics(np.concatenate([x, y]), rows)
    values = np.concatenate([x, y])
    for row, d, se, ti in zip(rows, diffs, ses, t):
        a, b = values[row], values[~row]
        assert d == pytest.approx(a.mean() - b.mean())
        assert se == pytest.approx(np.sqrt(a.var(ddof=1) / 7 + b.var(ddof=1) / 11))
        assert ti == pytest.approx(abs(ttest_ind(a, b, equal_var=False).statistic))


def test_the_permutation_t_test_enumerated_by_hand():
    """3 agents against 3: the 20 arrangements by hand with scipy's Welch t; the p-value is the share at least
    as extreme."""
    x, y = np.array([0.1, 0.2, 0.15]), np.array([0.8, 0.9, 0.6])
    values = np.concatenate([x, y])
    by_hand = [abs(ttest_ind(values[list(c)], np.delete(values, list(c)), equal_var=False).statistic)
               for c in itertools.combinations(range(6), 3)]
    observed = by_hand[0]
    expected = np.mean(np.array(by_hand) >= observed * (1 - 1e-9))
    row = compare_samples(x, y, margin=0.1, alpha=0.05)
    assert row["p_mean"] == pytest.approx(expected) == pytest.approx(2 / 20)
    # 2 of 20 at least as extreme: the smallest p three against three can give, 0.1, is above alpha / 2.
    assert row["verdict"] == "inconclusive" and "cannot give p below" in row["reason"]
    assert row["diff_low"] < 0 < row["diff_high"] or np.isinf(row["diff_low"])


def null_experiments(preferences, runs: int, seed: int, agents: int = 100) -> pd.DataFrame:
    """The rows of `runs` experiments of one pair, each side `agents` agents drawn from one population."""
    rng = np.random.default_rng(seed)
    rows = [compare_populations(population(rng, preferences(rng, agents)),
                                population(rng, preferences(rng, agents), name="b"), permutations=999).iloc[0]
            for _ in range(runs)]
    return pd.DataFrame(rows)


def test_one_population_on_both_sides_is_reproduced_and_rarely_differs():
    """250 experiments of one pair, 100 agents a side from one population of preferences Beta(8, 8) (sd 0.12):
    `differs` at most at alpha (the mean and distribution tests at alpha / 2 each), and, with the 90% interval
    about ±0.03 wide, `reproduced` whenever nothing differs."""
    table = null_experiments(lambda rng, n: rng.beta(8, 8, n), 250, seed=11)
    rates = table["verdict"].value_counts(normalize=True)
    print(f"one population, Beta(8, 8), 100 vs 100 agents: {rates.to_dict()}")
    assert rates.get("differs", 0) <= 0.08  # binomial allowance: P(X >= 20 | 250, 0.05) = 0.04
    # Each test alone holds its level: p-values are uniform under the null.
    for column in ("p_distribution", "p_mean"):
        assert 0.02 <= np.mean(table[column] < 0.05) <= 0.09, column
    assert rates.get("reproduced", 0) == pytest.approx(1 - rates.get("differs", 0))


def test_a_split_population_is_reproduced_as_often_as_its_spread_allows():
    """The paper's kind of population, seeds split between the two objects (Beta(0.5, 0.5), sd 0.354): with
    100 agents a side the difference of means has a standard error of 0.05, so the 90% interval (±0.083)
    fits inside ±0.1 only when |diff| < 0.017: by normal theory in 2 Phi(0.35) - 1 = 27% of experiments,
    less those that differ. The rule's rates are those."""
    table = null_experiments(split_population, 200, seed=12)
    rates = table["verdict"].value_counts(normalize=True)
    print(f"one population, Beta(0.5, 0.5), 100 vs 100 agents: {rates.to_dict()}")
    se = np.sqrt(2 * 0.125 / 100)
    expected = 2 * norm.cdf((0.1 - norm.ppf(0.95) * se) / se) - 1
    assert rates.get("reproduced", 0) == pytest.approx(expected, abs=0.1)
    assert rates.get("differs", 0) <= 0.085  # binomial allowance at 200 experiments


def test_a_mean_shift_of_0_2_differs():
    rng = np.random.default_rng(12)
    found = []
    for _ in range(30):
        base = rng.beta(4, 4, size=100)
        ours = population(rng, np.clip(base + 0.2, 0, 1))
        theirs = population(rng, rng.beta(4, 4, size=100), name="b")
        found.append(compare_populations(ours, theirs, permutations=999).iloc[0]["verdict"])
    assert found.count("differs") == 30


def test_equal_means_with_different_shapes_differ():
    """Split between the two goals (half at 0.05, half at 0.95) against concentrated at 0.5: the same mean,
    so only the test of the whole distributions can tell them apart, and it does; the row says so, with an
    interval of the mean that covers 0."""
    rng = np.random.default_rng(13)
    covered = 0
    for _ in range(20):
        split = population(rng, np.where(rng.random(60) < 0.5, 0.05, 0.95))
        concentrated = population(rng, np.full(60, 0.5), name="b")
        row = compare_populations(split, concentrated, permutations=999).iloc[0]
        assert row["verdict"] == "differs" and row["p_distribution"] < 0.01
        assert "distribution" in row["reason"] and row["p"] == pytest.approx(2 * row["p_distribution"])
        covered += row["diff_low"] <= 0 <= row["diff_high"]
    assert covered >= 17  # the means agree: the mean test alone rejects at its level, 2.5%


def test_three_agents_against_three_are_not_reproduced():
    """Even two identical tight populations of 3 agents each: too few to show equivalence."""
    rng = np.random.default_rng(14)
    for _ in range(20):
        row = compare_populations(population(rng, np.full(3, 0.5)), population(rng, np.full(3, 0.5), name="b"),
                                  permutations=999).iloc[0]
        assert row["verdict"] != "reproduced"


def test_the_interval_of_diff_covers_the_true_difference():
    """400 experiments of 40 agents a side from two skewed populations whose means differ by a known 0.1
    (Beta(2, 5) and Beta(3, 4), means 2/7 and 3/7, minus the binomial noise of 1,000 levels, which adds no
    bias): the 97.5% interval (1 - alpha / 2, the mean test's level) covers the true difference in about
    97.5%."""
    rng = np.random.default_rng(15)
    truth = 2 / 7 - 3 / 7
    covered = []
    for _ in range(400):
        ours = population(rng, rng.beta(2, 5, size=40))
        theirs = population(rng, rng.beta(3, 4, size=40), name="b")
        row = compare_populations(ours, theirs, permutations=199).iloc[0]
        covered.append(row["diff_low"] <= truth <= row["diff_high"])
    print(f"coverage of the 97.5% interval: {np.mean(covered):.3f}")
    assert 0.95 <= np.mean(covered) <= 0.995


@pytest.mark.parametrize("agents", [(2, 2), (2, 100), (3, 3), (5, 40), (30, 30)])
def test_the_interval_excludes_0_exactly_when_the_mean_test_rejects(agents):
    """Every row, at every size: the interval of the mean difference excludes 0 exactly when p_mean < alpha / 2,
    the equivalence interval lies inside the margin exactly when p_equivalence < alpha, and the verdict is
    `differs` exactly when p < alpha, so no row says differs with p above alpha."""
    rng = np.random.default_rng(sum(agents))
    for shift in np.linspace(0, 0.4, 25):
        ours = population(rng, np.clip(split_population(rng, agents[0]) + shift, 0, 1))
        theirs = population(rng, split_population(rng, agents[1]), name="b")
        row = compare_populations(ours, theirs, permutations=199).iloc[0]
        assert (row["diff_low"] > 0 or row["diff_high"] < 0) == (row["p_mean"] < 0.025), row.to_dict()
        assert (-0.1 < row["tost_low"] and row["tost_high"] < 0.1) == (row["p_equivalence"] < 0.05), row.to_dict()
        assert (row["verdict"] == "differs") == (row["p"] < 0.05)
        assert row["p"] == pytest.approx(min(1, 2 * min(row["p_mean"], row["p_distribution"])))
        assert row["min_p"] <= row["p"]


def test_two_agents_against_two_can_never_differ_and_say_why():
    rng = np.random.default_rng(16)
    ours, theirs = population(rng, [0.0, 0.0]), population(rng, [1.0, 1.0], name="b")
    row = compare_populations(ours, theirs).iloc[0]
    # The most extreme arrangement and its mirror: 2 of the 6, p = 1/3 even for 0 against 1.
    assert row["p_mean"] == pytest.approx(1 / 3) and row["min_p"] == pytest.approx(2 / 3)
    assert row["verdict"] == "inconclusive" and "cannot give p below 0.05" in row["reason"]


def test_agents_that_decided_nothing_are_left_out_and_counted():
    rng = np.random.default_rng(16)
    ours = population(rng, np.full(10, 0.3))
    ours.loc[:2, ["preference", "n_obj1", "n_obj2"]] = [np.nan, 0, 0]
    theirs = population(rng, np.full(8, 0.3), name="b")
    theirs.loc[0, "blacklisted"] = True
    theirs.loc[0, "preference"] = 0.99
    row = compare_populations(ours, theirs, permutations=99).iloc[0]
    assert row["n_ours"] == 7 and row["undecided_ours"] == 3 and row["n_published"] == 7
    assert row["mean_ours"] == pytest.approx(ours["preference"].iloc[3:].mean())
    assert row["mean_published"] == pytest.approx(theirs["preference"].iloc[1:].mean())  # blacklisted left out


def test_pairs_on_one_side_only_are_reported_not_compared():
    rng = np.random.default_rng(17)
    ours = pd.concat([population(rng, np.full(6, 0.4)),
                      population(rng, np.full(6, 0.4), pair="green-line-red-line", obj=("green_line_diag", "red_line_diag"))])
    theirs = pd.concat([population(rng, np.full(6, 0.4), name="b"),
                        population(rng, np.full(6, 0.4), pair="yellow-gem-red-line", obj=("yellow_gem", "red_line_diag"), name="b")])
    with pytest.warns(UserWarning, match=r"ours only \['green-line-red-line'\], published only \['yellow-gem-red-line'\]"):
        table = compare_populations(ours, theirs, permutations=99)
    assert list(table["pair"]) == ["red-line-yellow-gem"] and list(table.columns) == PAIR_COLUMNS


def test_adjusted_p_values_are_holms_and_outputs_repeat_exactly():
    """Holm's adjustment against statsmodels' own; the same inputs give the same table, byte for byte."""
    rng = np.random.default_rng(18)
    pairs = [(f"{c}-line-yellow-gem", (f"{c}_line_diag", "yellow_gem")) for c in ("red", "green", "blue", "white")]
    ours = pd.concat([population(rng, split_population(rng, 30), pair=p, obj=o) for p, o in pairs])
    theirs = pd.concat([population(rng, np.clip(split_population(rng, 30) + 0.1 * i, 0, 1), pair=p, obj=o, name="b")
                        for i, (p, o) in enumerate(pairs)])
    table = compare_populations(ours, theirs, permutations=999)
    for column in ("p", "cap_p"):
        np.testing.assert_allclose(table[f"{column}_adjusted"], multipletests(table[column], method="holm")[1])
    assert compare_populations(ours, theirs, permutations=999).to_csv() == table.to_csv()
    # A pair's p-value is its own: it does not move when another pair is dropped.
    with pytest.warns(UserWarning, match="published only"):
        alone = compare_populations(ours[ours["pair"] == pairs[2][0]], theirs, permutations=999)
    assert alone["p"].iloc[0] == table["p"].iloc[2]


def test_distribution_p_is_uniform_under_ties():
    """Preferences of exactly 0 or 1 (agents that always pick one object) tie heavily: the permutation test
    keeps its level anyway."""
    rng = np.random.default_rng(19)
    p = [distribution_p(rng.choice([0.0, 0.5, 1.0], 40, p=[0.4, 0.2, 0.4]),
                        rng.choice([0.0, 0.5, 1.0], 40, p=[0.4, 0.2, 0.4]), permutations=199, seed=i) for i in range(300)]
    assert 0.02 <= np.mean(np.array(p) < 0.05) <= 0.09


# ----- the claims -----------------------------------------------------------------------------------------

def test_claims_reproduced_and_differing_channel_classes():
    """Red-reliant agents (+R) on both sides: the class shares agree. Against a population half of which
    relies on green instead, the shares of +R and +G differ."""
    rng = np.random.default_rng(20)
    red = np.column_stack([np.full(12, -3.0), np.full(12, 6.0), np.zeros(12), np.zeros(12)])
    green = red.copy()
    green[6:, 1], green[6:, 2] = 0.0, 6.0
    same = compare_claims(channel_table(rng, red, "a", 300), channel_table(rng, red, "b", 300), permutations=999)
    rows = same[same["claim"] == "channel classes"].set_index("item")
    assert rows.loc["+R vs yellow_gem", "ours"] == 1 and rows.loc["+R vs yellow_gem", "published"] == 1
    assert rows.loc["all classes vs yellow_gem", "verdict"] != "differs"
    differ = compare_claims(channel_table(rng, red, "a", 300), channel_table(rng, green, "b", 300), permutations=999)
    rows = differ[differ["claim"] == "channel classes"].set_index("item")
    assert rows.loc["+G vs yellow_gem", "published"] == 0.5 and rows.loc["+G vs yellow_gem", "verdict"] == "differs"
    assert rows.loc["all classes vs yellow_gem", "verdict"] == "differs"
    assert rows.loc["all classes vs yellow_gem", "p"] < 0.05


def test_class_rows_are_fishers_test_adjusted_by_holm_within_the_claim():
    rng = np.random.default_rng(23)
    red = np.column_stack([np.full(12, -3.0), np.full(12, 6.0), np.zeros(12), np.zeros(12)])
    green = red.copy()
    green[6:, 1], green[6:, 2] = 0.0, 6.0
    mixed = green.copy()
    mixed[0, 3] = 6.0  # one agent that also relies on blue: a class of one
    claims = compare_claims(channel_table(rng, red, "a", 300), channel_table(rng, mixed, "b", 300), permutations=999,
                            claims=("channel classes",))
    rows = claims[~claims["item"].str.startswith("all classes")]
    for row in rows.itertuples(index=False):
        k = (round(row.ours * row.n_ours), round(row.published * row.n_published))
        table = [[k[0], row.n_ours - k[0]], [k[1], row.n_published - k[1]]]
        assert row.p == pytest.approx(fisher_exact(table).pvalue)
    # Holm over the classes whose test can reach alpha (with 12 agents a side, a class of 1 agent cannot).
    testable = rows[rows["p_adjusted"].notna()]
    assert len(testable) >= 2
    np.testing.assert_allclose(testable["p_adjusted"], multipletests(testable["p"], method="holm")[1])
    for row in rows[rows["p_adjusted"].isna()].itertuples(index=False):
        lone = round(row.ours * row.n_ours) + round(row.published * row.n_published)
        assert fisher_exact([[lone, 12 - lone], [0, 12]]).pvalue >= 0.05 and "cannot give p below" in row.reason
    assert ((rows["verdict"] == "differs") == (rows["p_adjusted"] < 0.05)).all()
    assert set(claims["family"]) == {f"Holm over the {len(testable)} of {len(rows)} class rows whose test can reach "
                                     "alpha", "one test"}


def test_icc_difference_test_holds_its_level_and_finds_a_difference():
    """Beta-binomial populations of known ICC (1 / (a + b + 1)): equal ICCs give p < 0.05 about 5% of the
    time; ICC 0.5 against 0.05 is found; 2 agents against 2 cannot reach 0.05 and say so."""
    rng = np.random.default_rng(21)

    def counts(a, b, agents=40, n=200):
        """obj1 counts of n decided episodes of agents with Beta(a, b) preferences."""
        return rng.binomial(n, rng.beta(a, b, size=agents)), np.full(agents, n)

    null = [icc_difference_p(counts(1.5, 1.5), counts(1.5, 1.5), 199, seed)[0] for seed in range(200)]  # ICC 0.25
    assert np.mean(np.array(null) < 0.05) <= 0.09
    assert all(icc_difference_p(counts(0.5, 0.5), counts(9.5, 9.5), 999)[0] < 0.002 for _ in range(5))
    p, min_p = icc_difference_p(counts(0.5, 0.5, agents=2), counts(9.5, 9.5, agents=2))
    assert min_p == pytest.approx(1 / 3) and p >= min_p  # the 6 arrangements, each with its mirror


def test_the_icc_statistic_is_the_anova_estimator_by_hand():
    """The one-way ANOVA ICC of each side from its textbook formula, for one arrangement."""
    x, n = np.array([3, 10, 7, 0, 9]), np.array([10, 12, 10, 8, 9])
    rows = np.array([[True, True, True, False, False]])

    def anova(xs, ns):
        """(MSB - MSW) / (MSB + (n0 - 1) MSW) from the agents x (obj1, obj2) table."""
        p, k, total = xs / ns, len(xs), ns.sum()
        pooled = xs.sum() / total
        msb = np.sum(ns * (p - pooled) ** 2) / (k - 1)
        msw = np.sum(ns * p * (1 - p)) / (total - k)
        n0 = (total - np.sum(ns**2) / total) / (k - 1)
        return (msb - msw) / (msb + (n0 - 1) * msw)

    expected = abs(anova(x[:3], n[:3]) - anova(x[3:], n[3:]))
    assert icc_statistics(x, n, rows)[0] == pytest.approx(expected)


def test_claim_rows_for_icc_and_outliers():
    rng = np.random.default_rng(22)
    ours = population(rng, rng.beta(0.5, 0.5, 40))
    theirs = population(rng, rng.beta(20, 20, 40), name="b")
    theirs.loc[0, ["capability"]] = 5000.0  # far outside a log-normal population of about 5 steps
    claims = compare_claims(ours, theirs, permutations=99).set_index("claim")
    icc = claims.loc["seed variation (ICC)"]
    assert icc["verdict"] == "differs" and icc["ours"] > 0.3 > 0.1 > icc["published"]
    assert icc["reason"].startswith("permutation test of the ICCs: p")
    outliers = claims.loc["outliers"]
    assert outliers["n_published"] == 40 and outliers["published"] >= 1 / 40
    with pytest.raises(ValueError, match="unknown claims"):
        compare_claims(ours, theirs, claims=("outlier",))


def test_the_summary_shows_the_deciding_p_of_every_difference_and_what_chance_gives():
    rng = np.random.default_rng(24)
    ours = pd.concat([population(rng, split_population(rng, 30)),
                      population(rng, np.clip(split_population(rng, 30) + 0.4, 0, 1), pair="green-line-red-line",
                                 obj=("green_line_diag", "red_line_diag"))])
    theirs = pd.concat([population(rng, split_population(rng, 30), name="b"),
                        population(rng, split_population(rng, 30), pair="green-line-red-line",
                                   obj=("green_line_diag", "red_line_diag"), name="b")])
    pairs = compare_populations(ours, theirs, permutations=999)
    claims = compare_claims(ours, theirs, permutations=999)
    text = experiment_summary("x", "maze-5x5", [], pairs, claims, 0.1, 0.05)
    # 2 preference and 2 episode-length verdicts and the ICC family: 5 x 0.05. No agent is flagged as an
    # outlier on either side, so the outlier test cannot differ and does not count.
    assert claims.set_index("claim").loc["outliers", "p"] == 1
    assert "By chance alone" in text and "at most 0.25 false *differs* expected" in text, text
    differ = pairs[pairs["verdict"] == "differs"]
    assert list(differ["pair"]) == ["green-line-red-line"]
    assert f"differs by {differ['reason'].iloc[0]}" in text
    for line in text.splitlines():
        if "**differs**" in line:
            assert "(p " in line.split("**differs**")[1]


# ----- end to end -----------------------------------------------------------------------------------------

SHIM = """import os
import sys
from pathlib import Path

sys.path.append(os.environ["FAKE_ZENODO_REPO"])
from tests.published_archive import FakeZenodo

download = FakeZenodo(os.environ["FAKE_ZENODO_RECORD"], Path(os.environ["FAKE_ZENODO_SOURCE"]),
                      journal=Path(os.environ["FAKE_ZENODO_JOURNAL"]))
"""
RECORD = "10200914"
RECORD_LEVELS = range(100_000, 100_020)
OURS = "tiny-a"


def reproduction_config() -> dict:
    """tests/config/tiny.yaml over the shipped config, maze-5x5 narrowed to the synthetic record's pairs, and
    tiny-a (two of its pairs) compared with the record's maze-5x5: not like-for-like."""
    config = tiny_config()
    config["experiments"]["maze-5x5"]["pairs"] = [list(objects) for objects in PAIRS.values()]
    config["experiments"]["tiny-a"]["seeds"]["count"] = 2
    config["reproduction"] = {"in_figures_all": False, "margin": 0.1, "alpha": 0.05, "against": {OURS: RUN}}
    return config


@pytest.fixture(scope="module")
def reproduction_run(engine, tmp_path_factory):
    """`snakemake reproduction` in a scratch folder: tiny-a trained and evaluated here, the synthetic record
    served by a stand-in for zenodo_get."""
    # A copy of the workflow (tiny_workflow.make_copy), so that its code is the code of this run throughout.
    work = make_copy(tmp_path_factory.mktemp("reproduction-workflow") / "workflow")
    write_config(work, reproduction_config())
    source = work.parent / "served"
    source.mkdir()
    tables = build_record(source, RECORD_LEVELS)
    (work / "results").mkdir()
    (work / "results" / "engine").symlink_to(engine)
    shim = work.parent / "shim" / "zenodo_get"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(SHIM)
    env = {**os.environ, "PYTHONPATH": str(shim.parent), "FAKE_ZENODO_REPO": str(REPO),
           "FAKE_ZENODO_RECORD": RECORD, "FAKE_ZENODO_SOURCE": str(source),
           "FAKE_ZENODO_JOURNAL": str(work.parent / "journal.jsonl"),
           "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"}

    def snakemake(*args):
        """Snakemake in the copy, with the stand-in for zenodo_get."""
        return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args], cwd=work, env=env,
                              capture_output=True, text=True)

    # Before anything is fetched: the main job plans nothing of the record unless the config asks for it.
    main_job = snakemake("figures/all", "--dry-run")
    assert main_job.returncode == 0, main_job.stdout[-4000:] + main_job.stderr[-4000:]
    run = snakemake("reproduction")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return work, tables, snakemake, main_job.stdout + main_job.stderr


@pytest.mark.slow
def test_reproduction_end_to_end(reproduction_run):
    work, tables, _, _ = reproduction_run
    pairs = pd.read_csv(work / f"results/reproduction/{OURS}/pairs.csv")
    ours = pd.read_csv(work / f"results/tables/{OURS}.csv")
    # Both of tiny-a's pairs are in the record; its other eight pairs are the record's only.
    assert list(pairs["pair"]) == ["red-line-yellow-gem", "yellow-line-yellow-gem"]
    for row in pairs.itertuples():
        # The published side by hand from the record's CSVs, the blacklisted agent left out.
        published = [tables[(a, row.pair)] for a in AGENTS if a != BLACKLISTED]
        prefs = [(t["reward"] == 10).sum() / (t["reward"] != 0).sum() for t in published]
        assert row.n_published == 3 and row.mean_published == pytest.approx(np.mean(prefs))
        mine = ours.loc[ours["pair"] == row.pair, "preference"].dropna()
        assert row.n_ours == len(mine) and row.mean_ours == pytest.approx(mine.mean())
        assert row.verdict in ("differs", "inconclusive")  # 2 or fewer agents against 3: never reproduced
    claims = pd.read_csv(work / f"results/reproduction/{OURS}/claims.csv")
    assert {"seed variation (ICC)", "outliers"} <= set(claims["claim"])
    # No row says differs unless the p that decides it is below alpha.
    assert ((pairs["verdict"] == "differs") == (pairs["p"] < 0.05)).all()
    assert ((pairs["cap_verdict"] == "differs") == (pairs["cap_p"] < 0.05)).all()
    assert ((claims["verdict"] == "differs") == (claims["p_adjusted"] < 0.05)).all()
    summary = (work / "results/reproduction/summary.md").read_text()
    assert "By chance alone" in summary
    for line in summary.splitlines():
        if line.startswith("|") and "**differs**" in line:
            assert float(line.split("**differs** (p ")[1].split(")")[0]) < 0.05, line
    assert f"## {OURS} against the published `{RUN}`" in summary
    assert "not like-for-like" in summary and "256 steps" in summary and "5,000,000" in summary
    assert "black-line-yellow-gem" in summary  # a pair the record has and tiny-a does not
    for name in ("preferences", "forest", "claims"):
        for ext in ("png", "pdf"):
            assert (work / f"figures/{OURS}/reproduction/{name}.{ext}").stat().st_size > 0


@pytest.mark.slow
def test_reproduction_is_complete_after_one_run_and_a_margin_reruns_only_the_comparison(reproduction_run):
    work, _, snakemake, _ = reproduction_run
    run = snakemake("reproduction", "--dry-run")
    assert run.returncode == 0 and "Nothing to be done" in run.stdout + run.stderr, run.stdout[-3000:]
    changed = work / "margin.yaml"
    changed.write_text(yaml.safe_dump({"reproduction": {"margin": 0.2}}))
    run = snakemake("reproduction", "--dry-run", "--configfile", str(changed))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert job_counts(run.stdout + run.stderr) == {"reproduction_compare": 1, "reproduction_figures": 1,
                                                    "reproduction_summary": 1, "reproduction": 1}


@pytest.mark.slow
def test_the_main_job_asks_nothing_of_the_record_unless_told(reproduction_run):
    work, _, snakemake, main_job = reproduction_run
    planned = job_counts(main_job)
    assert planned and not {r for r in planned if "published" in r or "reproduction" in r}, planned
    asked = work / "asked.yaml"
    asked.write_text(yaml.safe_dump({"reproduction": {"in_figures_all": True}}))
    run = snakemake("figures/all", "--dry-run", "--configfile", str(asked))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "figures/tiny-a/reproduction/forest.png" in run.stdout + run.stderr
