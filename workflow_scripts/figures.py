"""The paper's figures, drawn with matplotlib from the aggregated tables.

The objects' icons are drawn from the PNGs that the rule object_icons renders (workflow_scripts/icons.py):
no figure here needs the engine.
"""

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.offsetbox import AnnotationBbox, OffsetImage  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from PIL import Image  # noqa: E402

from workflow_scripts.atomic import atomic_path  # noqa: E402
from workflow_scripts.game import TIMEOUT  # noqa: E402
from workflow_scripts.objects import object_label  # noqa: E402

CAPABILITY_CLIP = 100  # mean episode lengths above this are drawn at 100, as in the original plots
# Below this many agents an OLS line through preferences says nothing (with 2 agents R^2 is 1 by construction).
OLS_MIN_AGENTS = 10


def read_icons(paths: Iterable[str | os.PathLike[str]]) -> dict[str, np.ndarray]:
    """{object: icon} of icon PNGs named <object>.png (icons.save_icon), as the uint8 RGB arrays they were saved
    from."""
    icons = {}
    for path in paths:
        with Image.open(path) as image:
            # Another mode would draw other pixels than the icon that was saved: a PNG replaced by hand.
            if image.mode != "RGB":
                raise ValueError(f"{path}: an icon is an RGB PNG, this one is {image.mode}")
            icons[Path(path).stem] = np.array(image)
    return icons


def plotted(table: pd.DataFrame) -> pd.DataFrame:
    """The rows the scatter plots show: agents on the blacklist are left out, as the original did."""
    return table[~table["blacklisted"].astype(bool)]


def preference_capability_scatter(table: pd.DataFrame, obj1: str, obj2: str, goal: str,
                                  icons: Mapping[str, np.ndarray], flagged: Collection[str] = (),
                                  intervals: bool = False) -> Figure:
    """One dot per agent: x = mean episode length clipped at 100, y = preference for obj1; obj1's icon at
    the top left, obj2's at the bottom left (beside the y axis), from `icons` {object: icon on the
    experiment's background}. Agents that reached no object (NaN preference) cannot be placed and are left
    out. `flagged` agents (outliers) get a red ring and their name; `intervals` draws each preference's 95%
    interval (preference_low/high)."""
    fig, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
    _scatter_axes(ax, table, flagged=flagged, intervals=intervals)
    ax.set(xlabel=f"Mean episode length (clipped at {CAPABILITY_CLIP})", title=f"Trained on {object_label(goal)}")
    ax.set_ylabel(f"Preference for {object_label(obj1)}", labelpad=52)
    # Icons sit outside the axes, beside the y-axis ends, so no agent's dot can hide behind one.
    _icon_at(ax, obj1, (0, 1), (-50, 0), icons, label_dy=26)
    _icon_at(ax, obj2, (0, 0), (-50, 0), icons)
    return fig


def agent_label(agent: str) -> str:
    """A short name for a plot: the original's 2023-02-10__09-48-21__seed_8998 -> seed_8998."""
    return agent.rsplit("__", 1)[-1]


def _scatter_axes(ax, table: pd.DataFrame, size: float = 28, flagged: Collection[str] = (),
                  intervals: bool = False) -> None:
    """The dots of a preference-capability plot, on axes 0-1 high and 0-100 wide plus a margin where the
    agents beyond 100 sit at 100 in orange, counted in a note; rings and names on the flagged agents,
    vertical 95% intervals when asked (drawn after the dots, which stay the first collection)."""
    x = np.minimum(table["capability"], CAPABILITY_CLIP)
    beyond = (table["capability"] > CAPABILITY_CLIP).to_numpy()
    ax.scatter(x, table["preference"], s=size, alpha=0.8, color=np.where(beyond, "tab:orange", "tab:blue"),
               edgecolor="none", zorder=3, clip_on=False)  # whole dots at the top and bottom edges
    ax.axvline(CAPABILITY_CLIP, color="0.6", lw=0.6, ls=":", zorder=1)
    if beyond.any():
        shown = int(table["preference"][beyond].notna().sum())
        ax.annotate(f"{shown} beyond {CAPABILITY_CLIP}, at {CAPABILITY_CLIP}", (1, 0), xycoords="axes fraction",
                    xytext=(-3, 3), textcoords="offset points", ha="right", va="bottom", fontsize=7,
                    color="tab:orange")
    if intervals:
        low = (table["preference"] - table["preference_low"]).clip(lower=0)
        high = (table["preference_high"] - table["preference"]).clip(lower=0)
        ax.errorbar(x, table["preference"], yerr=[low, high], fmt="none", ecolor="tab:blue", alpha=0.35,
                    elinewidth=0.8, zorder=2, clip_on=False)
    marked = table[table["agent"].isin(list(flagged)) & table["preference"].notna()]
    if not marked.empty:
        mx = np.minimum(marked["capability"], CAPABILITY_CLIP)
        ax.scatter(mx, marked["preference"], s=size * 5, facecolor="none", edgecolor="tab:red", linewidth=1.4,
                   zorder=4, clip_on=False)
        for xi, yi, agent in zip(mx, marked["preference"], marked["agent"]):
            ax.annotate(agent_label(agent), (xi, yi), xytext=(5, 5), textcoords="offset points", fontsize=7,
                        color="tab:red", zorder=5, annotation_clip=False)
    ax.set(xlim=(0, CAPABILITY_CLIP * 1.05), ylim=(0, 1), xticks=np.linspace(0, CAPABILITY_CLIP, 6))
    ax.grid(alpha=0.3)


def experiment_summary(table: pd.DataFrame, pairs: Mapping[str, Sequence[str]], goal: str, background: str,
                       title: str, icons: Mapping[str, np.ndarray], columns: int = 4,
                       flagged: Mapping[str, Collection[str]] | None = None) -> Figure:
    """All pairs of an experiment as small multiples of the scatter, in config order, sharing axes; each
    panel has obj1's icon at its top left and obj2's at its bottom left (`icons` {object: icon on the
    background}); `flagged` {pair: agents} are ringed."""
    cols = min(columns, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.9 * cols + 0.4, 2.8 * rows + 0.8), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for i, (ax, (name, (obj1, obj2))) in enumerate(zip(axes.flat, pairs.items())):
        _scatter_axes(ax, table[table["pair"] == name], size=12, flagged=(flagged or {}).get(name, ()))
        ax.set_title(f"{object_label(obj1)} vs {object_label(obj2)}", fontsize=9)
        dx = -44 if i % cols == 0 else -24  # the first column's icons go left of its tick labels
        _icon_at(ax, obj1, (0, 1), (dx, -8), icons, zoom=1.2, label=False)
        _icon_at(ax, obj2, (0, 0), (dx, 8), icons, zoom=1.2, label=False)
    for i in range(len(pairs), rows * cols):
        axes.flat[i].set_visible(False)
        axes.flat[i - cols].xaxis.set_tick_params(labelbottom=True)  # the panel above now ends its column
    fig.supxlabel("Mean episode length (clipped at 100)")
    fig.supylabel(f"Preference for the first object ({table['agent'].nunique()} agents)")
    fig.suptitle(f"{title}: trained on {object_label(goal)}, {background} background")
    return fig


def learning_curves(logs: Mapping[int | str, pd.DataFrame], title: str, first_timeout: int | None = None) -> Figure:
    """Each seed's mean episode length and mean episode reward (columns mean_episode_length and
    mean_episode_reward of its training log) against timesteps, one thin line per seed, with the median
    across the seeds logged at each timestep; ours and published agents alike (read_training_log).
    `first_timeout`, the timestep by which every env could have timed out (500 steps x envs), shades the
    start, where only episodes that ended early count: mostly successes, so the reward starts high."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for ax, column, label in [(axes[0], "mean_episode_length", "Mean episode length"),
                              (axes[1], "mean_episode_reward", "Mean episode reward")]:
        if first_timeout is not None:
            ax.axvspan(0, first_timeout, color="0.88", zorder=0, lw=0,
                       label=f"before any episode can time out ({TIMEOUT} steps):\nonly early ends, mostly successes, count")
        for log in logs.values():
            ax.plot(log["timesteps"], log[column], color="tab:blue", lw=0.8, alpha=0.35)
        wide = pd.concat({seed: log.set_index("timesteps")[column] for seed, log in logs.items()}, axis=1).sort_index()
        ax.plot(wide.index, wide.median(axis=1), color="black", lw=2, label=f"median of {len(logs)} seeds")
        ax.set(xlabel="Timesteps", ylabel=label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"{title}: training of every seed")
    return fig


def icon_sheet(icons: Mapping[str, Mapping[str, np.ndarray]]) -> Figure:
    """Every object's 13x13 plot icon on each background, from {background: {object: icon}}: a row per
    background, a column per object (every background has the same objects, in the same order)."""
    backgrounds = list(icons)
    objects = list(icons[backgrounds[0]])
    fig, axes = plt.subplots(len(backgrounds), len(objects), squeeze=False, layout="constrained",
                             figsize=(0.75 * len(objects) + 0.8, 0.95 * len(backgrounds) + 0.5))
    for row, background in zip(axes, backgrounds):
        for ax, name in zip(row, objects):
            ax.imshow(icons[background][name], interpolation="nearest")
            ax.set(xticks=[], yticks=[])
        row[0].set_ylabel(background, fontsize=8)
    for ax, name in zip(axes[-1], objects):
        ax.set_xlabel(object_label(name).replace(" ", "\n"), fontsize=7)
    return fig


def _icon_at(ax, name: str, xy: tuple[float, float], offset: tuple[float, float], icons: Mapping[str, np.ndarray],
             label_dy: float = -26, zoom: float = 2.4, label: bool = True) -> None:
    """An object's icon (icons[name]) just outside the axes, next to the axes-fraction point xy, with (when
    label) its name label_dy points above (positive) or below (negative) it."""
    icon = OffsetImage(icons[name], zoom=zoom, interpolation="nearest")
    ax.add_artist(AnnotationBbox(icon, xy, xycoords="axes fraction", xybox=offset, boxcoords="offset points",
                                 frameon=True, pad=0.1, annotation_clip=False))
    if label:
        ax.annotate(object_label(name), xy, xycoords="axes fraction", xytext=(offset[0], offset[1] + label_dy),
                    textcoords="offset points", ha="center", va="center", fontsize=9, annotation_clip=False)


def ols_figure(x: pd.Series, y: pd.Series, fit: Mapping[str, float], x_pair: Sequence[str], y_pair: Sequence[str],
               icons: Mapping[str, np.ndarray]) -> Figure:
    """One agent's preference in one pair against another pair's (the paper's OLS figure), with the OLS line
    (`fit`, analysis.ols_fit of y on x) over the observed x range; x_pair = (obj1, obj2) of the x axis, y_pair
    likewise, sharing obj2; `icons` {object: icon on the experiment's background}."""
    fig, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
    ax.scatter(x, y, s=28, alpha=0.8, color="tab:blue", edgecolor="none", zorder=3)
    xs = np.array([np.nanmin(x), np.nanmax(x)])
    ax.plot(xs, fit["intercept"] + fit["slope"] * xs, color="tab:red", zorder=4,
            label=f"OLS, n={fit['n']}: R^2={fit['r2']:.3f}, coef0={fit['intercept']:.3f}, coef1={fit['slope']:.3f}")
    if fit["n"] < OLS_MIN_AGENTS:
        ax.set_title(f"only {fit['n']} agents: too few for the fit to mean anything (fewer than {OLS_MIN_AGENTS})",
                     fontsize=8, color="tab:red")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel=f"Preference for {object_label(x_pair[0])}",
           ylabel=f"Preference for {object_label(y_pair[0])}")
    ax.yaxis.labelpad, ax.xaxis.labelpad = 52, 30
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    _icon_at(ax, y_pair[0], (0, 1), (-50, 0), icons)  # y axis: its obj1 at the top
    _icon_at(ax, x_pair[1], (0, 0), (-50, -10), icons)  # the shared obj2 at the origin
    _icon_at(ax, x_pair[0], (1, 0), (0, -44), icons)  # x axis: its obj1 at the right
    return fig


def _half_width(table: pd.DataFrame, column: str, source: str) -> pd.Series:
    """Half the normal 95% interval of an agent's preference or mean episode length in one evaluation."""
    if column == "preference":
        p, n = table[f"preference_{source}"], table[f"decided_{source}"]
        return 1.96 * np.sqrt(p * (1 - p) / n)
    return 1.96 * table[f"capability_se_{source}"]


def _plain_number(value: float, _pos: int, minor: bool = False) -> str:
    """Log-axis tick labels as plain numbers (80, not 8x10^1); on minor ticks only the 2s and 5s."""
    if minor and round(value / 10 ** np.floor(np.log10(value))) not in (2, 5):
        return ""
    return f"{value:g}"


def published_comparison(table: pd.DataFrame, obj1: str, obj2: str, title: str) -> Figure:
    """Agent by agent, our evaluation of published agents (y) against their published CSVs (x): preference
    for obj1 (left) and mean episode length (right, log scale), each with 95% intervals and the identity
    line; the titles count the agents whose two evaluations differ at the 5% level (|z| > 1.96)."""
    fig, (pref_ax, cap_ax) = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
    for ax, column, label in [(pref_ax, "preference", f"Preference for {object_label(obj1)}"),
                              (cap_ax, "capability", "Mean episode length")]:
        x, y = table[f"{column}_published"].to_numpy(float), table[f"{column}_ours"].to_numpy(float)
        ax.errorbar(x, y, xerr=_half_width(table, column, "published"), yerr=_half_width(table, column, "ours"),
                    fmt="o", ms=4, color="tab:blue", ecolor="0.7", elinewidth=1, zorder=3)
        if column == "preference":
            low, high = 0.0, 1.0
        else:
            low, high = max(1.0, 0.8 * min(x.min(), y.min())), 1.25 * max(x.max(), y.max())
            ax.set(xscale="log", yscale="log")
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_formatter(FuncFormatter(_plain_number))
                axis.set_minor_formatter(FuncFormatter(lambda v, pos: _plain_number(v, pos, minor=True)))
        ax.plot([low, high], [low, high], color="0.4", lw=1, ls="--", zorder=2, label="equal")
        ax.set(xlim=(low, high), ylim=(low, high), xlabel=f"{label}, published", ylabel=f"{label}, our engine")
        differ = int((table[f"{column}_z"].abs() > 1.96).sum())
        ax.set_title(f"{differ} of {len(table)} agents differ at the 5% level", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle(f"{title}: {object_label(obj1)} vs {object_label(obj2)}, published agents re-evaluated")
    return fig


def save_figure(fig: Figure, *paths: str | os.PathLike[str]) -> None:
    """Writes the figure to each path (format from the suffix), atomically, and closes it. A PDF carries no
    creation date, so that the same results draw the same bytes (figures/all lists their checksums)."""
    for path in paths:
        kind = Path(path).suffix[1:]
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=kind, dpi=150, metadata={"CreationDate": None} if kind == "pdf" else None)
    plt.close(fig)
