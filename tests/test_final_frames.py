"""The engine's final frames (MazeEnv(..., final_frames=True)): the last frame of every episode that ends in a
step, against the same episode replayed through a separate MazeEnv; capturing changes nothing else; hold();
the errors of both calls, at the C ABI too (in a child process, so that a crash fails instead of killing the run)."""

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from tests.conftest import REPO
from workflow_scripts.game import NUM_ACTIONS, TIMEOUT
from workflow_scripts.maze import MazeEnv

STAND_STILL = 4
GAME_OPTIONS = {
    "single": {"goal": "yellow_line_diag"},
    "duel": {"obj1": "red_line_diag", "obj2": "yellow_gem", "background": "textured"},
    "procgen_maze": {},
}
# Int32 fields at the start of Game::state(), by position.
AGENT_X, AGENT_Y, MIRRORED, CUR_TIME = 8, 9, 10, 11
HEADER_FIELDS = 14
OBJ1, OBJ2 = 2, 3  # grid cells: obj1 (or the single game's goal) gives +10, obj2 gives -10


def actions_with_timeouts(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random actions, then a stretch standing still long enough for every episode to time out, then random."""
    actions = rng.integers(0, NUM_ACTIONS, size=(2 * TIMEOUT + 100, *shape))
    actions[300:300 + TIMEOUT + 20] = STAND_STILL
    return actions


def facing_after(action: int, facing_right: bool) -> bool:
    """The game's facing rule: a key with a horizontal part turns the agent, whether or not it moves."""
    move = action if 0 <= action < 9 else STAND_STILL
    horizontal = move // 3 - 1
    return facing_right if horizontal == 0 else horizontal > 0


def last_frame_by_replay(game: str, options: dict[str, Any], level_seed: int, actions: Sequence[int],
                         engine: Any = None) -> np.ndarray:
    """The last frame of the episode played on `level_seed` with `actions` (the last one ended it), drawn by a
    separate MazeEnv without final frames: the episode replayed up to its last step with the clock rewound, so
    that the last step cannot time out and its frame is the ordinary one; where the last step reached an object
    (which ends an episode whatever the clock), the state before it with the agent put on that object's cell."""
    options = {k: v for k, v in options.items() if k not in ("num_levels", "start_level", "level_seeds")}
    env = MazeEnv(1, game, engine=engine, level_seeds=[level_seed], **options)
    for action in actions[:-1]:
        env.act(np.array([action]))
    state = bytearray(env.get_state()[0])
    header = np.frombuffer(state, dtype=np.int32, count=HEADER_FIELDS)
    assert header[CUR_TIME] == len(actions) - 1, "the replay left the episode early"
    header[CUR_TIME] = 0
    env.set_state([bytes(state)])
    grid = env.get_grid()[0]
    env.act(np.array([actions[-1]]))
    reward, ob, first = env.observe()
    if not first[0]:
        return ob["rgb"][0]
    assert reward[0] != 0, "a step with the clock rewound timed out"
    (y, x), = np.argwhere(grid == (OBJ1 if reward[0] > 0 else OBJ2))
    header[AGENT_X], header[AGENT_Y] = x, y
    header[MIRRORED] = facing_after(int(actions[-1]), bool(header[MIRRORED]))
    env.set_state([bytes(state)])
    frame = env.observe()[1]["rgb"][0]
    env.close()
    return frame


@pytest.mark.parametrize("game", list(GAME_OPTIONS))
def test_final_frames_are_the_replayed_last_frames(engine, game):
    num, options = 4, GAME_OPTIONS[game]
    env = MazeEnv(num, game, engine=engine, rand_seed=21, num_threads=2, final_frames=True, **options)
    episodes: list[list[int]] = [[] for _ in range(num)]
    ends = {"object": 0, "timeout": 0}
    for actions in actions_with_timeouts(np.random.default_rng(3), (num,)):
        env.act(actions)
        reward, ob, first = env.observe()
        infos = env.get_info()
        ended = np.flatnonzero(first)
        finals = env.get_final_frames(ended)
        for frame, i in zip(finals, ended):
            played = episodes[i] + [int(actions[i])]
            expected = last_frame_by_replay(game, options, infos[i]["prev_level_seed"], played, engine)
            np.testing.assert_array_equal(frame, expected, err_msg=f"env {i}, episode of {len(played)} steps")
            assert not np.array_equal(frame, ob["rgb"][i]), "the last frame is the next episode's first"
            ends["object" if reward[i] else "timeout"] += 1
        for i in range(num):
            episodes[i] = [] if first[i] else episodes[i] + [int(actions[i])]
    assert ends["timeout"] >= num and (ends["object"] >= 1 or game == "procgen_maze"), ends


def test_capture_changes_nothing_else(engine):
    """Frames, rewards, firsts, infos and states are byte-identical with capture on and off."""
    options = {**GAME_OPTIONS["duel"], "rand_seed": 5, "num_threads": 2}
    plain = MazeEnv(5, "duel", engine=engine, **options)
    capturing = MazeEnv(5, "duel", engine=engine, final_frames=True, **options)
    ends = 0
    for actions in actions_with_timeouts(np.random.default_rng(4), (5,)):
        plain.act(actions)
        capturing.act(actions)
        for a, b in zip(plain.observe(), capturing.observe()):
            np.testing.assert_equal(a, b)
        assert plain.get_info() == capturing.get_info()
        ends += int(plain.observe()[2].sum())
    assert plain.get_state() == capturing.get_state()
    assert ends > 5


def test_final_frames_refuse_what_they_cannot_give(engine):
    env = MazeEnv(3, "duel", engine=engine, final_frames=True, rand_seed=1)
    stand_still = np.full(3, STAND_STILL)
    env.act(stand_still)
    assert env.get_final_frames([]).shape == (0, 64, 64, 3)
    with pytest.raises(ValueError, match="env 1's episode did not end in the latest step"):
        env.get_final_frames([1])
    with pytest.raises(ValueError, match=r"indices must be in 0\.\.2"):
        env.get_final_frames([3])
    with pytest.raises(ValueError, match="1-D integer array"):
        env.get_final_frames([[0]])
    with pytest.raises(ValueError, match="not captured"):
        MazeEnv(1, "duel", engine=engine).get_final_frames([0])
    for _ in range(TIMEOUT - 1):
        env.act(stand_still)
    assert env.observe()[2].all()
    assert env.get_final_frames([2, 0]).shape == (2, 64, 64, 3)
    env.set_state(env.get_state()[:1] * 3)  # a restored env has not ended an episode in its latest step
    with pytest.raises(ValueError, match="env 0's episode did not end"):
        env.get_final_frames([0])
    env.act(stand_still)
    with pytest.raises(ValueError, match="did not end"):  # only the act that ended it
        env.get_final_frames([2])
    with pytest.raises(TypeError, match="'final_frames' must be a bool"):
        MazeEnv(1, "duel", engine=engine, final_frames="yes")


def test_held_envs_sit_out_one_act(engine):
    """Each env of a batch against its own MazeEnv that is only stepped when the env is not held."""
    seeds = [7, 70, 700]
    batch = MazeEnv(3, "duel", engine=engine, level_seeds=seeds, final_frames=True, num_threads=2)
    alone = [MazeEnv(1, "duel", engine=engine, level_seeds=[s]) for s in seeds]
    rng = np.random.default_rng(6)
    before = batch.observe()
    for _ in range(300):
        held = rng.random(3) < 0.3
        actions = rng.integers(0, NUM_ACTIONS, size=3)
        if held.any():
            batch.hold(held)
        batch.act(actions)
        reward, ob, first = batch.observe()
        for i, env in enumerate(alone):
            if held[i]:
                expected = tuple(part[i] for part in (before[0], before[1]["rgb"], before[2]))
            else:
                env.act(actions[i:i + 1])
                expected = tuple(part[0] for part in (env.observe()[0], env.observe()[1]["rgb"], env.observe()[2]))
            np.testing.assert_equal((reward[i], ob["rgb"][i], first[i]), expected)
        before = batch.observe()
    with pytest.raises(ValueError, match=r"bool array of shape \(3,\)"):
        batch.hold(np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match="bool array"):
        batch.hold(np.ones(3, dtype=int))


def test_too_many_envs_are_refused_before_anything_is_allocated(engine):
    with pytest.raises(MemoryError, match=r"50000000 envs need about [\d.]+ GiB of memory, more than this machine"):
        MazeEnv(50_000_000, "duel", engine=engine)
    with pytest.raises(ValueError, match=r"num = 2147483648 does not fit"):
        MazeEnv(2**31, "duel", engine=engine)
    assert MazeEnv(2, "duel", engine=engine).observe()[1]["rgb"].shape[0] == 2  # still usable


CALLS = textwrap.dedent("""
    import json
    import numpy as np
    from workflow_scripts.maze import MazeEnv

    env = MazeEnv(2, "duel", final_frames=True)
    ffi, lib, handle = env._ffi, env._c_lib, env._c_env
    message = ffi.new("char[]", 256)
    frames = np.zeros((2, 64, 64, 3), dtype=np.uint8)
    out = ffi.from_buffer("uint8_t[]", frames)
    indices = ffi.from_buffer("int32_t[]", np.array([5, 0], dtype=np.int32))
    mask = ffi.from_buffer("uint8_t[]", np.ones(2, dtype=np.uint8))

    def record(name, result):
        print(json.dumps({"name": name, "result": result, "message": ffi.string(message).decode()}), flush=True)
        message[0] = b"\\0"

    record("hold null mask", lib.maze_hold(handle, ffi.NULL, 2, message, 256))
    record("hold short mask", lib.maze_hold(handle, mask, 1, message, 256))
    record("hold null handle", lib.maze_hold(ffi.NULL, mask, 2, message, 256))
    record("final bad index", lib.maze_get_final_frames(handle, indices, 2, out, frames.size, message, 256))
    record("final null indices", lib.maze_get_final_frames(handle, ffi.NULL, 1, out, frames.size, message, 256))
    record("final negative count", lib.maze_get_final_frames(handle, indices, -1, out, frames.size, message, 256))
    record("final short buffer", lib.maze_get_final_frames(handle, indices, 2, out, 100, message, 256))
    record("final null buffer", lib.maze_get_final_frames(handle, indices, 1, ffi.NULL, 0, message, 256))
    record("final null handle", lib.maze_get_final_frames(ffi.NULL, indices, 1, out, frames.size, message, 256))
    env.act(np.zeros(2, dtype=np.int32))
    record("still usable", int(env.observe()[1]["rgb"].shape[0]))
""")


def test_c_abi_refuses_bad_arguments(engine):
    run = subprocess.run([sys.executable, "-c", CALLS], cwd=REPO, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "MAZE_ENGINE_DIR": str(engine)})
    records = {r["name"]: r for r in map(json.loads, run.stdout.splitlines())}
    assert run.returncode == 0, f"the calls crashed (rc {run.returncode}) after {list(records)[-1:]}:\n{run.stderr}"
    expected = {
        "hold null mask": (1, "null hold mask"),
        "hold short mask": (1, "hold mask has 1 entries for 2 env(s)"),
        "hold null handle": (1, "null env handle"),
        "final bad index": (-1, "env index 5 is out of range for 2 env(s)"),
        "final null indices": (-1, "null env indices"),
        "final negative count": (-1, "negative count of env indices"),
        "final short buffer": (-1, "final frames buffer holds 100, needs 24576"),
        "final null buffer": (-1, "null final frames buffer"),
        "final null handle": (-1, "null env handle"),
        "still usable": (2, ""),
    }
    assert {name: (r["result"], r["message"]) for name, r in records.items()} == expected
