"""Rule illustration: the paper's opening picture, a training level beside a test level, drawn by the engine."""

from pathlib import Path

from PIL import Image

from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.media import train_test_illustration


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    picture = train_test_illustration(p.goal, p.obj1, p.obj2, p.background, p.world_dim, p.train_level,
                                      p.test_level, p.colours, Path(snakemake.input.lib).parent)
    with atomic_path(snakemake.output[0]) as tmp:
        Image.fromarray(picture).save(tmp, format="PNG")


main(snakemake)  # noqa: F821
