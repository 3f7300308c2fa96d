"""Rule prepare_assets: the procgen package's artwork as the engine's PAM files."""

from pathlib import Path

from workflow_scripts.logs import configure_logging
from workflow_scripts.prepare_assets import prepare


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    written = prepare(Path(snakemake.params.source), Path(snakemake.params.out_dir))
    logger.info("wrote %d assets from %s", len(written), snakemake.params.source)


main(snakemake)  # noqa: F821
