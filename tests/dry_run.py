"""Every job of a Snakemake dry run as JSON: its rule, wildcards, named inputs and outputs, params (values and
key order), resources, threads and log. Snakemake prints no params, so this runs its command line in-process and
reads the plan it made.

Usage, in the workflow's folder: python tests/dry_run.py OUT.json [snakemake arguments...]
"""

import json
import sys
from typing import Any

import snakemake.api  # noqa: F401  (Snakemake's modules import each other: its API first, as its CLI does)
import snakemake.cli
from snakemake.workflow import Workflow


def named(files: Any) -> list[Any]:
    """A job's input or output: every file, and the names Snakemake gives some of them."""
    return [[str(f) for f in files], sorted((name, repr(getattr(files, name))) for name in files._names)]


def describe(workflow: Workflow) -> list[dict[str, Any]]:
    """The jobs of the plan the workflow made, in a stable order."""
    jobs = [{"rule": job.rule.name, "wildcards": repr(job.wildcards_dict), "input": named(job.input),
             "output": named(job.output), "params": repr(list(job.params.items())),
             "resources": repr(list(job.resources.items())), "threads": job.threads,
             "log": [str(f) for f in job.log]}
            for job in workflow.dag.jobs]
    return sorted(jobs, key=lambda job: (job["rule"], job["wildcards"], job["output"]))


def main(out: str, args: list[str]) -> None:
    execute = Workflow.execute

    def execute_and_describe(workflow: Workflow, *a: Any, **k: Any) -> Any:
        result = execute(workflow, *a, **k)
        with open(out, "w") as f:
            json.dump(describe(workflow), f, indent=1)
        return result

    Workflow.execute = execute_and_describe
    snakemake.cli.main(args)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
