"""Figures of the reproduction verdicts (workflow_scripts/reproduction.py): the agents' preferences of every pair
as two empirical CDFs, ours against the published; a forest plot of the differences with the margin; and the
paper's three claims side by side."""

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from workflow_scripts.objects import object_label  # noqa: E402

VERDICT_COLOURS = {"reproduced": "tab:green", "differs": "tab:red", "inconclusive": "0.55"}
SIDES = {"ours": ("tab:blue", "ours"), "published": ("tab:orange", "published")}


def _ecdf(ax, values: np.ndarray, colour: str, label: str) -> None:
    """One empirical CDF as a step line from 0 to 1 over [0, 1]."""
    values = np.sort(values)
    if len(values) == 0:
        return
    steps = np.arange(1, len(values) + 1) / len(values)
    ax.step(np.concatenate([[0.0], values, [1.0]]), np.concatenate([[0.0], steps, [1.0]]), where="post",
            color=colour, lw=1.5, label=f"{label} ({len(values)})")


def _label(row) -> str:
    """'Red line vs Yellow gem' of a pairs-table row."""
    return f"{object_label(row.obj1)} vs {object_label(row.obj2)}"


def ecdf_figure(ours: pd.DataFrame, published: pd.DataFrame, pairs: pd.DataFrame, title: str,
                columns: int = 4) -> Figure:
    """Per compared pair (rows of compare_populations, in order), the empirical CDFs of the agents'
    preferences, ours and published, titled with the verdict (in its colour), the difference of means and the
    p-value that decides the verdict."""
    cols = max(1, min(columns, len(pairs)))
    rows = max(1, -(-len(pairs) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.1 * cols + 0.4, 2.7 * rows + 0.9), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax, row in zip(axes.flat, pairs.itertuples(index=False)):
        for side, table in (("ours", ours), ("published", published)):
            chosen = table[(table["pair"] == row.pair) & ~table["blacklisted"].astype(bool)]
            _ecdf(ax, chosen["preference"].dropna().to_numpy(float), *SIDES[side])
        ax.set_title(f"{_label(row)}\n{row.verdict}: diff {row.diff:+.2f}, p {row.p:.2g}",
                     fontsize=8, color=VERDICT_COLOURS[row.verdict])
        ax.set(xlim=(0, 1), ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6, loc="upper left")
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    if len(pairs) == 0:
        axes.flat[0].set_visible(True)
        axes.flat[0].text(0.5, 0.5, "no pair on both sides", ha="center", va="center")
    fig.supxlabel("Preference for the first object (one value per agent)")
    fig.supylabel("Share of agents at or below")
    fig.suptitle(f"{title}: agents' preferences, ours against the published")
    return fig


def _clipped(values: pd.Series, limit: float) -> np.ndarray:
    """Interval ends drawn within ±limit: an infinite end (a test that cannot reject at these sizes) reaches
    the edge of the panel."""
    return np.clip(values.to_numpy(float), -limit, limit)


def forest_figure(pairs: pd.DataFrame, margin: float, title: str, alpha: float = 0.05) -> Figure:
    """Per pair, ours minus published with its interval (thin: 1 - alpha / 2, the mean test's, which misses 0
    exactly when that test finds a difference; thick: 1 - 2 alpha, the equivalence test's), the ±margin band
    shaded, coloured by verdict; a hollow dot marks a pair that differs in distribution only (its means may
    agree). Left the mean preference, right the log of the mean episode length (a log ratio)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 1.6 + 0.24 * max(len(pairs), 1)), sharey=True, layout="constrained")
    y = np.arange(len(pairs))[::-1]
    for ax, prefix, label in [(axes[0], "", "Preference: mean ours − mean published"),
                              (axes[1], "cap_", "Episode length: log(ours / published), geometric means")]:
        ax.axvspan(-margin, margin, color="tab:green", alpha=0.12, lw=0)
        ax.axvline(0, color="0.3", lw=0.8)
        ends = pairs[[f"{prefix}diff_low", f"{prefix}diff_high"]].to_numpy(float)
        ends = np.abs(ends[np.isfinite(ends)])
        # Preferences differ by at most 1; log ratios have no bound, so the panel fits the finite ends.
        limit = 1.05 if not prefix else max([0.5, *(1.1 * ends)])
        low, high = _clipped(pairs[f"{prefix}diff_low"], limit), _clipped(pairs[f"{prefix}diff_high"], limit)
        tost_low, tost_high = _clipped(pairs[f"{prefix}tost_low"], limit), _clipped(pairs[f"{prefix}tost_high"], limit)
        for i, (yi, row) in enumerate(zip(y, pairs.itertuples(index=False))):
            v = getattr(row, f"{prefix}verdict")
            colour = VERDICT_COLOURS[v]
            ax.plot([low[i], high[i]], [yi, yi], color=colour, lw=1)
            ax.plot([tost_low[i], tost_high[i]], [yi, yi], color=colour, lw=3.5, alpha=0.6)
            shape_only = v == "differs" and not 2 * getattr(row, f"{prefix}p_mean") < alpha
            ax.plot(getattr(row, f"{prefix}diff"), yi, "o", color=colour, ms=4.5,
                    markerfacecolor="white" if shape_only else colour)
        ax.set_xlim(-limit, limit)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [f"{_label(r)} (n {r.n_ours}/{r.n_published})" for r in pairs.itertuples(index=False)],
                       fontsize=7)
    handles = [Line2D([], [], color=c, marker="o", lw=1, label=v) for v, c in VERDICT_COLOURS.items()]
    handles.append(Line2D([], [], color=VERDICT_COLOURS["differs"], marker="o", markerfacecolor="white", lw=0,
                          label="differs in distribution only"))
    handles.append(plt.Rectangle((0, 0), 1, 1, color="tab:green", alpha=0.12, label=f"±{margin} (margin)"))
    fig.legend(handles=handles, fontsize=7, loc="outside lower center", ncol=len(handles))
    fig.suptitle(f"{title}: differences per pair (n = agents ours/published; thin {100 * (1 - alpha / 2):g}%, "
                 f"thick {100 * (1 - 2 * alpha):g}% intervals)")
    return fig


def _pairs_of_points(ax, rows: pd.DataFrame, labels: Sequence[str]) -> None:
    """Ours and published of each row side by side with their intervals, the row label in its verdict's colour."""
    y = np.arange(len(rows))[::-1]
    for offset, side in ((0.15, "ours"), (-0.15, "published")):
        values = rows[side].to_numpy(float)
        error = [np.clip(values - rows[f"{side}_low"].to_numpy(float), 0, None),
                 np.clip(rows[f"{side}_high"].to_numpy(float) - values, 0, None)]
        ax.errorbar(values, y + offset, xerr=error, fmt="o", ms=4, color=SIDES[side][0], elinewidth=1,
                    label=SIDES[side][1])
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    for tick, v in zip(ax.get_yticklabels(), rows["verdict"]):
        tick.set_color(VERDICT_COLOURS[v])
    ax.set_xlim(-0.02, 1.02)
    ax.grid(axis="x", alpha=0.3)


def claims_figure(claims: pd.DataFrame, title: str) -> Figure:
    """The three claims side by side, ours (blue) against published (orange) with their intervals, each item's
    label in its verdict's colour (with the p that decided a difference): the share of agents per channel
    class, each pair's ICC, the outlier rate."""
    channel = claims[(claims["claim"] == "channel classes") & claims["ours"].notna()]
    icc = claims[claims["claim"] == "seed variation (ICC)"]
    outliers = claims[claims["claim"] == "outliers"]
    heights = [max(len(channel), 1), max(len(icc), 1), 1]
    fig, axes = plt.subplots(3, 1, figsize=(7.5, 2.4 + 0.26 * sum(heights)), layout="constrained",
                             gridspec_kw={"height_ratios": [h + 1 for h in heights]})
    whole = claims[(claims["claim"] == "channel classes") & claims["ours"].isna()]
    for ax, rows, name, xlabel in [
            (axes[0], channel, "a. channel classes", "Share of agents in the class"),
            (axes[1], icc, "b. seed variation", "Intra-class correlation of the preferences"),
            (axes[2], outliers, "c. outliers", "Share of agents flagged on any pair")]:
        if rows.empty:
            ax.text(0.5, 0.5, "not compared: no common 8-colour design" if name.startswith("a") else "no data",
                    ha="center", va="center", transform=ax.transAxes)
            ax.set(xticks=[], yticks=[])
        else:
            _pairs_of_points(ax, rows, [f"{r.item}: {r.verdict}" + (f" (p {r.p_adjusted:.2g})" if r.verdict == "differs"
                                                                      else "") for r in rows.itertuples(index=False)])
            ax.set_xlabel(xlabel, fontsize=8)
        subtitle = name
        if name.startswith("a") and not whole.empty:
            subtitle += (f" (whole distribution: {whole['verdict'].iloc[0]}, p {whole['p'].iloc[0]:.2g}; "
                         "class rows: Holm)")
        elif name.startswith("b"):
            subtitle += " (Holm over the pairs)"
        ax.set_title(subtitle, fontsize=9, loc="left")
    axes[1].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{title}: the paper's claims, ours against the published")
    return fig
