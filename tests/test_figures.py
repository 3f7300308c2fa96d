"""Figures: plotted data read back from the artists, icons against the spec's object masks."""

import hashlib
import time

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.offsetbox import AnnotationBbox
from matplotlib.patches import Rectangle, StepPatch
from PIL import Image

from workflow_scripts.analysis import ols_fit
from workflow_scripts.figures import (experiment_summary, icon_sheet, learning_curves, ols_figure,
                                      preference_capability_scatter, read_icons, save_figure)
from workflow_scripts.icons import object_icon, save_icon
from workflow_scripts.listing import listed_files, listing_text

SAMPLES = np.arange(3, 128, 10)  # the original notebook's arr[3::10, 3::10]


def made_up_icons(*names):
    """A distinct random 13x13 icon per object: the plots must draw exactly the icons they are given."""
    rng = np.random.default_rng(0)
    return {name: rng.integers(0, 256, (13, 13, 3), dtype=np.uint8) for name in names}


def line_mask(x, y):
    """maze-game.md §7.2: opaque iff |x - y| <= 14 and 10 <= x + y <= 246."""
    return (abs(x - y) <= 14) & (x + y >= 10) & (x + y <= 246)


@pytest.mark.parametrize("background, fill", [("black", 0), ("grey", 127)])
def test_line_icon_follows_the_mask(engine, background, fill):
    icon = object_icon("red_line_diag", background)
    y, x = np.meshgrid(SAMPLES, SAMPLES, indexing="ij")
    expected = np.where(line_mask(x, y)[..., None], np.array([255, 0, 0]), np.array([fill] * 3))
    np.testing.assert_array_equal(icon, expected)


def test_custom_colour_and_textured_icons(engine):
    icon = object_icon("orange_gem", "textured", {"orange": [255, 128, 0]})
    assert icon.shape == (13, 13, 3)
    orange = (icon == [255, 128, 0]).all(-1)
    assert 5 <= orange.sum() <= 40  # the gem covers rows 40-87, columns 29-98 of 128
    assert len(np.unique(icon[~orange].reshape(-1, 3), axis=0)) > 5  # a texture, not a fill
    assert not (object_icon("invisible_gem", "black") != 0).any()


@pytest.mark.parametrize("background", ["black", "grey", "textured"])
def test_the_icon_pngs_hold_exactly_the_rendered_icons(engine, tmp_path, background):
    """What the plots read from rule object_icons' PNGs is the array rendered from the engine, outline included
    (a black line on black), in dtype and shape too."""
    colours = {"orange": [255, 128, 0]}
    names = ["black_line_diag", "black_gem", "red_line_diag", "yellow_gem", "orange_gem", "invisible_gem"]
    rendered = {name: object_icon(name, background, colours) for name in names}
    assert not (rendered["black_line_diag"] == object_icon("invisible_gem", background)).all()
    for name, icon in rendered.items():
        save_icon(icon, tmp_path / f"{name}.png")
    read = read_icons(sorted(tmp_path.glob("*.png")))
    assert set(read) == set(names)
    for name, icon in rendered.items():
        assert read[name].dtype == icon.dtype == np.uint8 and read[name].shape == icon.shape == (13, 13, 3)
        np.testing.assert_array_equal(read[name], icon)


def test_an_icon_png_that_is_not_rgb_is_refused(tmp_path):
    Image.new("RGBA", (13, 13)).save(tmp_path / "red_gem.png")
    with pytest.raises(ValueError, match="red_gem.png: an icon is an RGB PNG, this one is RGBA"):
        read_icons([tmp_path / "red_gem.png"])


def test_scatter_plots_the_table(tmp_path):
    table = pd.DataFrame({"agent": ["a", "b", "c", "d"], "capability": [4.2, 150.0, 37.5, 12.0],
                          "preference": [0.25, 0.9, np.nan, 1.0]})
    icons = made_up_icons("red_line_diag", "yellow_gem")
    fig = preference_capability_scatter(table, "red_line_diag", "yellow_gem", "yellow_line_diag", icons)
    ax = fig.axes[0]
    points = ax.collections[0].get_offsets()
    shown = ~np.isnan(np.asarray(points)[:, 1])
    np.testing.assert_allclose(np.asarray(points)[shown], [[4.2, 0.25], [100.0, 0.9], [12.0, 1.0]])
    assert ax.get_xlim() == (0, 105) and ax.get_ylim() == (0, 1)
    assert ax.get_title() == "Trained on yellow line" and ax.get_ylabel() == "Preference for red line"
    # The agent beyond 100 is drawn at 100, inside the frame, in its own colour and counted.
    colours = ax.collections[0].get_facecolors()[:, :3]
    assert (colours[1] != colours[0]).any() and (colours[0] == colours[2]).all()
    assert [t.get_text() for t in ax.texts if "beyond" in t.get_text()] == ["1 beyond 100, at 100"]
    drawn = [a for a in ax.artists if isinstance(a, AnnotationBbox)]
    assert len(drawn) == 2
    np.testing.assert_array_equal(drawn[0].offsetbox.get_data(), icons["red_line_diag"])
    np.testing.assert_array_equal(drawn[1].offsetbox.get_data(), icons["yellow_gem"])
    assert drawn[0].xy == (0, 1.0) and drawn[1].xy == (0, 0.0)  # obj1 top left, obj2 bottom left
    save_figure(fig, tmp_path / "s.png", tmp_path / "s.pdf")
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_same_figure_saved_twice_is_the_same_bytes(tmp_path):
    """A PDF carries no creation date: redrawing a figure from the same results (a rerun, another day) gives
    the same file, which figures/all lists by checksum."""
    for run in ("a", "b"):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        save_figure(fig, tmp_path / f"{run}.png", tmp_path / f"{run}.pdf")
        time.sleep(1.1)  # the PDF date has a resolution of one second
    assert b"CreationDate" not in (tmp_path / "a.pdf").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_listing_has_every_figure_with_its_checksum_then_those_left_out():
    """figures/all's format, as its rule writes it and the stale-results guard reads it back."""
    one, two = hashlib.sha256(b"one").hexdigest(), hashlib.sha256(b"two").hexdigest()
    text = listing_text([("figures/b.png", one), ("figures/a  b.pdf", two)], {"figures/c.gif": "no models"})
    assert text == f"{two}  figures/a  b.pdf\n{one}  figures/b.png\n# left out  figures/c.gif  no models\n"
    assert listed_files(text) == [("figures/a  b.pdf", two), ("figures/b.png", one)]


def test_ols_line_is_drawn():
    rng = np.random.default_rng(0)
    x = pd.Series(rng.uniform(0, 1, 40))
    y = pd.Series(0.1 + 0.7 * x + rng.normal(0, 0.05, 40))
    icons = made_up_icons("green_line_diag", "red_line_diag", "yellow_gem")
    fit = ols_fit(x, y)
    fig = ols_figure(x, y, fit, ("green_line_diag", "red_line_diag"), ("yellow_gem", "red_line_diag"), icons)
    slope, intercept, r2 = fit["slope"], fit["intercept"], fit["r2"]
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), np.column_stack([x, y]))
    line_x, line_y = ax.lines[0].get_data()
    np.testing.assert_allclose(line_x, [x.min(), x.max()])
    np.testing.assert_allclose(line_y, intercept + slope * np.array([x.min(), x.max()]))
    assert ax.get_legend().get_texts()[0].get_text() == (
        f"OLS, n=40: R^2={r2:.3f}, coef0={intercept:.3f}, coef1={slope:.3f}")
    assert ax.get_title() == ""
    assert ax.get_xlabel() == "Preference for green line" and ax.get_ylabel() == "Preference for yellow gem"
    small = ols_figure(x[:2], y[:2], ols_fit(x[:2], y[:2]), ("green_line_diag", "red_line_diag"),
                       ("yellow_gem", "red_line_diag"), icons).axes[0]
    assert small.get_title() == "only 2 agents: too few for the fit to mean anything (fewer than 10)"
    drawn = [a.offsetbox.get_data() for a in ax.artists if isinstance(a, AnnotationBbox)]
    assert len(drawn) == 3
    for icon, name in zip(drawn, ["yellow_gem", "red_line_diag", "green_line_diag"]):
        np.testing.assert_array_equal(icon, icons[name])


def test_summary_has_one_panel_per_pair_with_its_agents():
    pairs = {"red-line-yellow-gem": ("red_line_diag", "yellow_gem"), "green-line-red-line": ("green_line_diag", "red_line_diag"),
             "white-line-yellow-gem": ("white_line_diag", "yellow_gem")}
    rng = np.random.default_rng(1)
    table = pd.DataFrame([{"agent": f"seed_{s}", "pair": p, "capability": rng.uniform(3, 180), "preference": rng.uniform()}
                          for p in pairs for s in range(5)])
    icons = made_up_icons("red_line_diag", "yellow_gem", "green_line_diag", "white_line_diag")
    fig = experiment_summary(table, pairs, "yellow_line_diag", "black", "exp", icons, columns=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 4 and len(visible) == 3
    for ax, (name, (obj1, obj2)) in zip(visible, pairs.items()):
        rows = table[table["pair"] == name]
        np.testing.assert_allclose(ax.collections[0].get_offsets(),
                                   np.column_stack([np.minimum(rows["capability"], 100), rows["preference"]]))
        assert ax.get_xlim() == (0, 105) and ax.get_ylim() == (0, 1)
        assert ax.get_title() == f"{obj1.replace('_diag', '').replace('_', ' ')} vs {obj2.replace('_diag', '').replace('_', ' ')}"
        drawn = [a.offsetbox.get_data() for a in ax.artists if isinstance(a, AnnotationBbox)]
        assert len(drawn) == 2
        np.testing.assert_array_equal(drawn[0], icons[obj1])
        np.testing.assert_array_equal(drawn[1], icons[obj2])
    # The panel above the empty slot ends its column, so it carries the x tick labels.
    assert any(t.get_visible() and t.get_text() for t in visible[1].get_xticklabels())


def test_learning_curves_draw_every_seed_and_the_median():
    logs = {s: pd.DataFrame({"timesteps": [100, 200, 300], "mean_episode_length": [300.0 - s, 50.0 + s, 5.0 * s],
                             "mean_episode_reward": [0.0, 5.0 + s, 10.0]}) for s in range(3)}
    fig = learning_curves(logs, "exp", first_timeout=150)
    length_ax, reward_ax = fig.axes
    for ax in fig.axes:  # the start, before any episode can time out, is shaded and says why
        (shade,) = ax.patches
        assert shade.get_x() == 0 and shade.get_width() == 150 and "time out" in shade.get_label()
    for ax, column in [(length_ax, "mean_episode_length"), (reward_ax, "mean_episode_reward")]:
        *seed_lines, median = ax.lines
        assert len(seed_lines) == 3
        for line, log in zip(seed_lines, logs.values()):
            np.testing.assert_array_equal(line.get_xdata(), log["timesteps"])
            np.testing.assert_array_equal(line.get_ydata(), log[column])
        np.testing.assert_array_equal(median.get_ydata(), logs[1][column])  # seed 1 is the middle one throughout


@pytest.mark.parametrize("background", ["black", "grey", "textured"])
def test_every_icon_stands_out_from_its_background(engine, background):
    """Each object, in every built-in colour, differs visibly from the bare background somewhere in its icon
    (a black line on black gets an outline); the engine's sprite itself is left as it is."""
    bare = object_icon("invisible_gem", background).astype(int)
    for colour in ("black", "blue", "cyan", "green", "purple", "red", "white", "yellow"):
        for shape in ("line_diag", "gem"):
            icon = object_icon(f"{colour}_{shape}", background).astype(int)
            assert np.abs(icon - bare).max() >= 100, f"{colour}_{shape} on {background}"


def test_icon_sheet_shows_each_icon():
    objects = ["black_gem", "red_line_diag", "yellow_gem"]
    icons = {"black": made_up_icons(*objects), "grey": {o: 255 - icon for o, icon in made_up_icons(*objects).items()}}
    fig = icon_sheet(icons)
    assert len(fig.axes) == 6
    for ax, (background, name) in zip(fig.axes, [(b, o) for b in ("black", "grey") for o in objects]):
        np.testing.assert_array_equal(ax.images[0].get_array(), icons[background][name])
    assert [ax.get_xlabel() for ax in fig.axes[3:]] == ["black\ngem", "red\nline", "yellow\ngem"]
    assert [fig.axes[i].get_ylabel() for i in (0, 3)] == ["black", "grey"]


def test_scatter_rings_flagged_agents_and_draws_intervals():
    table = pd.DataFrame({"agent": ["a", "2023-02-10__09-48-21__seed_8998", "c"], "capability": [4.2, 150.0, 12.0],
                          "preference": [0.25, 0.9, 0.5], "preference_low": [0.2, 0.85, 0.4],
                          "preference_high": [0.3, 0.95, 0.55]})
    icons = made_up_icons("red_line_diag", "yellow_gem")
    fig = preference_capability_scatter(table, "red_line_diag", "yellow_gem", "yellow_line_diag", icons,
                                        flagged={"2023-02-10__09-48-21__seed_8998", "not-in-this-pair"},
                                        intervals=True)
    ax = fig.axes[0]
    dots, bars, rings = ax.collections
    np.testing.assert_allclose(dots.get_offsets(), [[4.2, 0.25], [100, 0.9], [12.0, 0.5]])
    segments = [np.asarray(s) for s in bars.get_segments()]
    np.testing.assert_allclose([s[:, 1] for s in segments], table[["preference_low", "preference_high"]])
    np.testing.assert_allclose(rings.get_offsets(), [[100, 0.9]])
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("seed")] == ["seed_8998"]
    plain = preference_capability_scatter(table, "red_line_diag", "yellow_gem", "yellow_line_diag", icons)
    assert len(plain.axes[0].collections) == 1


def test_channel_figures_show_the_preferences_and_effects():
    from tests.test_analysis import BITS, logistic_population
    from workflow_scripts.analysis import channel_classes, channel_effects
    from workflow_scripts.analysis_figures import channel_planes, channel_preferences

    weights = np.array([[0.0, 0.0, 0.0, -4.0], [-3.0, 6.0, 0.0, 0.0], [-3.0, 0.0, 6.0, 0.0]])
    table, _ = logistic_population(weights, np.random.default_rng(0))
    effects = channel_effects(table, "yellow_gem")
    classes = channel_classes(effects)
    fig = channel_preferences(table, "yellow_gem", classes, "exp")
    image = fig.axes[0].images[0].get_array()
    order = ["seed_1", "seed_2", "seed_0"]  # +R, +G, -B
    columns = [f"{c}_line_diag" for c, _ in sorted(BITS.items(), key=lambda i: i[1])]
    expected = table.pivot(index="agent", columns="obj1", values="preference").loc[order, columns]
    np.testing.assert_allclose(image, expected.to_numpy())
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["seed_1  +R", "seed_2  +G", "seed_0  -B"]
    planes = channel_planes(effects, classes, "exp")
    rg = planes.axes[0]
    points = np.concatenate([line.get_xydata() for line in rg.lines if len(line.get_xydata()) and line.get_marker() == "o"])
    np.testing.assert_allclose(sorted(map(tuple, points)), sorted(zip(effects["effect_r"], effects["effect_g"])))


def test_seed_variation_figure_shows_observed_and_binomial_spread():
    from tests.test_analysis import beta_binomial_population
    from workflow_scripts.analysis import binomial_noise, seed_variation
    from workflow_scripts.analysis_figures import seed_variation_figure

    table = beta_binomial_population(0.4, 0.2, agents=30, pairs=2, rng=np.random.default_rng(0))
    pairs = {"pair-0": ("red_line_diag", "yellow_gem"), "pair-1": ("red_line_diag", "yellow_gem")}
    variation = seed_variation(table)
    fig = seed_variation_figure(table, variation, pairs, "exp", columns=4, bins=10)
    for ax, pair in zip(fig.axes, pairs):
        rows = table[table["pair"] == pair]
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        np.testing.assert_array_equal([b.get_height() for b in bars],
                                      np.histogram(rows["preference"], np.linspace(0, 1, 11))[0])
        stairs, = [p for p in ax.patches if isinstance(p, StepPatch)]
        np.testing.assert_allclose(stairs.get_data().values, binomial_noise(rows, np.linspace(0, 1, 11)))
        icc = variation.set_index("pair").loc[pair, "icc"]
        assert f"ICC {icc:.2f}" in ax.get_title()
