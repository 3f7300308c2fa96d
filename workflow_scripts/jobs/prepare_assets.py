"""Rule prepare_assets: the installed procgen package's artwork as the engine's PAM files."""

from pathlib import Path

from workflow_scripts.jobs.shared.job import configure_logging, record_job
from workflow_scripts.prepare_assets import prepare, procgen_assets_dir


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    # Found here, not passed in: where the venv lies is no part of what the artwork is (params.artwork is).
    source = procgen_assets_dir()
    written = prepare(source, Path(snakemake.params.out_dir))
    logger.info("wrote %d assets from %s", len(written), source)
    record_job(snakemake)


main(snakemake)  # noqa: F821
