"""The objects' 13x13 plot icons, rendered from the engine's sprites; only the rule object_icon renders them,
and the plots read its PNGs (figures.read_icons), so that drawing a figure needs no engine.

Icons are made as the original's `maze-objects-for-plots` notebook made them: the 128-px object composited on
the experiment's background, then every 10th pixel from offset 3, giving 13x13.
"""

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from workflow_scripts.atomic import atomic_path
from workflow_scripts.maze import engine_dir, object_sprite
from workflow_scripts.prepare_assets import read_pam

# An object whose colour differs from its background by less than this (mean over channels) gets an outline.
ICON_MIN_CONTRAST = 60
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
    """13x13 RGB icon of an object on a background; an object too close in colour to its background (a black
    line on black) gets a one-pixel outline in white or black, whichever stands out from the background."""
    sprite = object_sprite(name, colours, engine).astype(np.uint32)
    base = icon_background(background, engine).astype(np.uint32)
    t = base * (255 - sprite[..., 3:4])
    composite = sprite[..., :3] + ((t + (t >> 8) + 0x80) >> 8)  # premultiplied source-over, Qt's rounding
    icon, behind = composite[3::10, 3::10].astype(np.int32), base[3::10, 3::10].astype(np.int32)
    mask = sprite[3::10, 3::10, 3] > 0
    if mask.any() and np.abs(icon - behind)[mask].mean() < ICON_MIN_CONTRAST:
        grown = mask.copy()
        grown[1:] |= mask[:-1]
        grown[:-1] |= mask[1:]
        grown[:, 1:] |= mask[:, :-1]
        grown[:, :-1] |= mask[:, 1:]
        ring = grown & ~mask
        icon[ring] = 255 if behind[ring].mean() < 128 else 0
    return icon.astype(np.uint8)


def save_icon(icon: np.ndarray, path: str | os.PathLike[str]) -> None:
    """An icon (uint8 RGB) as a lossless PNG, written atomically: figures.read_icons gives back the very array.
    Here, not with the figures, so that the rule object_icon starts without matplotlib."""
    with atomic_path(path) as tmp:
        Image.fromarray(icon).save(tmp, format="PNG")
