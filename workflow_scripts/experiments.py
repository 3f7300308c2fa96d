"""The experiments of a configuration as parsing needs them: which are active, their seeds, pairs and training
configs. Torch-free, since the workflow reads them every time it is parsed."""

from collections.abc import Mapping
from typing import Any

from workflow_scripts.objects import colours_used, short_name
from workflow_scripts.train_config import TrainConfig


def canonical(value: Any) -> Any:
    """The value with every mapping's keys sorted, recursively: a dict-valued param in the form Snakemake
    compares (it keeps a dict's repr, which keeps key order), so that reordering keys in the config reruns
    nothing."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(canonical(item) for item in value)
    return value


def active(config: Mapping[str, Any]) -> list[str]:
    """The experiments the targets build: with source=zenodo those that name a published_run, else those of
    the configured scale."""
    experiments = config["experiments"]
    if config["source"] == "zenodo":
        return [name for name, exp in experiments.items() if "published_run" in exp]
    return [name for name, exp in experiments.items() if exp["scale"] == config["scale"]]


def seeds(config: Mapping[str, Any], experiment: str) -> list[int]:
    """The seeds of an experiment's agents."""
    s = config["experiments"][experiment]["seeds"]
    return list(range(s["start"], s["start"] + s["count"]))


def pair_name(obj1: str, obj2: str) -> str:
    """The original's folder name of a pair: red_line_diag, yellow_gem -> red-line-yellow-gem."""
    return f"{short_name(obj1)}-{short_name(obj2)}"


def pairs(config: Mapping[str, Any], experiment: str) -> dict[str, tuple[str, str]]:
    """{pair name: (obj1, obj2)} of an experiment, in config order."""
    return {pair_name(a, b): (a, b) for a, b in config["experiments"][experiment]["pairs"]}


def ppo_values(config: Mapping[str, Any], experiment: str) -> dict[str, Any]:
    """An experiment's PPO set with its overrides laid over it (an unknown set counts as empty)."""
    exp = config["experiments"][experiment]
    return {**config["ppo"].get(exp["ppo"], {}), **exp.get("overrides", {})}


def train_config(config: Mapping[str, Any], experiment: str, seed: int) -> TrainConfig:
    """The TrainConfig of one agent: the experiment's PPO set, its overrides and its environment, with only the
    declared colours its goal uses. A ValueError when the values do not make a run."""
    exp = config["experiments"][experiment]
    return TrainConfig(seed=int(seed), goal=exp["goal"], background=exp["background"], world_dim=exp["world_dim"],
                       colours=colours_used([exp["goal"]], config["colours"]), timesteps=exp["timesteps"],
                       **ppo_values(config, experiment))
