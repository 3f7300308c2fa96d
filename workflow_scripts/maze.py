"""`MazeEnv`: the engine's maze games (single, duel, procgen_maze) as a gym3 environment.

The engine is the shared library built from cpp/ by the workflow (`snakemake --cores 1 engine`), loaded
through gym3's libenv ABI. Every option is checked by the engine before any env is built, so bad input
raises a Python exception naming the problem instead of aborting the process.
"""

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from cffi import FFI
from gym3.libenv import CEnv, _load_libenv_cdef

from workflow_scripts.game import NUM_ACTIONS
from workflow_scripts.objects import colours_option

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENGINE_DIR = REPO_ROOT / "results" / "engine"
LIB_NAME = "maze"
GAMES = ("single", "duel", "procgen_maze")
_MESSAGE_LEN = 1024
# maze_check_options' return codes beyond 0 (the options are fine).
_CHECK_ERRORS: dict[int, type[Exception]] = {1: ValueError, 2: TypeError, 3: MemoryError}

# Engine functions beyond libenv; call_c_func passes the env handle as the first argument.
_C_FUNCS = [
    "int maze_get_grid(libenv_env *, int, int32_t *, int, char *, int);",
    "int maze_get_agents(libenv_env *, int32_t *, int, char *, int);",
    "int maze_set_agent(libenv_env *, int, int, int, int, char *, int);",
    "int maze_last_error(libenv_env *, char *, int);",
    "int get_state(libenv_env *, int, char *, int);",
    "int set_state(libenv_env *, int, char *, int);",
    "int maze_hold(libenv_env *, const uint8_t *, int, char *, int);",
    "int maze_get_final_frames(libenv_env *, const int32_t *, int, uint8_t *, int, char *, int);",
]
_CHECK_DEFS = """
int maze_check_options(int, const struct libenv_options, char *, int);
int maze_object_sprite(const char *, const char *, uint8_t *, char *, int);
"""


def engine_dir() -> Path:
    """Folder holding libmaze.so and assets/; $MAZE_ENGINE_DIR overrides the workflow's results/engine."""
    return Path(os.environ.get("MAZE_ENGINE_DIR", DEFAULT_ENGINE_DIR))


@lru_cache(maxsize=None)
def _checker(lib_path: str) -> tuple[FFI, Any]:
    ffi = FFI()
    ffi.cdef(_load_libenv_cdef())
    ffi.cdef(_CHECK_DEFS)
    return ffi, ffi.dlopen(lib_path)


def _engine_library(engine: str | os.PathLike[str] | None) -> Path:
    """The built engine library in `engine` (default: engine_dir()); a clear error when it is missing."""
    lib_path = (Path(engine) if engine is not None else engine_dir()) / f"lib{LIB_NAME}.so"
    if not lib_path.exists():
        # Installed with pip, the package may sit in site-packages, away from the checkout that builds the engine.
        where = f"in {REPO_ROOT}" if (REPO_ROOT / "Snakefile").exists() else "in a checkout of the repository"
        raise FileNotFoundError(f"maze engine not built: {lib_path} is missing. Build it with `snakemake --cores 1 "
                                f"engine` {where}, or point MAZE_ENGINE_DIR (or engine=) at a folder holding "
                                f"lib{LIB_NAME}.so and assets/")
    return lib_path


def object_sprite(name: str, colours: Mapping[str, Sequence[int]] | None = None,
                  engine: str | os.PathLike[str] | None = None) -> np.ndarray:
    """The engine's 128x128 sprite of an object: premultiplied RGBA uint8 [128, 128, 4], rows from the top."""
    ffi, lib = _checker(str(_engine_library(engine)))
    out = np.zeros((128, 128, 4), dtype=np.uint8)
    message = ffi.new("char[]", _MESSAGE_LEN)
    if lib.maze_object_sprite(name.encode(), colours_option(colours).encode(), ffi.from_buffer("uint8_t[]", out),
                              message, _MESSAGE_LEN) != 0:
        raise ValueError(ffi.string(message).decode("utf8", "replace"))
    return out


def _plain_value(name: str, value: Any) -> bool | int | float | str | np.ndarray:
    """Numpy scalars become Python ones and integer sequences int32 arrays; anything gym3 cannot pass as an
    option is a TypeError here."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple, range, np.ndarray)):
        array = np.asarray(value)
        if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
            raise TypeError(f"option {name!r} must be a 1-D sequence of ints, got {array.dtype} {array.shape}")
        if array.size and (array.min() < -(2**31) or array.max() >= 2**31):
            raise ValueError(f"option {name!r} has values that do not fit in int32")
        return array.astype(np.int32)
    if not isinstance(value, (bool, int, float, str)):
        raise TypeError(f"option {name!r} must be a bool, int, float or str, got {type(value).__name__}")
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**31) < value < 2**31:
        raise ValueError(f"option {name!r} = {value} does not fit in int32")
    return value


class MazeEnv(CEnv):
    """`num` maze environments stepped together.

    observe() -> (rew float32[N], {"rgb": uint8[N,64,64,3]}, first bool[N]); act(int array [N]);
    get_info() -> per-env dicts with level_seed, prev_level_seed, prev_level_complete.

    Options: world_dim (odd, 3..63, default 5; not for procgen_maze), background ("black", "grey",
    "textured"), goal (single), obj1/obj2 (duel), num_levels, start_level, level_seeds (one fixed level
    per env, instead of num_levels/start_level), rand_seed (default 0), num_threads (default 0 = step
    inline). `colours` declares extra colours, e.g. {"orange": (255, 128, 0)}. With `reuse_arrays=True`,
    observe() returns views that the next act() overwrites, saving a copy per call. With `final_frames=True`
    the engine also keeps the last frame of every episode that ends in a step, drawn before it starts the next
    episode in that same step (get_final_frames); frames, rewards, infos and level streams are unchanged.

    obj1 may equal obj2: the paper's control pairs (e.g. yellow_line_diag against itself) measure the agent's
    bias towards a position in the maze rather than towards an object.

    num is limited by memory: more envs than this machine's memory can hold raise MemoryError before the
    engine allocates anything.
    """

    def __init__(
        self,
        num: int,
        game: str = "single",
        *,
        colours: Mapping[str, Sequence[int]] | None = None,
        engine: str | os.PathLike[str] | None = None,
        reuse_arrays: bool = False,
        **options: Any,
    ) -> None:
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
            raise ValueError(f"num must be a positive int, got {num!r}")
        if num >= 2**31:
            raise ValueError(f"num = {num} does not fit the engine's int32 count of envs (at most {2**31 - 1})")
        if game not in GAMES:
            raise ValueError(f"game {game!r} is not one of {', '.join(GAMES)}")
        lib_path = _engine_library(engine)
        folder = lib_path.parent
        opts: dict[str, Any] = {"game": game}
        if colours is not None:
            opts["colours"] = colours_option(colours)
        opts.update({k: _plain_value(k, v) for k, v in options.items()})
        opts.setdefault("resource_root", str(folder / "assets"))
        # gym3 sends a str option with its length in characters, not bytes: a path with non-ASCII characters
        # would reach the engine cut short. Bytes go with their own length.
        opts = {k: v.encode("utf8") if isinstance(v, str) else v for k, v in opts.items()}

        ffi, lib = _checker(str(lib_path))
        c_options, keepalive = CEnv._convert_options(ffi, lib, opts)
        message = ffi.new("char[]", _MESSAGE_LEN)
        status = lib.maze_check_options(int(num), c_options[0], message, _MESSAGE_LEN)
        del keepalive
        if status != 0:
            raise _CHECK_ERRORS.get(status, ValueError)(ffi.string(message).decode("utf8", "replace"))

        super().__init__(num=int(num), lib_dir=str(folder), lib_name=LIB_NAME, c_func_defs=_C_FUNCS, options=opts,
                         reuse_arrays=reuse_arrays)
        if self._c_env == self._ffi.NULL:
            # The options were checked above, so only an allocation can have failed (the engine said so on stderr).
            raise MemoryError(f"the maze engine could not allocate {num} envs")
        self.game = game
        self.world_dim = 15 if game == "procgen_maze" else int(opts.get("world_dim", 5))
        # Like procgen's gym3 env: a bare Discrete(15) action space instead of a dict.
        self.ac_space = self.ac_space["action"]
        self._message = self._ffi.new("char[]", _MESSAGE_LEN)

    def _require_open(self, method: str) -> None:
        """A clear error instead of gym3's AttributeError on a NoneType once close() has run."""
        if getattr(self, "closed", True):
            raise RuntimeError(f"{method}() on a closed MazeEnv: make a new MazeEnv to continue")

    def _engine_message(self) -> str:
        return self._ffi.string(self._message).decode("utf8", "replace")

    def _raise_pending_error(self) -> None:
        """Failures of libenv's void calls (act, observe and the steps they run) are kept by the engine."""
        if self.call_c_func("maze_last_error", self._message, _MESSAGE_LEN) != 0:
            raise RuntimeError(f"maze engine: {self._engine_message()}")

    def observe(self) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        self._require_open("observe")
        result = super().observe()
        self._raise_pending_error()
        return result

    def get_info(self) -> list[dict[str, Any]]:
        self._require_open("get_info")
        return super().get_info()

    def act(self, ac: np.ndarray) -> None:
        self._require_open("act")
        ac = np.asarray(ac)
        if ac.shape != (self.num,) or not np.issubdtype(ac.dtype, np.integer):
            raise ValueError(f"actions must be an integer array of shape ({self.num},), got {ac.dtype} {ac.shape}")
        if ac.size and (ac.min() < 0 or ac.max() >= NUM_ACTIONS):
            raise ValueError(f"actions must be in 0..{NUM_ACTIONS - 1}, got {ac.min()}..{ac.max()}")
        super().act({"action": ac.astype(np.int32, copy=False)})
        self._raise_pending_error()

    def get_grid(self) -> np.ndarray:
        """Current layouts, int32 [N, W, W] indexed [env, y, x], y = 0 the bottom row on screen
        (51 wall, 100 space, 2 obj1 or goal, 3 obj2)."""
        self._require_open("get_grid")
        cells = self.world_dim * self.world_dim
        out = np.empty((self.num, cells), dtype=np.int32)
        for i in range(self.num):
            if self.call_c_func("maze_get_grid", i, self._ffi.from_buffer("int32_t[]", out[i]), cells,
                                self._message, _MESSAGE_LEN) != cells:
                raise RuntimeError(f"maze engine: get_grid of env {i}: {self._engine_message()}")
        return out.reshape(self.num, self.world_dim, self.world_dim)

    def get_agent(self) -> np.ndarray:
        """Agent cells and facing, int32 [N, 3]: x, y (y = 0 at the bottom) and 1 when facing right."""
        self._require_open("get_agent")
        out = np.empty((self.num, 3), dtype=np.int32)
        if self.call_c_func("maze_get_agents", self._ffi.from_buffer("int32_t[]", out), out.size, self._message,
                            _MESSAGE_LEN) != out.size:
            raise RuntimeError(f"maze engine: get_agent: {self._engine_message()}")
        return out

    def set_agent(self, index: int, x: int, y: int, facing_right: bool = False) -> None:
        """Put env `index`'s agent on the open cell (x, y) (y = 0 at the bottom), facing right or left, without
        playing a step: the episode, its clock and the level stay as they are, and observe() shows the agent
        there. ValueError for a bad index, a cell outside the world, a wall or an object (standing on one
        ends the episode, so that frame never exists)."""
        self._require_open("set_agent")
        values = {"index": index, "x": x, "y": y}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"set_agent: {name} must be an int, got {type(value).__name__} {value!r}")
            if not -(2**31) <= value < 2**31:
                raise ValueError(f"set_agent: {name} = {value} is out of range")
        if self.call_c_func("maze_set_agent", int(index), int(x), int(y), int(bool(facing_right)), self._message,
                            _MESSAGE_LEN) != 0:
            raise ValueError(f"set_agent(index={index}, x={x}, y={y}): {self._engine_message()}")

    def get_state(self) -> list[bytes]:
        """Each env's full state (level, agent, episode clock, level-seed stream), for checkpoints."""
        self._require_open("get_state")
        states = []
        for i in range(self.num):
            size = self.call_c_func("get_state", i, self._ffi.NULL, 0)
            buf = self._ffi.new("char[]", max(size, 0))
            if size < 0 or self.call_c_func("get_state", i, buf, size) != size:
                raise RuntimeError(f"maze engine: get_state of env {i} failed (details on stderr)")
            states.append(bytes(self._ffi.buffer(buf, size)))
        return states

    def set_state(self, states: Sequence[bytes]) -> None:
        """Restore states from get_state() of an env with the same game, options and number of envs."""
        self._require_open("set_state")
        if len(states) != self.num:
            raise ValueError(f"expected {self.num} env states, got {len(states)}")
        for i, state in enumerate(states):
            if self.call_c_func("set_state", i, self._ffi.from_buffer(bytearray(state)), len(state)) != 0:
                raise ValueError(f"env state {i} does not fit this env (another game or world size, or corrupt)")

    def hold(self, mask: np.ndarray) -> None:
        """Envs where the bool mask [N] is True sit out the next act(): their episode does not advance, and what
        observe() returns for them (frame, reward, first, infos) is what the step before returned."""
        self._require_open("hold")
        mask = np.asarray(mask)
        if mask.shape != (self.num,) or mask.dtype != np.bool_:
            raise ValueError(f"hold mask must be a bool array of shape ({self.num},), got {mask.dtype} {mask.shape}")
        held = np.ascontiguousarray(mask, dtype=np.uint8)
        if self.call_c_func("maze_hold", self._ffi.from_buffer("uint8_t[]", held), self.num, self._message,
                            _MESSAGE_LEN) != 0:
            raise RuntimeError(f"maze engine: hold: {self._engine_message()}")

    def get_final_frames(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """The last frames, uint8 [len(indices), 64, 64, 3], of the episodes that the envs `indices` ended in the
        latest act(), as drawn before the engine began their next episodes. Needs final_frames=True; ValueError
        for an env whose episode did not end in that act."""
        self._require_open("get_final_frames")
        wanted = np.asarray(indices)
        if wanted.ndim != 1 or not (np.issubdtype(wanted.dtype, np.integer) or wanted.size == 0):
            raise ValueError(f"indices must be a 1-D integer array, got {wanted.dtype} {wanted.shape}")
        if wanted.size and (wanted.min() < 0 or wanted.max() >= self.num):
            raise ValueError(f"indices must be in 0..{self.num - 1}, got {wanted.min()}..{wanted.max()}")
        wanted = np.ascontiguousarray(wanted, dtype=np.int32)
        out = np.empty((wanted.size, 64, 64, 3), dtype=np.uint8)
        if self.call_c_func("maze_get_final_frames", self._ffi.from_buffer("int32_t[]", wanted), wanted.size,
                            self._ffi.from_buffer("uint8_t[]", out), out.size, self._message,
                            _MESSAGE_LEN) != wanted.size:
            raise ValueError(f"get_final_frames: {self._engine_message()}")
        return out

    def render(self, scale: int = 8) -> np.ndarray:
        """The current observations upscaled for humans by nearest neighbour, uint8 [N, 64*scale, 64*scale, 3]."""
        self._require_open("render")
        _, ob, _ = self.observe()
        return ob["rgb"].repeat(scale, axis=1).repeat(scale, axis=2)
