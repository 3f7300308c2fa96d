"""Rule reproduction_summary: results/reproduction/summary.md, what a person reads first."""

import pandas as pd

from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.reproduction import caveats, experiment_summary, summary_markdown


def main(snakemake) -> None:
    configure_logging(snakemake)
    p, given = snakemake.params, snakemake.input
    sections = []
    for i, experiment in enumerate(p.experiments):
        info = p.comparisons[experiment]
        ours, published = pd.read_csv(given.ours[i]), pd.read_csv(given.published[i])
        pairs, claims = pd.read_csv(given.pairs[i]), pd.read_csv(given.claims[i])
        notes = caveats(experiment, info, ours, published, pairs)
        if kept := p.kept[experiment]:
            notes.append(f"drawn from {len(kept)} results that another identity made, kept with --touch: "
                         + ", ".join(kept))
        sections.append(experiment_summary(experiment, info["run"], notes, pairs, claims, p.margin, p.alpha))
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(summary_markdown(sections, p.margin, p.alpha))


main(snakemake)  # noqa: F821
