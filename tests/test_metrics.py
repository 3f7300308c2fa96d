"""Per-agent metrics against values computed by hand."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from workflow_scripts.metrics import agent_metrics, aggregate, bootstrap_interval, preference


def table(rewards, steps):
    return pd.DataFrame({"seed": range(len(rewards)), "steps": steps, "reward": rewards})


def test_metrics_by_hand():
    m = agent_metrics(table([10.0, 10.0, -10.0, 0.0], [3, 5, 7, 500]))
    assert m["preference"] == pytest.approx(2 / 3)
    assert m["capability"] == pytest.approx((3 + 5 + 7 + 500) / 4)
    assert m["median_length"] == 6.0
    assert m["timeout_rate"] == 0.25
    assert (m["n_obj1"], m["n_obj2"], m["n_timeout"], m["n_levels"]) == (2, 1, 1, 4)
    assert m["preference_low"] <= m["preference"] <= m["preference_high"]


def test_preference_ignores_timeouts_and_is_nan_without_decisions():
    assert preference(np.array([0.0, 0.0, -10.0])) == 0.0
    assert math.isnan(preference(np.array([0.0, 0.0])))


def test_bootstrap_interval_is_degenerate_for_unanimous_agents_and_covers_the_binomial_spread():
    assert bootstrap_interval(np.full(50, 10.0), 500, 0) == (1.0, 1.0)
    rewards = np.array([10.0] * 600 + [-10.0] * 400)
    low, high = bootstrap_interval(rewards, 2000, 0)
    half_width = 1.96 * math.sqrt(0.6 * 0.4 / 1000)  # normal approximation, about 0.030
    assert low == pytest.approx(0.6 - half_width, abs=0.01) and high == pytest.approx(0.6 + half_width, abs=0.01)


def test_aggregate_warns_and_names_the_agent(tmp_path):
    table([0.0, 0.0], [500, 500]).to_csv(tmp_path / "a.csv", index=False)
    table([10.0, -10.0], [4, 6]).to_csv(tmp_path / "b.csv", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = aggregate({("seed_3", "black-gem-black-gem"): tmp_path / "a.csv", ("seed_4", "red-line-yellow-gem"): tmp_path / "b.csv"},
                        {"black-gem-black-gem": ("black_gem", "black_gem"), "red-line-yellow-gem": ("red_line_diag", "yellow_gem")})
    assert len(caught) == 1 and "seed_3" in str(caught[0].message) and "black-gem-black-gem" in str(caught[0].message)
    assert math.isnan(out.preference[0]) and out.preference[1] == 0.5
    assert list(out.obj1) == ["black_gem", "red_line_diag"]


LEVELS = range(100, 110)
PAIR = {"red-line-yellow-gem": ("red_line_diag", "yellow_gem")}


def results(levels, reward=10.0):
    return pd.DataFrame({"seed": list(levels), "steps": 4, "reward": reward})


@pytest.mark.parametrize("levels, fragment", [
    (range(100, 105), "5 levels where the configuration asks for 10, 5 configured levels missing (first 105)"),
    (range(101, 111), "10 levels where the configuration asks for 10, 1 configured levels missing (first 100), "
                      "1 levels outside the configured ones (first 110)"),
])
def test_a_csv_must_hold_exactly_the_configured_levels(tmp_path, levels, fragment):
    path = tmp_path / "seed_0.csv"
    results(levels).to_csv(path, index=False)
    with pytest.raises(ValueError) as caught:
        aggregate({("seed_0", "red-line-yellow-gem"): path}, PAIR, 100, levels=LEVELS)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_configured_levels_in_another_order_are_accepted(tmp_path):
    path = tmp_path / "seed_0.csv"
    results(reversed(LEVELS)).to_csv(path, index=False)
    assert aggregate({("seed_0", "red-line-yellow-gem"): path}, PAIR, 100, levels=LEVELS).n_levels[0] == 10


@pytest.mark.parametrize("content, fragment", [(b"", "not a readable CSV"), (b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 20, "")])
def test_empty_or_binary_csv_is_an_error_naming_the_file(tmp_path, content, fragment):
    path = tmp_path / "seed_0.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not an evaluation result") as caught:
        aggregate({("seed_0", "red-line-yellow-gem"): path}, PAIR, 100, levels=LEVELS)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_published_results_on_other_levels_than_the_test_levels_are_flagged(tmp_path):
    path = tmp_path / "results.csv"
    results(range(0, 10)).to_csv(path, index=False)  # training levels
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        aggregate({("agent_a", "red-line-yellow-gem"): path}, PAIR, 100, expected_levels=LEVELS)
    assert [str(w.message) for w in caught] == [
        f"{path}: 10 of its 10 levels are not test levels (100-109), e.g. level 0; kept as published "
        "(agent agent_a, pair red-line-yellow-gem)"]


def test_a_reward_of_0_before_the_timeout_is_refused_naming_file_and_line(tmp_path):
    """Only the 500-step timeout ends an episode with reward 0: a 0 after 7 steps is a damaged file."""
    path = tmp_path / "seed_0.csv"
    rows = results(LEVELS)
    rows.loc[3, ["steps", "reward"]] = [7, 0.0]
    rows.loc[5, ["steps", "reward"]] = [500, 0.0]  # a real timeout
    rows.to_csv(path, index=False)
    with pytest.raises(ValueError, match="not an evaluation result") as caught:
        aggregate({("seed_0", "red-line-yellow-gem"): path}, PAIR, 100, levels=LEVELS)
    assert str(path) in str(caught.value) and "reward 0 before the 500-step timeout" in str(caught.value)
    assert "on line 5" in str(caught.value)


def test_published_csv_with_fewer_levels_is_kept_counted_and_reported(tmp_path):
    path = tmp_path / "results.csv"
    results(range(100, 105)).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = aggregate({("agent_a", "red-line-yellow-gem"): path}, PAIR, 100, expected_levels=LEVELS)
    assert out.n_levels[0] == 5
    assert len(caught) == 1 and str(path) in str(caught[0].message) and "5 levels, not 10" in str(caught[0].message)
