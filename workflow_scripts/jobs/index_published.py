"""Rule index_published: the published runs, agents, evaluations and checkpoints found in the unpacked record."""

from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.published import find_published


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    index = find_published(snakemake.params.folder)
    with atomic_path(snakemake.output[0]) as tmp:
        index.to_csv(tmp, index=False)
    logger.info("%d entries: %s", len(index), index.groupby("kind").size().to_dict())


main(snakemake)  # noqa: F821
