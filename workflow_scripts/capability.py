"""An agent's capability in its own training game: the first episode on each of a set of levels it never
trained on (training uses levels below 100,000), as `seed,steps,reward` rows."""

import os
from collections.abc import Mapping, Sequence

import pandas as pd
import torch

from workflow_scripts.agent import load_policy
from workflow_scripts.evaluate import run_episodes


def training_game_episodes(path: str | os.PathLike[str], goal: str, background: str, world_dim: int,
                           levels: Sequence[int], colours: Mapping[str, Sequence[int]] | None = None, seed: int = 0,
                           device: str | torch.device = "cpu", bf16: bool = False,
                           engine: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The agent at `path` once on each level of its training game (`single` with its goal); `engine` is the
    engine's folder (default: maze.engine_dir())."""
    return run_episodes(load_policy(path, device), "single", levels, seed, device, bf16, goal=goal,
                        background=background, world_dim=world_dim, colours=colours, engine=engine)
