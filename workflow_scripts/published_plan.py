"""The published record as the rules see it while the workflow is planned: its index, once the checkpoint
index_published has made it, with every name that the config gives of the record's agents and runs checked
against it once per plan. Parse-time only: no job imports it."""

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workflow_scripts import layout


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


class Record:
    """The published record's look-ups for the input functions of the rules that use it. `checkpoints` is
    Snakemake's: each look-up waits for the checkpoint that makes what it reads. workflow_scripts.published and
    zenodo are imported only here, when a look-up runs, so that a plan without the record never loads pandas."""

    def __init__(self, checkpoints: Any, config: Mapping[str, Any], active: Iterable[str]) -> None:
        self.checkpoints = checkpoints
        self.config = config
        self.active = list(active)
        self.folder = layout.published_dir(config["published"]["record"])

    def index(self) -> Any:
        """The record's index, its names checked against the config (published_index)."""
        return published_index(self.checkpoints, self.config, self.active)

    def run(self, experiment: str) -> str:
        """The published run of an experiment."""
        return self.config["experiments"][experiment]["published_run"]

    def fetched(self, wildcards: Any) -> str:
        """The list of fetched files, once download_published has run."""
        return self.checkpoints.download_published.get().output[0]

    def content(self, wildcards: Any) -> dict[str, str]:
        """{file: md5} of the fetched files as they are on disk now: a file corrected by hand
        (docs/published-data.md) is unpacked again with everything made from it; a touched or copied one is not."""
        from workflow_scripts.zenodo import current_checksums, read_checksums

        return current_checksums(self.folder, read_checksums(Path(self.fetched(wildcards))))

    def compared_agents(self, experiment: str, pair: str) -> dict[str, str]:
        """{agent: final checkpoint} of the published agents that published.compare re-evaluates on a pair."""
        from workflow_scripts.published import published_agents

        entry = next(e for e in self.config["published"]["compare"]
                     if (e["experiment"], e["pair"]) == (experiment, pair))
        return published_agents(self.index(), self.run(experiment), pair, entry["agents"])

    def compared_csvs(self, experiment: str, pair: str) -> list[str]:
        """The published evaluation CSVs of the agents that compared_agents names, in the same order."""
        from workflow_scripts.published import published_results

        results = published_results(self.index(), self.run(experiment), pair)
        return [results[agent] for agent in self.compared_agents(experiment, pair)]

    def checkpoint(self, experiment: str, agent: str) -> str:
        """The final checkpoint of one published agent of an experiment."""
        from workflow_scripts.published import published_checkpoint

        return published_checkpoint(self.index(), self.run(experiment), agent)

    def imported_csvs(self, experiment: str, pair: str) -> list[str]:
        """The published CSVs behind one pair's table: inputs, so that a corrected one (unpacked again under the
        same name, so the index is unchanged) remakes the table, and only that one."""
        from workflow_scripts.published import published_results

        return sorted(published_results(self.index(), self.run(experiment), pair).values())

    def training_logs(self, experiment: str) -> dict[str, str]:
        """{agent: log-append.csv} of the published agents of an experiment."""
        from workflow_scripts.published import published_logs

        return published_logs(self.index(), self.run(experiment))

    def compared_table(self, experiment: str, theirs: str) -> str:
        """The published table of `theirs` that our `experiment` is compared with. Its run is checked against
        the record once the record is indexed, as the runs of the active experiments are."""
        from workflow_scripts.published import unknown_names

        problems = unknown_names(self.index(), [], {theirs: self.run(theirs)}, [])
        if problems:
            raise ValueError(f"reproduction of {experiment!r}: " + "; ".join(problems))
        return layout.table_path(layout.PUBLISHED_TABLES, theirs)
