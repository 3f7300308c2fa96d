"""An agent's capability in its own training game: the first episode on each of a set of levels it never
trained on (training uses levels below 100,000), as `seed,steps,reward` rows."""

from pathlib import Path

from workflow_scripts.agent import load_policy
from workflow_scripts.atomic import atomic_path
from workflow_scripts.devices import device_setup
from workflow_scripts.evaluate import run_episodes


def training_game_episodes(path, goal, background, world_dim, levels, colours=None, seed=0, device="cpu", bf16=False):
    return run_episodes(load_policy(path, device), "single", levels, seed, device, bf16, goal=goal,
                        background=background, world_dim=world_dim, colours=colours)


if "snakemake" in globals():
    p = snakemake.params  # noqa: F821
    with device_setup(p.device, snakemake.threads, p.bf16, getattr(snakemake.resources, "gpu", 0) > 0) as device:  # noqa: F821
        table = training_game_episodes(snakemake.input.model, p.goal, p.background, p.world_dim,  # noqa: F821
                                       range(p.first_level, p.first_level + p.num_levels), p.colours, device=device,
                                       bf16=p.bf16)
    with atomic_path(snakemake.output[0]) as tmp:  # noqa: F821
        table.to_csv(tmp, index=False)
    Path(snakemake.log[0]).write_text(  # noqa: F821
        f"mean episode length {table.steps.mean():.2f}, median {table.steps.median():.1f}, "
        f"timeouts {(table.reward == 0).mean():.1%}\n")
