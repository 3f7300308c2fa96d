"""A contact sheet of engine frames (each game and background, four levels) to look at after a build."""


from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from workflow_scripts.maze import MazeEnv

ROWS = [
    dict(game="single", background="black"),
    dict(game="duel", background="grey", obj1="red_line_diag", obj2="yellow_gem"),
    dict(game="duel", background="textured", obj1="white_line_diag", obj2="cyan_gem"),
    dict(game="procgen_maze", background="textured"),
]
LEVELS = [0, 1, 2, 3]
SCALE, GAP = 3, 6


def contact_sheet(colours: Mapping[str, Sequence[int]] | None = None, engine: Path | None = None) -> np.ndarray:
    """Rows of ROWS, columns of LEVELS, each frame upscaled SCALE times on a white sheet."""
    cell = 64 * SCALE + GAP
    sheet = np.full((len(ROWS) * cell + GAP, len(LEVELS) * cell + GAP, 3), 255, np.uint8)
    for r, options in enumerate(ROWS):
        options = dict(options)
        env = MazeEnv(len(LEVELS), options.pop("game"), colours=colours, engine=engine, level_seeds=LEVELS, **options)
        for c, frame in enumerate(env.render(SCALE)):
            sheet[GAP + r * cell:(r + 1) * cell, GAP + c * cell:(c + 1) * cell] = frame
        env.close()
    return sheet
