"""Rule compare_published: published agents re-evaluated in our engine against their published CSVs."""

from pathlib import Path

from workflow_scripts.atomic import atomic_path
from workflow_scripts.figures import published_comparison, save_figure
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.published import comparison_table


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    agents = [Path(f).stem for f in snakemake.input.ours]
    table = comparison_table(dict(zip(agents, zip(snakemake.input.published, snakemake.input.ours, strict=True),
                                      strict=True)))
    save_figure(published_comparison(table, p.obj1, p.obj2, p.experiment), snakemake.output.png, snakemake.output.pdf)
    with atomic_path(snakemake.output.csv) as tmp:
        table.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821
