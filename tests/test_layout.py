"""Where the workflow's files lie (workflow_scripts/layout.py), against hand-written paths."""

import re

import pytest

from workflow_scripts import layout
from workflow_scripts.prepare_assets import ASSET_NAMES


def test_paths_are_the_rules_file_names():
    assert layout.run_file("one", 3, "log.csv") == "results/train/one/seed_3/log.csv"
    assert layout.final_checkpoint("one", "4") == "results/train/one/seed_4/final.pth"
    assert layout.eval_csv("one", "red-line-yellow-gem", 3) == "results/eval/one/red-line-yellow-gem/seed_3.csv"
    assert layout.table_path(layout.OUR_TABLES, "one") == "results/tables/one.csv"
    assert layout.table_path(layout.PUBLISHED_TABLES, "one", "p") == "results/published/tables/one/p.csv"
    assert layout.outlier_table("one") == "results/analysis/one/outliers.csv"
    assert layout.outlier_table("one", "p") == "results/analysis/one/outliers/p.csv"
    assert layout.icon_file("grey", "red_gem") == "figures/icons/grey/red_gem.png"
    assert layout.published_dir(42) == "resources/zenodo/42"
    assert layout.png_pdf("figures/x/summary") == ["figures/x/summary.png", "figures/x/summary.pdf"]
    assert layout.ENGINE_ASSETS == [f"results/engine/assets/{name}.pam" for name in ASSET_NAMES]
    assert layout.VECTOR_FIELD_STEM.format(experiment="one", env="train", level=5, facing="left", seed=3) == (
        "figures/one/analysis/vector-field-train-level_5-facing_left-seed_3")


@pytest.mark.parametrize("facing, matches", [("left", True), ("right", True), ("up", False)])
def test_vector_field_wildcards(facing, matches):
    assert bool(re.fullmatch(layout.VECTOR_FIELD_WILDCARDS["facing"], facing)) is matches
