"""An agent's capability in its own training game: the first episode on each of a set of levels it never
trained on (training uses levels below 100,000), as `seed,steps,reward` rows."""


from workflow_scripts.agent import load_policy
from workflow_scripts.evaluate import run_episodes


def training_game_episodes(path, goal, background, world_dim, levels, colours=None, seed=0, device="cpu", bf16=False):
    return run_episodes(load_policy(path, device), "single", levels, seed, device, bf16, goal=goal,
                        background=background, world_dim=world_dim, colours=colours)
