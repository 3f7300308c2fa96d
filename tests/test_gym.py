"""The Gymnasium envs (workflow_scripts.gym) against `MazeEnv` and the recorded trajectories, episode ends
against the same episodes replayed; Gymnasium's env checker; a minimal PPO loop over the vector API; bad inputs;
the package installed with pip and used from elsewhere."""

import os
import subprocess
import sys
import sysconfig
import tomllib
import warnings
from pathlib import Path

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode
from packaging.requirements import Requirement

from tests.conftest import REPO
from tests.test_conformance import TRAJ, TRAJECTORIES, needs_data, options_from_name
from tests.test_envs import normalise, requirement_pins
from tests.test_final_frames import GAME_OPTIONS, actions_with_timeouts, last_frame_by_replay
from workflow_scripts import ppo
from workflow_scripts.game import NUM_ACTIONS, TIMEOUT
from workflow_scripts.gym import ENV_IDS, MazeGymEnv, MazeVectorEnv
from workflow_scripts.maze import MazeEnv


class EpisodeEnds:
    """Expected terminated/truncated from the game's rules alone: an object gives a non-zero reward and ends
    the episode; otherwise only the 500th step does."""

    def __init__(self, num: int) -> None:
        self.length = np.zeros(num, dtype=int)

    def expect(self, reward: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(terminated, truncated) for a step that gave `reward` and showed a first frame where `first`."""
        self.length += 1
        timed_out = first & (reward == 0)
        assert (self.length[timed_out] == TIMEOUT).all(), "an episode ended without reward before its timeout"
        self.length[first] = 0
        return first & (reward != 0), timed_out


def test_ids_are_registered_with_the_documented_spaces(engine):
    for game, env_id in ENV_IDS.items():
        env = gymnasium.make(env_id, render_mode="rgb_array", engine=engine, **GAME_OPTIONS[game])
        assert env.unwrapped.spec.id == env_id and env.unwrapped._engine.game == game
        assert env.observation_space == spaces.Box(0, 255, (64, 64, 3), np.uint8)
        assert env.action_space == spaces.Discrete(15)
        obs, _ = env.reset(seed=0)
        np.testing.assert_array_equal(env.render(), obs)
        env.close()


@pytest.mark.parametrize("game", list(ENV_IDS))
def test_check_env_passes_without_warnings(engine, game):
    env = gymnasium.make(ENV_IDS[game], engine=engine, **GAME_OPTIONS[game])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("game", list(ENV_IDS))
def test_single_env_plays_mazeenv(engine, game):
    """Same seed and actions: MazeEnv's frames, rewards, level seeds; an episode's end shows its last frame (the
    episode replayed), and reset() then shows the next level, MazeEnv's frame after that step."""
    seed = 77
    env = gymnasium.make(ENV_IDS[game], engine=engine, **GAME_OPTIONS[game])
    reference = MazeEnv(1, game, engine=engine, rand_seed=seed, **GAME_OPTIONS[game])
    obs, info = env.reset(seed=seed)
    np.testing.assert_array_equal(obs, reference.observe()[1]["rgb"][0])
    assert info == {"level_seed": reference.get_info()[0]["level_seed"]}
    ends, seen, episode = EpisodeEnds(1), {"terminated": 0, "truncated": 0}, []
    for t, action in enumerate(actions_with_timeouts(np.random.default_rng(1), ())):
        obs, reward, terminated, truncated, info = env.step(int(action))
        episode.append(int(action))
        reference.act(np.array([action]))
        ref_reward, ref_ob, first = reference.observe()
        ref_info = reference.get_info()[0]
        assert reward == ref_reward[0], f"reward at step {t}"
        expected = ends.expect(ref_reward, first)
        assert (terminated, truncated) == (bool(expected[0][0]), bool(expected[1][0])), f"episode end at step {t}"
        assert info == {"level_seed": ref_info["level_seed"], "prev_level_seed": ref_info["prev_level_seed"],
                        "prev_level_complete": bool(ref_info["prev_level_complete"])}, f"info at step {t}"
        if terminated or truncated:
            seen["terminated" if terminated else "truncated"] += 1
            last = last_frame_by_replay(game, GAME_OPTIONS[game], ref_info["prev_level_seed"], episode, engine)
            np.testing.assert_array_equal(obs, last, err_msg=f"last frame at step {t}")
            next_obs, next_info = env.reset()
            np.testing.assert_array_equal(next_obs, ref_ob["rgb"][0])
            assert next_info == {"level_seed": ref_info["level_seed"]}
            episode = []
        else:
            np.testing.assert_array_equal(obs, ref_ob["rgb"][0], err_msg=f"frame at step {t}")
    # procgen_maze's 15x15 mazes are rarely solved by random play; the stand-still stretch times out in every game.
    assert seen["truncated"] >= 1 and (seen["terminated"] >= 1 or game == "procgen_maze"), seen


def test_same_step_vector_env_is_one_engine_playing_mazeenv(engine):
    """make_vec's batched env in SAME_STEP mode: MazeEnv's results at every step, the replayed last frames in
    info["final_obs"]."""
    num, seed, options = 6, 4321, GAME_OPTIONS["duel"]
    envs = gymnasium.make_vec(ENV_IDS["duel"], num_envs=num, vectorization_mode="vector_entry_point",
                              num_threads=2, autoreset_mode=AutoresetMode.SAME_STEP, engine=engine, **options)
    assert isinstance(envs.unwrapped, MazeVectorEnv) and envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    assert envs.single_observation_space == spaces.Box(0, 255, (64, 64, 3), np.uint8)
    assert envs.single_action_space == spaces.Discrete(15)
    assert isinstance(envs.unwrapped._engine.env, MazeEnv) and envs.unwrapped._engine.env.num == num
    reference = MazeEnv(num, "duel", engine=engine, rand_seed=seed, **options)
    obs, info = envs.reset(seed=seed)
    np.testing.assert_array_equal(obs, reference.observe()[1]["rgb"])
    shown = np.array([i["level_seed"] for i in reference.get_info()])
    np.testing.assert_array_equal(info["level_seed"], shown)
    ends, counts, episodes = EpisodeEnds(num), np.zeros(2, dtype=int), [[] for _ in range(num)]
    for t, actions in enumerate(actions_with_timeouts(np.random.default_rng(2), (num,))):
        obs, rewards, terminated, truncated, info = envs.step(actions)
        reference.act(actions)
        ref_rewards, ref_ob, first = reference.observe()
        ref_info = reference.get_info()
        np.testing.assert_array_equal(obs, ref_ob["rgb"], err_msg=f"frames at step {t}")
        np.testing.assert_array_equal(rewards, ref_rewards, err_msg=f"rewards at step {t}")
        expected_terminated, expected_truncated = ends.expect(ref_rewards, first)
        np.testing.assert_array_equal(terminated, expected_terminated, err_msg=f"terminated at step {t}")
        np.testing.assert_array_equal(truncated, expected_truncated, err_msg=f"truncated at step {t}")
        np.testing.assert_array_equal(info["level_seed"], [i["level_seed"] for i in ref_info])
        np.testing.assert_array_equal(info["prev_level_seed"], shown)
        assert info["_level_seed"].all() and info["_prev_level_seed"].all()
        for i in range(num):
            episodes[i].append(int(actions[i]))
        if first.any():
            np.testing.assert_array_equal(info["_final_info"], first)
            np.testing.assert_array_equal(info["_final_obs"], first)
            np.testing.assert_array_equal(info["final_info"]["level_seed"][first], shown[first])
            for i in np.flatnonzero(first):
                last = last_frame_by_replay("duel", options, int(shown[i]), episodes[i], engine)
                np.testing.assert_array_equal(info["final_obs"][i], last, err_msg=f"env {i}'s last frame at step {t}")
                episodes[i] = []
            assert all(final is None for final in info["final_obs"][~first])
        else:
            assert "final_info" not in info and "final_obs" not in info
        counts += terminated.sum(), truncated.sum()
        shown = info["level_seed"]
    assert counts.min() >= num, f"too few episode ends to test (terminated, truncated) = {counts}"
    envs.close()


def test_next_step_vector_env_plays_each_env_as_its_own_mazeenv(engine):
    """The default mode: an episode's end shows its replayed last frame; the env's next step, whatever its action,
    shows the next episode's first frame with reward 0 and no end; every other step is MazeEnv's. Each env is
    checked against a MazeEnv of its own level that is stepped only when the env plays."""
    seeds, options = [11, 222, 3333, 44444], GAME_OPTIONS["duel"]
    num = len(seeds)
    envs = gymnasium.make_vec(ENV_IDS["duel"], num_envs=num, level_seeds=seeds, num_threads=2, engine=engine,
                              **options)
    assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    alone = [MazeEnv(1, "duel", engine=engine, level_seeds=[s], **options) for s in seeds]
    obs, _ = envs.reset(seed=0)
    np.testing.assert_array_equal(obs, np.concatenate([env.observe()[1]["rgb"] for env in alone]))
    resetting, episodes, counts = np.zeros(num, dtype=bool), [[] for _ in range(num)], np.zeros(3, dtype=int)
    for t, actions in enumerate(actions_with_timeouts(np.random.default_rng(8), (num,))):
        obs, rewards, terminated, truncated, info = envs.step(actions)
        np.testing.assert_array_equal(info["_prev_level_seed"], ~resetting)
        for i, env in enumerate(alone):
            if resetting[i]:
                np.testing.assert_array_equal(obs[i], env.observe()[1]["rgb"][0], err_msg=f"env {i} at step {t}")
                assert (rewards[i], terminated[i], truncated[i]) == (0, False, False), f"env {i} at step {t}"
                counts[2] += 1
                continue
            env.act(actions[i:i + 1])
            reward, ob, first = env.observe()
            episodes[i].append(int(actions[i]))
            assert rewards[i] == reward[0] and (terminated[i], truncated[i]) == (first[0] and reward[0] != 0,
                                                                                 first[0] and reward[0] == 0)
            if first[0]:
                last = last_frame_by_replay("duel", options, seeds[i], episodes[i], engine)
                np.testing.assert_array_equal(obs[i], last, err_msg=f"env {i}'s last frame at step {t}")
                counts[0 if terminated[i] else 1] += 1
                episodes[i] = []
            else:
                np.testing.assert_array_equal(obs[i], ob["rgb"][0], err_msg=f"env {i} at step {t}")
        assert "final_obs" not in info
        resetting = terminated | truncated
    assert counts.min() >= num, f"too few (terminated, truncated, reset steps) to test: {counts}"
    envs.close()


@needs_data
@pytest.mark.parametrize("path", TRAJECTORIES, ids=lambda p: p.stem)
def test_recorded_trajectories(engine, path):
    """The original engine's recordings through the vector env, and env 0's column through the single env."""
    m = TRAJ.match(path.stem)
    game, options = options_from_name(m)
    if game == "single":
        options["goal"] = "yellow_line_diag"
    if int(m["nl"]):
        options["num_levels"] = int(m["nl"])
    with np.load(path) as archive:
        data = dict(archive)  # an npz inflates an array on every access
    steps, num = data["act"].shape
    # The recordings are Procgen's: the next episode's first frame in the step that ends one.
    envs = gymnasium.make_vec(ENV_IDS[game], num_envs=num, autoreset_mode=AutoresetMode.SAME_STEP, engine=engine,
                              **options)
    env = gymnasium.make(ENV_IDS[game], engine=engine, **options)
    obs, info = envs.reset(seed=int(m["rs"]))
    single_obs, _ = env.reset(seed=int(m["rs"]))
    np.testing.assert_array_equal(obs, data["obs"][0])
    np.testing.assert_array_equal(single_obs, data["obs"][0, 0])
    np.testing.assert_array_equal(info["level_seed"], data["level_seed"][0])
    for t in range(1, steps):
        obs, rewards, terminated, truncated, info = envs.step(data["act"][t - 1])
        single_obs, single_reward, single_terminated, single_truncated, _ = env.step(int(data["act"][t - 1, 0]))
        np.testing.assert_array_equal(obs, data["obs"][t], err_msg=f"frames at step {t}")
        np.testing.assert_array_equal(rewards, data["rew"][t], err_msg=f"rewards at step {t}")
        complete = data["prev_level_complete"][t].astype(bool)
        np.testing.assert_array_equal(terminated, data["first"][t] & complete, err_msg=f"terminated at step {t}")
        np.testing.assert_array_equal(truncated, data["first"][t] & ~complete, err_msg=f"truncated at step {t}")
        np.testing.assert_array_equal(info["level_seed"], data["level_seed"][t])
        np.testing.assert_array_equal(info["prev_level_seed"], data["prev_level_seed"][t])
        assert (single_reward, single_terminated, single_truncated) == (
            data["rew"][t, 0], terminated[0], truncated[0]), f"single env at step {t}"
        if single_terminated or single_truncated:
            np.testing.assert_array_equal(single_obs, info["final_obs"][0], err_msg=f"single env's end at step {t}")
            single_obs, _ = env.reset()
        np.testing.assert_array_equal(single_obs, data["obs"][t, 0], err_msg=f"single env's frame at step {t}")


def test_seeds_reproduce_levels_and_frames(engine):
    def play(env: gymnasium.Env, seed: int | None) -> tuple[list[int], np.ndarray]:
        """Level seeds met and a digest of every frame over 600 steps from reset(seed=seed)."""
        obs, info = env.reset(seed=seed)
        levels, frames = [info["level_seed"]], [obs]
        actions = np.random.default_rng(5).integers(0, NUM_ACTIONS, size=600)
        for action in actions:
            obs, _, terminated, truncated, info = env.step(int(action))
            frames.append(obs)
            if terminated or truncated:
                obs, info = env.reset()
                levels.append(info["level_seed"])
        return levels, np.stack(frames)

    env = gymnasium.make(ENV_IDS["duel"], engine=engine, **GAME_OPTIONS["duel"])
    levels, frames = play(env, 11)
    assert len(levels) > 3
    again_levels, again_frames = play(env, 11)
    assert again_levels == levels
    np.testing.assert_array_equal(again_frames, frames)
    assert play(env, 12)[0][:3] != levels[:3]
    # An unseeded reset in mid-episode starts an engine seeded from np_random: reproducible after reset(seed).
    env.reset(seed=11)
    env.step(0)
    after_first = env.reset()
    env.reset(seed=11)
    env.step(0)
    after_second = env.reset()
    np.testing.assert_array_equal(after_first[0], after_second[0])
    assert after_first[1] == after_second[1] and after_first[1]["level_seed"] != levels[0]

    envs = gymnasium.make_vec(ENV_IDS["duel"], num_envs=3, engine=engine, **GAME_OPTIONS["duel"])
    first = envs.reset(seed=99)
    second = envs.reset(seed=99)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1]["level_seed"], second[1]["level_seed"])


def test_bad_seeds_and_options_are_named(engine):
    env = gymnasium.make(ENV_IDS["single"], engine=engine).unwrapped
    with pytest.raises(ValueError, match=r"reset seed 2147483648 is outside"):
        env.reset(seed=2**31)
    with pytest.raises(ValueError, match=r"reset options \['reset_mask'\]"):
        env.reset(options={"reset_mask": [True]})
    envs = gymnasium.make_vec(ENV_IDS["single"], num_envs=2, engine=engine)
    with pytest.raises(TypeError, match=r"reset seed must be an int .*\[1, 2\]"):
        envs.reset(seed=[1, 2])
    with pytest.raises(ValueError, match="obj1"):
        gymnasium.make(ENV_IDS["single"], engine=engine, obj1="red_gem")
    with pytest.raises(TypeError, match="rand_seed"):
        gymnasium.make(ENV_IDS["duel"], engine=engine, rand_seed=3)
    with pytest.raises(FileNotFoundError, match="snakemake --cores 1 engine"):
        MazeGymEnv(engine=REPO / "no-such-engine")


def test_numpy_integer_seeds_are_ints(engine):
    """A numpy integer seed (as from np.random or an array of seeds) gives what the same Python int gives."""
    env = gymnasium.make(ENV_IDS["duel"], engine=engine, **GAME_OPTIONS["duel"])
    envs = gymnasium.make_vec(ENV_IDS["duel"], num_envs=2, engine=engine, **GAME_OPTIONS["duel"])
    for seed in (np.int64(12), np.uint32(12), np.int32(12)):
        for make in (env, envs):
            by_numpy, by_int = make.reset(seed=seed), make.reset(seed=12)
            np.testing.assert_array_equal(by_numpy[0], by_int[0])
            np.testing.assert_equal(by_numpy[1], by_int[1])
            assert make.unwrapped.np_random_seed == 12
    with pytest.raises(TypeError, match="reset seed must be an int"):
        env.reset(seed=np.True_)


@pytest.mark.parametrize("vector", [False, True], ids=["single", "vector"])
def test_a_closed_env_cannot_be_reset_or_stepped(engine, vector):
    env = (gymnasium.make_vec(ENV_IDS["duel"], num_envs=2, engine=engine) if vector
           else gymnasium.make(ENV_IDS["duel"], engine=engine))
    env.reset(seed=0)
    env.close()
    with pytest.raises(RuntimeError, match=r"reset\(\) on a closed env"):
        env.reset()
    with pytest.raises(RuntimeError, match=r"reset\(\) on a closed env"):
        env.reset(seed=1)
    with pytest.raises(RuntimeError, match=r"step\(\) on a closed env"):
        env.step(np.zeros(2, dtype=int) if vector else 0)


def test_num_envs_beyond_the_engine_is_named(engine):
    """Too many envs for memory: a MemoryError naming num_envs before anything is allocated; more than the
    engine's int32 count: a ValueError."""
    with pytest.raises(MemoryError, match=r"num_envs=50000000: 50000000 envs need about .* GiB of memory"):
        gymnasium.make_vec(ENV_IDS["duel"], num_envs=50_000_000, engine=engine)
    for num_envs in (2**31, 2**40):
        with pytest.raises(ValueError, match=rf"num_envs = {num_envs} is more than the engine can count"):
            MazeVectorEnv(num_envs, "duel", engine=engine)
    for num_envs in (0, -3, 2.0, True):
        with pytest.raises(ValueError, match="num_envs must be a positive int"):
            MazeVectorEnv(num_envs, "duel", engine=engine)
    assert MazeVectorEnv(np.int64(2), "duel", engine=engine).num_envs == 2


def test_only_next_and_same_step_autoreset_are_offered(engine):
    """DISABLED would need a reset of single envs, which one engine for all cannot give."""
    with pytest.raises(ValueError, match="autoreset_mode AutoresetMode.DISABLED is not supported"):
        MazeVectorEnv(2, "duel", autoreset_mode=AutoresetMode.DISABLED, engine=engine)
    assert MazeVectorEnv(2, "duel", autoreset_mode="SameStep", engine=engine).metadata["autoreset_mode"] == (
        AutoresetMode.SAME_STEP)
    assert MazeVectorEnv.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP  # the class's own stays the default


def test_the_same_object_twice_is_a_duel(engine):
    """obj1 == obj2 stays allowed: the paper's control pairs (yellow_line_diag against itself) measure position
    bias. Both cells hold the same object, one giving +10 and the other -10."""
    env = gymnasium.make(ENV_IDS["duel"], engine=engine, obj1="yellow_line_diag", obj2="yellow_line_diag")
    env.reset(seed=0)
    grid = env.unwrapped._engine.env.get_grid()[0]
    assert (grid == 2).sum() == 1 and (grid == 3).sum() == 1


def test_every_engine_option_is_a_make_keyword(engine):
    """Each option reaches the engine: the same frames as MazeEnv given the same options."""
    options = {"goal": "orange_gem", "colours": {"orange": (255, 128, 0)}, "background": "grey", "world_dim": 7,
               "num_levels": 3, "start_level": 40}
    env = gymnasium.make(ENV_IDS["single"], engine=engine, **options)
    reference = MazeEnv(1, "single", engine=engine, rand_seed=8, **options)
    obs, info = env.reset(seed=8)
    np.testing.assert_array_equal(obs, reference.observe()[1]["rgb"][0])
    assert 40 <= info["level_seed"] < 43
    for action in np.random.default_rng(3).integers(0, NUM_ACTIONS, size=100):
        obs, *_ = env.step(int(action))
        reference.act(np.array([action]))
        np.testing.assert_array_equal(obs, reference.observe()[1]["rgb"][0])
    duel = {"obj1": "purple_gem", "obj2": "cyan_line_diag", "level_seeds": [5, 500, 5000]}
    envs = gymnasium.make_vec(ENV_IDS["duel"], num_envs=3, engine=engine, **duel)
    obs, info = envs.reset(seed=0)
    np.testing.assert_array_equal(info["level_seed"], duel["level_seeds"])
    np.testing.assert_array_equal(obs, MazeEnv(3, "duel", engine=engine, **duel).observe()[1]["rgb"])


class TinyPolicy(torch.nn.Module):
    """Logits and value from a 16x16 grey thumbnail: small enough for a few PPO iterations in a second."""

    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(256, 32), torch.nn.Tanh())
        self.policy, self.value = torch.nn.Linear(32, NUM_ACTIONS), torch.nn.Linear(32, 1)

    def forward(self, frames: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-probabilities [N, 15] and values [N] for uint8 frames [N, 64, 64, 3]."""
        grey = torch.as_tensor(frames[:, ::4, ::4]).float().mean(-1).div(255.0)
        hidden = self.body(grey)
        return torch.log_softmax(self.policy(hidden), -1), self.value(hidden).squeeze(-1)


def test_minimal_ppo_loop_on_the_vector_api(engine, one_torch_thread):
    """Rollouts through make_vec's batched env, GAE and PPO losses from workflow_scripts.ppo, a few updates."""
    torch.manual_seed(0)
    num_envs, horizon, iterations = 8, 16, 3
    envs = gymnasium.make_vec(ENV_IDS["duel"], num_envs=num_envs, autoreset_mode=AutoresetMode.SAME_STEP,
                              engine=engine, **GAME_OPTIONS["duel"])  # the loop below is written for SAME_STEP
    policy = TinyPolicy()
    before = [p.detach().clone() for p in policy.parameters()]
    optimiser = torch.optim.Adam(policy.parameters(), lr=1e-3)
    obs, _ = envs.reset(seed=0)
    episodes = 0
    for _ in range(iterations):
        frames, actions, log_probs, values, rewards, dones = [], [], [], [], [], []
        for _ in range(horizon):
            with torch.no_grad():
                log_prob, value = policy(obs)
            action = torch.distributions.Categorical(logits=log_prob).sample()
            frames.append(obs)
            actions.append(action)
            log_probs.append(log_prob.gather(1, action[:, None]).squeeze(1))
            values.append(value)
            # Same-step autoreset: `obs` is already the next episode's where an episode ended.
            obs, reward, terminated, truncated, _ = envs.step(action.numpy())
            rewards.append(torch.as_tensor(reward))
            dones.append(torch.as_tensor(terminated | truncated))
            episodes += int((terminated | truncated).sum())
        with torch.no_grad():
            last_value = policy(obs)[1]
        advantages, returns = ppo.gae(torch.stack(rewards), torch.stack(values), torch.stack(dones), last_value,
                                      gamma=0.99, lam=0.95)
        batch_frames = np.concatenate(frames)
        for _ in range(2):
            new_log_probs, new_values = policy(batch_frames)
            losses = ppo.ppo_losses(new_log_probs, torch.cat(actions), torch.cat(log_probs),
                                    ppo.normalize_advantages(advantages.flatten()), new_values,
                                    torch.cat(values), returns.flatten(), clip=0.2, value_coef=0.5,
                                    entropy_coef=0.01)
            optimiser.zero_grad()
            losses.total.backward()
            optimiser.step()
            assert torch.isfinite(losses.total), losses
    assert episodes > 0
    assert all(not torch.equal(a, b) for a, b in zip(before, policy.parameters()))
    envs.close()


def test_declared_dependencies_admit_the_pinned_versions():
    """pip install -e . in envs/setup.sh's venv changes nothing: each declared range holds the pinned version."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pinned = requirement_pins("requirements.txt")
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    # Pulled in by the pinned packages rather than pinned themselves.
    unpinned = {normalise(r.name) for r in declared} - set(pinned) - {"scipy", "pyyaml", "jsonschema", "httpx2"}
    assert not unpinned, f"declared but not pinned in envs/requirements.txt: {unpinned}"
    for requirement in declared:
        version = pinned.get(normalise(requirement.name))
        assert version is None or requirement.specifier.contains(version), (str(requirement), version)


def test_pip_editable_install_imports_from_another_folder(engine, tmp_path):
    """The issue's check: the package installed with pip (offline: this venv's packages, no build isolation)
    and gymnasium.make from a folder outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The test venv's packages (gymnasium, gym3, setuptools) but not the checkout, which only pip adds.
    (Path(site) / "pipeline_venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    check = ("import gymnasium, workflow_scripts.gym; print(workflow_scripts.gym.__file__); "
             "gymnasium.make('csgm/MazeDuel-v0', obj1='red_line_diag', obj2='yellow_gem').reset(seed=0)")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "MAZE_ENGINE_DIR": str(engine)}
    env.pop("PYTHONPATH", None)
    before = subprocess.run([str(python), "-c", check], cwd=outside, env=env, capture_output=True, text=True)
    assert "No module named 'workflow_scripts'" in before.stderr, before.stderr
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-build-isolation", "--no-index", "-e", str(REPO)],
                             capture_output=True, text=True, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    after = subprocess.run([str(python), "-c", check], cwd=outside, env=env, capture_output=True, text=True)
    assert after.returncode == 0, after.stderr
    assert Path(after.stdout.strip()) == REPO / "workflow_scripts" / "gym.py"

