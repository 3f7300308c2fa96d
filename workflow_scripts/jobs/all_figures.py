"""Rule all_figures: figures/all, every figure with its sha256, the figures left out and why, and the results
of another identity that the figures were drawn from (kept with --touch)."""

import os
from collections.abc import Mapping, Sequence

from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.listing import file_sha256, listing_text


def write_listing(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str],
                  left_out: Mapping[str, str], kept: Mapping[str, str] | None = None) -> None:
    """figures/all: every figure with its sha256, then each figure that could not be made, with the reason,
    then each kept result of another identity, with what differs."""
    with atomic_path(out) as tmp:
        tmp.write_text(listing_text([(str(p), file_sha256(p)) for p in paths], left_out, kept))


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    if snakemake.params.remade:
        logger.info("made again with what was made from them: %s", ", ".join(snakemake.params.remade))
    for figure, reason in snakemake.params.left_out.items():
        logger.warning("left out %s: %s", figure, reason)
    for result, why in snakemake.params.kept.items():
        logger.warning("drawn from %s, kept with --touch though another identity made it (%s)", result, why)
    figures = [*snakemake.input.figures, *snakemake.input.record]
    write_listing(figures, snakemake.output[0], left_out=snakemake.params.left_out,
                  kept=snakemake.params.kept)
    logger.info("%d figures", len(figures))


main(snakemake)  # noqa: F821
