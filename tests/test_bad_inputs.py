"""Bad options raise a Python exception that names the problem; the process never aborts."""

import numpy as np
import pytest

from workflow_scripts.maze import MazeEnv


@pytest.mark.parametrize(
    "game, options, error, fragment",
    [
        ("single", {"worlddim": 5}, ValueError, "unknown option 'worlddim'"),
        ("maze", {}, ValueError, "game 'maze'"),
        ("duel", {"obj1": "red_line"}, ValueError, "unknown object 'red_line'"),
        ("duel", {"obj2": "magenta_gem"}, ValueError, "unknown object 'magenta_gem'"),
        ("single", {"goal": "yellow_square"}, ValueError, "unknown object 'yellow_square'"),
        ("duel", {"world_dim": 4}, ValueError, "'world_dim' = 4 must be odd"),
        ("duel", {"world_dim": 1}, ValueError, "'world_dim' = 1"),
        ("duel", {"world_dim": 65}, ValueError, "'world_dim' = 65"),
        ("duel", {"world_dim": -5}, ValueError, "'world_dim' = -5"),
        ("duel", {"world_dim": "5"}, TypeError, "'world_dim' must be an int"),
        ("duel", {"world_dim": 5.0}, TypeError, "'world_dim' must be an int"),
        ("duel", {"background": True}, TypeError, "'background' must be a str"),
        ("duel", {"background": "white"}, ValueError, "'background' = 'white'"),
        ("duel", {"rand_seed": [1, 2]}, TypeError, "'rand_seed' must be an int"),
        ("duel", {"rand_seed": 2**40}, ValueError, "does not fit in int32"),
        ("duel", {"rand_seed": None}, TypeError, "'rand_seed' must be a bool, int, float or str"),
        ("duel", {"num_levels": -1}, ValueError, "'num_levels' must be >= 0"),
        ("duel", {"start_level": 2**31 - 10, "num_levels": 100}, ValueError, "must not exceed"),
        ("duel", {"num_threads": -2}, ValueError, "'num_threads'"),
        ("single", {"obj1": "red_gem"}, ValueError, "only apply to game 'duel'"),
        ("duel", {"goal": "red_gem"}, ValueError, "only applies to game 'single'"),
        ("procgen_maze", {"world_dim": 15}, ValueError, "does not apply to game 'procgen_maze'"),
        ("duel", {"level_seeds": [1, 2, 3]}, ValueError, "one seed per env: got 3 for 2 envs"),
        ("duel", {"level_seeds": [1, 2], "start_level": 4}, ValueError, "cannot be combined"),
        ("duel", {"level_seeds": [1, -2]}, ValueError, "level seeds must be in"),
        ("duel", {"level_seeds": [1.5, 2.5]}, TypeError, "1-D sequence of ints"),
        ("duel", {"resource_root": "/nonexistent/assets"}, ValueError, "/nonexistent/assets/wall.pam"),
    ],
)
def test_bad_option_is_named(engine, game, options, error, fragment):
    with pytest.raises(error) as caught:
        MazeEnv(2, game, **options)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "colours, fragment",
    [
        ({"red": (200, 0, 0)}, "already defined"),
        ({"Orange": (255, 128, 0)}, "lower-case"),
        ({"orange": (255, 128)}, "three integers"),
        ({"orange": (255, 128, 256)}, "three integers"),
        ({"invisible": (1, 2, 3)}, "colour name 'invisible'"),
    ],
)
def test_bad_colours(engine, colours, fragment):
    with pytest.raises(ValueError, match=fragment):
        MazeEnv(1, "duel", colours=colours, obj1="red_gem")


def test_custom_colour_needs_declaring(engine):
    with pytest.raises(ValueError, match="unknown object 'orange_gem'"):
        MazeEnv(1, "duel", obj1="orange_gem")
    MazeEnv(1, "duel", obj1="orange_gem", colours={"orange": (255, 128, 0)}).close()


@pytest.mark.parametrize("num", [0, -1, 2.0, True])
def test_bad_num(engine, num):
    with pytest.raises(ValueError, match="num must be a positive int"):
        MazeEnv(num, "duel")


@pytest.mark.parametrize(
    "actions, fragment",
    [(np.array([0, 15]), "in 0..14"), (np.array([-1, 3]), "in 0..14"), (np.array([1.0, 2.0]), "integer array"),
     (np.array([1, 2, 3]), r"shape \(2,\)")],
)
def test_bad_actions(engine, actions, fragment):
    env = MazeEnv(2, "duel")
    before = env.observe()[1]["rgb"]
    with pytest.raises(ValueError, match=fragment):
        env.act(actions)
    np.testing.assert_array_equal(env.observe()[1]["rgb"], before)  # nothing was stepped


def test_missing_engine_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="snakemake --cores 1 engine"):
        MazeEnv(1, "duel", engine=tmp_path)


def test_env_still_usable_after_errors(engine):
    for _ in range(3):
        with pytest.raises(ValueError):
            MazeEnv(4, "duel", obj1="nope")
    env = MazeEnv(4, "duel", num_threads=2)
    env.act(np.zeros(4, dtype=np.int32))
    assert env.observe()[1]["rgb"].shape == (4, 64, 64, 3)


@pytest.mark.parametrize("colours", ["orange", ["orange", (255, 128, 0)], 3])
def test_colours_must_be_a_mapping(engine, colours):
    with pytest.raises(TypeError) as caught:
        MazeEnv(1, "duel", colours=colours)
    assert "colours" in str(caught.value) and repr(colours) in str(caught.value)


CLOSED_ENV_CALLS = {
    "act": lambda env: env.act(np.zeros(1, dtype=np.int32)),
    "observe": lambda env: env.observe(),
    "get_info": lambda env: env.get_info(),
    "get_grid": lambda env: env.get_grid(),
    "get_agent": lambda env: env.get_agent(),
    "get_state": lambda env: env.get_state(),
    "set_state": lambda env: env.set_state([b""]),
    "set_agent": lambda env: env.set_agent(0, 0, 0),
    "render": lambda env: env.render(),
}


@pytest.mark.parametrize("call", CLOSED_ENV_CALLS)
def test_closed_env_says_so(engine, call):
    env = MazeEnv(1, "duel")
    env.close()
    with pytest.raises(RuntimeError, match=f"{call}\\(\\) on a closed MazeEnv"):
        CLOSED_ENV_CALLS[call](env)
    env.close()  # closing twice stays harmless
