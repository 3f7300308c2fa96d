"""The Snakemake internals that the stale-results guard (workflow_scripts/guard.py) relies on, in one place.

Snakemake has no public API to force a file while a plan is being made, to read the targets asked for, or to
read the record of how an output was made; the guard needs all three. Each is reached only through this
module, pinned by tests/test_snakemake_internals.py against the installed Snakemake, and checked when the
workflow is parsed: outside the tested versions, or where an internal is not there, the run says once, loudly,
which promise is off, and goes on without it. Parse-time only: no job imports it.
"""

import functools
import json
import os
from base64 import urlsafe_b64encode
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import snakemake
from snakemake.logging import logger

# The Snakemake versions whose internals the tests pinned (Snakefile's min_version and pyproject.toml say so too).
TESTED = ((9, 27), (9, 27))
METADATA_DIR = Path(".snakemake") / "metadata"
# The names of the internals, as the tested versions spell them.
FORCEFILES = "forcefiles"  # Workflow.dag.forcefiles: a set that DAG.update_needrun reads
TARGETS = "targets"  # Workflow.dag_settings.targets: the targets named on the command line
RERUN_TRIGGERS = "rerun_triggers"  # Workflow.rerun_triggers: the RerunTrigger members in force

# What each internal keeps: the promise that is off without it.
PROMISES = {
    "version": "the stale-results guard",
    "forcefiles": "results of another identity, and results made from missing files, are not made again",
    "targets": "a single file asked for is not repaired when what it was made from is missing",
    "records": "missing intermediates are not remade unless an identity record names them",
    "rerun_triggers": "a rerun trigger switched off is not reported",
}


@functools.cache
def promise_off(internal: str, detail: str) -> None:
    """Says once per run, as a warning, that a promise is off because an internal is not what was tested."""
    logger.warning(f"THE WORKFLOW CANNOT KEEP A PROMISE: {PROMISES[internal]}. {detail} "
                   f"(workflow_scripts/snakemake_internals.py; tested with Snakemake {tested_range()})")


def tested_range() -> str:
    low, high = TESTED
    return f"{low[0]}.{low[1]}" if low == high else f"{low[0]}.{low[1]} to {high[0]}.{high[1]}"


def check_version(version: str = snakemake.__version__) -> bool:
    """Whether the running Snakemake is one whose internals were tested; says so once when it is not."""
    try:
        found = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        found = None
    if found is not None and TESTED[0] <= found <= TESTED[1]:
        return True
    promise_off("version", f"Snakemake {version} may name the internals it relies on differently; every one it "
                           f"reaches is checked as it is used")
    return False


def force_files(workflow: Any, files: Iterable[str]) -> bool:
    """Adds files to the plan's forced files, as `--forcerun` would (DAG.forcefiles, read by update_needrun):
    to be called while the DAG is being built, before Snakemake decides what needs to run."""
    forced = getattr(getattr(workflow, "dag", None), FORCEFILES, None)
    if not isinstance(forced, set):
        promise_off("forcefiles", f"Snakemake's DAG has no `{FORCEFILES}` set.")
        return False
    forced.update(files)
    return True


def requested_targets(workflow: Any) -> list[str] | None:
    """The targets named on the command line (DAGSettings.targets); None where they cannot be read."""
    targets = getattr(getattr(workflow, "dag_settings", None), TARGETS, None)
    if targets is None or isinstance(targets, str) or not isinstance(targets, Iterable):
        promise_off("targets", f"Snakemake's DAG settings have no `{TARGETS}`.")
        return None
    return [str(t) for t in targets]


def rerun_triggers(workflow: Any) -> set[str] | None:
    """The rerun triggers in force, as the command line spells them (`mtime`, `params`, ...); None before the
    DAG is built or where they cannot be read."""
    if getattr(workflow, "dag_settings", None) is None:
        return None
    triggers = getattr(workflow, RERUN_TRIGGERS, None)
    if triggers is None:
        promise_off("rerun_triggers", f"Snakemake's workflow has no `{RERUN_TRIGGERS}`.")
        return None
    return {getattr(t, "name", str(t)).lower().replace("_", "-") for t in triggers}


def touching(workflow: Any) -> bool:
    """Whether this run only touches outputs (`--touch`)."""
    return bool(getattr(workflow, "touch", False))


def dry_run(workflow: Any) -> bool:
    return bool(getattr(workflow, "dryrun", False))


def job_params(rule: Any, wildcards: dict[str, Any]) -> dict[str, Any]:
    """The named params of a job of `rule` (a `rules.<name>` proxy) with these wildcards, as Snakemake hands
    them to the job: functions of the wildcards called, other values as they are."""
    from snakemake.iocontainers import Wildcards

    wc = Wildcards(fromdict={k: str(v) for k, v in wildcards.items()})
    return {k: v(wc) if callable(v) else v for k, v in rule.params.items()}


def record_path(output: str, metadata_dir: str | os.PathLike[str] = METADATA_DIR) -> Path:
    """Where Snakemake's file persistence keeps the record of `output` (as the rule names it): the base64 name
    is cut into pieces the file system accepts, all but the last prefixed with '@' as folders."""
    metadata_dir = Path(metadata_dir)
    max_len = (os.pathconf(metadata_dir, "PC_NAME_MAX") if metadata_dir.exists() else 255) or 255
    name = urlsafe_b64encode(output.encode()).decode()
    pieces = [name[i:i + max_len - 1] for i in range(0, len(name), max_len - 1)]
    return metadata_dir.joinpath(*["@" + p for p in pieces[:-1]], pieces[-1])


def recorded_inputs(output: str, metadata_dir: str | os.PathLike[str] = METADATA_DIR) -> list[str] | None:
    """The input files Snakemake recorded for `output`; None without a readable record."""
    try:
        record = json.loads(record_path(output, metadata_dir).read_text())
    except (OSError, ValueError):
        return None
    inputs = record.get("input") if isinstance(record, dict) else None
    return [str(f) for f in inputs] if isinstance(inputs, list) else None


def check_records(products: Iterable[str], metadata_dir: str | os.PathLike[str] = METADATA_DIR) -> bool:
    """Whether Snakemake's records can be read for these existing products: where results exist but no record
    of any of them does (no .snakemake/, the db backend, or records laid out another way), says so once."""
    existing = 0
    for product in products:
        if os.path.exists(product):
            if record_path(product, metadata_dir).exists():
                return True  # a complete run's first product: one stat more than the guard's own
            existing += 1
    if not existing:
        return True
    promise_off("records", f"Snakemake's records of {existing} existing results are not in {metadata_dir} "
                           f"(no .snakemake/, or --persistence-backend db).")
    return False
