"""Rule object_icon: one object's icon on each background as a PNG, the one source of the plots' icons."""

from pathlib import Path

from workflow_scripts.icons import object_icon, save_icon
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    engine = Path(snakemake.input.lib).parent
    for background, path in zip(p.backgrounds, snakemake.output, strict=True):
        save_icon(object_icon(snakemake.wildcards.object, background, p.colours, engine), path)


main(snakemake)  # noqa: F821
