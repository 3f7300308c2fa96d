"""Every entry point of the engine's C ABI refuses bad arguments with a return code and a message (or a
clean Python error through MazeEnv); none lets a C++ exception through, which would abort the process.

The calls run in a child process, so that a crash fails these tests instead of killing the test run."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

# Each call prints one JSON record: its name, the return value and the message (if any).
CALLS = textwrap.dedent("""
    import json
    import numpy as np
    from workflow_scripts.maze import MazeEnv, _checker, _engine_library

    env = MazeEnv(2, "duel")
    ffi, lib, handle = env._ffi, env._c_lib, env._c_env
    message = ffi.new("char[]", 256)
    grid = np.zeros(25, dtype=np.int32)
    agents = np.zeros(6, dtype=np.int32)

    def record(name, result, with_message=True):
        text = ffi.string(message).decode() if with_message else ""
        print(json.dumps({"name": name, "result": result, "message": text}), flush=True)
        message[0] = b"\\0"

    def python_error(name, call):
        try:
            call()
            print(json.dumps({"name": name, "result": "no error", "message": ""}), flush=True)
        except Exception as err:
            print(json.dumps({"name": name, "result": type(err).__name__, "message": str(err)}), flush=True)

    as_int32 = lambda a: ffi.from_buffer("int32_t[]", a)
    for index in (2, -1, 2**31 - 1):
        record(f"maze_get_grid[{index}]", lib.maze_get_grid(handle, index, as_int32(grid), 25, message, 256))
        record(f"maze_set_agent[{index}]", lib.maze_set_agent(handle, index, 0, 0, 0, message, 256))
        record(f"get_state[{index}]", lib.get_state(handle, index, ffi.NULL, 0), False)
        record(f"set_state[{index}]", lib.set_state(handle, index, ffi.new("char[]", 8), 8), False)
    record("maze_get_grid short", lib.maze_get_grid(handle, 0, as_int32(grid), 24, message, 256))
    record("maze_get_grid size query", lib.maze_get_grid(handle, 0, ffi.NULL, 0, message, 256))
    record("maze_get_agents null", lib.maze_get_agents(handle, ffi.NULL, 6, message, 256))
    record("maze_get_agents short", lib.maze_get_agents(handle, as_int32(agents), 5, message, 256))
    record("get_state short", lib.get_state(handle, 0, ffi.new("char[]", 4), 4), False)
    record("set_state null", lib.set_state(handle, 0, ffi.NULL, 8), False)
    record("set_state negative length", lib.set_state(handle, 0, ffi.new("char[]", 8), -1), False)
    for name, call in [("maze_get_grid", lambda: lib.maze_get_grid(ffi.NULL, 0, as_int32(grid), 25, message, 256)),
                       ("maze_get_agents", lambda: lib.maze_get_agents(ffi.NULL, as_int32(agents), 6, message, 256)),
                       ("maze_set_agent", lambda: lib.maze_set_agent(ffi.NULL, 0, 0, 0, 0, message, 256)),
                       ("maze_last_error", lambda: lib.maze_last_error(ffi.NULL, message, 256)),
                       ("get_state", lambda: lib.get_state(ffi.NULL, 0, ffi.NULL, 0)),
                       ("set_state", lambda: lib.set_state(ffi.NULL, 0, ffi.NULL, 0)),
                       ("libenv_get_tensortypes", lambda: lib.libenv_get_tensortypes(ffi.NULL, 1, ffi.NULL))]:
        record(f"{name} null handle", call(), name.startswith("maze_"))
    for name in ("libenv_observe", "libenv_act", "libenv_close"):
        getattr(lib, name)(ffi.NULL)
        record(f"{name} null handle", "returned", False)
    lib.libenv_set_buffers(handle, ffi.NULL)
    record("libenv_set_buffers null", lib.maze_last_error(handle, message, 256))
    check_ffi, check_lib = _checker(str(_engine_library(None)))
    check_message = check_ffi.new("char[]", 256)
    no_options = check_ffi.new("struct libenv_options *")[0]
    for name, call in [
        ("maze_object_sprite null out", lambda: check_lib.maze_object_sprite(b"red_gem", check_ffi.NULL,
                                                                             check_ffi.NULL, check_message, 256)),
        ("maze_object_sprite null name", lambda: check_lib.maze_object_sprite(
            check_ffi.NULL, b"", check_ffi.new("uint8_t[]", 65536), check_message, 256)),
        ("maze_check_options no envs", lambda: check_lib.maze_check_options(0, no_options, check_message, 256)),
    ]:
        result = call()
        print(json.dumps({"name": name, "result": result, "message": check_ffi.string(check_message).decode()}))
    made = check_lib.libenv_make(0, no_options)
    print(json.dumps({"name": "libenv_make no envs", "result": made == check_ffi.NULL, "message": ""}))
    record("maze_last_error clean", lib.maze_last_error(handle, message, 256))
    python_error("MazeEnv.set_agent index", lambda: env.set_agent(5, 1, 1))
    python_error("MazeEnv.set_agent negative index", lambda: env.set_agent(-1, 1, 1))
    env.act(np.zeros(2, dtype=np.int32))
    print(json.dumps({"name": "still usable", "result": env.observe()[1]["rgb"].shape[0], "message": ""}))
""")


@pytest.fixture(scope="module")
def results(engine):
    run = subprocess.run([sys.executable, "-c", CALLS], cwd=REPO, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "MAZE_ENGINE_DIR": str(engine)})
    records = {r["name"]: r for r in map(json.loads, run.stdout.splitlines())}
    assert run.returncode == 0, f"the calls crashed (rc {run.returncode}) after {list(records)[-1:]}:\n{run.stderr[-2000:]}"
    return records, run.stderr


@pytest.mark.parametrize("index", [2, -1, 2**31 - 1])
def test_bad_env_index(results, index):
    records, stderr = results
    for name in ("maze_get_grid", "maze_set_agent"):
        assert records[f"{name}[{index}]"]["result"] in (-1, 1)
        assert f"env index {index} is out of range for 2 env(s)" in records[f"{name}[{index}]"]["message"]
    for name in ("get_state", "set_state"):
        assert records[f"{name}[{index}]"]["result"] == -1
        assert f"{name}: env index {index} is out of range" in stderr


def test_short_and_null_buffers(results):
    records, stderr = results
    assert records["maze_get_grid short"] == {"name": "maze_get_grid short", "result": -1,
                                              "message": "grid buffer holds 24, needs 25"}
    assert records["maze_get_grid size query"]["result"] == 25
    assert records["maze_get_agents null"]["message"] == "null agents buffer"
    assert records["maze_get_agents short"]["message"] == "agents buffer holds 5, needs 6"
    assert records["get_state short"]["result"] == -1 and "state buffer holds 4" in stderr
    assert records["set_state null"]["result"] == -1 and records["set_state negative length"]["result"] == -1
    assert "set_state: bad state buffer or length" in stderr
    assert records["maze_object_sprite null out"]["message"] == "null sprite buffer"
    assert records["maze_object_sprite null name"]["message"] == "null object name"
    assert records["maze_check_options no envs"]["message"] == "the number of envs must be at least 1"
    assert records["libenv_make no envs"]["result"] is True


def test_null_handle(results):
    records, stderr = results
    for name in ("maze_get_grid", "maze_get_agents", "maze_set_agent"):
        assert records[f"{name} null handle"]["message"] == "null env handle"
    assert records["maze_last_error null handle"]["result"] == 1
    assert records["get_state null handle"]["result"] == -1 and records["set_state null handle"]["result"] == -1
    assert records["libenv_get_tensortypes null handle"]["result"] == 0
    for name in ("libenv_observe", "libenv_act", "libenv_get_tensortypes"):
        assert f"{name}: null env handle" in stderr


def test_void_calls_report_through_last_error(results):
    records, _ = results
    assert records["libenv_set_buffers null"] == {"name": "libenv_set_buffers null", "result": 1,
                                                  "message": "libenv_set_buffers: null buffers"}
    assert records["maze_last_error clean"]["result"] == 0  # taking the error cleared it


def test_python_errors_and_env_survives(results):
    records, _ = results
    assert records["MazeEnv.set_agent index"]["result"] == "ValueError"
    assert "env index 5 is out of range for 2 env(s)" in records["MazeEnv.set_agent index"]["message"]
    assert records["MazeEnv.set_agent negative index"]["result"] == "ValueError"
    assert records["still usable"]["result"] == 2


def test_an_engine_in_a_folder_with_spaces_and_non_ascii_characters_draws_the_same_frames(engine, tmp_path):
    """Paths are bytes: gym3 counts a str option in characters, so the asset folder of an engine under
    `sp ace ü` must still reach the engine whole."""
    import shutil

    import numpy as np

    from workflow_scripts.maze import MazeEnv

    elsewhere = tmp_path / "sp ace ü" / "engine"
    shutil.copytree(engine, elsewhere, ignore=shutil.ignore_patterns("*.json", "*.png"))
    frames = []
    for folder in (engine, elsewhere):
        env = MazeEnv(2, "duel", engine=folder, rand_seed=3, background="textured")
        env.act(np.array([1, 7]))
        frames.append(env.observe()[1]["rgb"].copy())
        env.close()
    np.testing.assert_array_equal(frames[0], frames[1])
