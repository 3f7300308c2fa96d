"""Rule engine_preview: a contact sheet of engine frames to look at after a build."""

from pathlib import Path

from PIL import Image

from workflow_scripts.atomic import atomic_path
from workflow_scripts.engine_preview import contact_sheet
from workflow_scripts.jobs.shared.job import configure_logging


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    sheet = contact_sheet(engine=Path(snakemake.input.lib).parent)
    with atomic_path(snakemake.output[0]) as tmp:
        Image.fromarray(sheet).save(tmp, format="PNG")
    logger.info("contact sheet %dx%d", sheet.shape[1], sheet.shape[0])


main(snakemake)  # noqa: F821
