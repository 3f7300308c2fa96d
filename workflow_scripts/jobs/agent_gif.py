"""Rule agent_gif: a GIF of one of our agents in its training game or a pair."""

from workflow_scripts.jobs.shared.gifs import gif

gif(snakemake)  # noqa: F821
