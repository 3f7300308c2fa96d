"""`procgen_maze` against the real procgen package's `maze` (easy), played live: frames, rewards, firsts
and infos must be identical."""

import numpy as np
import pytest

from workflow_scripts.maze import MazeEnv

procgen = pytest.importorskip("procgen", reason="the procgen package (procgen-mirror==0.10.7) is not installed")


def pair(num, background, **levels):
    ours = MazeEnv(num, "procgen_maze", background="textured" if background else "black", **levels)
    theirs = procgen.ProcgenGym3Env(num=num, env_name="maze", distribution_mode="easy", use_backgrounds=background,
                                    num_threads=0, **levels)
    return ours, theirs


def assert_same_state(ours, theirs, step):
    rew_o, ob_o, first_o = ours.observe()
    rew_t, ob_t, first_t = theirs.observe()
    differing = int((ob_o["rgb"] != ob_t["rgb"]).any(axis=-1).sum())
    assert differing == 0, f"step {step}: {differing} differing pixels"
    np.testing.assert_array_equal(rew_o, rew_t, err_msg=f"reward at step {step}")
    np.testing.assert_array_equal(first_o, first_t, err_msg=f"first at step {step}")
    for key in ("level_seed", "prev_level_seed", "prev_level_complete"):
        assert [int(i[key]) for i in ours.get_info()] == [int(i[key]) for i in theirs.get_info()], f"{key} at {step}"
    return rew_t, first_t


@pytest.mark.parametrize("background", [False, True])
def test_first_frames_of_256_levels(engine, background):
    ours, theirs = pair(256, background, rand_seed=2023)
    assert_same_state(ours, theirs, 0)
    seeds = {int(i["level_seed"]) for i in ours.get_info()}
    assert len(seeds) == 256


@pytest.mark.parametrize(
    "levels",
    [dict(rand_seed=0), dict(rand_seed=12345, num_levels=0), dict(rand_seed=7, num_levels=50, start_level=1000),
     dict(rand_seed=3, num_levels=1, start_level=31)],
    ids=["seed0", "seed12345", "50-levels-from-1000", "one-level"],
)
@pytest.mark.parametrize("background", [False, True])
def test_random_steps(engine, levels, background):
    ours, theirs = pair(6, background, **levels)
    rng = np.random.RandomState(levels["rand_seed"])
    rewards = episodes = 0
    for step in range(600):
        rew, first = assert_same_state(ours, theirs, step)
        rewards += int((rew > 0).sum())
        episodes += int(first.sum())
        actions = rng.randint(0, 15, size=6).astype(np.int32)
        ours.act(actions)
        theirs.act(actions)
    # Random walks in small mazes do find the cheese; a run without any would not test collection.
    assert rewards > 0 and episodes > 6
