"""Checks of the configuration that Snakemake's own loading leaves out: duplicate keys and YAML errors with
their line, schema errors in words with the key they concern, and values the engine cannot take.

Torch-free and gym3-free, since the workflow runs these checks every time it is parsed.
"""

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

INT32_MAX = 2**31 - 1


class ConfigError(ValueError):
    """A configuration that the workflow must not run with; the message names the file or key."""


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping, which plain YAML resolves silently to the
    last value (a second `scale: paper` would plan the paper's 600 training jobs)."""


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
    schema = yaml.safe_load(Path(schema_path).read_text())
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
        ppo = {**config["ppo"].get(exp["ppo"], {}), **exp.get("overrides", {})}
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


def check_config(config: Mapping[str, Any], schema_path: str | os.PathLike[str]) -> None:
    """Schema, range and reference checks together; one ConfigError listing every problem."""
    problems = schema_problems(config, schema_path)
    if not problems:
        problems = range_problems(config) + reproduction_problems(config)
    if problems:
        raise ConfigError("the configuration is not valid:\n  " + "\n  ".join(problems))
