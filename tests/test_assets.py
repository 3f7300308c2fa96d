"""The prepared artwork equals the procgen package's PNGs, decoded independently with Pillow."""

import numpy as np
import pytest
from PIL import Image

from workflow_scripts.atomic import atomic_path
from workflow_scripts.prepare_assets import BACKGROUNDS, SPRITES, procgen_assets_dir, read_pam


@pytest.mark.parametrize("name, rel", list(SPRITES.items()))
def test_sprites_are_straight_rgba(engine, name, rel):
    expected = np.asarray(Image.open(procgen_assets_dir() / rel).convert("RGBA"))
    np.testing.assert_array_equal(read_pam(engine / "assets" / f"{name}.pam"), expected)


@pytest.mark.parametrize("index, rel", list(enumerate(BACKGROUNDS)))
def test_backgrounds_are_opaque_rgb(engine, index, rel):
    expected = np.asarray(Image.open(procgen_assets_dir() / rel).convert("RGB"))
    np.testing.assert_array_equal(read_pam(engine / "assets" / f"background_{index}.pam"), expected)


def test_atomic_path_keeps_old_content_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
