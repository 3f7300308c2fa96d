"""Evaluation: one sampled episode per level, all levels stepped together with batched inference.

Each level draws its actions from its own random stream, keyed by (seed, level seed), by inverse-CDF
sampling: a level's episode is the same whether it runs alone or in a batch, and the same on a rerun.
Within an episode the frame is a function of (agent cell, facing) alone, because objects only vanish
when it ends; so the policy runs once per distinct (level, cell, facing) and its output is reused, which
changes no result and saves most of the work of agents that wander.
"""

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from workflow_scripts.agent import Policy, load_policy
from workflow_scripts.game import TIMEOUT
from workflow_scripts.maze import MazeEnv

logger = logging.getLogger(__name__)

PAPER_TEST_LEVELS = range(100_000, 101_000)


def action_uniforms(seed: int, levels: Sequence[int]) -> torch.Tensor:
    """[len(levels), TIMEOUT] uniforms in [0, 1); row i depends only on (seed, levels[i])."""
    rows = torch.empty((len(levels), TIMEOUT), dtype=torch.float64)
    for i, level in enumerate(levels):
        rows[i] = torch.rand(TIMEOUT, generator=torch.Generator().manual_seed(seed * 2**31 + int(level)),
                             dtype=torch.float64)
    return rows


def sample_actions(log_probs: torch.Tensor, uniforms: torch.Tensor) -> torch.Tensor:
    """Inverse-CDF sampling of one action per row from log-probabilities [B, A] and uniforms [B]."""
    cdf = log_probs.double().exp().cumsum(1)
    cdf[:, -1] = 1.0  # rounding must not let a uniform fall past the last action
    # right=True: the first action whose cdf exceeds u, so zero-probability actions are never drawn.
    return torch.searchsorted(cdf, uniforms.unsqueeze(1), right=True).squeeze(1).clamp_(max=log_probs.shape[1] - 1)


def check_max_batch(max_batch: int) -> None:
    """max_batch must be a positive int: it is the number of frames per inference call."""
    if isinstance(max_batch, bool) or not isinstance(max_batch, (int, np.integer)) or max_batch < 1:
        raise ValueError(f"max_batch must be a positive int (frames per inference call), got {max_batch!r}")


def _check_finite(policy: Policy, log_probs: torch.Tensor, levels: Sequence[int], rows: np.ndarray, t: int) -> None:
    """A NaN or +inf log-probability would be sampled as the last action on every step, quietly."""
    bad = log_probs.isnan().any(1) | log_probs.isposinf().any(1)
    if bad.any():
        source = getattr(policy, "source", None) or "the policy"
        level = levels[rows[int(bad.nonzero()[0, 0])]]
        raise ValueError(f"{source} gives non-finite (NaN or infinite) action probabilities, first on level {level} "
                         f"at step {t + 1}: its weights are broken, or bfloat16 overflowed")


def run_episodes(policy: Policy, game: str, levels: Sequence[int], seed: int = 0, device: str | torch.device = "cpu",
                 bf16: bool = False, max_batch: int = 256, **env_options: Any) -> pd.DataFrame:
    """The first episode of every level: columns seed (the level), steps (actions taken, the last
    included), reward (raw reward of the last step; 0 on a timeout). Finished levels leave the batch;
    inference runs in chunks of at most max_batch frames, which bounds memory. Every 50 steps, how many
    levels still run is logged at DEBUG."""
    check_max_batch(max_batch)
    levels = [int(s) for s in levels]
    env = MazeEnv(len(levels), game, level_seeds=levels, reuse_arrays=True, **env_options)
    uniforms = action_uniforms(seed, levels)
    steps = np.zeros(len(levels), dtype=np.int64)
    rewards = np.zeros(len(levels), dtype=np.float64)
    active = np.ones(len(levels), dtype=bool)
    actions = np.full(len(levels), 4, dtype=np.int32)  # finished levels stand still
    cache: dict[tuple[int, int, int, int], torch.Tensor] = {}
    policy.eval()
    _, ob, _ = env.observe()
    for t in range(TIMEOUT):
        idx = np.flatnonzero(active)
        keys = [(i, *map(int, a)) for i, a in zip(idx, env.get_agent()[idx])]
        missing = [k for k, key in enumerate(keys) if key not in cache]
        for start in range(0, len(missing), max_batch):
            chunk = missing[start:start + max_batch]
            obs = torch.from_numpy(ob["rgb"][idx[chunk]]).to(device)
            with torch.no_grad(), torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=bf16):
                log_probs = policy.logits_and_value(obs)[0].float().cpu()
            _check_finite(policy, log_probs, levels, idx[chunk], t)
            for k, row in zip(chunk, log_probs):
                cache[keys[k]] = row
        actions[:] = 4
        actions[idx] = sample_actions(torch.stack([cache[key] for key in keys]), uniforms[idx, t]).numpy()
        env.act(actions)
        rew, ob, first = env.observe()
        ended = idx[first[idx]]
        steps[ended], rewards[ended] = t + 1, rew[ended]
        active[ended] = False
        if (t + 1) % 50 == 0:
            logger.debug("step %d: %d of %d levels still running", t + 1, active.sum(), len(levels))
        if not active.any():
            break
    env.close()
    return pd.DataFrame({"seed": levels, "steps": steps, "reward": rewards})


def run_episodes_one_by_one(policy: Policy, game: str, levels: Sequence[int], seed: int = 0,
                            device: str | torch.device = "cpu", **env_options: Any) -> pd.DataFrame:
    """The original protocol, plainly: a fresh env per level, batch size 1, nothing reused. It draws the
    same per-level actions, so it must give exactly what run_episodes gives; the reference for tests and
    the baseline of the benchmark."""
    rows = []
    for level in levels:
        env = MazeEnv(1, game, level_seeds=[int(level)], **env_options)
        uniforms = action_uniforms(seed, [level])[0]
        for t in range(TIMEOUT):
            obs = torch.from_numpy(env.observe()[1]["rgb"]).to(device)
            with torch.no_grad():
                log_probs = policy.logits_and_value(obs)[0].float().cpu()
            env.act(sample_actions(log_probs, uniforms[t:t + 1]).numpy().astype(np.int32))
            rew, _, first = env.observe()
            if first[0]:  # the 500th step always ends the episode
                rows.append((int(level), t + 1, float(rew[0])))
                break
        env.close()
    return pd.DataFrame(rows, columns=["seed", "steps", "reward"])


def evaluate_checkpoint(path: str | os.PathLike[str], obj1: str, obj2: str, background: str = "black",
                        levels: Sequence[int] = PAPER_TEST_LEVELS, seed: int = 0, device: str | torch.device = "cpu",
                        world_dim: int = 5, colours: Mapping[str, Sequence[int]] | None = None,
                        bf16: bool = False, max_batch: int = 256,
                        engine: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """An agent (original checkpoint format or ours) in the duel game: obj1 gives +10, obj2 -10, a timeout 0.
    One row per level, in order: seed, steps, reward. `engine` is the engine's folder (default:
    maze.engine_dir(), i.e. MAZE_ENGINE_DIR or the checkout's)."""
    check_max_batch(max_batch)
    policy = load_policy(path, device)
    return run_episodes(policy, "duel", levels, seed, device, bf16, max_batch, obj1=obj1, obj2=obj2,
                        background=background, world_dim=world_dim, colours=colours, engine=engine)
