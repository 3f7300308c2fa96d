"""Rule reproduction_compare: our agents against the published ones, pair by pair and claim by claim."""

import pandas as pd

from workflow_scripts.atomic import write_csv
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.reproduction import compare_claims, compare_populations


def main(snakemake) -> None:
    logger = configure_logging(snakemake)
    p = snakemake.params
    ours, published = pd.read_csv(snakemake.input.ours), pd.read_csv(snakemake.input.published)
    pairs = compare_populations(ours, published, p.margin, p.alpha)
    write_csv(pairs, snakemake.output.pairs)
    logger.info("pairs: %s", pairs["verdict"].value_counts().to_dict())
    claims = compare_claims(ours, published, p.margin, p.alpha, p.min_effect, p.outlier_alpha)
    write_csv(claims, snakemake.output.claims)
    logger.info("claims: %s", claims.groupby("claim")["verdict"].value_counts().to_dict())


main(snakemake)  # noqa: F821
