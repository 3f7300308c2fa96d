# Helpers shared by the rule files.
import dataclasses
import glob
import importlib.util
from pathlib import Path

from workflow_scripts.code_deps import project_imports
from workflow_scripts.objects import all_colours, parse_object, short_name
from workflow_scripts.prepare_assets import ASSET_NAMES, BACKGROUNDS, SPRITES, procgen_assets_dir

ENGINE_DIR = "results/engine"
ENGINE_LIB = f"{ENGINE_DIR}/libmaze.so"
ENGINE_ASSETS = expand(f"{ENGINE_DIR}/assets/{{name}}.pam", name=ASSET_NAMES)
PROCGEN_ASSETS = procgen_assets_dir()
# gym3 ships libenv.h beside its modules; found without importing gym3, which parsing the workflow never does.
LIBENV_HEADER_DIR = str(Path(importlib.util.find_spec("gym3").origin).parent)


def job_code(rule_name):
    """The project modules that a rule's entry script imports, directly or not, as inputs: Snakemake itself
    tracks only the script, so without them editing a module would rerun nothing."""
    return list(project_imports(f"workflow_scripts/jobs/{rule_name}.py", workflow.basedir))


def png_pdf(stem):
    """A figure's two files."""
    return [f"{stem}.png", f"{stem}.pdf"]


def experiment_value(key):
    """A params function: `key` of the job's experiment."""
    return lambda wc: EXPERIMENTS[wc.experiment][key]


def pair_object(i):
    """A params function: object i (0 = obj1, 1 = obj2) of the job's pair."""
    return lambda wc: pairs(wc.experiment)[wc.pair][i]

# Redefining a built-in colour is caught here, before any job runs (the schema checks the shape).
all_colours(config["colours"])


# ----- experiments --------------------------------------------------------------------------------
from workflow_scripts.gpus import nvidia_gpu_count
from workflow_scripts.train_config import TrainConfig

EXPERIMENTS = config["experiments"]
SOURCE = config["source"]
if SOURCE == "zenodo":
    ACTIVE = [name for name, exp in EXPERIMENTS.items() if "published_run" in exp]
else:
    ACTIVE = [name for name, exp in EXPERIMENTS.items() if exp["scale"] == config["scale"]]
PUBLISHED_DIR = f"resources/zenodo/{config['published']['record']}"
PUBLISHED_INDEX = "results/published/index.csv"


def seeds(experiment):
    s = EXPERIMENTS[experiment]["seeds"]
    return list(range(s["start"], s["start"] + s["count"]))


def train_config(experiment, seed):
    """The TrainConfig of one agent: the experiment's PPO set, its overrides and environment."""
    exp = EXPERIMENTS[experiment]
    values = {**config["ppo"][exp["ppo"]], **exp.get("overrides", {})}
    return TrainConfig(seed=int(seed), goal=exp["goal"], background=exp["background"], world_dim=exp["world_dim"],
                       colours=config["colours"], timesteps=exp["timesteps"], **values)


def training_gpus():
    """1 when training jobs should ask the scheduler for a GPU. `auto` asks the driver (nvidia-smi or the
    /dev/nvidiaN nodes), not torch, which parsing must not import; a job given a GPU that its torch cannot
    use then fails with a message instead of training on the CPU (devices.resolve_device)."""
    wanted = config["train"]["gpu"]
    if wanted == "auto":
        return int(nvidia_gpu_count() > 0)
    return int(wanted)


def evaluation_gpus():
    """1 when evaluation and capability jobs run on a GPU: evaluation.device cuda, or auto where the driver
    sees a GPU."""
    device = config["evaluation"]["device"]
    if device == "auto":
        return int(nvidia_gpu_count() > 0)
    return int(device != "cpu")


# Several agents may share one GPU (train.agents_per_gpu): each GPU job asks for its share of a GPU's
# GPU_SHARES, which profiles/local limits to GPU_SHARES per GPU of the machine.
GPU_SHARES = 1000


def gpu_resources(gpus):
    """The resources of a job that uses `gpus` GPUs (none when 0): `gpu` for schedulers, and `gpu_share`, a
    whole GPU's GPU_SHARES divided among the agents that may share it."""
    if not gpus:
        return {}
    return {"gpu": gpus, "gpu_share": gpus * GPU_SHARES // config["train"]["agents_per_gpu"]}


def final_checkpoint(experiment, seed):
    """An agent's last checkpoint; the same file also carries the original's name, e.g. model_5046272.pth."""
    return f"results/train/{experiment}/seed_{seed}/final.pth"


def pair_name(obj1, obj2):
    """The original's folder name of a pair: red_line_diag, yellow_gem -> red-line-yellow-gem."""
    return f"{short_name(obj1)}-{short_name(obj2)}"


def pairs(experiment):
    """{pair name: (obj1, obj2)} of an experiment, in config order."""
    return {pair_name(a, b): (a, b) for a, b in EXPERIMENTS[experiment]["pairs"]}


TABLES = "results/published/tables" if SOURCE == "zenodo" else "results/tables"


def table_path(experiment, pair=None):
    """The table behind an experiment's figures, or one pair's: from our evaluations, or imported from the
    published ones."""
    return f"{TABLES}/{experiment}.csv" if pair is None else f"{TABLES}/{experiment}/{pair}.csv"


# What evaluating an agent of {experiment} on {pair} depends on: our agents and the published ones alike.
EVALUATION_PARAMS = dict(
    obj1=pair_object(0),
    obj2=pair_object(1),
    background=experiment_value("background"),
    world_dim=experiment_value("world_dim"),
    colours=config["colours"],
    first_level=config["evaluation"]["first_level"],
    num_levels=config["evaluation"]["num_levels"],
    seed=config["evaluation"]["seed"],
    bf16=config["evaluation"]["bf16"],
    max_batch=config["evaluation"]["max_batch"],
    device=config["evaluation"]["device"],
)


# The game of {env} (`train`: the experiment's training game, else one of its pairs) in {experiment}: for the
# rules that play an agent there (GIFs, vector fields).
GAME_PARAMS = dict(
    game=lambda wc: "single" if wc.env == "train" else "duel",
    objects=lambda wc: ({"goal": EXPERIMENTS[wc.experiment]["goal"]} if wc.env == "train" else
                        dict(zip(("obj1", "obj2"), pairs(wc.experiment)[wc.env]))),
    background=experiment_value("background"),
    world_dim=experiment_value("world_dim"),
    colours=config["colours"],
)


def _published_index():
    """The index of the unpacked published record (after its checkpoint has run)."""
    from workflow_scripts.published import read_index

    return read_index(checkpoints.index_published.get().output[0])


def compared_agents(wc):
    """{agent: final checkpoint} of the published agents that published.compare re-evaluates on a pair."""
    from workflow_scripts.published import published_agents

    entry = next(e for e in config["published"]["compare"] if (e["experiment"], e["pair"]) == (wc.experiment, wc.pair))
    return published_agents(_published_index(), EXPERIMENTS[wc.experiment]["published_run"], wc.pair, entry["agents"])


def published_checkpoint(wc):
    """The final checkpoint of one published agent of {experiment}."""
    from workflow_scripts.published import published_checkpoint as lookup

    return lookup(_published_index(), EXPERIMENTS[wc.experiment]["published_run"], wc.agent)


def published_csvs(wc):
    """The published evaluation CSVs of the agents that compared_agents names, in the same order."""
    from workflow_scripts.published import published_results

    results = published_results(_published_index(), EXPERIMENTS[wc.experiment]["published_run"], wc.pair)
    return [results[agent] for agent in compared_agents(wc)]


def _figure_experiment(section, entry):
    """The experiment a figures.<section> entry names, which must exist."""
    if entry["experiment"] not in EXPERIMENTS:
        raise ValueError(f"{section}: unknown experiment {entry['experiment']!r}")
    return entry["experiment"]


def check_env(section, experiment, env):
    """A config entry's env: `train` (the experiment's training game) or one of the experiment's pairs."""
    if env != "train" and env not in pairs(experiment):
        raise ValueError(f"{section}: env {env!r} is neither 'train' nor a pair of {experiment!r}; "
                         f"its pairs: {', '.join(pairs(experiment))}")


def check_seed(section, experiment, seed):
    """A config entry's seed: one of the experiment's agents."""
    if seed not in seeds(experiment):
        raise ValueError(f"{section}: experiment {experiment!r} has no seed {seed} "
                         f"(seeds {seeds(experiment)[0]}..{seeds(experiment)[-1]})")


def check_experiments():
    """Everything about the experiments that the schema cannot express, before any job runs."""
    for name, exp in EXPERIMENTS.items():
        for obj1, obj2 in exp["pairs"]:
            for obj in (obj1, obj2):
                try:
                    parse_object(obj, config["colours"])
                except ValueError as err:
                    raise ValueError(f"experiment {name!r}, pair [{obj1}, {obj2}]: {err}") from None
        if len(pairs(name)) != len(exp["pairs"]):
            raise ValueError(f"experiment {name!r}: two pairs share a name")
        if exp["ppo"] not in config["ppo"]:
            raise ValueError(f"experiment {name!r}: unknown ppo set {exp['ppo']!r}; known: {', '.join(config['ppo'])}")
        parse_object(exp["goal"], config["colours"])
        train_config(name, 0)  # raises on inconsistent batch sizes
    for entry in config["figures"]["ols"]:
        exp = _figure_experiment("figures.ols", entry)
        for axis in ("x", "y"):
            if entry[axis] not in pairs(exp):
                raise ValueError(f"figures.ols: experiment {exp!r} has no pair {entry[axis]!r}; "
                                 f"its pairs: {', '.join(pairs(exp))}")
    for entry in config["figures"]["illustration"]:
        exp = _figure_experiment("figures.illustration", entry)
        if entry["pair"] not in pairs(exp):
            raise ValueError(f"figures.illustration: experiment {exp!r} has no pair {entry['pair']!r}; "
                             f"its pairs: {', '.join(pairs(exp))}")
    if len({e["experiment"] for e in config["figures"]["illustration"]}) != len(config["figures"]["illustration"]):
        raise ValueError("figures.illustration: one entry per experiment")
    for section, entries in [("figures.gifs", config["figures"]["gifs"]), ("published.gifs", config["published"]["gifs"])]:
        for entry in entries:
            check_env(section, _figure_experiment(section, entry), entry["env"])
    for entry in config["published"]["gifs"]:
        if "published_run" not in EXPERIMENTS[entry["experiment"]]:
            raise ValueError(f"published.gifs: experiment {entry['experiment']!r} has no published_run")
    for entry in config["figures"]["gifs"]:
        check_seed("figures.gifs", entry["experiment"], entry["seed"])
    for entry in config["published"]["compare"]:
        exp = _figure_experiment("published.compare", entry)
        if "published_run" not in EXPERIMENTS[exp]:
            raise ValueError(f"published.compare: experiment {exp!r} has no published_run")
        if entry["pair"] not in pairs(exp):
            raise ValueError(f"published.compare: experiment {exp!r} has no pair {entry['pair']!r}; "
                             f"its pairs: {', '.join(pairs(exp))}")
    if not ACTIVE and SOURCE == "zenodo":
        raise ValueError("source is zenodo but no experiment names a published_run")
    if not ACTIVE:
        raise ValueError(f"no experiment has scale {config['scale']!r}")


check_experiments()
