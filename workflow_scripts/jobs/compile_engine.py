"""Rule compile_engine: the maze engine's shared library from cpp/ (workflow_scripts/engine_build.py)."""

from pathlib import Path

from workflow_scripts.engine_build import compile_engine, compiler_identity
from workflow_scripts.jobs.shared.job import configure_logging, record_job


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    logger.info("compiler: %s", compiler_identity(p.cxx))
    logger.info("%s", compile_engine(p.cxx, p.flags, list(snakemake.input.sources), Path(snakemake.output[0])))
    logger.info("built %s", snakemake.output[0])
    record_job(snakemake)


main(snakemake)  # noqa: F821
