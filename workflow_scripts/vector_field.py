"""Policy vector fields, as procgen-tools draws them for the Langosco maze agents: what a policy would do at
every open cell of one level, from one batched forward pass.

The engine puts the agent on each open cell (MazeEnv.set_agent: the frames are those reached by playing),
all facing the same way, and the policy sees every frame at once. Each cell gets the policy's 15 action
probabilities, the probability of each move (actions 0-2 go left, 3 down, 5 up, 6-8
right, 4 and 9-14 stand still) and the net displacement: the mean move, sum of p(move) x its unit vector,
with +y up. A move into a wall counts as requested, as in procgen-tools: the field shows what the policy
asks for, not where it ends up. Cells holding an object are left out: the agent is never seen on one,
since stepping there ends the episode.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from workflow_scripts.atomic import write_csv  # noqa: E402
from workflow_scripts.figures import save_figure  # noqa: E402
from workflow_scripts.game import NUM_ACTIONS  # noqa: E402
from workflow_scripts.maze import MazeEnv  # noqa: E402

SPACE = 100
MOVES = ("left", "right", "up", "down", "stay")
MOVE_VECTORS = {"left": (-1, 0), "right": (1, 0), "up": (0, 1), "down": (0, -1), "stay": (0, 0)}
MOVE_OF_ACTION = ("left", "left", "left", "down", "stay", "up", "right", "right", "right", *["stay"] * 6)
ACTION_COLUMNS = [f"action_{a}" for a in range(NUM_ACTIONS)]
MOVE_COLUMNS = [f"p_{m}" for m in MOVES]
FIELD_COLUMNS = ["x", "y", "dx", "dy", *MOVE_COLUMNS, *ACTION_COLUMNS]


class PolicyLike(Protocol):
    """Anything with the agent's inference call (agent.Policy, or a scripted policy in tests)."""

    def logits_and_value(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]: ...


@dataclass(frozen=True)
class LevelPlacements:
    """One level with the agent placed on each of its open cells."""

    grid: np.ndarray  # int32 [W, W], [y, x], y = 0 at the bottom
    cells: list[tuple[int, int]]  # (x, y) of each open cell, rows from the bottom, then x
    frames: np.ndarray  # uint8 [len(cells), 64, 64, 3], the agent on cells[i]
    picture: np.ndarray  # uint8 [64, 64, 3], the level without the agent


def place_everywhere(game: str, level: int, facing_right: bool = False, **env_options: Any) -> LevelPlacements:
    """The frames of a level with the agent on every open cell, facing right or left."""
    probe = MazeEnv(1, game, level_seeds=[int(level)], **env_options)
    grid = probe.get_grid()[0]
    probe.close()
    cells = [(int(x), int(y)) for y, x in zip(*np.nonzero(grid == SPACE))]
    env = MazeEnv(len(cells), game, level_seeds=[int(level)] * len(cells), **env_options)
    try:
        for i, (x, y) in enumerate(cells):
            env.set_agent(i, x, y, facing_right=facing_right)
        frames = env.observe()[1]["rgb"].copy()
    finally:
        env.close()
    # The agent covers each pixel in at most one placement, so the median over placements is the level alone.
    picture = np.median(frames, axis=0).astype(np.uint8) if len(cells) > 2 else frames[0]
    return LevelPlacements(grid, cells, frames, picture)


def field_table(cells: Sequence[tuple[int, int]], probabilities: np.ndarray) -> pd.DataFrame:
    """Columns FIELD_COLUMNS, one row per cell, from action probabilities [len(cells), 15]."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(cells), NUM_ACTIONS):
        raise ValueError(f"expected probabilities of shape ({len(cells)}, {NUM_ACTIONS}), got {probabilities.shape}")
    table = pd.DataFrame(cells, columns=["x", "y"])
    for move in MOVES:
        table[f"p_{move}"] = probabilities[:, [a for a, m in enumerate(MOVE_OF_ACTION) if m == move]].sum(axis=1)
    table["dx"] = sum(table[f"p_{m}"] * MOVE_VECTORS[m][0] for m in MOVES)
    table["dy"] = sum(table[f"p_{m}"] * MOVE_VECTORS[m][1] for m in MOVES)
    for a in range(NUM_ACTIONS):
        table[f"action_{a}"] = probabilities[:, a]
    return table[FIELD_COLUMNS]


def policy_field(policy: PolicyLike, placements: LevelPlacements,
                 device: str | torch.device = "cpu") -> pd.DataFrame:
    """The policy's field on a level (FIELD_COLUMNS per open cell), from one forward pass over all cells."""
    with torch.no_grad():
        log_probs = policy.logits_and_value(torch.from_numpy(placements.frames).to(device))[0]
    probabilities = log_probs.float().exp().cpu().numpy()
    if not np.isfinite(probabilities).all():
        raise ValueError(f"{getattr(policy, 'source', None) or 'the policy'} gave non-finite action probabilities")
    return field_table(placements.cells, probabilities)


def difference_field(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """first - second, cell by cell, for two fields of the same level (same cells)."""
    if list(zip(first.x, first.y)) != list(zip(second.x, second.y)):
        raise ValueError("the two fields cover different cells: they are not of the same level")
    values = [c for c in FIELD_COLUMNS if c not in ("x", "y")]
    out = first[["x", "y"]].copy()
    out[values] = first[values].to_numpy() - second[values].to_numpy()
    return out


def draw_field(field: pd.DataFrame, picture: np.ndarray, world_dim: int, title: str,
               difference: bool = False) -> Figure:
    """Two panels over the level's picture: the net displacement at each cell, and the probability of each
    move (an arrow per direction, its length the probability; a circle for standing still). A difference
    field draws its net displacement only, with the per-move differences as signed numbers."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 5.4))
    centres = field.x + 0.5, field.y + 0.5
    colour = "tab:orange" if difference else "tab:red"
    for ax in axes:
        ax.imshow(picture, extent=(0, world_dim, 0, world_dim), interpolation="nearest")
        ax.set_xticks(range(world_dim + 1))
        ax.set_yticks(range(world_dim + 1))
        ax.tick_params(labelsize=7)
    # Full length (displacement 1) reaches 0.45 of a cell, so arrows stay inside their cell.
    axes[0].quiver(*centres, field.dx, field.dy, color=colour, angles="xy", scale_units="xy", scale=1 / 0.45,
                   width=0.012)
    axes[0].set_title("net displacement" + (" (difference)" if difference else ""), fontsize=10)
    if difference:
        for row in field.itertuples():
            text = "\n".join(f"{m[0].upper()}{getattr(row, f'p_{m}'):+.2f}" for m in MOVES)
            axes[1].text(row.x + 0.5, row.y + 0.5, text, ha="center", va="center", fontsize=5, color="white",
                         bbox={"facecolor": "black", "alpha": 0.5, "pad": 1, "linewidth": 0})
        axes[1].set_title("change in each move's probability", fontsize=10)
    else:
        for move in ("left", "right", "up", "down"):
            ux, uy = MOVE_VECTORS[move]
            p = field[f"p_{move}"]
            axes[1].quiver(*centres, ux * p, uy * p, color="tab:cyan", angles="xy", scale_units="xy", scale=1 / 0.45,
                           width=0.008)
        for row in field.itertuples():
            axes[1].add_patch(plt.Circle((row.x + 0.5, row.y + 0.5), 0.45 * np.sqrt(row.p_stay), fill=False,
                                         color="white", linewidth=0.8))
        axes[1].set_title("probability of each move (circle: stand still)", fontsize=10)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def vector_field_outputs(models: Sequence[str | os.PathLike[str]], labels: Sequence[str], png: str | os.PathLike[str],
                         csv: str | os.PathLike[str], game: str, level: int, facing_right: bool, title: str,
                         **env_options: Any) -> None:
    """The field of one agent (one model) or the difference field of two (first minus second) on a level:
    its PNG and CSV."""
    from workflow_scripts.agent import load_policy

    if len(models) not in (1, 2) or len(labels) != len(models):
        raise ValueError(f"a vector field needs one model, a difference field two; got {len(models)}")
    placements = place_everywhere(game, level, facing_right, **env_options)
    fields = [policy_field(load_policy(model), placements) for model in models]
    field = fields[0] if len(fields) == 1 else difference_field(*fields)
    world_dim = placements.grid.shape[0]
    heading = f"{title}: {' minus '.join(labels)}, level {level}, facing {'right' if facing_right else 'left'}"
    save_figure(draw_field(field, placements.picture, world_dim, heading, difference=len(fields) == 2), png)
    write_csv(field, csv)
