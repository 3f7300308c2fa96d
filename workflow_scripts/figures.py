"""The paper's figures (paper.md §5), drawn with matplotlib from the aggregated tables.

Object icons are made as the original's `maze-objects-for-plots` notebook made them: the 128-px object
composited on the experiment's background, then every 10th pixel from offset 3, giving 13x13.
"""

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.formula.api as smf  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.offsetbox import AnnotationBbox, OffsetImage  # noqa: E402

from workflow_scripts.atomic import atomic_path  # noqa: E402
from workflow_scripts.maze import engine_dir, object_sprite  # noqa: E402
from workflow_scripts.prepare_assets import read_pam  # noqa: E402

CAPABILITY_CLIP = 100  # mean episode lengths above this are drawn at 100, as in the original plots
ICON_BACKGROUND_INDEX = 2  # backgrounddetailed2.png, the original icons' textured background
FILLS = {"black": 0, "grey": 127}


def icon_background(background: str, engine: str | os.PathLike[str] | None = None) -> np.ndarray:
    """128x128 RGB behind an icon: the plain fill, or the top-left corner of the textured icon background."""
    if background in FILLS:
        return np.full((128, 128, 3), FILLS[background], dtype=np.uint8)
    folder = Path(engine) if engine is not None else engine_dir()
    return read_pam(folder / "assets" / f"background_{ICON_BACKGROUND_INDEX}.pam")[:128, :128, :3].copy()


def object_icon(name: str, background: str, colours: Mapping[str, Sequence[int]] | None = None,
                engine: str | os.PathLike[str] | None = None) -> np.ndarray:
    """13x13 RGB icon of an object on a background."""
    sprite = object_sprite(name, colours, engine).astype(np.uint32)
    base = icon_background(background, engine).astype(np.uint32)
    t = base * (255 - sprite[..., 3:4])
    composite = sprite[..., :3] + ((t + (t >> 8) + 0x80) >> 8)  # premultiplied source-over, Qt's rounding
    return composite[3::10, 3::10].astype(np.uint8)


def object_label(name: str) -> str:
    """yellow_line_diag -> 'yellow line', invisible_gem -> 'invisible gem'."""
    return name.replace("_diag", "").replace("_", " ")


def preference_capability_scatter(table: pd.DataFrame, obj1: str, obj2: str, goal: str, background: str,
                                  colours: Mapping[str, Sequence[int]] | None = None,
                                  engine: str | os.PathLike[str] | None = None) -> Figure:
    """One dot per agent: x = mean episode length clipped at 100, y = preference for obj1; obj1's icon at
    the top left, obj2's at the bottom left (beside the y axis), on the experiment's background. Agents
    that reached no object (NaN preference) cannot be placed and are left out."""
    fig, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
    ax.scatter(np.minimum(table["capability"], CAPABILITY_CLIP), table["preference"], s=28, alpha=0.8,
               color="tab:blue", edgecolor="none", zorder=3)
    ax.set(xlim=(0, CAPABILITY_CLIP), ylim=(0, 1), xlabel="Mean episode length",
           title=f"Trained on {object_label(goal)}")
    ax.set_ylabel("Preferences", labelpad=52)
    ax.grid(alpha=0.3)
    # Icons sit outside the axes, beside the y-axis ends, so no agent's dot can hide behind one.
    _icon_at(ax, obj1, (0, 1), (-50, 0), background, colours, engine, label_dy=26)
    _icon_at(ax, obj2, (0, 0), (-50, 0), background, colours, engine)
    return fig


def _icon_at(ax, name: str, xy: tuple[float, float], offset: tuple[float, float], background: str,
             colours: Mapping[str, Sequence[int]] | None, engine: str | os.PathLike[str] | None,
             label_dy: float = -26) -> None:
    """An object's icon just outside the axes, next to the axes-fraction point xy, with its name label_dy
    points above (positive) or below (negative) it."""
    icon = OffsetImage(object_icon(name, background, colours, engine), zoom=2.4, interpolation="nearest")
    ax.add_artist(AnnotationBbox(icon, xy, xycoords="axes fraction", xybox=offset, boxcoords="offset points",
                                 frameon=True, pad=0.1, annotation_clip=False))
    ax.annotate(object_label(name), xy, xycoords="axes fraction", xytext=(offset[0], offset[1] + label_dy),
                textcoords="offset points", ha="center", va="center", fontsize=9, annotation_clip=False)


def ols_fit(x: pd.Series, y: pd.Series) -> dict[str, float]:
    """Ordinary least squares y = intercept + slope * x (statsmodels), with R^2 and the number of agents."""
    data = pd.DataFrame({"x": x.to_numpy(), "y": y.to_numpy()}).dropna()
    fit = smf.ols("y ~ x", data).fit()
    return {"r2": float(fit.rsquared), "intercept": float(fit.params["Intercept"]), "slope": float(fit.params["x"]),
            "n": len(data)}


def ols_figure(x: pd.Series, y: pd.Series, x_pair: Sequence[str], y_pair: Sequence[str], background: str,
               colours: Mapping[str, Sequence[int]] | None = None,
               engine: str | os.PathLike[str] | None = None) -> tuple[Figure, dict[str, float]]:
    """One agent's preference in one pair against another pair's (paper.md §5.3), with the OLS line over
    the observed x range; x_pair = (obj1, obj2) of the x axis, y_pair likewise, sharing obj2."""
    fit = ols_fit(x, y)
    fig, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
    ax.scatter(x, y, s=28, alpha=0.8, color="tab:blue", edgecolor="none", zorder=3)
    xs = np.array([np.nanmin(x), np.nanmax(x)])
    ax.plot(xs, fit["intercept"] + fit["slope"] * xs, color="tab:red", zorder=4,
            label=f"OLS: R^2={fit['r2']:.3f}, coef0={fit['intercept']:.3f}, coef1={fit['slope']:.3f}")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="Preferences", ylabel="Preferences")
    ax.yaxis.labelpad, ax.xaxis.labelpad = 52, 30
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    _icon_at(ax, y_pair[0], (0, 1), (-50, 0), background, colours, engine)  # y axis: its obj1 at the top
    _icon_at(ax, x_pair[1], (0, 0), (-50, -10), background, colours, engine)  # the shared obj2 at the origin
    _icon_at(ax, x_pair[0], (1, 0), (0, -44), background, colours, engine)  # x axis: its obj1 at the right
    return fig, fit


def save_figure(fig: Figure, *paths: str | os.PathLike[str]) -> None:
    """Writes the figure to each path (format from the suffix), atomically, and closes it."""
    for path in paths:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix[1:], dpi=150)
    plt.close(fig)


def write_listing(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> None:
    """figures/all: every figure with its sha256, one per line."""
    lines = [f"{hashlib.sha256(Path(p).read_bytes()).hexdigest()}  {p}\n" for p in sorted(map(str, paths))]
    with atomic_path(out) as tmp:
        tmp.write_text("".join(lines))


if "snakemake" in globals():
    p = snakemake.params  # noqa: F821
    if snakemake.rule == "scatter_plot":  # noqa: F821
        rows = pd.read_csv(snakemake.input.table)  # noqa: F821
        figure = preference_capability_scatter(rows[rows["pair"] == p.pair], p.obj1, p.obj2, p.goal, p.background,
                                               p.colours, Path(snakemake.input.lib).parent)  # noqa: F821
        save_figure(figure, snakemake.output.png, snakemake.output.pdf)  # noqa: F821
    elif snakemake.rule == "ols_plot":  # noqa: F821
        rows = pd.read_csv(snakemake.input.table).pivot(index="agent", columns="pair", values="preference")  # noqa: F821
        figure, fit = ols_figure(rows[p.x_pair_name], rows[p.y_pair_name], p.x_pair, p.y_pair, p.background, p.colours,
                                 Path(snakemake.input.lib).parent)  # noqa: F821
        save_figure(figure, snakemake.output.png, snakemake.output.pdf)  # noqa: F821
        with atomic_path(snakemake.output.csv) as tmp:  # noqa: F821
            pd.DataFrame([{"x_pair": p.x_pair_name, "y_pair": p.y_pair_name, **fit}]).to_csv(tmp, index=False)
    elif snakemake.rule == "all_figures":  # noqa: F821
        write_listing(snakemake.input, snakemake.output[0])  # noqa: F821
