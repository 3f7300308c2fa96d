"""Evaluation against outcomes computed independently from the engine's level layouts."""

import logging

import numpy as np
import pandas as pd
import pytest
import torch

from workflow_scripts.agent import new_policy
from workflow_scripts.evaluate import evaluate_checkpoint, run_episodes, run_episodes_one_by_one, sample_actions
from workflow_scripts.maze import MazeEnv

WALL, OBJ1, OBJ2 = 51, 2, 3
RIGHT, UP, STAND_STILL = 7, 5, 4


class ScriptedPolicy(torch.nn.Module):
    """Always the same action, with probability one."""

    def __init__(self, action):
        super().__init__()
        self.action = action

    def logits_and_value(self, obs):
        log_probs = torch.full((obs.shape[0], 15), float("-inf"))
        log_probs[:, self.action] = 0.0
        return log_probs, torch.zeros(obs.shape[0])


def expected_straight_walk(grid, dx, dy):
    """Walk from (0, 0) in one direction until a wall or the border: (steps, reward) of the first episode."""
    w = grid.shape[0]
    x = y = 0
    for step in range(1, 501):
        nx, ny = x + dx, y + dy
        if 0 <= nx < w and 0 <= ny < w and grid[ny, nx] != WALL:
            x, y = nx, ny
            if grid[y, x] in (OBJ1, OBJ2):
                return step, 10.0 if grid[y, x] == OBJ1 else -10.0
        else:
            return 500, 0.0  # stuck: it times out
    raise AssertionError("unreachable")


@pytest.mark.parametrize("action, direction", [(RIGHT, (1, 0)), (UP, (0, 1))])
def test_scripted_policy_gives_the_expected_rows(engine, action, direction):
    levels = list(range(100_000, 100_200))
    grids = MazeEnv(len(levels), "duel", level_seeds=levels).get_grid()
    expected = pd.DataFrame([(lv, *expected_straight_walk(g, *direction)) for lv, g in zip(levels, grids)],
                            columns=["seed", "steps", "reward"])
    table = run_episodes(ScriptedPolicy(action), "duel", levels, obj1="red_line_diag", obj2="yellow_gem")
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
    # The layouts must exercise all three outcomes for the test to mean something.
    assert set(expected.reward) == {10.0, -10.0, 0.0}


def test_batched_and_per_level_loop_agree(engine):
    torch.manual_seed(0)
    policy = new_policy()
    levels = list(range(100_000, 100_024))
    # 3x3 mazes: an untrained policy's random walks end there in tens of steps instead of hundreds, and the loop
    # plays one frame per policy call.
    kwargs = dict(seed=3, obj1="green_line_diag", obj2="blue_gem", world_dim=3)
    batched = run_episodes(policy, "duel", levels, max_batch=7, **kwargs)
    one_by_one = run_episodes_one_by_one(policy, "duel", levels, **kwargs)
    pd.testing.assert_frame_equal(batched, one_by_one)
    assert batched.steps.nunique() > 5  # an untrained policy wanders: many different lengths
    assert set(batched.reward) == {10.0, -10.0}


def test_rerun_is_identical_and_seed_matters(engine, tmp_path):
    torch.manual_seed(1)
    torch.save({"model_state_dict": new_policy().state_dict()}, tmp_path / "model_0.pth")
    kwargs = dict(obj1="red_line_diag", obj2="yellow_gem", levels=range(100_000, 100_030))
    a = evaluate_checkpoint(tmp_path / "model_0.pth", **kwargs, seed=0)
    b = evaluate_checkpoint(tmp_path / "model_0.pth", **kwargs, seed=0)
    c = evaluate_checkpoint(tmp_path / "model_0.pth", **kwargs, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert list(a.columns) == ["seed", "steps", "reward"] and list(a.seed) == list(range(100_000, 100_030))


def test_inverse_cdf_sampling_frequencies():
    probs = torch.tensor([0.1, 0.0, 0.6, 0.3])
    u = torch.rand(200_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    actions = sample_actions(probs.log().expand(len(u), 4), u)
    freq = np.bincount(actions.numpy(), minlength=4) / len(u)
    np.testing.assert_allclose(freq, probs.numpy(), atol=0.005)
    assert freq[1] == 0


@pytest.mark.parametrize("max_batch", [0, -3, 2.5, True])
def test_bad_max_batch_is_named(engine, tmp_path, max_batch):
    torch.save({"model_state_dict": new_policy().state_dict()}, tmp_path / "model_0.pth")
    with pytest.raises(ValueError, match=f"max_batch must be a positive int.*got {max_batch!r}"):
        evaluate_checkpoint(tmp_path / "model_0.pth", "red_line_diag", "yellow_gem", levels=range(3),
                            max_batch=max_batch)
    with pytest.raises(ValueError, match="max_batch must be a positive int"):
        run_episodes(ScriptedPolicy(RIGHT), "duel", range(3), max_batch=max_batch)


def test_nan_weights_are_an_error_not_timeouts(engine, tmp_path):
    state = new_policy().state_dict()
    state["fc_policy.bias"][:] = float("nan")
    torch.save({"model_state_dict": state}, tmp_path / "model_0.pth")
    with pytest.raises(ValueError, match="non-finite") as caught:
        evaluate_checkpoint(tmp_path / "model_0.pth", "red_line_diag", "yellow_gem", levels=range(100_000, 100_005))
    assert str(tmp_path / "model_0.pth") in str(caught.value)


def test_non_finite_outputs_name_the_checkpoint(engine, tmp_path):
    """Finite but huge weights overflow to inf - inf = NaN in the logits: the outputs are checked too."""
    torch.manual_seed(0)
    state = new_policy().state_dict()
    state["fc_policy.weight"] = torch.where(torch.arange(15).unsqueeze(1) % 2 == 0, 3e38, -3e38).expand(15, 256).clone()
    torch.save({"model_state_dict": state}, tmp_path / "model_0.pth")
    with pytest.raises(ValueError, match="non-finite .* first on level 100000 at step 1") as caught:
        evaluate_checkpoint(tmp_path / "model_0.pth", "red_line_diag", "yellow_gem", levels=range(100_000, 100_005))
    assert str(tmp_path / "model_0.pth") in str(caught.value)


def test_levels_still_running_are_logged_at_debug_every_50_steps(engine, caplog):
    """What the evaluation job's log follows its episodes by: an agent that stands still times out on every level."""
    caplog.set_level(logging.DEBUG, logger="workflow_scripts.evaluate")
    table = run_episodes(ScriptedPolicy(STAND_STILL), "duel", range(100_000, 100_003), obj1="red_line_diag",
                         obj2="yellow_gem")
    assert (table.steps == 500).all()
    assert [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "workflow_scripts.evaluate"] == [
        *[(logging.DEBUG, f"step {t}: 3 of 3 levels still running") for t in range(50, 500, 50)],
        (logging.DEBUG, "step 500: 0 of 3 levels still running")]
