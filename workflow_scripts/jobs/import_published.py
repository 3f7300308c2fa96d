"""Rule import_published: one pair's table of a published run, made as our own tables are."""

from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.metrics import level_range
from workflow_scripts.published import import_experiment, read_index


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    table = import_experiment(read_index(snakemake.input.index), p.run, p.pairs, p.blacklist, p.bootstrap["samples"],
                              p.bootstrap["seed"], level_range(p.first_level, p.num_levels))
    write_csv(table, snakemake.output[0])
    logger.info("%d agents", len(table))


main(snakemake)  # noqa: F821
