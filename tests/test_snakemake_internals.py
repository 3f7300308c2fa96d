"""The Snakemake internals that the stale-results guard relies on (workflow_scripts/snakemake_internals.py),
pinned against the installed Snakemake; and what the workflow says where one is not what was tested."""

import dataclasses
import inspect
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
import snakemake
import snakemake.api  # noqa: F401  (Snakemake's modules import each other: its API first, as its CLI does)
from snakemake.dag import DAG
from snakemake.settings.types import DAGSettings
from snakemake.workflow import Workflow

from tests.conftest import REPO
from workflow_scripts import snakemake_internals as internals


@pytest.fixture
def warnings(monkeypatch):
    """The adapter's warnings, each promise said once per test as it is once per run."""
    said = []
    monkeypatch.setattr(internals, "logger", SimpleNamespace(warning=said.append))
    internals.promise_off.cache_clear()
    yield said
    internals.promise_off.cache_clear()


def version(text):
    return tuple(int(p) for p in text.split(".")[:2])


def test_the_installed_and_pinned_snakemake_are_the_tested_ones():
    low, high = internals.TESTED
    assert low <= version(snakemake.__version__) <= high
    pinned = re.search(r"^snakemake\[reports\]==([\d.]+)$", (REPO / "envs/requirements.txt").read_text(), re.M)
    assert low <= version(pinned.group(1)) <= high
    assert f'min_version("{low[0]}.{low[1]}")' in (REPO / "Snakefile").read_text()
    assert f'"snakemake[reports]>={low[0]}.{low[1]},<{high[0]}.{high[1] + 1}"' in (REPO / "pyproject.toml").read_text()


def test_the_internals_are_where_the_adapter_looks():
    assert f"self.{internals.FORCEFILES} = set()" in inspect.getsource(DAG.__init__)
    assert f"self.{internals.FORCEFILES}.isdisjoint(job.output)" in inspect.getsource(DAG.update_needrun)
    assert internals.TARGETS in {f.name for f in dataclasses.fields(DAGSettings)}
    assert isinstance(getattr(Workflow, internals.RERUN_TRIGGERS), property)
    for name in ("touch", "dryrun", "is_main_process"):
        assert isinstance(getattr(Workflow, name), property), name


def test_job_params_are_called_with_the_wildcards():
    rule = SimpleNamespace(params=SimpleNamespace(items=lambda: [("seed", lambda wc: int(wc.seed) + 1), ("x", 3)]))
    assert internals.job_params(rule, {"seed": 4}) == {"seed": 5, "x": 3}


def test_snakemakes_record_of_an_output_is_where_the_adapter_reads_it(tmp_path):
    (tmp_path / "Snakefile").write_text('rule a:\n    input: "in.txt"\n    output: "deep/out.txt"\n'
                                        '    shell: "cp {input} {output}"\n')
    (tmp_path / "in.txt").write_text("x\n")
    done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    metadata = tmp_path / ".snakemake/metadata"
    assert internals.record_path("deep/out.txt", metadata).is_file()
    assert internals.recorded_inputs("deep/out.txt", metadata) == ["in.txt"]
    assert internals.recorded_inputs("in.txt", metadata) is None
    assert internals.check_records([str(tmp_path / "in.txt")], tmp_path / "none") is False


def test_a_renamed_internal_turns_its_promise_off_loudly_once(warnings, monkeypatch):
    workflow = SimpleNamespace(dag=SimpleNamespace(forcefiles=set()), dag_settings=SimpleNamespace(targets=["t"]))
    assert internals.force_files(workflow, ["a"]) and workflow.dag.forcefiles == {"a"}
    assert internals.requested_targets(workflow) == ["t"] and warnings == []
    monkeypatch.setattr(internals, "FORCEFILES", "forced_files")  # as a Snakemake that renamed it would look
    monkeypatch.setattr(internals, "TARGETS", "target_files")
    assert not internals.force_files(workflow, ["b"]) and not internals.force_files(workflow, ["c"])
    assert internals.requested_targets(workflow) is None
    assert len(warnings) == 2
    assert "results of another identity, and results made from missing files, are not made again" in warnings[0]
    assert "`forced_files`" in warnings[0] and "a single file asked for is not repaired" in warnings[1]


def test_an_untested_version_is_said_once(warnings):
    assert internals.check_version("9.27.1") and warnings == []
    assert not internals.check_version("10.2.0") and not internals.check_version("10.2.0")
    assert len(warnings) == 1 and "Snakemake 10.2.0" in warnings[0] and "stale-results guard" in warnings[0]


def test_the_workflow_says_the_guard_is_off_under_an_untested_snakemake(tmp_path):
    """The whole workflow under a Snakemake that calls itself 10.0.0 (a sitecustomize sets the version while the
    real one runs): the dry run goes on, and says which promise is off."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site/sitecustomize.py").write_text("import snakemake\nsnakemake.__version__ = '10.0.0'\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run([sys.executable, "-m", "snakemake", "engine", "--dry-run", "--nolock"], cwd=REPO, env=env,
                          capture_output=True, text=True)
    said = done.stdout + done.stderr
    assert done.returncode == 0, said[-3000:]
    assert "THE WORKFLOW CANNOT KEEP A PROMISE: the stale-results guard" in said and "Snakemake 10.0.0" in said
