# Helpers shared by the rule files.
import glob

from workflow_scripts import experiments
from workflow_scripts.code_deps import code_fingerprint, combine, cpp_fingerprint, files_fingerprint, project_imports
from workflow_scripts.engine_build import compiler_identity, libenv_header
from workflow_scripts.gpus import nvidia_gpu_count
from workflow_scripts.objects import colours_used
from workflow_scripts.prepare_assets import ASSET_NAMES, BACKGROUNDS, SPRITES, procgen_assets_dir

# Reruns follow content, not time stamps (README, "How the workflow is wired"): every file a job reads that a
# clone, a checkout, a `touch` or a reinstalled venv can give a new time stamp is an ancient() input or not an
# input at all, and the job's params carry a fingerprint of what that file means. Results of other jobs stay
# plain inputs: a remade checkpoint or table reruns what is made from it.
def job_code(rule_name):
    """The project modules that a rule's entry script imports, directly or not, as ancient inputs: the set is
    tracked (Snakemake's input trigger), their content through code_version(rule_name). As an input function,
    it also lets the stale-results guard repair the plan (GUARD.repair, workflow_scripts/guard.py)."""
    modules = ancient(list(project_imports(f"workflow_scripts/jobs/{rule_name}.py", workflow.basedir)))

    def inputs(wildcards):
        GUARD.repair()
        return modules

    return inputs


def code_version(rule_name):
    """A params value: the fingerprint of the rule's entry script and every project module it imports, by
    meaning (comments, docstrings and layout do not count)."""
    return code_fingerprint(f"workflow_scripts/jobs/{rule_name}.py", workflow.basedir)


# ----- the engine ---------------------------------------------------------------------------------
ENGINE_DIR = "results/engine"
ENGINE_LIB = f"{ENGINE_DIR}/libmaze.so"
ENGINE_ASSETS = expand(f"{ENGINE_DIR}/assets/{{name}}.pam", name=ASSET_NAMES)
ENGINE_SOURCES = sorted(glob.glob("cpp/*.cpp"))
ENGINE_HEADERS = sorted(glob.glob("cpp/*.h"))
ENGINE_RECORD = f"{ENGINE_DIR}/engine.json"
# The artwork is read from the installed procgen package: by content, wherever the venv lies.
PROCGEN_ASSETS = procgen_assets_dir()
ARTWORK_VERSION = files_fingerprint([PROCGEN_ASSETS / rel for rel in [*SPRITES.values(), *BACKGROUNDS]], PROCGEN_ASSETS)
# What the engine computes and draws: its sources and gym3's libenv.h by meaning, its flags, the artwork and the
# code that converts it. Not the compiler: the engine is bit-exact by construction, so moving a finished run to
# a machine with another g++ rebuilds the library without rerunning what used it.
ENGINE_VERSION = combine(
    cpp_fingerprint([*ENGINE_SOURCES, *ENGINE_HEADERS, libenv_header()], config["engine"]["cxxflags"]),
    ARTWORK_VERSION,
    code_version("prepare_assets"),
)


def engine_inputs(wc):
    """The inputs of a job that loads the engine (`unpack(engine_inputs)`), which also takes
    `engine=ENGINE_VERSION` as a param. Ancient, so that a rebuild of the same engine (another compiler, a
    deleted or moved library) reruns nothing. Behind the checkpoint engine_built: Snakemake does not weigh the
    own params of a job whose only inputs from a job that must run are ancient (it takes them as unchanged),
    so these jobs are planned once the engine is built, and then rerun exactly when ENGINE_VERSION changed."""
    checkpoints.engine_built.get()
    return {"lib": ancient(ENGINE_LIB), "assets": ancient(ENGINE_ASSETS)}


def colours_of(*objects):
    """The config's declared colours that the objects use, and no other: a job sees only the colours it draws."""
    return experiments.canonical(colours_used(objects, config["colours"]))


def png_pdf(stem):
    """A figure's two files."""
    return [f"{stem}.png", f"{stem}.pdf"]


def experiment_value(key):
    """A params function: `key` of the job's experiment."""
    return lambda wc: EXPERIMENTS[wc.experiment][key]


def pair_object(i):
    """A params function: object i (0 = obj1, 1 = obj2) of the job's pair."""
    return lambda wc: pairs(wc.experiment)[wc.pair][i]

# ----- experiments --------------------------------------------------------------------------------
EXPERIMENTS = config["experiments"]
SOURCE = config["source"]
ACTIVE = experiments.active(config)
PUBLISHED_DIR = f"resources/zenodo/{config['published']['record']}"
PUBLISHED_INDEX = "results/published/index.csv"


def seeds(experiment):
    return experiments.seeds(config, experiment)


def train_config(experiment, seed):
    return experiments.train_config(config, experiment, seed)


def first_timeout(experiment):
    """The timestep by which every env of an experiment's training could have timed out once."""
    from workflow_scripts.game import TIMEOUT

    return TIMEOUT * train_config(experiment, seeds(experiment)[0]).n_envs


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


# One agent's training run: its checkpoints, log.csv, obs.png and capability.csv.
RUN_DIR = "results/train/{experiment}/seed_{seed}"


def run_file(experiment, seed, name):
    """A file of one agent's run folder."""
    return f"{RUN_DIR.format(experiment=experiment, seed=seed)}/{name}"


def final_checkpoint(experiment, seed):
    """An agent's last checkpoint; the same file also carries the original's name, e.g. model_5046272.pth."""
    return run_file(experiment, seed, "final.pth")


def pairs(experiment):
    """{pair name: (obj1, obj2)} of an experiment, in config order."""
    return experiments.pairs(config, experiment)


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
    colours=lambda wc: colours_of(*pairs(wc.experiment)[wc.pair]),
    first_level=config["evaluation"]["first_level"],
    num_levels=config["evaluation"]["num_levels"],
    seed=config["evaluation"]["seed"],
    bf16=config["evaluation"]["bf16"],
    device=config["evaluation"]["device"],
    engine=ENGINE_VERSION,
)
# How many frames one forward pass takes: the CSVs are the same for any value (tests/test_evaluate.py), so it
# is a resource, and changing it reruns nothing.
EVALUATION_RESOURCES = dict(max_batch=config["evaluation"]["max_batch"])


# The game of {env} (`train`: the experiment's training game, else one of its pairs) in {experiment}: for the
# rules that play an agent there (GIFs, vector fields).
def game_objects(wc):
    """{option: object} of the game of {env} in {experiment}."""
    if wc.env == "train":
        return {"goal": EXPERIMENTS[wc.experiment]["goal"]}
    return dict(zip(("obj1", "obj2"), pairs(wc.experiment)[wc.env]))


GAME_PARAMS = dict(
    game=lambda wc: "single" if wc.env == "train" else "duel",
    objects=game_objects,
    background=experiment_value("background"),
    world_dim=experiment_value("world_dim"),
    colours=lambda wc: colours_of(*game_objects(wc).values()),
    engine=ENGINE_VERSION,
)
