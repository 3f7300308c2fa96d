"""The config's look-ups for the rules (workflow_scripts/plan.py), against a small hand-written config."""

import copy
from types import SimpleNamespace

from tests.conftest import imported_of
from workflow_scripts import plan
from workflow_scripts.plan import Plan

PPO = {"n_envs": 8, "n_steps": 32, "epochs": 3, "minibatches": 2, "gamma": 0.99, "lam": 0.95,
       "learning_rate": 5.0e-4, "adam_eps": 1.0e-5, "clip": 0.2, "value_coef": 0.5, "entropy_coef": 0.01,
       "max_grad_norm": 0.5, "reward_gamma": 0.99, "reward_clip": 10.0, "num_levels": 100000, "start_level": 0,
       "num_checkpoints": 1, "torch_threads": 1, "env_threads": 0, "bf16": False}
# Every built-in line colour against one obj2: the design the channel analysis needs.
LINES = ["black", "blue", "green", "cyan", "red", "purple", "yellow", "white"]

CONFIG = {
    "scale": "demo",
    "source": "local",
    "colours": {"orange": [255, 128, 0]},
    "ppo": {"quick": PPO},
    "train": {"gpu": 1, "agents_per_gpu": 4},
    "evaluation": {"device": "cpu", "first_level": 100000, "num_levels": 10, "seed": 7, "bf16": False,
                   "max_batch": 64, "bootstrap": {"seed": 0, "samples": 100}},
    "figures": {
        "gif": {"frames": 4, "scale": 6},
        "illustration": [{"experiment": "one", "pair": "red-line-yellow-gem", "train_level": 1, "test_level": 2}],
        "ols": [{"experiment": "one", "x": "red-line-yellow-gem", "y": "orange-line-yellow-gem"},
                {"experiment": "two", "x": "green-line-red-line", "y": "green-line-red-line"}],
        "gifs": [{"experiment": "one", "seed": 3, "env": "train"}],
        "vector_fields": [{"experiment": "one", "seed": 3, "level": 100033, "env": "red-line-yellow-gem",
                           "facing": "left"}],
        "vector_field_differences": [{"experiment": "one", "seeds": [3, 4], "level": 5, "env": "train",
                                      "facing": "right"}],
    },
    "reproduction": {"in_figures_all": False, "against": {"one": "run-b", "two": "run-c"}},
    "published": {"record": 42, "blacklist": [], "gifs": [], "compare": []},
    "experiments": {
        "one": {"scale": "demo", "goal": "yellow_line_diag", "background": "black", "world_dim": 5,
                "timesteps": 256, "ppo": "quick", "seeds": {"start": 3, "count": 2},
                "pairs": [["red_line_diag", "yellow_gem"], ["orange_line_diag", "yellow_gem"]]},
        "two": {"scale": "paper", "goal": "yellow_line_diag", "background": "grey", "world_dim": 7,
                "timesteps": 512, "ppo": "quick", "seeds": {"start": 0, "count": 1}, "published_run": "run-b",
                "pairs": [["green_line_diag", "red_line_diag"]]},
        "three": {"scale": "demo", "goal": "red_gem", "background": "textured", "world_dim": 5,
                  "timesteps": 256, "ppo": "quick", "seeds": {"start": 0, "count": 1}, "published_run": "run-c",
                  "overrides": {"epochs": 1},
                  "pairs": [[f"{c}_line_diag", "yellow_gem"] for c in LINES]},
    },
}


def small_config(**changes) -> dict:
    """A copy of CONFIG with top-level keys replaced."""
    return {**copy.deepcopy(CONFIG), **changes}


def wildcards(**values) -> SimpleNamespace:
    return SimpleNamespace(**values)


def test_experiments_seeds_pairs_and_agents():
    p = Plan(small_config(), "engine-x")
    assert p.active == ["one", "three"]
    assert p.seeds("one") == [3, 4]
    assert p.pairs("one") == {"red-line-yellow-gem": ("red_line_diag", "yellow_gem"),
                              "orange-line-yellow-gem": ("orange_line_diag", "yellow_gem")}
    assert p.agents == [("one", 3), ("one", 4), ("three", 0)]
    assert p.capability_tables == ["results/train/one/seed_3/capability.csv",
                                   "results/train/one/seed_4/capability.csv",
                                   "results/train/three/seed_0/capability.csv"]
    assert p.table_path("one", "red-line-yellow-gem") == "results/tables/one/red-line-yellow-gem.csv"
    assert p.entry("illustration", "one")["test_level"] == 2
    # The published source: the experiments that name a published_run, and the imported tables.
    z = Plan(small_config(source="zenodo"), "engine-x")
    assert z.active == ["two", "three"]
    assert z.table_path("two") == "results/published/tables/two.csv"
    assert z.published_dir == "resources/zenodo/42"


def test_training_values():
    p = Plan(small_config(), "engine-x")
    assert p.first_timeout("one") == 500 * 8  # the game's timeout times the PPO set's n_envs
    train = p.train_params("three", "0")
    assert (train["seed"], train["goal"], train["epochs"], train["n_envs"]) == (0, "red_gem", 1, 8)
    assert train == {**train, "background": "textured", "world_dim": 5, "timesteps": 256}


def test_colours_and_param_functions():
    p = Plan(small_config(), "engine-x")
    assert p.colours_of("orange_line_diag", "yellow_gem") == {"orange": [255, 128, 0]}
    assert p.colours_of("red_line_diag") == {}
    wc = wildcards(experiment="one", pair="orange-line-yellow-gem", env="red-line-yellow-gem")
    assert p.experiment_value("background")(wc) == "black"
    assert (p.pair_object(0)(wc), p.pair_object(1)(wc)) == ("orange_line_diag", "yellow_gem")
    assert p.game_objects(wc) == {"obj1": "red_line_diag", "obj2": "yellow_gem"}
    assert p.game_objects(wildcards(experiment="one", env="train")) == {"goal": "yellow_line_diag"}


def test_shared_params_keep_their_keys_and_order():
    """The order of a params dict is part of what Snakemake compares: these orders are the rules' as they were."""
    p = Plan(small_config(), "engine-x")
    wc = wildcards(experiment="one", pair="orange-line-yellow-gem", env="orange-line-yellow-gem", level="5",
                   facing="left")
    evaluation = p.evaluation_params()
    assert list(evaluation) == ["obj1", "obj2", "background", "world_dim", "colours", "first_level", "num_levels",
                                "seed", "bf16", "device", "engine"]
    assert evaluation["colours"](wc) == {"orange": [255, 128, 0]}
    assert (evaluation["seed"], evaluation["engine"]) == (7, "engine-x")
    game = ["game", "objects", "background", "world_dim", "colours", "engine"]
    assert list(p.game_params()) == game
    assert p.game_params()["game"](wc) == "duel"
    assert list(p.gif_params()) == [*game, "seed", "frames", "scale"]
    fields = p.vector_field_params()
    assert list(fields) == [*game, "level", "facing", "title"]
    assert (fields["level"](wc), fields["title"](wc)) == (5, "one, orange-line-yellow-gem")
    assert p.evaluation_resources() == {"max_batch": 64}
    assert p.bootstrap == {"samples": 100, "seed": 0}  # canonical: keys sorted
    assert list(p.bootstrap) == ["samples", "seed"]


def test_gpu_shares(monkeypatch):
    p = Plan(small_config(), "engine-x")
    assert p.training_gpus() == 1
    assert p.evaluation_gpus() == 0
    assert p.gpu_resources(1) == {"gpu": 1, "gpu_share": plan.GPU_SHARES // 4}
    assert p.gpu_resources(0) == {}
    monkeypatch.setattr(plan, "nvidia_gpu_count", lambda: 0)
    auto = small_config(train={"gpu": "auto", "agents_per_gpu": 1},
                        evaluation={**CONFIG["evaluation"], "device": "auto"})
    assert (Plan(auto, "e").training_gpus(), Plan(auto, "e").evaluation_gpus()) == (0, 0)
    monkeypatch.setattr(plan, "nvidia_gpu_count", lambda: 2)
    assert (Plan(auto, "e").training_gpus(), Plan(auto, "e").evaluation_gpus()) == (1, 1)
    assert Plan(small_config(evaluation={**CONFIG["evaluation"], "device": "cuda"}), "e").evaluation_gpus() == 1


def test_icons_of_every_configured_experiment():
    p = Plan(small_config(), "engine-x")
    objects = sorted({"red_line_diag", "yellow_gem", "orange_line_diag", "yellow_line_diag", "green_line_diag",
                      "red_gem", *[f"{c}_line_diag" for c in LINES]})
    assert p.icon_objects() == objects
    assert p.all_icons() == [f"figures/icons/{bg}/{o}.png" for bg in ("black", "grey", "textured") for o in objects]
    assert p.icon_files("three", ["yellow_gem", "blue_line_diag", "yellow_gem"]) == [
        "figures/icons/textured/blue_line_diag.png", "figures/icons/textured/yellow_gem.png"]


def test_channel_experiments_need_all_eight_lines():
    p = Plan(small_config(), "engine-x")
    assert p.channel_reference("one") is None
    assert p.channel_reference("three") == "yellow_gem"
    assert p.channel_experiments() == ["three"]


def test_reproduction_comparisons():
    p = Plan(small_config(), "engine-x")
    # three names its own published_run; one is compared, by reproduction.against, with the experiment whose
    # published_run is run-b; two's entry is of another scale and skipped.
    assert p.reproduction == {"three": "three", "one": "two"}
    one = p.comparison_info("one")
    assert (one["published_experiment"], one["run"], one["like_for_like"]) == ("two", "run-b", False)
    assert one["ours"]["world_dim"] == 5 and one["published"]["world_dim"] == 7
    assert p.comparison_info("three")["like_for_like"] is True
    assert p.comparison_info("three")["ours"]["overrides"] == {"epochs": 1}
    assert list(p.comparisons()) == ["one", "three"]
    paper = Plan(small_config(scale="paper", reproduction={"in_figures_all": False, "against": {}}), "e")
    assert paper.reproduction == {"two": "two"}


def test_parsing_imports_neither_torch_nor_gym3():
    """The modules the Snakefile builds its plan with load on every parse: torch or gym3 would cost seconds."""
    assert imported_of("import workflow_scripts.plan, workflow_scripts.layout, workflow_scripts.rule_inputs, "
                       "workflow_scripts.targets, workflow_scripts.published_plan") == []
