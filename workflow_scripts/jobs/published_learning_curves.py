"""Rule published_learning_curves: the published agents' training, drawn as ours from their log-append.csv."""

from workflow_scripts.figures import learning_curves, save_figure
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.published import read_training_log


def main(snakemake) -> None:
    configure_logging(snakemake)
    p = snakemake.params
    logs = {agent: read_training_log(path) for agent, path in zip(p.agents, snakemake.input.logs, strict=True)}
    save_figure(learning_curves(logs, f"{p.experiment}, published agents", p.first_timeout), snakemake.output.png,
                snakemake.output.pdf)


main(snakemake)  # noqa: F821
