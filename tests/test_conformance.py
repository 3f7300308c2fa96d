"""Every golden file recorded from the original engine, reproduced with 0 differing pixels."""

import re

import numpy as np
import pytest

from tests.conftest import CONFORMANCE
from workflow_scripts.maze import MazeEnv

FIRST_FRAMES = sorted(CONFORMANCE.glob("*_levels*.npz")) if CONFORMANCE.exists() else []
TRAJECTORIES = sorted(CONFORMANCE.glob("traj_*.npz")) if CONFORMANCE.exists() else []
NAME = re.compile(r"(?P<game>duel|single)_(?P<objs>.+?)_w(?P<w>\d+)_bg(?P<bg>[01])_levels(?P<lo>\d+)-(?P<hi>\d+)")
TRAJ = re.compile(r"traj_(?P<game>duel|single)_(?:(?P<objs>.+?)_)?w(?P<w>\d+)_bg(?P<bg>[01])_rs(?P<rs>\d+)_nl(?P<nl>\d+)_act\d+")
needs_data = pytest.mark.skipif(not CONFORMANCE.exists(), reason=f"conformance data absent: {CONFORMANCE}")


def options_from_name(m: re.Match) -> tuple[str, dict]:
    """Game and options encoded in a conformance file name (see conformance/README.md)."""
    opts = {"world_dim": int(m["w"]), "background": "textured" if m["bg"] == "1" else "black"}
    if m["game"] == "duel":
        opts["obj1"], opts["obj2"] = m["objs"].split("__")
    elif m["objs"]:
        opts["goal"] = m["objs"]
    return m["game"], opts


def assert_frames_equal(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    differing = int((actual != expected).any(axis=-1).sum())
    assert differing == 0, f"{what}: {differing} differing pixels"


@needs_data
def test_conformance_data_is_complete():
    assert len(FIRST_FRAMES) == 23 and len(TRAJECTORIES) == 2


@needs_data
@pytest.mark.parametrize("path", FIRST_FRAMES, ids=lambda p: p.stem)
def test_first_frames(engine, path):
    game, opts = options_from_name(NAME.match(path.stem))
    data = np.load(path)
    env = MazeEnv(len(data["level_seed"]), game, level_seeds=data["level_seed"], **opts)
    rew, ob, first = env.observe()
    assert_frames_equal(ob["rgb"], data["obs"], path.stem)
    np.testing.assert_array_equal(env.get_grid(), data["grid"])
    assert first.all() and (rew == 0).all()
    assert [int(i["level_seed"]) for i in env.get_info()] == list(data["level_seed"])


@needs_data
def test_fixed_level_matches_procgen_style_single_level(engine):
    """The recording used num_levels=1, start_level=S per env; level_seeds must be the same thing."""
    path = CONFORMANCE / "duel_red_line_diag__yellow_gem_w5_bg1_levels0-199.npz"
    data = np.load(path)
    for k in (0, 57, 199):
        env = MazeEnv(1, "duel", num_levels=1, start_level=int(data["level_seed"][k]), background="textured",
                      obj1="red_line_diag", obj2="yellow_gem")
        assert_frames_equal(env.observe()[1]["rgb"][0], data["obs"][k], f"level {k}")


@needs_data
@pytest.mark.parametrize("num_threads", [0, 2])
@pytest.mark.parametrize("path", TRAJECTORIES, ids=lambda p: p.stem)
def test_trajectories(engine, path, num_threads):
    m = TRAJ.match(path.stem)
    game, opts = options_from_name(m)
    if game == "single":
        opts["goal"] = "yellow_line_diag"
    data = np.load(path)
    steps, num = data["act"].shape
    env = MazeEnv(num, game, rand_seed=int(m["rs"]), num_levels=int(m["nl"]), num_threads=num_threads, **opts)
    for t in range(steps):
        rew, ob, first = env.observe()
        info = env.get_info()
        assert_frames_equal(ob["rgb"], data["obs"][t], f"step {t}")
        np.testing.assert_array_equal(rew, data["rew"][t], err_msg=f"reward at step {t}")
        np.testing.assert_array_equal(first, data["first"][t], err_msg=f"first at step {t}")
        for key in ("level_seed", "prev_level_seed", "prev_level_complete"):
            assert [int(i[key]) for i in info] == list(data[key][t]), f"{key} at step {t}"
        env.act(data["act"][t])
    # The recording must exercise what it is meant to check: episode ends and rewards.
    assert data["first"][1:].sum() > 0 and (data["rew"] != 0).any()
