"""Rule vector_field: an agent's action distribution at every open cell of a level."""

from workflow_scripts.jobs.shared.fields import vector_field

vector_field(snakemake)  # noqa: F821
