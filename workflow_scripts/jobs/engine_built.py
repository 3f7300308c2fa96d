"""Rule engine_built: a record of the engine just built, which the jobs that load it wait for."""

import hashlib
import json
from pathlib import Path

from workflow_scripts.atomic import atomic_path
from workflow_scripts.engine_build import compiler_identity
from workflow_scripts.jobs.shared.job import configure_logging, record_job


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    record = {
        "engine": snakemake.params.engine,
        "compiler": compiler_identity(snakemake.params.cxx),
        "library_sha256": hashlib.sha256(Path(snakemake.input.lib).read_bytes()).hexdigest(),
    }
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(json.dumps(record, indent=1) + "\n")
    logger.info("engine %s built by %s", record["engine"][:12], record["compiler"])
    record_job(snakemake)


main(snakemake)  # noqa: F821
