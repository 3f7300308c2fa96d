"""Figures of the analyses (workflow_scripts/analysis.py): each agent's preference over the 8 line colours,
the agents in the planes of two channel effects, and each pair's spread of preferences beside binomial noise."""

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from workflow_scripts.analysis import MIN_ICC_AGENTS, binomial_noise, channel_bits  # noqa: E402
from workflow_scripts.figures import agent_label  # noqa: E402
from workflow_scripts.objects import object_label  # noqa: E402

CLASS_COLOURS = {"+R": "tab:red", "+G": "tab:green", "+B": "tab:blue", "-R": "salmon", "-G": "yellowgreen",
                 "-B": "lightblue", "none": "0.5"}


def channel_order(classes: pd.DataFrame) -> list[str]:
    """Agents sorted by dominant channel (in CLASS_COLOURS order), then by their channels, then by name."""
    rank = {label: i for i, label in enumerate(CLASS_COLOURS)}
    ordered = classes.assign(_rank=classes["dominant"].map(rank)).sort_values(["_rank", "channels", "agent"])
    return list(ordered["agent"])


def channel_preferences(table: pd.DataFrame, reference: str, classes: pd.DataFrame, title: str) -> Figure:
    """Heat map: one row per agent (sorted by channel_order, labelled with its channels), one column per
    line colour in bit order (black 000 ... white 111), colour = preference for the line over `reference`."""
    lines = list(channel_bits())
    rows = table[(table["obj2"] == reference) & table["obj1"].isin(lines)]
    wide = rows.pivot(index="agent", columns="obj1", values="preference").loc[channel_order(classes), lines]
    labels = classes.set_index("agent")["channels"].fillna("n/a")
    fig, ax = plt.subplots(figsize=(7.5, 2.2 + 0.16 * len(wide)), layout="constrained")
    image = ax.imshow(wide.to_numpy(float), vmin=0, vmax=1, cmap="viridis", aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(lines)), [f"{object_label(o).split()[0]}\n{''.join(map(str, b))}"
                                      for o, b in channel_bits().items()], fontsize=8)
    ax.set_yticks(range(len(wide)), [f"{agent_label(a)}  {labels[a]}" for a in wide.index],
                  fontsize=max(3, min(8, 400 / max(len(wide), 1))))
    ax.set_xlabel("Line colour (R G B bits)")
    # The label on two lines and the bar at full height: a long object name no longer runs off the figure.
    fig.colorbar(image, ax=ax, label=f"Preference for the line\nover {object_label(reference)}")
    ax.set_title(f"{title}: agents by the channel they rely on", fontsize=10)
    return fig


def _bars(effects: pd.DataFrame, channel: str) -> list[pd.Series]:
    """Error-bar lengths below and above each effect of a channel: exactly its 95% interval from the table,
    which always contains the effect."""
    effect = effects[f"effect_{channel}"]
    return [effect - effects[f"effect_{channel}_low"], effects[f"effect_{channel}_high"] - effect]


def channel_planes(effects: pd.DataFrame, classes: pd.DataFrame, title: str) -> Figure:
    """The agents in the planes of two channel effects (R-G, R-B, G-B), each with its two 95% intervals,
    coloured by dominant channel."""
    merged = effects.merge(classes.drop(columns="reason", errors="ignore"), on="agent").dropna(
        subset=[f"effect_{c}" for c in "rgb"])
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), layout="constrained")
    for ax, (a, b) in zip(axes, [("r", "g"), ("r", "b"), ("g", "b")]):
        for label, group in merged.groupby("dominant", sort=False):
            colour = CLASS_COLOURS.get(label, "k")
            # Open markers over bars in the class colour with caps: an interval shorter than the marker still shows.
            ax.errorbar(group[f"effect_{a}"], group[f"effect_{b}"], xerr=_bars(group, a), yerr=_bars(group, b),
                        fmt="o", ms=5, mfc="none", mew=0.9, color=colour, ecolor=colour, elinewidth=1.0, capsize=2.5,
                        capthick=1.0, alpha=0.85, label=f"{label} ({len(group)})", zorder=3)
        ax.axhline(0, color="0.4", lw=0.8)
        ax.axvline(0, color="0.4", lw=0.8)
        ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel=f"{a.upper()} effect", ylabel=f"{b.upper()} effect",
               aspect="equal")
        ax.grid(alpha=0.3)
    axes[0].legend(title="dominant channel", fontsize=8, title_fontsize=8, loc="lower left")
    fig.suptitle(f"{title}: main effects of the colour channels on the preference for the line")
    return fig


def _p_value(p: float) -> str:
    """'p = 0.031', or 'p < 1e-300' where the chi-square tail underflows to 0."""
    return "p < 1e-300" if p == 0 else f"p = {p:.2g}"


def _icc(row: pd.Series) -> str:
    """'ICC 0.12 [0.05, 0.30]', 'ICC 0.12 (no interval below 20 agents)' or 'ICC n/a'."""
    if np.isnan(row["icc"]):
        return "ICC n/a"
    if np.isnan(row["icc_low"]):
        return f"ICC {row['icc']:.2f} (no interval below {MIN_ICC_AGENTS} agents)"
    return f"ICC {row['icc']:.2f} [{row['icc_low']:.2f}, {row['icc_high']:.2f}]"


def seed_variation_figure(table: pd.DataFrame, variation: pd.DataFrame, pairs: Mapping[str, Sequence[str]],
                          title: str, columns: int = 4, bins: int = 20) -> Figure:
    """Per pair, the histogram of the agents' preferences beside the exact distribution that binomial noise
    alone would give them (every agent at the pooled preference, on its own number of decided episodes),
    titled with the ICC, its interval and the homogeneity p-value; the count axis has whole ticks."""
    edges = np.linspace(0, 1, bins + 1)
    cols = min(columns, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.1 * cols + 0.4, 2.6 * rows + 0.8), sharex=True,
                             layout="constrained", squeeze=False)
    stats = variation.set_index("pair")
    for ax, (name, (obj1, obj2)) in zip(axes.flat, pairs.items()):
        group = table[table["pair"] == name]
        ax.hist(group["preference"].dropna(), bins=edges, color="tab:blue", alpha=0.7, rwidth=0.85,
                edgecolor="white", linewidth=0.5, label="observed")
        ax.stairs(binomial_noise(group, edges), edges, color="black", lw=1.4, label="binomial noise alone")
        s = stats.loc[name]
        ax.set_title(f"{object_label(obj1)} vs {object_label(obj2)}\n{_icc(s)}, {_p_value(s['p_homogeneity'])}",
                     fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # agents come whole
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.supxlabel("Preference for the first object")
    fig.supylabel("Agents")
    fig.suptitle(f"{title}: spread of preferences across seeds")
    return fig
