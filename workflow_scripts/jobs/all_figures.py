"""Rule all_figures: figures/all, every figure with its sha256."""

from workflow_scripts.figures import write_listing
from workflow_scripts.logs import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    if snakemake.params.remade:
        logger.info("made again with what was made from them: %s", ", ".join(snakemake.params.remade))
    write_listing(snakemake.input.figures, snakemake.output[0])
    logger.info("%d figures", len(snakemake.input.figures))


main(snakemake)  # noqa: F821
