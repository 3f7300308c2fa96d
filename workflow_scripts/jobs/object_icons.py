"""Rule object_icons: the icon sheet of every object in use, and each icon on each background."""

from pathlib import Path

from PIL import Image

from workflow_scripts.atomic import atomic_path
from workflow_scripts.figures import icon_sheet, object_icon, save_figure
from workflow_scripts.logs import configure_logging


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    engine = Path(snakemake.input.lib).parent
    save_figure(icon_sheet(p.objects, p.backgrounds, p.colours, engine), snakemake.output.png, snakemake.output.pdf)
    icons = iter(snakemake.output.icons)
    for background in p.backgrounds:
        for name in p.objects:
            with atomic_path(next(icons)) as tmp:
                Image.fromarray(object_icon(name, background, p.colours, engine)).save(tmp, format="PNG")


main(snakemake)  # noqa: F821
