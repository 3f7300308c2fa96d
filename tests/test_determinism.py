"""Stepping in parallel gives exactly what inline stepping gives; the seed decides everything."""

import numpy as np
import pytest

from workflow_scripts.maze import MazeEnv


def rollout(num_threads, rand_seed=5, steps=300, num=37, **options):
    env = MazeEnv(num, "duel", rand_seed=rand_seed, num_threads=num_threads, background="textured", **options)
    rng = np.random.RandomState(0)
    frames, rewards, infos = [], [], []
    for _ in range(steps):
        rew, ob, first = env.observe()
        frames.append(ob["rgb"])
        rewards.append(np.stack([rew, first]))
        infos.append([(int(i["level_seed"]), int(i["prev_level_seed"])) for i in env.get_info()])
        env.act(rng.randint(0, 15, size=num))
    env.close()
    return np.stack(frames), np.stack(rewards), infos


@pytest.mark.parametrize("num_threads", [1, 3, 8])
def test_threads_do_not_change_results(engine, num_threads):
    inline = rollout(0)
    threaded = rollout(num_threads)
    np.testing.assert_array_equal(threaded[0], inline[0])
    np.testing.assert_array_equal(threaded[1], inline[1])
    assert threaded[2] == inline[2]


def test_rand_seed_decides_the_levels(engine):
    a, b = rollout(0, rand_seed=5, steps=20), rollout(0, rand_seed=6, steps=20)
    assert a[2][0] != b[2][0]
    assert not np.array_equal(a[0], b[0])


def test_observe_and_get_info_are_idempotent(engine):
    env = MazeEnv(8, "duel", num_threads=2)
    env.act(np.full(8, 5))
    first = env.observe()
    env.get_info()
    second = env.observe()
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x["rgb"] if isinstance(x, dict) else x, y["rgb"] if isinstance(y, dict) else y)


def test_act_twice_without_observe(engine):
    """Two acts in a row must both apply, as if observed in between."""
    a = MazeEnv(4, "duel", num_threads=2)
    b = MazeEnv(4, "duel", num_threads=0)
    for act in (np.full(4, 5), np.full(4, 7)):
        a.act(act)
        b.act(act)
        b.observe()
    np.testing.assert_array_equal(a.observe()[1]["rgb"], b.observe()[1]["rgb"])


def test_state_round_trip_continues_identically(engine):
    """An env restored from get_state() continues exactly like the original, episode ends included."""
    rng = np.random.RandomState(3)
    warmup, after = rng.randint(0, 15, size=(150, 5)), rng.randint(0, 15, size=(400, 5))
    original = MazeEnv(5, "duel", rand_seed=11, num_levels=40, background="textured")
    for a in warmup:
        original.act(a)
    restored = MazeEnv(5, "duel", rand_seed=999, num_levels=40, background="textured", num_threads=2)
    restored.set_state(original.get_state())
    episodes = 0
    for a in after:
        for x, y in zip(original.observe(), restored.observe()):
            np.testing.assert_array_equal(x["rgb"] if isinstance(x, dict) else x, y["rgb"] if isinstance(y, dict) else y)
        assert original.get_info() == restored.get_info()
        episodes += int(original.observe()[2].sum())
        original.act(a)
        restored.act(a)
    assert episodes > 5


def test_state_from_another_game_is_refused(engine):
    single = MazeEnv(2, "single")
    duel = MazeEnv(2, "duel", world_dim=7)
    with pytest.raises(ValueError, match="does not fit"):
        duel.set_state(single.get_state())
    with pytest.raises(ValueError, match="does not fit"):
        duel.set_state([b"garbage", b""])
    with pytest.raises(ValueError, match="expected 2 env states"):
        duel.set_state(single.get_state()[:1])
