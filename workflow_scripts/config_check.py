"""Every check of the configuration, in one place: duplicate keys and YAML errors with their line, schema errors
in words with the key they concern, names that must refer to each other (objects, colours, PPO sets,
experiments, pairs, seeds), and values the engine cannot take. `problems` lists them all in one pass.

Torch-free and gym3-free, since the workflow runs these checks every time it is parsed.
"""

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from workflow_scripts import experiments
from workflow_scripts.objects import BUILTIN_COLOURS, all_colours, parse_object

INT32_MAX = 2**31 - 1
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """A configuration that the workflow must not run with; the message names the file or key."""


# libyaml's parser where PyYAML was built with it (its wheels are), else PyYAML's own.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SAFE_LOADER):
    """A YAML loader that refuses a key given twice in one mapping, which plain YAML resolves silently to the
    last value (a second `scale: paper` would plan the paper's 600 training jobs). Every Snakemake start reads the
    config and the schema: libyaml's parser reads them ten times faster than PyYAML's own."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise ConfigError(f"{loader.name}, line {line}: key {key!r} is given twice in one mapping "
                              f"(first on line {seen[key]}); remove one of them")
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_strict(path: str | os.PathLike[str]) -> Any:
    """A YAML (or JSON) file; duplicate keys and syntax errors are a ConfigError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {path} cannot be read: {err}") from None
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    finally:
        loader.dispose()


def check_working_directory(basedir: str | os.PathLike[str]) -> None:
    """The rules name the project's files (config.yaml, cpp/, workflow_scripts/) relative to the working
    directory: run anywhere else (`snakemake -s <checkout>/Snakefile --directory <other>`), they would miss
    them. An error saying so, instead of a missing input deep in the plan."""
    missing = [p for p in ("config.yaml", "cpp", "workflow_scripts/jobs") if not os.path.exists(p)]
    if missing:
        raise ConfigError(f"the working directory {os.getcwd()} is not a checkout of this workflow (no "
                          f"{', '.join(missing)}): run Snakemake in {basedir} (`cd {basedir}`), without "
                          f"--directory; its results go to results/ and figures/ there")


def check_interpreter(executable: str) -> None:
    """Snakemake (9.27) runs each script job as `<its Python> <script>` with the Python's path unquoted: in a
    folder whose path holds a space, every job would fail with a shell error. Said at once instead."""
    if any(ch.isspace() for ch in executable):
        raise ConfigError(f"Snakemake runs on {executable}, whose path holds a space, and it starts every job "
                          f"with that path unquoted, so no job could run: make the venv in a folder without "
                          f"spaces (e.g. `python3.11 -m venv ~/csgm-venv`) or move this checkout")


def check_files(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Every config file of a run read strictly, so that a duplicate key or a syntax error names its line."""
    for path in paths:
        if not isinstance(load_yaml_strict(path), dict):
            raise ConfigError(f"config file {path}: the top level must be a mapping of keys")


def _key(path: Iterable[Any]) -> str:
    return ".".join(str(p) for p in path) or "the configuration"


def _duplicates(items: list[Any]) -> list[Any]:
    seen, repeated = [], []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.append(item)
    return repeated


def _in_words(error: jsonschema.ValidationError) -> str:
    """One schema violation as a sentence about the value, not about the schema."""
    value, rule = error.instance, error.validator_value
    match error.validator:
        case "not" if rule == {"multipleOf": 2}:
            return f"{value} must be odd"
        case "minimum":
            return f"{value} must be at least {rule}"
        case "maximum":
            return f"{value} must be at most {rule}"
        case "exclusiveMinimum":
            return f"{value} must be greater than {rule}"
        case "enum":
            return f"{value!r} must be one of {', '.join(r if isinstance(r, str) else json.dumps(r) for r in rule)}"
        case "type":
            return f"{value!r} must be of type {rule}"
        case "required":
            return error.message.replace("is a required property", "is missing")
        case "additionalProperties":
            known = sorted(error.schema.get("properties", {}))
            unknown = sorted(set(value) - set(known))
            hint = f" (known keys: {', '.join(known)})" if known else ""
            return f"unknown key {', '.join(map(repr, unknown))}{hint}"
        case "uniqueItems":
            return f"{'; '.join(map(str, _duplicates(value)))} given more than once"
        case "pattern":
            return f"{value!r} does not match the pattern {rule}"
        case "minItems" | "maxItems":
            return f"{value} must have {'at least' if error.validator == 'minItems' else 'at most'} {rule} items"
    return error.message


def schema_problems(config: Mapping[str, Any], schema_path: str | os.PathLike[str]) -> list[str]:
    """Every violation of the schema, each as `key: what is wrong`."""
    schema = yaml.load(Path(schema_path).read_text(), Loader=_SAFE_LOADER)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_key(e.absolute_path)}: {_in_words(e)}" for e in errors]


def _last_fits(key: str, first: int, count: int, what: str) -> list[str]:
    last = first + count - 1
    if last > INT32_MAX:
        return [f"{key}: {what} run from {first} to {last}, past the engine's largest seed {INT32_MAX}"]
    return []


def range_problems(config: Mapping[str, Any]) -> list[str]:
    """Values within the schema whose sums the engine cannot take: level and agent seeds are int32."""
    problems = []
    for section in ("evaluation", "capability"):
        c = config[section]
        problems += _last_fits(f"{section}.first_level + num_levels", c["first_level"], c["num_levels"], "levels")
    gif = config["figures"]["gif"]
    problems += _last_fits("figures.gif.first_level + frames", gif["first_level"], gif["frames"], "levels")
    for name, exp in config["experiments"].items():
        s = exp["seeds"]
        problems += _last_fits(f"experiments.{name}.seeds.start + count", s["start"], s["count"], "seeds")
        ppo = experiments.ppo_values(config, name)
        if {"start_level", "num_levels"} <= set(ppo):
            problems += _last_fits(f"experiments.{name} (ppo {exp['ppo']}): start_level + num_levels",
                                   ppo["start_level"], max(ppo["num_levels"], 1), "training levels")
    return problems


def reproduction_problems(config: Mapping[str, Any]) -> list[str]:
    """reproduction.against entries that name an experiment or a published run the config does not know: each
    key must be an experiment, each value the published_run of one."""
    experiments = config["experiments"]
    runs = sorted({exp["published_run"] for exp in experiments.values() if "published_run" in exp})
    problems = []
    for name, run in config.get("reproduction", {}).get("against", {}).items():
        if name not in experiments:
            problems.append(f"reproduction.against.{name}: unknown experiment {name!r}; experiments: "
                            f"{', '.join(experiments)}")
        if run not in runs:
            problems.append(f"reproduction.against.{name}: no experiment has published_run {run!r}; "
                            f"published runs: {', '.join(runs) or 'none'}")
    return problems


def colour_problems(config: Mapping[str, Any]) -> list[str]:
    """Declared colours that redefine a built-in one or are not colours."""
    try:
        all_colours(config["colours"])
    except (TypeError, ValueError) as err:
        return [f"colours: {err}"]
    return []


def experiment_problems(config: Mapping[str, Any]) -> list[str]:
    """Each experiment's objects, pair names, PPO set and the training run they make. A redefined built-in colour
    is colour_problems' to report, not every object's: the built-in one counts here."""
    config = {**config, "colours": {k: v for k, v in config["colours"].items() if k not in BUILTIN_COLOURS}}
    problems = []
    for name, exp in config["experiments"].items():
        unknown = []
        for obj1, obj2 in exp["pairs"]:
            for obj in (obj1, obj2):
                try:
                    parse_object(obj, config["colours"])
                except ValueError as err:
                    unknown.append(f"experiment {name!r}, pair [{obj1}, {obj2}]: {err}")
        problems += unknown
        # An unknown object's name may shorten to a known one's (red_line, red_line_diag): only known ones count.
        if not unknown and len(experiments.pairs(config, name)) != len(exp["pairs"]):
            problems.append(f"experiment {name!r}: two pairs share a name")
        try:
            parse_object(exp["goal"], config["colours"])
        except ValueError as err:
            problems.append(f"experiment {name!r}, goal: {err}")
            continue
        if exp["ppo"] not in config["ppo"]:
            problems.append(f"experiment {name!r}: unknown ppo set {exp['ppo']!r}; known: {', '.join(config['ppo'])}")
            continue
        try:
            experiments.train_config(config, name, 0)
        except ValueError as err:
            problems.append(f"experiment {name!r} (ppo {exp['ppo']}): {err}")
    return problems


class _Entries:
    """Checks of the entries of one config section that name experiments, pairs, envs and seeds; each check
    adds its problem, prefixed with the section."""

    def __init__(self, config: Mapping[str, Any], section: str) -> None:
        self.config, self.section, self.problems = config, section, []

    def experiment(self, entry: Mapping[str, Any]) -> str | None:
        """The experiment the entry names, or None (and a problem) when there is none of that name."""
        if entry["experiment"] not in self.config["experiments"]:
            self.problems.append(f"{self.section}: unknown experiment {entry['experiment']!r}")
            return None
        return entry["experiment"]

    def pair(self, experiment: str, pair: str) -> None:
        """A pair of the experiment."""
        known = experiments.pairs(self.config, experiment)
        if pair not in known:
            self.problems.append(f"{self.section}: experiment {experiment!r} has no pair {pair!r}; "
                                 f"its pairs: {', '.join(known)}")

    def env(self, experiment: str, env: str) -> None:
        """`train` (the experiment's training game) or one of its pairs."""
        known = experiments.pairs(self.config, experiment)
        if env != "train" and env not in known:
            self.problems.append(f"{self.section}: env {env!r} is neither 'train' nor a pair of {experiment!r}; "
                                 f"its pairs: {', '.join(known)}")

    def seed(self, experiment: str, seed: int) -> None:
        """One of the experiment's agents."""
        known = experiments.seeds(self.config, experiment)
        if seed not in known:
            self.problems.append(f"{self.section}: experiment {experiment!r} has no seed {seed} "
                                 f"(seeds {known[0]}..{known[-1]})")

    def published(self, experiment: str) -> bool:
        """An experiment with a published run."""
        if "published_run" not in self.config["experiments"][experiment]:
            self.problems.append(f"{self.section}: experiment {experiment!r} has no published_run")
            return False
        return True


def _field_entry(check: _Entries, experiment: str, entry: Mapping[str, Any]) -> None:
    """A figures.vector_fields entry (one seed) or a figures.vector_field_differences one (two seeds)."""
    check.env(experiment, entry["env"])
    for seed in entry.get("seeds", [entry.get("seed")]):
        check.seed(experiment, seed)
    if len(set(entry.get("seeds", []))) == 1:
        check.problems.append(f"{check.section}: a difference of seed {entry['seeds'][0]} with itself")


def figure_problems(config: Mapping[str, Any]) -> list[str]:
    """The entries of figures.* and published.* that name experiments, pairs, envs or seeds the config lacks."""
    figures, published = config["figures"], config["published"]
    # (section, its entries, what else an entry of a known experiment must name)
    sections = [
        ("figures.ols", figures["ols"], lambda c, exp, e: [c.pair(exp, e[axis]) for axis in ("x", "y")]),
        ("figures.illustration", figures["illustration"], lambda c, exp, e: c.pair(exp, e["pair"])),
        ("figures.gifs", figures["gifs"], lambda c, exp, e: (c.env(exp, e["env"]), c.seed(exp, e["seed"]))),
        ("published.gifs", published.get("gifs", []), lambda c, exp, e: (c.env(exp, e["env"]), c.published(exp))),
        ("published.compare", published.get("compare", []),
         lambda c, exp, e: c.published(exp) and c.pair(exp, e["pair"])),
        *[(f"figures.{name}", figures.get(name, []), _field_entry)
          for name in ("vector_fields", "vector_field_differences")],
    ]
    problems = []
    for section, entries, check_entry in sections:
        check = _Entries(config, section)
        for entry in entries:
            if (exp := check.experiment(entry)) is not None:
                check_entry(check, exp, entry)
        problems += check.problems
    if len({e["experiment"] for e in figures["illustration"]}) != len(figures["illustration"]):
        problems.append("figures.illustration: one entry per experiment")
    return problems


def active_problems(config: Mapping[str, Any]) -> list[str]:
    """A configuration whose targets would build no experiment."""
    if experiments.active(config):
        return []
    if config["source"] == "zenodo":
        return ["source: zenodo, but no experiment names a published_run"]
    return [f"scale: no experiment has scale {config['scale']!r}"]


def problems(config: Mapping[str, Any], schema_path: str | os.PathLike[str] = SCHEMA) -> list[str]:
    """Every problem of a configuration, in words that name its key. The other checks read the shapes the schema
    guarantees, so they run once it passes."""
    found = schema_problems(config, schema_path)
    if found:
        return found
    return (colour_problems(config) + experiment_problems(config) + figure_problems(config)
            + range_problems(config) + reproduction_problems(config) + active_problems(config))


def check_config(config: Mapping[str, Any], schema_path: str | os.PathLike[str] = SCHEMA) -> None:
    """A ConfigError listing every problem of the configuration, if it has any."""
    found = problems(config, schema_path)
    if found:
        raise ConfigError("the configuration is not valid:\n  " + "\n  ".join(found))
