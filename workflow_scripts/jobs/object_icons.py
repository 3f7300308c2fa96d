"""Rule object_icons: the sheet of every object's icon on each background, from the icons rule object_icon made."""

from workflow_scripts.figures import icon_sheet, read_icons, save_figure
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    paths = iter(snakemake.input.icons)
    icons = {background: read_icons([next(paths) for _ in p.objects]) for background in p.backgrounds}
    save_figure(icon_sheet(icons), snakemake.output.png, snakemake.output.pdf)


main(snakemake)  # noqa: F821
