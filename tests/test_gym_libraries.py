"""The Gymnasium envs with the libraries users bring: Stable-Baselines3 (its env checker, make_vec_env and PPO,
the terminal observation it bootstraps timeouts from) and Gymnasium's own vector tools (observation wrappers,
RecordEpisodeStatistics, SyncVectorEnv). Truths come from MazeEnv: each env replayed on its own level."""

import warnings
from functools import partial
from typing import Any

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import vector as vector_wrappers
from stable_baselines3 import PPO
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.env_util import make_vec_env

from tests.test_final_frames import GAME_OPTIONS, actions_with_timeouts, last_frame_by_replay
from workflow_scripts.game import NUM_ACTIONS, TIMEOUT
from workflow_scripts.gym import ENV_IDS
from workflow_scripts.maze import MazeEnv

DUEL = ENV_IDS["duel"]
OPTIONS = GAME_OPTIONS["duel"]
SEEDS = [11, 222, 3333]
MODES = [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP]
OPEN = 100  # grid cell: open floor
RIGHT, LEFT, UP, DOWN, STAND_STILL = 7, 1, 5, 3, 4


class PerEnvReference:
    """Each env as a MazeEnv of its own fixed level, stepped as the autoreset mode says: in NEXT_STEP the step
    after an episode's end plays no action (the env shows its next episode). Keeps each episode's length and
    return as counted here."""

    def __init__(self, seeds: list[int], engine: Any, mode: AutoresetMode) -> None:
        self.envs = [MazeEnv(1, "duel", engine=engine, level_seeds=[s], **OPTIONS) for s in seeds]
        self.next_step = mode == AutoresetMode.NEXT_STEP
        self.resetting = np.zeros(len(seeds), dtype=bool)
        self.length = np.zeros(len(seeds), dtype=int)
        self.total = np.zeros(len(seeds))

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(frames shown, rewards, episode ended, [length, return] of each ended episode) for one step."""
        frames, rewards = np.stack([env.observe()[1]["rgb"][0] for env in self.envs]), np.zeros(len(self.envs))
        ended, stats = np.zeros(len(self.envs), dtype=bool), np.zeros((len(self.envs), 2))
        for i, env in enumerate(self.envs):
            if self.resetting[i]:
                self.resetting[i] = False
                continue
            env.act(actions[i:i + 1])
            reward, ob, first = env.observe()
            frames[i], rewards[i], ended[i] = ob["rgb"][0], reward[0], first[0]
            self.length[i] += 1
            self.total[i] += reward[0]
            if first[0]:
                stats[i] = self.length[i], self.total[i]
                self.length[i], self.total[i] = 0, 0.0
                self.resetting[i] = self.next_step
        return frames, rewards, ended, stats


@pytest.mark.parametrize("game", list(ENV_IDS))
def test_sb3_check_env_passes_without_warnings(engine, game):
    env = gymnasium.make(ENV_IDS[game], engine=engine, **GAME_OPTIONS[game])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sb3_check_env(env.unwrapped, warn=True)
    env.close()


def test_sb3_ppo_trains_on_make_vec_env(engine, one_torch_thread, tmp_path, monkeypatch):
    """A few hundred PPO("CnnPolicy") steps through make_vec_env, as a new user would write them."""
    monkeypatch.setenv("SB3_LOGDIR", str(tmp_path))  # else each run leaves an SB3-<time> folder in the system's /tmp
    envs = make_vec_env(DUEL, n_envs=2, seed=0, env_kwargs={"engine": engine, **OPTIONS})
    model = PPO("CnnPolicy", envs, n_steps=128, batch_size=64, n_epochs=1, seed=0, device="cpu")
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(total_timesteps=256)
    assert model.num_timesteps == 256
    assert model.logger.get_dir() == str(tmp_path)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.policy.parameters()))
    envs.close()


def oscillating_level(engine: Any) -> tuple[int, int, int]:
    """A level whose start cell (0, 0) has open floor to its right or above, and the moves there and back."""
    for seed in range(100):
        grid = MazeEnv(1, "duel", engine=engine, level_seeds=[seed], **OPTIONS).get_grid()[0]
        if grid[0, 1] == OPEN:
            return seed, RIGHT, LEFT
        if grid[1, 0] == OPEN:
            return seed, UP, DOWN
    raise AssertionError("no level with open floor beside the start")


def test_sb3_terminal_observation_at_a_timeout_is_the_last_frame(engine):
    """The agent steps between the start and the open cell beside it, never reaching an object, so the episode
    times out; its last step moves it off the start. SB3's terminal_observation, from which PPO bootstraps a
    truncation, must be that last frame (the episode replayed), not the frame before nor the next first."""
    seed, there, back = oscillating_level(engine)
    plan = [STAND_STILL] + [there if k % 2 == 0 else back for k in range(TIMEOUT - 1)]
    envs = make_vec_env(DUEL, n_envs=2, seed=0, env_kwargs={"engine": engine, "level_seeds": [seed], **OPTIONS})
    obs = envs.reset()
    for t, action in enumerate(plan):
        previous = obs
        obs, rewards, dones, infos = envs.step(np.full(2, action))
        assert dones.all() == (t == TIMEOUT - 1) and not rewards.any(), f"step {t}"
    expected = last_frame_by_replay("duel", OPTIONS, seed, plan, engine)
    for info, before, after in zip(infos, previous, obs):
        assert info["TimeLimit.truncated"] is True
        np.testing.assert_array_equal(info["terminal_observation"], expected)
        assert not np.array_equal(expected, before) and not np.array_equal(expected, after)
    envs.close()


LUMINANCE = np.array([0.2125, 0.7154, 0.0721])  # the luminance weights GrayscaleObservation uses
WRAPPERS = {
    "TransformObservation": (partial(vector_wrappers.TransformObservation, func=lambda obs: obs // 2),
                             lambda obs: obs // 2),
    "GrayscaleObservation": (vector_wrappers.GrayscaleObservation,
                             lambda obs: (obs.astype(np.float64) @ LUMINANCE).astype(np.uint8)),
    "ResizeObservation": (partial(vector_wrappers.ResizeObservation, shape=(32, 32)), None),
    "NormalizeObservation": (vector_wrappers.NormalizeObservation, None),
}


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_vector_observation_wrappers_take_the_next_step_env(engine, name):
    """Each wrapper accepts make_vec's env in its default NEXT_STEP mode and steps through episode ends; where the
    transform is simple, the wrapped frames are it applied to a twin env's frames."""
    wrap, transform = WRAPPERS[name]
    wrapped = wrap(gymnasium.make_vec(DUEL, num_envs=3, level_seeds=SEEDS, engine=engine, **OPTIONS))
    twin = gymnasium.make_vec(DUEL, num_envs=3, level_seeds=SEEDS, engine=engine, **OPTIONS)
    obs, _ = wrapped.reset(seed=0)
    twin.reset(seed=0)
    ends = 0
    for actions in np.random.default_rng(9).integers(0, NUM_ACTIONS, size=(150, 3)):
        obs, _, terminated, truncated, _ = wrapped.step(actions)
        raw = twin.step(actions)[0]
        assert obs.shape[0] == 3 and wrapped.observation_space.contains(obs.astype(wrapped.observation_space.dtype))
        if transform is not None:
            np.testing.assert_array_equal(obs, transform(raw))
        ends += int((terminated | truncated).sum())
    assert ends >= 3
    wrapped.close()
    twin.close()


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_vector_observation_wrappers_refuse_same_step(engine, name):
    """Why NEXT_STEP is the default: Gymnasium's vector observation wrappers take no same-step env (docs/gymnasium.md, its table)."""
    envs = gymnasium.make_vec(DUEL, num_envs=2, autoreset_mode=AutoresetMode.SAME_STEP, engine=engine)
    with pytest.raises(ValueError, match="NEXT_STEP"):
        WRAPPERS[name][0](envs)


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.name)
def test_record_episode_statistics_counts_every_episode(engine, mode):
    """Gymnasium's RecordEpisodeStatistics against lengths and returns counted on each env replayed alone."""
    envs = vector_wrappers.RecordEpisodeStatistics(
        gymnasium.make_vec(DUEL, num_envs=3, level_seeds=SEEDS, autoreset_mode=mode, engine=engine, **OPTIONS))
    reference = PerEnvReference(SEEDS, engine, mode)
    envs.reset(seed=0)
    episodes = {"terminated": 0, "truncated": 0}
    for t, actions in enumerate(actions_with_timeouts(np.random.default_rng(10), (3,))):
        _, rewards, terminated, truncated, info = envs.step(actions)
        _, expected_rewards, ended, stats = reference.step(actions)
        np.testing.assert_array_equal(rewards, expected_rewards, err_msg=f"step {t}")
        np.testing.assert_array_equal(terminated | truncated, ended, err_msg=f"step {t}")
        if ended.any():
            np.testing.assert_array_equal(info["_episode"], ended, err_msg=f"step {t}")
            np.testing.assert_array_equal(info["episode"]["l"][ended], stats[ended, 0], err_msg=f"lengths, step {t}")
            np.testing.assert_array_equal(info["episode"]["r"][ended], stats[ended, 1], err_msg=f"returns, step {t}")
        else:
            assert "episode" not in info
        episodes["terminated"] += int(terminated.sum())
        episodes["truncated"] += int(truncated.sum())
    assert episodes["terminated"] >= 3 and episodes["truncated"] >= 3, episodes
    envs.close()


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.name)
def test_sync_and_vector_entry_point_agree_frame_for_frame(engine, mode):
    """Gymnasium's SyncVectorEnv over single envs (what make_vec's "sync" mode builds) and the batched env give
    the same frames, rewards, episode ends and final frames for the same per-env levels and actions."""
    sync = SyncVectorEnv([partial(gymnasium.make, DUEL, engine=engine, level_seeds=[s], **OPTIONS) for s in SEEDS],
                         autoreset_mode=mode)
    batched = gymnasium.make_vec(DUEL, num_envs=len(SEEDS), vectorization_mode="vector_entry_point",
                                 level_seeds=SEEDS, autoreset_mode=mode, engine=engine, **OPTIONS)
    assert sync.metadata["autoreset_mode"] == batched.metadata["autoreset_mode"] == mode
    for a, b in zip(sync.reset(seed=0), batched.reset(seed=0)):
        np.testing.assert_equal(a, b)
    ends = 0
    for t, actions in enumerate(actions_with_timeouts(np.random.default_rng(11), (len(SEEDS),))):
        obs, rewards, terminated, truncated, info = sync.step(actions)
        b_obs, b_rewards, b_terminated, b_truncated, b_info = batched.step(actions)
        np.testing.assert_array_equal(obs, b_obs, err_msg=f"frames at step {t}")
        np.testing.assert_array_equal(rewards, b_rewards, err_msg=f"rewards at step {t}")
        np.testing.assert_array_equal(terminated, b_terminated, err_msg=f"terminated at step {t}")
        np.testing.assert_array_equal(truncated, b_truncated, err_msg=f"truncated at step {t}")
        np.testing.assert_array_equal(info["level_seed"], b_info["level_seed"], err_msg=f"levels at step {t}")
        assert ("final_obs" in info) == ("final_obs" in b_info), f"step {t}"
        if "final_obs" in info:
            np.testing.assert_array_equal(info["_final_obs"], b_info["_final_obs"])
            for i in np.flatnonzero(info["_final_obs"]):
                np.testing.assert_array_equal(info["final_obs"][i], b_info["final_obs"][i], err_msg=f"step {t}")
        ends += int((terminated | truncated).sum())
    assert ends >= 2 * len(SEEDS)
    sync.close()
    batched.close()
