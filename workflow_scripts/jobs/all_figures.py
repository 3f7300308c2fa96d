"""Rule all_figures: figures/all, every figure with its sha256, and the figures left out and why."""

from workflow_scripts.figures import write_listing
from workflow_scripts.logs import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    if snakemake.params.remade:
        logger.info("made again with what was made from them: %s", ", ".join(snakemake.params.remade))
    for figure, reason in snakemake.params.left_out.items():
        logger.warning("left out %s: %s", figure, reason)
    figures = [*snakemake.input.figures, *snakemake.input.record]
    write_listing(figures, snakemake.output[0], left_out=snakemake.params.left_out)
    logger.info("%d figures", len(figures))


main(snakemake)  # noqa: F821
