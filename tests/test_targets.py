"""What the workflow builds (workflow_scripts/targets.py), from the small config of tests/test_plan.py, against
hand-written file lists."""

from types import SimpleNamespace

import pandas as pd
import pytest

from tests.test_plan import CONFIG, small_config
from workflow_scripts import layout, snakemake_internals
from workflow_scripts.plan import Plan
from workflow_scripts.published import INDEX_COLUMNS
from workflow_scripts.targets import Targets


def targets(config: dict, record=None, rules=None) -> Targets:
    return Targets(Plan(config, "engine-x"), record, rules)


def test_figures_of_the_active_experiments():
    figures = targets(small_config()).figures
    assert figures[:4] == ["figures/one/scatter/red-line-yellow-gem.png",
                           "figures/one/scatter/red-line-yellow-gem.pdf",
                           "figures/one/scatter/orange-line-yellow-gem.png",
                           "figures/one/scatter/orange-line-yellow-gem.pdf"]
    expected = {
        "figures/one/summary.pdf", "figures/three/summary.png",
        # the ols entry of `two`, an experiment of another scale, is skipped
        "figures/one/ols/orange-line-yellow-gem--vs--red-line-yellow-gem.csv",
        "figures/one/illustration-red-line-yellow-gem.png",
        "figures/one/learning-curves.pdf", "figures/one/gifs/seed_3-train.gif",
        "figures/one/analysis/vector-field-red-line-yellow-gem-level_100033-facing_left-seed_3.png",
        "figures/one/analysis/vector-field-train-level_5-facing_right-seed_3-minus-seed_4.csv",
        "results/analysis/one/outliers.csv", "results/analysis/three/outlier-agents.csv",
        "figures/one/analysis/seed-variation.png",
        # only `three` opposes all 8 line colours to one obj2
        "results/analysis/three/channel-glm.csv", "figures/three/analysis/channel-effects.pdf",
        "figures/icons.png", "figures/icons/textured/red_gem.png",
    }
    assert expected <= set(figures)
    assert not [f for f in figures if "/two/" in f or ("channel" in f and "/one/" in f) or "reproduction" in f]
    assert len(figures) == len(set(figures))


def test_published_source_lists_no_agents_of_ours():
    figures = targets(small_config(source="zenodo")).figures
    assert "figures/two/summary.png" in figures
    assert not [f for f in figures if "learning-curves" in f or "gifs" in f or "vector-field" in f]


def test_reproduction_targets():
    t = targets(small_config())
    assert t.reproduction_targets() == [
        "results/reproduction/summary.md",
        "results/reproduction/three/pairs.csv", "results/reproduction/three/claims.csv",
        *[f"figures/three/reproduction/{n}.{e}" for n in ("preferences", "forest", "claims") for e in ("png", "pdf")],
        "results/reproduction/one/pairs.csv", "results/reproduction/one/claims.csv",
        *[f"figures/one/reproduction/{n}.{e}" for n in ("preferences", "forest", "claims") for e in ("png", "pdf")],
    ]
    assert t.reproduction_inputs() == t.reproduction_targets()
    assert t.reproduction_figure_targets() == [] and t.reproduction_products() == []
    built = targets(small_config(reproduction={"in_figures_all": True, "against": {}}))
    assert "results/reproduction/summary.md" in built.figures
    assert built.reproduction_products() == [
        "resources/zenodo/42/fetched.md5", "resources/zenodo/42/unpacked.txt", "results/published/index.csv",
        "results/tables/three.csv", *[f"results/tables/three/{c}-line-yellow-gem.csv" for c in
                                      ("black", "blue", "green", "cyan", "red", "purple", "yellow", "white")],
        "results/published/tables/three.csv",
        *[f"results/published/tables/three/{c}-line-yellow-gem.csv" for c in
          ("black", "blue", "green", "cyan", "red", "purple", "yellow", "white")],
    ]


def test_nothing_to_compare_is_said_in_words():
    nothing = small_config(experiments={"one": CONFIG["experiments"]["one"]},
                           reproduction={"in_figures_all": False, "against": {}})
    with pytest.raises(ValueError, match="nothing to compare: no experiment of scale 'demo'"):
        targets(nothing).reproduction_inputs()
    with pytest.raises(ValueError, match="reproduction.in_figures_all"):
        targets({**nothing, "reproduction": {"in_figures_all": True, "against": {}}})


def test_workflow_products():
    products = targets(small_config()).workflow_products()
    for path in ("figures/all", "results/tables/one.csv", "results/tables/three/red-line-yellow-gem.csv",
                 "results/train/one/seed_4/final.pth", "results/train/one/seed_4/log.csv",
                 "results/train/three/seed_0/capability.csv", "results/eval/one/orange-line-yellow-gem/seed_3.csv"):
        assert path in products
    published = targets(small_config(source="zenodo")).workflow_products()
    assert "resources/zenodo/42/unpacked.txt" in published and "results/published/tables/two.csv" in published
    assert not [p for p in published if p.startswith(("results/train/", "results/eval/"))]


def test_planned_identities_ask_the_rules_for_their_params(monkeypatch):
    rules = SimpleNamespace(**{name: name for name in ("compile_engine", "prepare_assets", "engine_built",
                                                       "train_agent", "training_capability", "evaluate_agent",
                                                       "aggregate_pair")})
    monkeypatch.setattr(snakemake_internals, "job_params", lambda rule, wildcards: {"rule": rule, **wildcards})
    planned = targets(small_config(), rules=rules).planned_identities()
    assert planned["results/engine/libmaze.so"] == ("compile_engine", {"rule": "compile_engine"})
    assert planned["results/train/one/seed_4/final.pth"] == (
        "train_agent", {"rule": "train_agent", "experiment": "one", "seed": 4})
    assert planned["results/eval/three/red-line-yellow-gem/seed_0.csv"][1] == {
        "rule": "evaluate_agent", "experiment": "three", "pair": "red-line-yellow-gem", "seed": 0}
    assert planned["results/tables/one/orange-line-yellow-gem.csv"][0] == "aggregate_pair"
    # the engine's 3; each of the 3 agents' checkpoint and capability; one evaluation per agent and pair (one: 2
    # seeds x 2 pairs, three: 1 x 8); one table per pair
    assert len(planned) == 3 + 3 * 2 + (2 * 2 + 1 * 8) + (2 + 8)
    zenodo = targets(small_config(source="zenodo"), rules=rules).planned_identities()
    assert list(zenodo) == ["results/engine/libmaze.so", layout.ENGINE_ASSETS[0], "results/engine/engine.json"]


def test_record_products_leave_out_what_the_record_lacks():
    rows = [("evaluation", "run-c", "blue-line-yellow-gem", "agent-1", 5, "a.csv"),
            ("checkpoint", "run-c", "", "agent-1", 5, "a.pth"),
            ("log", "run-b", "", "agent-2", 0, "b.csv")]
    record = SimpleNamespace(index=lambda: pd.DataFrame(rows, columns=INDEX_COLUMNS),
                             run=lambda e: CONFIG["experiments"][e]["published_run"])
    published = {**CONFIG["published"],
                 "compare": [{"experiment": "three", "pair": "blue-line-yellow-gem", "agents": 1}],
                 "gifs": [{"experiment": "two", "agent": "agent-2", "env": "train"}]}
    made, left_out = targets(small_config(source="zenodo", published=published), record).record_products()
    assert made == [f"figures/three/published-vs-ours/blue-line-yellow-gem.{e}" for e in ("png", "pdf", "csv")] + [
        "figures/two/published-learning-curves.png", "figures/two/published-learning-curves.pdf"]
    assert set(left_out) == {"figures/two/published-gifs/agent-2/train.gif",
                             "figures/three/published-learning-curves.png",
                             "figures/three/published-learning-curves.pdf"}
    gif = left_out["figures/two/published-gifs/agent-2/train.gif"]
    assert "no trained models of agent agent-2 in run 'run-b'" in gif
    assert targets(small_config(), record).record_products() == ([], {})
