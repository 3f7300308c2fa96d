"""What a training run's result depends on (`TrainConfig`) and its command-line flags, without torch: the
workflow builds one per job while parsing, and parsing must not pay for importing torch."""

import argparse
import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any


def _field(default: Any, help: str, **kwargs: Any) -> Any:
    """A dataclass field whose metadata carries its help text (the flag's help line)."""
    if callable(default):
        return field(default_factory=default, metadata={"help": help}, **kwargs)
    return field(default=default, metadata={"help": help}, **kwargs)


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run's result depends on. Defaults are the original `hard-500` set with the
    `maze-5x5` environment."""

    seed: int = _field(0, "seeds the network init, action sampling, minibatch order and the env's rand_seed")
    goal: str = _field("yellow_line_diag", "the object that gives +10 in the training game")
    background: str = _field("black", "background of the training game: black, grey or textured")
    world_dim: int = _field(5, "maze side in cells (5 for maze-5x5)")
    colours: dict[str, list[int]] = _field(dict, 'extra colours as JSON, e.g. {"orange": [255, 128, 0]}')
    num_levels: int = _field(100_000, "number of training levels")
    start_level: int = _field(0, "first training level")
    timesteps: int = _field(5_000_000, "env steps to train for (rounded up to whole iterations)")
    n_envs: int = _field(256, "parallel envs per rollout")
    n_steps: int = _field(256, "steps per env per rollout")
    epochs: int = _field(3, "passes over each rollout")
    minibatches: int = _field(8, "minibatches per epoch; must divide n_envs * n_steps")
    gamma: float = _field(0.999, "discount of the advantages")
    lam: float = _field(0.95, "GAE lambda")
    learning_rate: float = _field(5e-4, "Adam's initial learning rate, decayed linearly to 0")
    adam_eps: float = _field(1e-5, "Adam's epsilon")
    clip: float = _field(0.2, "PPO clip range of the ratio and of the value")
    value_coef: float = _field(0.5, "weight of the value loss")
    entropy_coef: float = _field(0.01, "weight of the entropy bonus")
    max_grad_norm: float = _field(0.5, "gradient-norm clipping")
    reward_gamma: float = _field(0.99, "discount of the returns whose spread scales rewards")
    reward_clip: float = _field(10.0, "scaled rewards are clipped to +-this")
    num_checkpoints: int = _field(5, "checkpoints after t = 0, equally spaced")
    torch_threads: int = _field(2, "torch's CPU threads (also the job's Snakemake threads)")
    env_threads: int = _field(1, "engine threads (0: step inline)")
    bf16: bool | str = _field(False, "bfloat16 autocast for the network (not the original's float32; for CPU demos); "
                                     "auto: where the device has native bfloat16")

    def __post_init__(self) -> None:
        if self.timesteps <= 0 or self.n_envs <= 0 or self.n_steps <= 0 or self.epochs <= 0:
            raise ValueError("timesteps, n_envs, n_steps and epochs must be positive")
        if (self.n_envs * self.n_steps) % self.minibatches:
            raise ValueError(f"n_envs * n_steps = {self.n_envs * self.n_steps} is not divisible by "
                             f"minibatches = {self.minibatches}")
        if self.bf16 not in (True, False, "auto") or not isinstance(self.bf16, (bool, str)):
            raise ValueError(f"bf16 must be true, false or auto, not {self.bf16!r}")
        if self.num_checkpoints < 1 or self.timesteps // self.num_checkpoints < 1:
            raise ValueError("num_checkpoints must be at least 1 and at most timesteps")

    def as_json(self) -> str:
        """The config as sorted JSON: what a checkpoint records, and what resuming compares."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @property
    def batch(self) -> int:
        return self.n_envs * self.n_steps

    def checkpoint_steps(self) -> list[int]:
        """Timesteps of the checkpoints after t = 0: the first t past each of num_checkpoints thresholds, at
        most one per iteration (as the original), and always the final one."""
        interval = self.timesteps // self.num_checkpoints
        steps, t, saved = [], 0, 0
        while t < self.timesteps:
            t += self.batch
            if t > (saved + 1) * interval or t >= self.timesteps:
                steps.append(t)
                saved += 1
        return steps

    def final_timesteps(self) -> int:
        return math.ceil(self.timesteps / self.batch) * self.batch


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field, with the field's default and help text."""
    for f in dataclasses.fields(TrainConfig):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        help_text = f"{f.metadata['help']} (default: {json.dumps(default)})"
        if isinstance(default, bool):
            parser.add_argument(f"--{f.name}", action=argparse.BooleanOptionalAction, default=default, help=help_text)
        elif isinstance(default, dict):
            parser.add_argument(f"--{f.name}", type=json.loads, default=default, help=help_text)
        else:
            parser.add_argument(f"--{f.name}", type=type(default), default=default, help=help_text)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig of parsed add_config_flags flags."""
    return TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)})
