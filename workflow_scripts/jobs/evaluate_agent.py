"""Rule evaluate_agent: one of our agents on one object pair, one episode per level."""

from workflow_scripts.jobs.shared.evaluation import evaluation

evaluation(snakemake)  # noqa: F821
