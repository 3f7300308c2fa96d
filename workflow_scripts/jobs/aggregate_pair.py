"""Rule aggregate_pair: the table of one pair of an experiment from its agents' evaluation CSVs."""

from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging, record_job
from workflow_scripts.metrics import aggregate, level_range


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    csvs = dict(zip([(f"seed_{s}", pair) for pair in p.pairs for s in p.seeds], snakemake.input.csvs, strict=True))
    table = aggregate(csvs, p.pairs, p.bootstrap["samples"], p.bootstrap["seed"],
                      levels=level_range(p.first_level, p.num_levels))
    write_csv(table, snakemake.output[0])
    record_job(snakemake)
    logger.info("%d agents", len(table))


main(snakemake)  # noqa: F821
