"""The stale-results guard of one plan: the workflow never ends in success with a result that no longer
matches its inputs, its code or its configuration.

Snakemake alone does not remake a missing intermediate while what was made from it exists
(snakemake/snakemake#1978), and decides reruns from its own records, which `--cleanup-metadata`, a removed
`.snakemake/` or the db backend take away. When the workflow is parsed, the guard finds the missing files
that results were made from (provenance.stale_sources) and the results whose identity record says other
code or another configuration made them (identity.check); while the first job is planned, before Snakemake
decides what needs to run, it forces those results (with `--touch`, marks them kept) and repairs the
targets asked for. Each check runs once per plan, in the process that plans the run (cluster jobs parse the
workflow again on their nodes). Parse-time only: no job imports it; Snakemake's internals are reached through
snakemake_internals.
"""

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger

from workflow_scripts import identity, provenance, snakemake_internals

# The listing target of every figure: its inputs repair everything (Guard.figures_all_inputs).
FIGURES_ALL = "figures/all"


class Guard:
    """The guard of one plan. `watch` gives it what the workflow makes, once the rule files have listed it;
    `repair` runs from the inputs of every script rule (workflow_scripts/rule_inputs.py, job_code), once."""

    def __init__(self, workflow: Any) -> None:
        self.workflow = workflow
        self.main = bool(getattr(workflow, "is_main_process", True))
        self.stale: dict[str, list[str]] = {}
        self.planned: dict[str, tuple[str, dict[str, Any]]] = {}
        self.remade: dict[str, str] = {}
        self.kept: dict[str, str] = {}
        self.figures: list[str] = []

    def watch(self, products: Iterable[str], planned: Callable[[], Mapping[str, tuple[str, dict[str, Any]]]],
              figures: Iterable[str]) -> None:
        """The products of the active experiments, their planned identities ({result: (rule, params)}, asked
        for only in the planning process) and the figures that figures/all lists."""
        self.figures = list(figures)
        if not self.main:
            return
        snakemake_internals.check_version()
        products = list(products)
        snakemake_internals.check_records(products)
        self.stale = provenance.stale_sources(products)
        if self.stale:
            logger.warning(f"{len(self.stale)} files that results were made from are missing; every target makes "
                           f"those it needs again, and everything made from them:\n  "
                           f"{provenance.describe(self.stale)}")
        self.planned = dict(planned())
        self.remade, self.kept = identity.check(self.planned)
        if self.remade:
            logger.warning(f"{len(self.remade)} results were made with other code or another configuration than "
                           f"they are planned with now (their identity records say so); they are made again, with "
                           f"what was made from them:\n  {identity.describe(self.remade)}")
        if self.kept:
            logger.warning(f"{len(self.kept)} results were made with another identity and kept with --touch; "
                           f"figures/all and the reproduction summary name them. To make them again, delete them or "
                           f"run with --forcerun and their rule:\n  {identity.describe(self.kept)}")

    def stale_under(self, *folders: str) -> list[str]:
        """The missing files that results under the folders were made from: inputs of the intermediate targets
        (engine, train, evaluate), so that they repair what they stand for as figures/all repairs everything."""
        return sorted(s for s, made in self.stale.items() if any(p.startswith(folders) for p in [s, *made]))

    def kept_under(self, experiment: str) -> list[str]:
        """The kept results of one experiment (results/<stage>/<experiment>/...)."""
        return sorted(r for r in self.kept if r.split("/")[2] == experiment)

    @functools.cache
    def repair(self) -> None:
        """Results of another identity join Snakemake's forced files, as `--forcerun` would make them (with
        --touch they are marked kept instead); files named as targets are remade when they, or any file they
        were made from, are stale, since Snakemake alone finds the targets up to date. The named targets
        figures/all, engine, train and evaluate repair through their own inputs."""
        if not self.main:
            return
        if self.remade and snakemake_internals.touching(self.workflow):
            if not snakemake_internals.dry_run(self.workflow):
                identity.keep(self.planned, self.remade)
            logger.warning(f"--touch keeps {len(self.remade)} results of another identity; every later run names "
                           f"them")
        elif self.remade:
            snakemake_internals.force_files(self.workflow, self.remade)
        if not self.stale:
            return
        # The missing files are inputs of figures/all; forcing it makes them needed even where Snakemake has no
        # record of its params to see them change (no .snakemake/, or the db backend).
        snakemake_internals.force_files(self.workflow, [FIGURES_ALL])
        targets = snakemake_internals.requested_targets(self.workflow) or []
        files = [t for t in targets if not self.workflow.is_rule(t) and t != FIGURES_ALL]
        untraced = [t for t in files if os.path.exists(t) and provenance.recorded_inputs(t) is None]
        if untraced:
            raise WorkflowError(
                f"files that results were made from are missing ({', '.join(sorted(self.stale))}), and with no "
                f"record of what {', '.join(untraced)} {'was' if len(untraced) == 1 else 'were'} made from "
                f"(Snakemake's records are gone, or kept by the db backend) this run cannot tell whether they are "
                f"stale. Make the missing files again first with `snakemake figures/all` or the stage target "
                f"(engine, train, evaluate), or delete the targets to have them made anew")
        forced = provenance.stale_ancestors(files, self.stale)
        if forced:
            logger.warning(f"{len(forced)} files made from missing files are made again for the targets: "
                           + ", ".join(sorted(forced)))
            snakemake_internals.force_files(self.workflow, forced)

    def figures_all_inputs(self) -> list[str]:
        """The `remade` inputs of figures/all: the missing files that results were made from. Asking for them
        also runs, once, the checks that need the plan: the rerun triggers and the damaged figures."""
        self.check_rerun_triggers()
        self.redraw_damaged_figures()
        return sorted(self.stale)

    @functools.cache
    def check_rerun_triggers(self) -> None:
        """Warns once when Snakemake's rerun triggers differ from profiles/default's in a way that matters. They
        are known only once the DAG is being built: call it from onstart or an input function."""
        if not self.main:
            return
        triggers = snakemake_internals.rerun_triggers(self.workflow)
        if triggers is None:
            return
        if "code" in triggers:
            logger.warning("Snakemake's `code` rerun trigger is on: it reruns every job whose script file is newer "
                           "than its outputs (after a clone, a checkout or a touch), training included. This workflow "
                           "tracks code by content (the `code` param of each job); profiles/default switches it off.")
        missing = {"mtime", "params", "input"} - triggers
        if missing:
            logger.warning(f"rerun triggers {', '.join(sorted(missing))} are off (--rerun-triggers): results may no "
                           "longer match the configuration or their inputs, and nothing will say so. "
                           "profiles/default sets: mtime params input software-env.")

    @functools.cache
    def redraw_damaged_figures(self) -> None:
        """Figures that are on disk but not whole (provenance.damaged_files: empty, or cut short) are drawn again
        rather than listed: they join Snakemake's forced files while figures/all is planned, before it decides
        which jobs need to run, so a dry run shows them too. Whole figures whose content is not what figures/all
        lists are listed again."""
        if not self.main:
            return
        damaged = provenance.damaged_files(self.figures)
        if damaged:
            logger.warning(f"{len(damaged)} figures are damaged; they are drawn again: "
                           + "; ".join(f"{path} ({why})" for path, why in sorted(damaged.items())))
            snakemake_internals.force_files(self.workflow, damaged)
        changed = sorted(set(provenance.listed_but_changed(FIGURES_ALL)) - set(damaged))
        if changed:
            logger.warning(f"{len(changed)} figures differ from what figures/all lists (replaced since it was "
                           f"written; a figure is never overwritten unasked: delete one to have it drawn again); "
                           f"figures/all lists them again as they are: " + ", ".join(changed))
            snakemake_internals.force_files(self.workflow, [FIGURES_ALL])
