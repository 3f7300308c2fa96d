"""Settings the recorded data does not cover, checked against the spec's independent Python model:
other world sizes (including those with non-zero camera offsets), the grey background, custom colours."""

import numpy as np
import pytest

from workflow_scripts.maze import MazeEnv
from workflow_scripts.prepare_assets import BACKGROUNDS, SPRITES, procgen_assets_dir

GREY = 127


@pytest.fixture(scope="module")
def ref_art(reference_model):
    root = procgen_assets_dir()
    sprites = {name: reference_model.load_pm(root / rel) for name, rel in SPRITES.items()}
    backgrounds = [reference_model.load_pm(root / rel) for rel in BACKGROUNDS]
    return sprites, backgrounds


def reference_frame(ref, level, obj1, obj2, art, background, agent=None, mirrored=False):
    """The reference renderer's draw sequence (maze-game.md §6.1) on a black, grey or textured base."""
    sprites, backgrounds = art
    assets = {51: sprites["wall"], 0: sprites["agent"], 2: obj1, 3: obj2}
    img = np.full((64, 64, 3), GREY if background == "grey" else 0, dtype=int)
    w = level["W"]
    unit, view_dim, off = ref.frame_params(w, 64)
    if background == "textured":
        ref.draw_scaled(img, backgrounds[level["bg_index"]], *ref.screen_rect(0, w, w, w, 0, unit, view_dim, off, off))
    for x in range(w):
        for y in range(w):
            t = level["world"][y, x]
            if t in assets and t != 0:
                ref.draw_scaled(img, assets[t], *ref.screen_rect(x, y + 1, 1, 1, 0.02, unit, view_dim, off, off))
    ax, ay = agent if agent is not None else level["agent"]
    ref.draw_scaled(img, assets[0], *ref.screen_rect(ax - .5, ay + .5, 1, 1, 0, unit, view_dim, off, off),
                    reflect=mirrored)
    return img.astype(np.uint8)


@pytest.mark.parametrize(
    "world_dim, background", [(3, "black"), (7, "grey"), (11, "textured"), (13, "grey"), (15, "textured")]
)
def test_duel_first_frames(engine, reference_model, ref_art, world_dim, background):
    ref = reference_model
    seeds = [0, 1, 2, 777, 100000]
    env = MazeEnv(len(seeds), "duel", world_dim=world_dim, background=background, level_seeds=seeds,
                  obj1="green_line_diag", obj2="purple_gem")
    obs = env.observe()[1]["rgb"]
    grids = env.get_grid()
    for k, seed in enumerate(seeds):
        level = ref.reset_level(seed, "duel", world_dim)
        np.testing.assert_array_equal(grids[k], level["world"])
        expected = reference_frame(ref, level, ref.object_sprite("green_line_diag"), ref.object_sprite("purple_gem"),
                                   ref_art, background)
        assert int((obs[k] != expected).any(-1).sum()) == 0, f"level {seed}"


def test_grey_single_game(engine, reference_model, ref_art):
    ref = reference_model
    env = MazeEnv(4, "single", background="grey", level_seeds=[3, 4, 5, 6])
    obs = env.observe()[1]["rgb"]
    for k, seed in enumerate([3, 4, 5, 6]):
        level = ref.reset_level(seed, "pure")
        expected = reference_frame(ref, level, ref.object_sprite("yellow_line_diag"), None, ref_art, "grey")
        assert int((obs[k] != expected).any(-1).sum()) == 0


def test_custom_colour_sprite(engine, reference_model, ref_art, monkeypatch):
    ref = reference_model
    monkeypatch.setitem(ref.COLOURS, "orange", (255, 128, 0))
    env = MazeEnv(3, "duel", colours={"orange": [255, 128, 0]}, obj1="orange_line_diag", obj2="orange_gem",
                  level_seeds=[10, 11, 12], background="grey")
    obs = env.observe()[1]["rgb"]
    for k, seed in enumerate([10, 11, 12]):
        level = ref.reset_level(seed, "duel", 5)
        expected = reference_frame(ref, level, ref.object_sprite("orange_line_diag"), ref.object_sprite("orange_gem"),
                                   ref_art, "grey")
        assert int((obs[k] != expected).any(-1).sum()) == 0
        assert ((obs[k] == (255, 128, 0)).all(-1)).sum() > 20


def test_steps_at_world_13(engine, reference_model, ref_art):
    """World 13 has a tiny non-zero camera offset; step through episodes against the reference simulator."""
    ref = reference_model
    gens = ref.make_level_seed_gens(99, 1, 0, 0)
    sim = ref.SimEnv(gens[0], "duel", 13)
    env = MazeEnv(1, "duel", world_dim=13, rand_seed=99, background="textured", obj1="cyan_gem", obj2="white_line_diag")
    obj1, obj2 = ref.object_sprite("cyan_gem"), ref.object_sprite("white_line_diag")
    rng = np.random.RandomState(1)
    for step in range(120):
        rew, ob, first = env.observe()
        info = env.get_info()[0]
        expected = reference_frame(ref, sim.lv, obj1, obj2, ref_art, "textured", (sim.ax, sim.ay), sim.reflected)
        assert int((ob["rgb"][0] != expected).any(-1).sum()) == 0, f"step {step}"
        assert (rew[0], bool(first[0]), int(info["level_seed"])) == (sim.reward, sim.done, sim.cur_seed)
        action = int(rng.choice([1, 3, 5, 7]))  # moves only, so the agent covers ground
        env.act(np.array([action]))
        sim.step(action)
