"""The maze games as Gymnasium environments: `MazeGymEnv` (one env) and `MazeVectorEnv` (one batched engine).

Importing this module registers `csgm/MazeSingle-v0`, `csgm/MazeDuel-v0` and `csgm/ProcgenMaze-v0` for
`gymnasium.make` and `gymnasium.make_vec` (whose default for these ids is the batched `MazeVectorEnv`).
Both step the engine exactly as `MazeEnv` does, so for the same seed, options and actions they show
`MazeEnv`'s frames, rewards and episode ends, and at each episode end the episode's real last frame.

The engine starts the next episode inside the step that ends one (as Procgen does) but first keeps the ended
episode's last frame (`MazeEnv(..., final_frames=True)`). So the step that ends an episode returns that last
frame with `terminated` (an object reached) or `truncated` (the 500-step timeout), as Gymnasium's envs do;
the single env's `reset()` then shows the next level. `MazeVectorEnv` autoresets in Gymnasium's default
`AutoresetMode.NEXT_STEP` (the next step shows the new episode's first frame, with reward 0, ignoring that
env's action: the engine holds the env for that step), or in `AutoresetMode.SAME_STEP` on request (the new
episode's first frame at once, and the last frame in `info["final_obs"]`).

`reset(seed=s)` starts an engine with `rand_seed=s` (an int or numpy integer, 0 <= s < 2**31), exactly
`MazeEnv(..., rand_seed=s)`. An unseeded `reset()` right after an episode ended (or on a new env) shows the
episode the engine has already begun, keeping `MazeEnv`'s stream of levels; anywhere else it starts an
engine whose `rand_seed` is drawn from `np_random`, so it too is reproducible after a seeded reset.
"""

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from workflow_scripts.game import NUM_ACTIONS
from workflow_scripts.maze import MazeEnv

ENV_IDS = {"single": "csgm/MazeSingle-v0", "duel": "csgm/MazeDuel-v0", "procgen_maze": "csgm/ProcgenMaze-v0"}
FRAME_SHAPE = (64, 64, 3)
SEED_LIMIT = 2**31  # the engine's rand_seed and its count of envs are int32
AUTORESET_MODES = (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP)
_METADATA = {"render_modes": ["rgb_array"], "render_fps": 15}

Info = dict[str, Any]


def _engine_options(obj1: str | None, obj2: str | None, goal: str | None, background: str | None,
                    world_dim: int | None, num_levels: int | None, start_level: int | None,
                    level_seeds: Sequence[int] | None) -> dict[str, Any]:
    """The options given, by the engine's names; the engine's defaults stand for the rest."""
    given = {"obj1": obj1, "obj2": obj2, "goal": goal, "background": background, "world_dim": world_dim,
             "num_levels": num_levels, "start_level": start_level, "level_seeds": level_seeds}
    return {name: value for name, value in given.items() if value is not None}


def _check_render_mode(render_mode: str | None) -> None:
    """Only rgb_array (the frame the agent sees) or no rendering."""
    if render_mode not in (None, "rgb_array"):
        raise ValueError(f"render_mode {render_mode!r} is not supported; use 'rgb_array' or None")


def _rand_seed(seed: Any, options: dict[str, Any] | None) -> int | None:
    """A reset's seed as the engine's rand_seed (None for none); errors name a seed the engine cannot take."""
    if options:
        raise ValueError(f"reset options {sorted(options)} are not supported: pass game options to make, and envs "
                         f"autoreset after an episode ends, so there is no reset_mask")
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"reset seed must be an int (one engine seeds all its envs), got {type(seed).__name__} "
                        f"{seed!r}")
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"reset seed {seed} is outside 0..{SEED_LIMIT - 1}, the engine's rand_seed range")
    return int(seed)


def _num_envs(num_envs: Any) -> int:
    """num_envs as an int the engine can count; ValueError naming it otherwise."""
    if isinstance(num_envs, (bool, np.bool_)) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
    if num_envs >= SEED_LIMIT:
        raise ValueError(f"num_envs = {num_envs} is more than the engine can count (at most {SEED_LIMIT - 1})")
    return int(num_envs)


@dataclass
class _Step:
    """One engine step: each env's current frame (the next episode's first where one ended), the last frames of
    the episodes that ended (in env order), and rewards, episode ends and the engine's info as arrays."""

    frames: np.ndarray
    final_frames: np.ndarray
    rewards: np.ndarray
    ended: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    info: Info


class _Engine:
    """One batched `MazeEnv`, restarted by seeded resets, with the bookkeeping Gymnasium's reset needs."""

    def __init__(self, num: int, game: str, colours: Mapping[str, Sequence[int]] | None,
                 engine: str | os.PathLike[str] | None, options: dict[str, Any]) -> None:
        self.num, self.game, self.colours, self.engine, self.options = num, game, colours, engine, options
        self.env: MazeEnv | None = None
        self.closed = False
        # True while every env's current episode is one nobody has seen (a new engine, or all episodes just begun
        # by the engine's own reset), so an unseeded reset() shows them instead of restarting the engine.
        self.unshown = False

    def start(self, rand_seed: int) -> None:
        """Replace the engine by a new one seeded with rand_seed; options are checked by MazeEnv."""
        self._stop()
        self.env = MazeEnv(self.num, self.game, colours=self.colours, engine=self.engine, rand_seed=rand_seed,
                           final_frames=True, **self.options)
        self.unshown = True

    def _running(self, method: str) -> MazeEnv:
        """The engine, or a clear error once close() has run."""
        if self.closed or self.env is None:
            raise RuntimeError(f"{method}() on a closed env: make a new one to continue")
        return self.env

    def reset(self, rand_seed: int | None, np_random: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Frames uint8 [N, 64, 64, 3] and level seeds int64 [N] of new episodes: a new engine for a seed or when
        the current episodes have been seen (seeded from np_random), else the episodes the engine has begun."""
        self._running("reset")
        if rand_seed is not None:
            self.start(rand_seed)
        elif not self.unshown:
            self.start(int(np_random.integers(SEED_LIMIT)))
        _, ob, _ = self.env.observe()
        self.unshown = False
        return ob["rgb"], np.array([info["level_seed"] for info in self.env.get_info()], dtype=np.int64)

    def step(self, actions: np.ndarray, held: np.ndarray | None = None) -> _Step:
        """One engine step; envs where `held` is True sit it out (their episode does not advance)."""
        env = self._running("step")
        held = np.zeros(self.num, dtype=bool) if held is None else held
        if held.any():
            env.hold(held)
        env.act(actions)
        rew, ob, first = env.observe()
        infos = env.get_info()
        # A held env still reports the first frame it showed before; only a stepped env can have ended.
        ended = first & ~held
        complete = np.array([bool(info["prev_level_complete"]) for info in infos])
        info = {"level_seed": np.array([info["level_seed"] for info in infos], dtype=np.int64),
                "prev_level_seed": np.array([info["prev_level_seed"] for info in infos], dtype=np.int64),
                "prev_level_complete": complete}
        final_frames = (env.get_final_frames(np.flatnonzero(ended)) if ended.any()
                        else np.empty((0, *FRAME_SHAPE), dtype=np.uint8))  # most steps end nothing: no engine call
        self.unshown = bool(ended.all())
        return _Step(ob["rgb"], final_frames, np.where(held, 0.0, rew).astype(np.float32), ended, ended & complete,
                     ended & ~complete, info)

    def _stop(self) -> None:
        """Close the engine if one is running."""
        if self.env is not None:
            self.env.close()
            self.env = None

    def close(self) -> None:
        """Close the engine for good: reset() and step() then raise RuntimeError."""
        self._stop()
        self.closed = True


def _engine_or_memory_error(num_envs: int, game: str, colours: Mapping[str, Sequence[int]] | None,
                            engine: str | os.PathLike[str] | None, options: dict[str, Any],
                            rand_seed: int) -> _Engine:
    """A started _Engine; a MemoryError names num_envs, the keyword the user can change."""
    made = _Engine(num_envs, game, colours, engine, options)
    try:
        made.start(rand_seed)
    except MemoryError as error:
        raise MemoryError(f"num_envs={num_envs}: {error}") from error
    return made


class MazeGymEnv(gymnasium.Env[np.ndarray, np.int64]):
    """One maze game as a Gymnasium env: uint8 frames [64, 64, 3], Discrete(15) actions.

    Keywords are the engine's options (docs/engine.md): obj1/obj2 (duel; they may be the same object, as
    in the paper's control pairs that measure the agent's bias towards a position), goal (single), background,
    world_dim (not procgen_maze), colours, num_levels, start_level, level_seeds (one level, as a one-element
    list); engine is the folder holding libmaze.so (default: MazeEnv's).
    """

    metadata = _METADATA

    def __init__(self, game: str = "single", render_mode: str | None = None, *, obj1: str | None = None,
                 obj2: str | None = None, goal: str | None = None, background: str | None = None,
                 world_dim: int | None = None, colours: Mapping[str, Sequence[int]] | None = None,
                 num_levels: int | None = None, start_level: int | None = None,
                 level_seeds: Sequence[int] | None = None, engine: str | os.PathLike[str] | None = None) -> None:
        _check_render_mode(render_mode)
        self.render_mode = render_mode
        self.observation_space = spaces.Box(0, 255, FRAME_SHAPE, np.uint8)
        self.action_space = spaces.Discrete(NUM_ACTIONS)
        options = _engine_options(obj1, obj2, goal, background, world_dim, num_levels, start_level, level_seeds)
        # Built now so that bad options fail in gymnasium.make, not at the first reset.
        self._engine = _engine_or_memory_error(1, game, colours, engine, options,
                                               int(self.np_random.integers(SEED_LIMIT)))
        self._frame = np.zeros(FRAME_SHAPE, dtype=np.uint8)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, Info]:
        """Start an episode: see the module docstring for what a seed and an unseeded reset do."""
        rand_seed = _rand_seed(seed, options)  # checked, and a numpy integer made an int, before np_random is reseeded
        super().reset(seed=rand_seed)
        frames, level_seeds = self._engine.reset(rand_seed, self.np_random)
        self._frame = frames[0]
        return self._frame, {"level_seed": int(level_seeds[0])}

    def step(self, action: int | np.integer) -> tuple[np.ndarray, float, bool, bool, Info]:
        """Play one action; the step that ends an episode returns its last frame, and reset() the next level."""
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an int in 0..{NUM_ACTIONS - 1}, got {action!r}")
        step = self._engine.step(np.array([action], dtype=np.int32))
        self._frame = step.final_frames[0] if step.ended[0] else step.frames[0]
        return (self._frame, float(step.rewards[0]), bool(step.terminated[0]), bool(step.truncated[0]),
                {key: value[0].item() for key, value in step.info.items()})

    def render(self) -> np.ndarray | None:
        """The frame the agent saw last, uint8 [64, 64, 3], when render_mode is 'rgb_array'."""
        return self._frame.copy() if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Release the engine; the env cannot be reset afterwards."""
        self._engine.close()


class MazeVectorEnv(VectorEnv[np.ndarray, np.ndarray, np.ndarray]):
    """`num_envs` copies of a maze game stepped together by one engine.

    Keywords as `MazeGymEnv` (level_seeds: one level per env), plus num_threads (engine worker threads,
    0 = step inline; results do not depend on it) and autoreset_mode (`AutoresetMode.NEXT_STEP`, the default,
    or `SAME_STEP`). `info` holds, per env, level_seed (the level the engine plays now: after an episode end
    the next one), prev_level_seed and prev_level_complete (the level just played, and whether an object ended
    it; masked out for an env that was being reset in NEXT_STEP mode), each with Gymnasium's `_key` mask. In
    SAME_STEP mode an ended episode's last frame is in `final_obs` and its level_seed in `final_info`.
    """

    metadata = {**_METADATA, "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, num_envs: int = 1, game: str = "single", render_mode: str | None = None, *,
                 obj1: str | None = None, obj2: str | None = None, goal: str | None = None,
                 background: str | None = None, world_dim: int | None = None,
                 colours: Mapping[str, Sequence[int]] | None = None, num_levels: int | None = None,
                 start_level: int | None = None, level_seeds: Sequence[int] | None = None,
                 num_threads: int = 0, autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
                 engine: str | os.PathLike[str] | None = None) -> None:
        _check_render_mode(render_mode)
        num_envs = _num_envs(num_envs)
        mode = AutoresetMode(autoreset_mode)
        if mode not in AUTORESET_MODES:
            raise ValueError(f"autoreset_mode {mode} is not supported; use AutoresetMode.NEXT_STEP or SAME_STEP")
        options = _engine_options(obj1, obj2, goal, background, world_dim, num_levels, start_level, level_seeds)
        # Built now so that bad options (num_envs too) fail in gymnasium.make_vec, not at the first reset.
        self._engine = _engine_or_memory_error(num_envs, game, colours, engine, {**options, "num_threads": num_threads},
                                               int(self.np_random.integers(SEED_LIMIT)))
        self.autoreset_mode = mode
        self.metadata = {**self.metadata, "autoreset_mode": mode}
        self.num_envs = num_envs
        self.render_mode = render_mode
        self.single_observation_space = spaces.Box(0, 255, FRAME_SHAPE, np.uint8)
        self.single_action_space = spaces.Discrete(NUM_ACTIONS)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._frames = np.zeros((num_envs, *FRAME_SHAPE), dtype=np.uint8)
        # NEXT_STEP: envs whose episode ended in the last step; the next step shows their new episode instead.
        self._resetting = np.zeros(num_envs, dtype=bool)

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, Info]:
        """Start every env: see the module docstring for what a seed and an unseeded reset do."""
        rand_seed = _rand_seed(seed, options)  # checked, and a numpy integer made an int, before np_random is reseeded
        super().reset(seed=rand_seed)
        self._frames, level_seeds = self._engine.reset(rand_seed, self.np_random)
        self._resetting[:] = False
        return self._frames, {"level_seed": level_seeds, "_level_seed": np.ones(self.num_envs, dtype=bool)}

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Info]:
        """Play one action per env; see the class docstring for what an episode end returns in each mode."""
        next_step = self.autoreset_mode == AutoresetMode.NEXT_STEP
        resetting = self._resetting if next_step else np.zeros(self.num_envs, dtype=bool)
        step = self._engine.step(np.asarray(actions), held=resetting)
        info: Info = {**step.info, "_level_seed": np.ones(self.num_envs, dtype=bool),
                      "_prev_level_seed": ~resetting, "_prev_level_complete": ~resetting}
        frames = step.frames
        if next_step:
            frames[step.ended] = step.final_frames
            self._resetting = step.ended
        elif step.ended.any():
            final_obs = np.full(self.num_envs, None, dtype=object)  # as Gymnasium's SyncVectorEnv gives it
            for index, frame in zip(np.flatnonzero(step.ended), step.final_frames):
                final_obs[index] = frame
            info.update(final_obs=final_obs, _final_obs=step.ended, _final_info=step.ended,
                        final_info={"level_seed": np.where(step.ended, step.info["prev_level_seed"], 0),
                                    "_level_seed": step.ended})
        self._frames = frames
        return frames, step.rewards, step.terminated, step.truncated, info

    def render(self) -> tuple[np.ndarray, ...] | None:
        """Each env's frame last returned, uint8 [64, 64, 3], when render_mode is 'rgb_array'."""
        return tuple(self._frames.copy()) if self.render_mode == "rgb_array" else None

    def close_extras(self, **kwargs: Any) -> None:
        """Release the engine; the envs cannot be reset afterwards."""
        self._engine.close()


def _register() -> None:
    """Register every game's id, once per process."""
    for game, env_id in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=f"{__name__}:MazeGymEnv",
                               vector_entry_point=f"{__name__}:MazeVectorEnv", kwargs={"game": game})


_register()
