"""The published record as the rules see it while the workflow is planned: its index, once the checkpoint
index_published has made it, with every name that the config gives of the record's agents and runs checked
against it once per plan. Parse-time only: no job imports it."""

import functools
from collections.abc import Iterable, Mapping
from typing import Any


def published_index(checkpoints: Any, config: Mapping[str, Any], active: Iterable[str]) -> Any:
    """The index of the unpacked record (after its checkpoint has run: before, Snakemake's checkpoint raises and
    plans it first). A name in the config that the record lacks is an error naming the entry and the closest
    names, not a silently empty selection."""
    from workflow_scripts.published import read_index

    path = str(checkpoints.index_published.get().output[0])
    experiments = config["experiments"]
    runs = tuple((e, experiments[e]["published_run"]) for e in active if "published_run" in experiments[e])
    _check_names(path, tuple(config["published"]["blacklist"]), runs,
                 tuple(("published.gifs", g["agent"]) for g in config["published"]["gifs"]))
    return read_index(path)


@functools.cache
def _check_names(path: str, blacklist: tuple[str, ...], runs: tuple[tuple[str, str], ...],
                 agents: tuple[tuple[str, str], ...]) -> None:
    from workflow_scripts.published import read_index, unknown_names

    problems = unknown_names(read_index(path), list(blacklist), dict(runs), list(agents))
    if problems:
        raise ValueError("the config names what the published record lacks:\n  " + "\n  ".join(problems))
