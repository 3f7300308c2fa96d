"""What every script rule takes besides its data (workflow_scripts/rule_inputs.py): its code, which repairs the
plan once asked for, and the engine, behind its checkpoint."""

import copy
from types import SimpleNamespace

import pytest
import yaml

from tests.conftest import REPO
from workflow_scripts.rule_inputs import RuleInputs

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())


class Guard:
    def __init__(self):
        self.repairs = 0

    def repair(self):
        self.repairs += 1


def ancient(value):
    return ("ancient", value)


def rule_inputs(config=CONFIG, checkpoints=None, guard=None) -> RuleInputs:
    return RuleInputs(REPO, config, guard or Guard(), ancient, checkpoints)


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    """The rules name the engine's sources relative to the working directory, the repository."""
    monkeypatch.chdir(REPO)


def test_job_code_is_the_scripts_imports_and_repairs_the_plan():
    guard = Guard()
    inputs = rule_inputs(guard=guard)
    function = inputs.job_code("aggregate_pair")
    assert guard.repairs == 0  # only once Snakemake asks for the inputs, while it plans
    kind, modules = function(SimpleNamespace())
    assert kind == "ancient" and guard.repairs == 1
    # aggregate_pair's script imports the analysis library, not the parse-time modules; itself is tracked by
    # Snakemake, not listed
    assert "workflow_scripts/metrics.py" in modules
    assert not {"workflow_scripts/plan.py", "workflow_scripts/rule_inputs.py",
                "workflow_scripts/jobs/aggregate_pair.py"} & set(modules)


def test_code_versions_differ_by_rule():
    inputs = rule_inputs()
    assert inputs.code_version("aggregate_pair") == inputs.code_version("aggregate_pair")
    assert inputs.code_version("aggregate_pair") != inputs.code_version("experiment_table")


def test_engine_version_follows_the_flags_not_the_compiler():
    inputs = rule_inputs()
    assert inputs.engine_sources == sorted(str(p.relative_to(REPO)) for p in (REPO / "cpp").glob("*.cpp"))
    assert inputs.engine_headers and all(h.endswith(".h") for h in inputs.engine_headers)
    other_flags = copy.deepcopy(CONFIG)
    other_flags["engine"]["cxxflags"] = [*CONFIG["engine"]["cxxflags"], "-DOTHER"]
    other_compiler = copy.deepcopy(CONFIG)
    other_compiler["engine"]["cxx"] = "another-g++"
    assert rule_inputs(other_flags).engine_version != inputs.engine_version
    assert rule_inputs(other_compiler).engine_version == inputs.engine_version


def test_engine_inputs_wait_for_the_engine_checkpoint():
    asked = []
    checkpoints = SimpleNamespace(engine_built=SimpleNamespace(get=lambda: asked.append("engine_built")))
    inputs = rule_inputs(checkpoints=checkpoints)
    found = inputs.engine_inputs(SimpleNamespace())
    assert asked == ["engine_built"]
    assert found["lib"] == ("ancient", "results/engine/libmaze.so")
    kind, assets = found["assets"]
    assert kind == "ancient" and assets and all(a.startswith("results/engine/assets/") for a in assets)

    def not_built():
        raise RuntimeError("engine_built not yet made")

    with pytest.raises(RuntimeError, match="not yet made"):
        rule_inputs(checkpoints=SimpleNamespace(engine_built=SimpleNamespace(get=not_built))).engine_inputs(None)
