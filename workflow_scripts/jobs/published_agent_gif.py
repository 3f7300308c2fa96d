"""Rule published_agent_gif: a GIF of a published agent in its training game or a pair."""

from workflow_scripts.jobs.shared.gifs import gif

gif(snakemake)  # noqa: F821
