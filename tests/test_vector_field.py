"""Policy vector fields: scripted policies give the fields they must (hand-computed from the action table of
maze-game.md §4.2), from one forward pass over every open cell."""

import numpy as np
import pandas as pd
import pytest
import torch

from workflow_scripts.agent import new_policy
from workflow_scripts.maze import MazeEnv
from workflow_scripts.vector_field import (FIELD_COLUMNS, difference_field, place_everywhere, policy_field,
                                           vector_field_outputs)

LEVEL = 100_033
DUEL = {"obj1": "red_line_diag", "obj2": "yellow_gem"}


class Scripted:
    """A policy with fixed action probabilities, or probabilities chosen per frame; counts its calls."""

    def __init__(self, probabilities=None, per_frame=None):
        self.probabilities, self.per_frame, self.batches = probabilities, per_frame, []

    def logits_and_value(self, obs: torch.Tensor):
        self.batches.append(obs.shape[0])
        rows = [self.per_frame(frame) for frame in obs.numpy()] if self.per_frame else [self.probabilities] * len(obs)
        return torch.tensor(np.log(rows), dtype=torch.float32), torch.zeros(len(obs))


def one_hot(action: int) -> np.ndarray:
    p = np.full(15, 1e-30)
    p[action] = 1.0
    return p


@pytest.fixture(scope="module")
def placements(engine):
    return place_everywhere("duel", LEVEL, **DUEL)


def test_one_forward_pass_over_every_open_cell(placements):
    policy = Scripted(one_hot(7))
    field = policy_field(policy, placements)
    open_cells = int((placements.grid == 100).sum())
    assert policy.batches == [open_cells]
    assert len(field) == open_cells and list(field.columns) == FIELD_COLUMNS
    assert set(zip(field.x, field.y)) == {(x, y) for y, x in zip(*np.nonzero(placements.grid == 100))}


@pytest.mark.parametrize("action, dx, dy, move", [
    (7, 1, 0, "right"), (6, 1, 0, "right"), (8, 1, 0, "right"), (0, -1, 0, "left"), (1, -1, 0, "left"),
    (2, -1, 0, "left"), (5, 0, 1, "up"), (3, 0, -1, "down"), (4, 0, 0, "stay"), (9, 0, 0, "stay"),
    (14, 0, 0, "stay")])
def test_a_single_action_everywhere(placements, action, dx, dy, move):
    field = policy_field(Scripted(one_hot(action)), placements)
    np.testing.assert_allclose(field.dx, dx, atol=1e-6)
    np.testing.assert_allclose(field.dy, dy, atol=1e-6)
    np.testing.assert_allclose(field[f"p_{move}"], 1, atol=1e-6)
    np.testing.assert_allclose(field[f"action_{action}"], 1, atol=1e-6)


def test_mixed_and_uniform_policies(placements):
    mixed = np.full(15, 1e-30)
    mixed[[0, 5]] = 0.25
    mixed[3] = 0.5  # left 1/4, up 1/4, down 1/2
    field = policy_field(Scripted(mixed), placements)
    np.testing.assert_allclose(field[["dx", "dy"]].to_numpy(), [[-0.25, -0.25]] * len(field), atol=1e-6)
    uniform = policy_field(Scripted(np.full(15, 1 / 15)), placements)
    expected = {"p_left": 3 / 15, "p_right": 3 / 15, "p_up": 1 / 15, "p_down": 1 / 15, "p_stay": 7 / 15}
    for column, value in expected.items():
        np.testing.assert_allclose(uniform[column], value, atol=1e-6)
    np.testing.assert_allclose(uniform[["dx", "dy"]].to_numpy(), 0, atol=1e-6)


def test_each_row_sees_its_own_cell(engine, placements):
    """Right on the frame of the level's start (a fresh env's first frame, facing left),
    left on every other frame: the field points right at the start cell only."""
    env = MazeEnv(1, "duel", level_seeds=[LEVEL], **DUEL)
    start_frame, start = env.observe()[1]["rgb"][0].copy(), tuple(env.get_agent()[0][:2])
    env.close()
    field = policy_field(Scripted(per_frame=lambda f: one_hot(7 if np.array_equal(f, start_frame) else 1)),
                         placements)
    right = field[field.dx > 0]
    assert list(zip(right.x, right.y)) == [start] and (field.dx[field.dx <= 0] == -1).all()


def test_facing_changes_the_frames(engine, placements):
    facing_right = place_everywhere("duel", LEVEL, facing_right=True, **DUEL)
    assert facing_right.cells == placements.cells
    assert all((a != b).any() for a, b in zip(facing_right.frames, placements.frames))
    np.testing.assert_array_equal(facing_right.picture, placements.picture)  # the level alone
    assert not (placements.frames == placements.picture).all(axis=(1, 2, 3)).any()


def test_level_picture_has_no_agent(engine, placements):
    """The picture equals every placement outside the cell the agent stands on."""
    for (x, y), frame in zip(placements.cells, placements.frames):
        differs = (frame != placements.picture).any(axis=-1)
        rows, cols = np.nonzero(differs)
        # Agent pixel spans for W = 5 (maze-game.md §6.3); rows count from the top.
        spans = [(0, 13), (13, 26), (26, 38), (38, 51), (51, 64)]
        assert spans[x][0] <= cols.min() and cols.max() < spans[x][1]
        assert spans[4 - y][0] <= rows.min() and rows.max() < spans[4 - y][1]


def test_difference_field(placements):
    right = policy_field(Scripted(one_hot(7)), placements)
    left = policy_field(Scripted(one_hot(1)), placements)
    diff = difference_field(right, left)
    np.testing.assert_allclose(diff.dx, 2, atol=1e-6)
    np.testing.assert_allclose(diff.p_right, 1, atol=1e-6)
    np.testing.assert_allclose(diff.p_left, -1, atol=1e-6)
    np.testing.assert_allclose(difference_field(right, right)[FIELD_COLUMNS[2:]].to_numpy(), 0)
    with pytest.raises(ValueError, match="different cells"):
        difference_field(right, right.iloc[1:])


def test_non_finite_policy_is_refused(placements):
    with pytest.raises(ValueError, match="non-finite"):
        policy_field(Scripted(np.full(15, np.nan)), placements)


def test_outputs_of_checkpoints(engine, tmp_path):
    models = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        models.append(tmp_path / f"seed_{seed}.pth")
        torch.save({"model_state_dict": new_policy().state_dict()}, models[-1])
    for chosen, name in [(models[:1], "one"), (models, "diff")]:
        png, csv = tmp_path / f"{name}.png", tmp_path / f"{name}.csv"
        vector_field_outputs(chosen, [m.stem for m in chosen], png, csv, "single", LEVEL, False, "test",
                             engine=engine, world_dim=5)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        table = pd.read_csv(csv)
        assert list(table.columns) == FIELD_COLUMNS
        moves = table[["p_left", "p_right", "p_up", "p_down", "p_stay"]].sum(axis=1)
        np.testing.assert_allclose(moves, 1 if name == "one" else 0, atol=1e-5)
    with pytest.raises(ValueError, match="one model, a difference field two"):
        vector_field_outputs(models * 2, ["a"] * 4, png, csv, "single", LEVEL, False, "t", engine=engine)
