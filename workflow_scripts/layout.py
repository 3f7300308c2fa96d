"""Where the workflow's files lie: the paths that rules/*.smk name as outputs and that the targets list, each
written once. Parse-time only: no job imports it (a job gets its paths from Snakemake)."""

from workflow_scripts.prepare_assets import ASSET_NAMES

ENGINE_DIR = "results/engine"
ENGINE_LIB = f"{ENGINE_DIR}/libmaze.so"
ENGINE_ASSETS = [f"{ENGINE_DIR}/assets/{name}.pam" for name in ASSET_NAMES]
ENGINE_RECORD = f"{ENGINE_DIR}/engine.json"
ENGINE_PREVIEW = f"{ENGINE_DIR}/preview.png"

# One agent's training run: its checkpoints, log.csv, obs.png and capability.csv.
RUN_DIR = "results/train/{experiment}/seed_{seed}"

PUBLISHED_INDEX = "results/published/index.csv"
OUR_TABLES = "results/tables"
PUBLISHED_TABLES = "results/published/tables"

REPRODUCTION_DIR = "results/reproduction"
REPRODUCTION_SUMMARY = f"{REPRODUCTION_DIR}/summary.md"
REPRODUCTION_FIGURES = ("preferences", "forest", "claims")

VECTOR_FIELD_STEM = "figures/{experiment}/analysis/vector-field-{env}-level_{level}-facing_{facing}-seed_{seed}"
# The wildcards of a vector field's file names, for both field rules.
VECTOR_FIELD_WILDCARDS = {"seed": r"\d+", "other": r"\d+", "level": r"\d+", "facing": "left|right"}

# The backgrounds every object's icon is drawn on.
ICON_BACKGROUNDS = ["black", "grey", "textured"]
ICON_SHEET = "figures/icons"


def png_pdf(stem: str) -> list[str]:
    """A figure's two files."""
    return [f"{stem}.png", f"{stem}.pdf"]


def run_file(experiment: str, seed: int | str, name: str) -> str:
    """A file of one agent's run folder."""
    return f"{RUN_DIR.format(experiment=experiment, seed=seed)}/{name}"


def final_checkpoint(experiment: str, seed: int | str) -> str:
    """An agent's last checkpoint; the same file also carries the original's name, e.g. model_5046272.pth."""
    return run_file(experiment, seed, "final.pth")


def eval_csv(experiment: str, pair: str, seed: int | str) -> str:
    """One agent's evaluation on one pair."""
    return f"results/eval/{experiment}/{pair}/seed_{seed}.csv"


def published_dir(record: int | str) -> str:
    """Where the published record's files are fetched and unpacked."""
    return f"resources/zenodo/{record}"


def fetched_list(folder: str) -> str:
    """The md5 list of the record's files fetched into `folder` (checkpoint download_published)."""
    return f"{folder}/fetched.md5"


def unpacked_marker(folder: str) -> str:
    """What unpack_published writes once every fetched archive in `folder` is unpacked."""
    return f"{folder}/unpacked.txt"


def published_chain(folder: str) -> list[str]:
    """The record's chain, in the order it is made: fetched, unpacked, indexed."""
    return [fetched_list(folder), unpacked_marker(folder), PUBLISHED_INDEX]


def table_path(tables: str, experiment: str, pair: str | None = None) -> str:
    """An experiment's table under `tables` (OUR_TABLES or PUBLISHED_TABLES), or one pair's."""
    return f"{tables}/{experiment}.csv" if pair is None else f"{tables}/{experiment}/{pair}.csv"


def outlier_table(experiment: str, pair: str | None = None) -> str:
    """The flagged agents of one pair, or of every pair of an experiment."""
    return (f"results/analysis/{experiment}/outliers.csv" if pair is None else
            f"results/analysis/{experiment}/outliers/{pair}.csv")


def icon_file(background: str, obj: str) -> str:
    """The icon that rule object_icon draws of an object on a background."""
    return f"{ICON_SHEET}/{background}/{obj}.png"
