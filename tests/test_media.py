"""Engine-made pictures: GIF frames against episodes played independently, GIF timing read back, and
the train/test illustration against the engine's own first frames."""

import numpy as np
import pytest
import torch
from PIL import Image

from workflow_scripts.agent import new_policy
from workflow_scripts.evaluate import run_episodes_one_by_one
from workflow_scripts.maze import MazeEnv
from workflow_scripts.media import agent_frames, train_test_illustration, write_gif

DUEL = dict(obj1="red_line_diag", obj2="yellow_gem", background="black", world_dim=3)


@pytest.fixture(scope="module")
def policy():
    torch.manual_seed(3)
    return new_policy()


def first_frame(game, level, **options):
    env = MazeEnv(1, game, level_seeds=[level], **options)
    frame = env.observe()[1]["rgb"][0].copy()
    env.close()
    return frame


def test_gif_frames_follow_the_episodes(engine, policy):
    levels = list(range(100_000, 100_040))
    lengths = run_episodes_one_by_one(policy, "duel", levels, seed=5, **DUEL)["steps"].to_numpy()
    frames = agent_frames(policy, "duel", 60, first_level=100_000, seed=5, **DUEL)
    assert frames.shape == (60, 64, 64, 3) and frames.dtype == np.uint8
    starts = np.concatenate([[0], np.cumsum(lengths)])  # an episode of k steps gives k frames
    shown = int(np.searchsorted(starts, 60))
    assert shown >= 2, "the test needs at least one episode boundary"
    for level, start in zip(levels[:shown], starts[:shown]):
        np.testing.assert_array_equal(frames[start], first_frame("duel", level, **DUEL))
    # Inside an episode the frame changes only where the agent moved: never the next level's layout early.
    assert not np.array_equal(frames[starts[1] - 1], frames[starts[1]])


def test_gif_size_timing_and_content(engine, policy, tmp_path):
    frames = agent_frames(policy, "duel", 25, seed=1, **DUEL)
    write_gif(frames, tmp_path / "a.gif", scale=6, duration_ms=200)
    gif = Image.open(tmp_path / "a.gif")
    assert gif.size == (384, 384) and gif.info["loop"] == 0
    decoded = []
    for i in range(gif.n_frames):
        gif.seek(i)
        # Pillow merges identical consecutive frames into one longer frame; unfold them again.
        assert gif.info["duration"] % 200 == 0
        decoded += [np.asarray(gif.convert("RGB"))] * (gif.info["duration"] // 200)
    assert len(decoded) == 25  # 25 frames of 200 ms: 5 s
    np.testing.assert_array_equal(np.stack(decoded), frames.repeat(6, axis=1).repeat(6, axis=2))


def test_agent_frames_rejects_an_empty_gif(engine, policy):
    with pytest.raises(ValueError, match="at least one frame"):
        agent_frames(policy, "duel", 0, **DUEL)


def test_illustration_shows_the_engine_frames(engine):
    picture = train_test_illustration("yellow_line_diag", "red_line_diag", "yellow_gem", "grey", 5, 100_000, 100_033)
    train = first_frame("single", 100_000, goal="yellow_line_diag", background="grey")
    test = first_frame("duel", 100_033, obj1="red_line_diag", obj2="yellow_gem", background="grey")
    scale = 4
    big = [f.repeat(scale, 0).repeat(scale, 1) for f in (train, test)]
    # Find each frame in the picture by its top-left pixel block rather than by our layout constants.
    found = []
    for frame in big:
        hits = [(y, x) for y in range(picture.shape[0] - frame.shape[0] + 1)
                for x in range(picture.shape[1] - frame.shape[1] + 1)
                if np.array_equal(picture[y:y + 8, x:x + 8], frame[:8, :8])
                and np.array_equal(picture[y:y + frame.shape[0], x:x + frame.shape[1]], frame)]
        assert len(hits) == 1
        found.append(hits[0])
    assert found[0][0] == found[1][0] and found[0][1] < found[1][1]  # side by side, train on the left
    assert (picture[:found[0][0]] > 128).any()  # labels above the frames
