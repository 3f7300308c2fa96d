"""What the rules read of the configuration: experiments, seeds, pairs, colours, GPU shares and the params that
several rules share, from one Plan built once in the Snakefile. Parse-time only: no job imports it."""

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from workflow_scripts import experiments, layout
from workflow_scripts.game import TIMEOUT
from workflow_scripts.gpus import nvidia_gpu_count
from workflow_scripts.objects import channel_reference, colours_used
from workflow_scripts.train_config import TrainConfig

# Several agents may share one GPU (train.agents_per_gpu): each GPU job asks for its share of a GPU's
# GPU_SHARES, which profiles/local limits to GPU_SHARES per GPU of the machine.
GPU_SHARES = 1000

Wildcards = Any
ParamFunction = Callable[[Wildcards], Any]


class Plan:
    """The configuration's look-ups for the rules. `engine_version` is the engine's fingerprint
    (rule_inputs.RuleInputs.engine_version): the params of every job that loads the engine carry it."""

    def __init__(self, config: Mapping[str, Any], engine_version: str) -> None:
        self.config = config
        self.experiments: Mapping[str, Any] = config["experiments"]
        self.source: str = config["source"]
        self.active = experiments.active(config)
        self.published_dir = layout.published_dir(config["published"]["record"])
        # The tables behind the figures: from our evaluations, or imported from the published ones.
        self.tables = layout.PUBLISHED_TABLES if self.source == "zenodo" else layout.OUR_TABLES
        self.reproduction = self._reproduction_comparisons()
        # Every agent of the active experiments, as (experiment, seed).
        self.agents = [(e, s) for e in self.active for s in self.seeds(e)]
        self.capability_tables = [layout.run_file(e, s, "capability.csv") for e, s in self.agents]
        # A dict-valued param in canonical form: reordering its keys in the config reruns nothing.
        self.bootstrap = experiments.canonical(config["evaluation"]["bootstrap"])
        self.engine_version = engine_version

    # ----- experiments ---------------------------------------------------------------------------
    def seeds(self, experiment: str) -> list[int]:
        """The seeds of an experiment's agents."""
        return experiments.seeds(self.config, experiment)

    def pairs(self, experiment: str) -> dict[str, tuple[str, str]]:
        """{pair name: (obj1, obj2)} of an experiment, in config order."""
        return experiments.pairs(self.config, experiment)

    def train_config(self, experiment: str, seed: int | str) -> TrainConfig:
        """The TrainConfig of one agent."""
        return experiments.train_config(self.config, experiment, seed)

    def train_params(self, experiment: str, seed: int | str) -> dict[str, Any]:
        """One agent's TrainConfig as the train_agent job's params carry it."""
        return dataclasses.asdict(self.train_config(experiment, seed))

    def first_timeout(self, experiment: str) -> int:
        """The timestep by which every env of an experiment's training could have timed out once."""
        return TIMEOUT * self.train_config(experiment, self.seeds(experiment)[0]).n_envs

    def table_path(self, experiment: str, pair: str | None = None) -> str:
        """The table behind an experiment's figures, or one pair's: ours, or the published ones imported."""
        return layout.table_path(self.tables, experiment, pair)

    def colours_of(self, *objects: str) -> dict[str, Any]:
        """The config's declared colours that the objects use, and no other: a job sees only the colours it
        draws."""
        return experiments.canonical(colours_used(objects, self.config["colours"]))

    def experiment_value(self, key: str) -> ParamFunction:
        """A params function: `key` of the job's experiment."""
        return lambda wc: self.experiments[wc.experiment][key]

    def pair_object(self, i: int) -> ParamFunction:
        """A params function: object i (0 = obj1, 1 = obj2) of the job's pair."""
        return lambda wc: self.pairs(wc.experiment)[wc.pair][i]

    def game_objects(self, wc: Wildcards) -> dict[str, str]:
        """{option: object} of the game of {env} (`train`: the experiment's training game, else one of its
        pairs) in {experiment}."""
        if wc.env == "train":
            return {"goal": self.experiments[wc.experiment]["goal"]}
        return dict(zip(("obj1", "obj2"), self.pairs(wc.experiment)[wc.env]))

    def entry(self, section: str, experiment: str) -> dict[str, Any]:
        """The figures.<section> entry of an experiment (config_check allows at most one)."""
        return next(e for e in self.config["figures"][section] if e["experiment"] == experiment)

    def channel_reference(self, experiment: str) -> str | None:
        """The obj2 that an experiment's pairs oppose to all 8 line colours, or None (objects.channel_reference)."""
        return channel_reference(self.pairs(experiment))

    def channel_experiments(self) -> list[str]:
        """The active experiments that oppose all 8 line colours to one common obj2: the channel analysis needs
        that full design, the others skip it."""
        return [e for e in self.active if self.channel_reference(e) is not None]

    # ----- icons ---------------------------------------------------------------------------------
    def icon_objects(self) -> list[str]:
        """Every object that the configured experiments train on or evaluate, sorted: active or not, so that
        the icons are the same for both sources and scales and switching between them redraws nothing."""
        return sorted({o for exp in self.experiments.values() for pair in exp["pairs"] for o in pair}
                      | {exp["goal"] for exp in self.experiments.values()})

    def icon_files(self, experiment: str, objects: list[str] | tuple[str, ...]) -> list[str]:
        """The icons that rule object_icon made of the objects on an experiment's background: what a plot
        draws them from, so that it needs no engine."""
        background = self.experiments[experiment]["background"]
        return [layout.icon_file(background, o) for o in sorted(set(objects))]

    def all_icons(self) -> list[str]:
        """Every object's icon on every background: figures in their own right, and the icon sheet's inputs."""
        return [layout.icon_file(bg, o) for bg in layout.ICON_BACKGROUNDS for o in self.icon_objects()]

    # ----- GPUs ----------------------------------------------------------------------------------
    def training_gpus(self) -> int:
        """1 when training jobs should ask the scheduler for a GPU. `auto` asks the driver (nvidia-smi or the
        /dev/nvidiaN nodes), not torch, which parsing must not import; a job given a GPU that its torch cannot
        use then fails with a message instead of training on the CPU (devices.resolve_device)."""
        wanted = self.config["train"]["gpu"]
        if wanted == "auto":
            return int(nvidia_gpu_count() > 0)
        return int(wanted)

    def evaluation_gpus(self) -> int:
        """1 when evaluation and capability jobs run on a GPU: evaluation.device cuda, or auto where the driver
        sees a GPU."""
        device = self.config["evaluation"]["device"]
        if device == "auto":
            return int(nvidia_gpu_count() > 0)
        return int(device != "cpu")

    def gpu_resources(self, gpus: int) -> dict[str, int]:
        """The resources of a job that uses `gpus` GPUs (none when 0): `gpu` for schedulers, and `gpu_share`, a
        whole GPU's GPU_SHARES divided among the agents that may share it."""
        if not gpus:
            return {}
        return {"gpu": gpus, "gpu_share": gpus * GPU_SHARES // self.config["train"]["agents_per_gpu"]}

    # ----- params that several rules share -------------------------------------------------------
    def evaluation_params(self) -> dict[str, Any]:
        """What evaluating an agent of {experiment} on {pair} depends on: our agents and the published ones
        alike."""
        evaluation = self.config["evaluation"]
        return dict(
            obj1=self.pair_object(0),
            obj2=self.pair_object(1),
            background=self.experiment_value("background"),
            world_dim=self.experiment_value("world_dim"),
            colours=lambda wc: self.colours_of(*self.pairs(wc.experiment)[wc.pair]),
            first_level=evaluation["first_level"],
            num_levels=evaluation["num_levels"],
            seed=evaluation["seed"],
            bf16=evaluation["bf16"],
            device=evaluation["device"],
            engine=self.engine_version,
        )

    def evaluation_resources(self) -> dict[str, int]:
        """How many frames one forward pass takes: the CSVs are the same for any value
        (tests/test_evaluate.py), so it is a resource, and changing it reruns nothing."""
        return dict(max_batch=self.config["evaluation"]["max_batch"])

    def game_params(self) -> dict[str, Any]:
        """What playing an agent in the game of {env} in {experiment} depends on, besides the agent (GIFs,
        vector fields)."""
        return dict(
            game=lambda wc: "single" if wc.env == "train" else "duel",
            objects=self.game_objects,
            background=self.experiment_value("background"),
            world_dim=self.experiment_value("world_dim"),
            colours=lambda wc: self.colours_of(*self.game_objects(wc).values()),
            engine=self.engine_version,
        )

    def gif_params(self) -> dict[str, Any]:
        """What a GIF of an agent of {experiment} in {env} depends on, besides the agent: ours and published
        alike."""
        return dict(**self.game_params(), seed=self.config["evaluation"]["seed"], **self.config["figures"]["gif"])

    def vector_field_params(self) -> dict[str, Any]:
        """What a field of an agent of {experiment} in {env} on {level} depends on, besides the agents."""
        return dict(
            **self.game_params(),
            level=lambda wc: int(wc.level),
            facing=lambda wc: wc.facing,
            title=lambda wc: f"{wc.experiment}, {wc.env}",
        )

    # ----- the reproduction ----------------------------------------------------------------------
    def _reproduction_comparisons(self) -> dict[str, str]:
        """{our experiment: the experiment whose published table it is compared with}: every experiment of
        `scale` with a published_run against its own, and every reproduction.against entry of that scale
        (entries of other scales are skipped, as figures.ols's are)."""
        ours = [e for e, exp in self.experiments.items() if exp["scale"] == self.config["scale"]]
        compared = {e: e for e in ours if "published_run" in self.experiments[e]}
        for experiment, run in self.config["reproduction"]["against"].items():
            if experiment in ours:
                compared[experiment] = self._published_experiment(run)
        return compared

    def _published_experiment(self, run: str) -> str:
        """The first configured experiment (in config order) whose published_run is `run`: its published table
        holds the run's agents on that experiment's pairs (config_check makes sure there is one)."""
        return next(e for e, exp in self.experiments.items() if exp.get("published_run") == run)

    def comparisons(self) -> dict[str, dict[str, Any]]:
        """{our experiment: comparison_info} of every comparison, in canonical form (a params value)."""
        return experiments.canonical({e: self.comparison_info(e) for e in self.reproduction})

    def _setup(self, experiment: str) -> dict[str, Any]:
        """What an experiment's agents were trained with, for the summary's caveats."""
        exp = self.experiments[experiment]
        return {key: exp[key] for key in ("goal", "background", "world_dim", "timesteps", "ppo")} | {
            "overrides": exp.get("overrides", {})}

    def comparison_info(self, experiment: str) -> dict[str, Any]:
        """What the summary says of one comparison: the published run, whether it is like-for-like (the run is
        the experiment's own published_run) and both training setups."""
        theirs = self.reproduction[experiment]
        run = self.experiments[theirs]["published_run"]
        return {"published_experiment": theirs, "run": run,
                "like_for_like": self.experiments[experiment].get("published_run") == run,
                "ours": self._setup(experiment), "published": self._setup(theirs)}
