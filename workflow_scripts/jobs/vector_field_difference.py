"""Rule vector_field_difference: the difference between two agents' vector fields on one level."""

from workflow_scripts.jobs.shared.fields import vector_field

vector_field(snakemake)  # noqa: F821
