"""Published data, offline: a synthetic record in the original's layout (tests/published_archive.py) served
by a stand-in for zenodo_get; fetched, checked, unpacked, found, imported and compared, in pieces and end to
end through the workflow."""

import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
import zenodo_get
from PIL import Image
from scipy.stats import chi2_contingency

from tests.conftest import REPO
from tests.published_archive import (AGENTS, BLACKLISTED, FINAL_STEP, PAIRS, RUN, FakeZenodo, build_record,
                                     training_log)
from workflow_scripts.agent import load_policy
from workflow_scripts.evaluate import evaluate_checkpoint
from workflow_scripts.figures import plotted, published_comparison
from workflow_scripts.maze import MazeEnv
from workflow_scripts.metrics import read_results
from workflow_scripts.published import (LayoutError, compare_agent, find_published, import_experiment,
                                        published_agents, published_checkpoint, published_logs, read_training_log)
from workflow_scripts.zenodo import LISTING, DownloadError, fetch, read_checksums, unpack_all

RECORD = "10200914"
LEVELS = range(100_000, 100_030)
FILES = ["results-1000.zip", "models.tar.gz"]


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    """The record's files and the final CSV of every (agent, pair) in them."""
    folder = tmp_path_factory.mktemp("record")
    return folder, build_record(folder, LEVELS)


@pytest.fixture
def served(record, monkeypatch):
    fake = FakeZenodo(RECORD, record[0])
    monkeypatch.setattr(zenodo_get, "download", fake)
    return fake


def md5(path):
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def test_fetch_checks_every_file_and_resumes(record, served, tmp_path, monkeypatch):
    out = tmp_path / "zenodo"
    chosen = fetch(RECORD, out, ["*.zip", "*.tar.gz"])
    assert sorted(chosen) == sorted(FILES)
    for name in FILES:
        assert md5(out / name) == md5(record[0] / name) == chosen[name]
    assert [c["md5"] for c in served.calls] == [True, False]  # the listing, then only the chosen files
    assert sorted(served.calls[1]["file_glob"]) == sorted(FILES)
    # Everything is there: a rerun needs no network at all.
    monkeypatch.setattr(zenodo_get, "download", FakeZenodo(RECORD, record[0], offline=True))
    assert fetch(RECORD, out, ["*.zip", "*.tar.gz"]) == chosen
    # A damaged file is fetched again, and only it.
    with open(out / "models.tar.gz", "ab") as f:
        f.write(b"torn")
    again = FakeZenodo(RECORD, record[0])
    monkeypatch.setattr(zenodo_get, "download", again)
    fetch(RECORD, out, ["*.zip", "*.tar.gz"])
    assert again.calls == [{"record": RECORD, "md5": False, "file_glob": ["models.tar.gz"]}]
    assert md5(out / "models.tar.gz") == md5(record[0] / "models.tar.gz")


def test_fetch_without_network_says_what_to_do(record, tmp_path, monkeypatch):
    monkeypatch.setattr(zenodo_get, "download", FakeZenodo(RECORD, record[0], offline=True))
    with pytest.raises(DownloadError, match=r"could not fetch Zenodo record 10200914: .*name resolution") as err:
        fetch(RECORD, tmp_path / "z")
    assert "network" in str(err.value) and LISTING in str(err.value)


def test_fetch_names_the_record_files_when_no_glob_matches(served, tmp_path):
    with pytest.raises(DownloadError, match=r"matches \['\*\.csv'\]; its files: README.md, models.tar.gz, results-1000.zip"):
        fetch(RECORD, tmp_path / "z", ["*.csv"])


def test_fetch_refuses_a_download_that_does_not_match_its_checksum(record, tmp_path, monkeypatch):
    class Corrupting(FakeZenodo):
        def __call__(self, *args, **kwargs):
            super().__call__(*args, **kwargs)
            if not kwargs.get("md5"):
                (Path(kwargs["output_dir"]) / "README.md").write_text("something else\n")

    monkeypatch.setattr(zenodo_get, "download", Corrupting(RECORD, record[0]))
    with pytest.raises(DownloadError, match="do not match the record's md5 after downloading: README.md"):
        fetch(RECORD, tmp_path / "z", ["README.md"])


def test_unknown_record_is_reported(served, tmp_path):
    with pytest.raises(DownloadError, match="could not fetch Zenodo record 1: .*404"):
        fetch("1", tmp_path / "z")


def test_unpack_nested_archives_once_and_refuse_escapes(tmp_path, caplog):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/file.txt", "inside")
    with tarfile.open(tmp_path / "outer.tar", "w") as t:
        # A checkpoint is a zip too, and is not an archive of the record: it stays as it is.
        for name in ("nested/inner.zip", "nested/model_0.pth"):
            info = tarfile.TarInfo(name)
            info.size = len(inner.getvalue())
            t.addfile(info, io.BytesIO(inner.getvalue()))
    (tmp_path / "plain.txt").write_text("not an archive")
    with caplog.at_level(logging.INFO, logger="workflow_scripts.zenodo"):
        folders = unpack_all(tmp_path, ["outer.tar", "plain.txt"])
    assert folders == [tmp_path / "outer.tar.unpacked", tmp_path / "outer.tar.unpacked/nested/inner.zip.unpacked"]
    assert caplog.messages == [f"unpacking {tmp_path / 'outer.tar'}", f"unpacking {folders[0] / 'nested/inner.zip'}"]
    assert zipfile.is_zipfile(folders[0] / "nested/model_0.pth")
    assert (folders[1] / "deep" / "file.txt").read_text() == "inside"
    (folders[1] / "deep" / "file.txt").write_text("kept")
    caplog.clear()
    assert unpack_all(tmp_path, ["outer.tar"]) == folders  # already unpacked: left as it is
    assert caplog.messages == []
    assert (folders[1] / "deep" / "file.txt").read_text() == "kept"

    with tarfile.open(tmp_path / "evil.tar", "w") as t:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.OutsideDestinationError):
        unpack_all(tmp_path, ["evil.tar"])
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "evil.tar.unpacked").exists()


def test_a_second_unpack_while_one_runs_is_refused_naming_the_first(tmp_path):
    from workflow_scripts.locks import try_lock
    from workflow_scripts.zenodo import UNPACK_LOCK

    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("x.txt", "x")
    with try_lock(tmp_path / UNPACK_LOCK):
        with pytest.raises(DownloadError, match=rf"another process is unpacking the record in .*PID {os.getpid()}"):
            unpack_all(tmp_path, ["a.zip"])
        assert not (tmp_path / "a.zip.unpacked").exists()
    assert unpack_all(tmp_path, ["a.zip"]) == [tmp_path / "a.zip.unpacked"]


@pytest.fixture(scope="module")
def unpacked(record, tmp_path_factory):
    folder = tmp_path_factory.mktemp("unpacked")
    for name in [*FILES, "README.md"]:
        (folder / name).write_bytes((record[0] / name).read_bytes())
    unpack_all(folder, FILES)
    return folder


def test_index_finds_the_final_files_of_the_original_layout(unpacked):
    index = find_published(unpacked)
    evaluations = index[index["kind"] == "evaluation"]
    assert len(evaluations) == len(AGENTS) * len(PAIRS)
    assert set(evaluations["run"]) == {RUN} and set(evaluations["pair"]) == set(PAIRS)
    assert set(evaluations["step"]) == {FINAL_STEP}  # the earlier model_1048576.csv is passed over
    checkpoints = index[index["kind"] == "checkpoint"]
    assert sorted(checkpoints["agent"]) == sorted(AGENTS) and set(checkpoints["step"]) == {FINAL_STEP}
    logs = published_logs(index, RUN)
    assert list(logs) == sorted(AGENTS) and all(Path(p).name == "log-append.csv" for p in logs.values())
    for path in index["path"]:
        assert Path(path).is_file()


def test_published_training_log_reads_as_ours(tmp_path):
    log = training_log(2)
    log = pd.concat([log, log.tail(1).assign(mean_episode_len=1.0)])  # a resumed run logs its last step again
    log.to_csv(tmp_path / "log-append.csv", index=False)
    ours = read_training_log(tmp_path / "log-append.csv")
    assert list(ours.columns) == ["timesteps", "mean_episode_length", "mean_episode_reward"]
    assert list(ours["timesteps"]) == [65536 * k for k in range(1, 6)]
    np.testing.assert_array_equal(ours["mean_episode_length"], [np.nan, 102.0, 200 / 3 + 2, 52.0, 1.0])
    np.testing.assert_array_equal(ours["mean_episode_reward"], [np.nan, 5.0, 10 - 10 / 3, 7.5, 8.0])
    log.drop(columns="mean_episode_len").to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="bad.csv.*mean_episode_len"):
        read_training_log(tmp_path / "bad.csv")


def test_index_of_an_unknown_layout_lists_what_it_found(tmp_path):
    (tmp_path / "data" / "runs").mkdir(parents=True)
    (tmp_path / "data" / "runs" / "agent_1.csv").write_text("seed,steps,reward\n")
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(LayoutError) as err:
        find_published(tmp_path)
    message = str(err.value)
    assert "results-1000/<run>/<obj1>-<obj2>-final-model/<agent>/model_<N>.csv" in message
    assert "holds 2 files" in message and "data/runs/agent_1.csv" in message and ".csv 1" in message


def hand_preference(table):
    obj1, obj2 = int((table["reward"] == 10).sum()), int((table["reward"] == -10).sum())
    return obj1 / (obj1 + obj2)


def test_import_matches_the_csvs_and_marks_the_blacklist(record, unpacked):
    table = import_experiment(find_published(unpacked), RUN, PAIRS, [BLACKLISTED], bootstrap_samples=200)
    assert list(table["pair"].unique()) == list(PAIRS)  # config order
    assert list(table["agent"][table["pair"] == "red-line-yellow-gem"]) == sorted(AGENTS)
    for row in table.itertuples():
        source = record[1][(row.agent, row.pair)]
        assert row.preference == pytest.approx(hand_preference(source))
        assert row.capability == pytest.approx(source["steps"].mean())
        assert row.n_levels == len(LEVELS)
        assert row.blacklisted == (row.agent == BLACKLISTED)
    assert BLACKLISTED not in set(plotted(table)["agent"]) and len(plotted(table)) == len(table) - len(PAIRS)


def test_import_names_missing_runs_and_pairs(unpacked):
    index = find_published(unpacked)
    with pytest.raises(LayoutError, match=r"no run 'maze-5x5-red-line'; runs found: \['maze-5x5'\]"):
        import_experiment(index, "maze-5x5-red-line", PAIRS)
    with pytest.raises(LayoutError, match=r"no published results for the pairs \['blue-line-red-line'\]"):
        import_experiment(index, RUN, {"blue-line-red-line": ("blue_line_diag", "red_line_diag")})


def test_results_csvs_are_checked(tmp_path):
    for name, text, problem in [("a", "seed,steps\n1,4\n", "no column reward"),
                                ("b", "seed,steps,reward\n1,4,5.0\n", "rewards other than"),
                                ("c", "seed,steps,reward\n1,501,0.0\n", "steps outside 1..500"),
                                ("d", "seed,steps,reward\n1,4,10.0\n1,5,10.0\n", "a level appears twice")]:
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=problem):
            read_results(tmp_path / name)


def test_published_checkpoints_load_strict_with_weights_only(unpacked):
    index = find_published(unpacked)
    agents = published_agents(index, RUN, "red-line-yellow-gem", 2)
    assert list(agents) == sorted(AGENTS)[:2]
    import torch

    for path in agents.values():
        saved = torch.load(path, weights_only=True)
        assert set(saved) == {"model_state_dict", "optimizer_state_dict"}
        policy = load_policy(path)
        for key, tensor in saved["model_state_dict"].items():
            assert torch.equal(policy.state_dict()[key], tensor)


def test_unknown_published_agent_names_the_known_ones(unpacked):
    index = find_published(unpacked)
    assert published_checkpoint(index, RUN, AGENTS[0]).endswith(f"{RUN}/{AGENTS[0]}/model_{FINAL_STEP}.pth")
    with pytest.raises(LayoutError, match=f"no published checkpoint of agent 'seed_1' in run 'maze-5x5'; "
                                          f"its 4 agents with checkpoints: {sorted(AGENTS)[0]}"):
        published_checkpoint(index, RUN, "seed_1")


def test_comparison_statistics_by_hand():
    levels = range(10)
    published = pd.DataFrame({"seed": levels, "steps": [4] * 6 + [8] * 4, "reward": [10.0] * 6 + [-10.0] * 4})
    ours = pd.DataFrame({"seed": levels, "steps": [4] * 3 + [6] * 7, "reward": [10.0] * 3 + [-10.0] * 6 + [0.0]})
    row = compare_agent(published, ours)
    pooled = 9 / 19
    z = (3 / 9 - 6 / 10) / np.sqrt(pooled * (1 - pooled) * (1 / 10 + 1 / 9))
    assert row["preference_published"] == 0.6 and row["preference_ours"] == pytest.approx(1 / 3)
    assert row["preference_z"] == pytest.approx(z)
    se = np.sqrt(np.var([4] * 6 + [8] * 4, ddof=1) / 10 + np.var([4] * 3 + [6] * 7, ddof=1) / 10)
    assert row["capability_z"] == pytest.approx((5.4 - 5.6) / se)
    assert row["same_outcome"] == pytest.approx(0.6)  # levels 0-2 (+10) and 6-8 (-10) agree
    same = compare_agent(published, published)
    assert same["preference_z"] == 0 and same["capability_z"] == 0 and same["same_outcome"] == 1


def test_comparison_figure_plots_the_table():
    table = pd.DataFrame({"agent": ["a", "b", "c"], "preference_published": [0.2, 0.5, 0.9],
                          "preference_ours": [0.25, 0.5, 0.6], "preference_z": [1.0, 0.0, -3.0],
                          "decided_published": [900, 950, 1000], "decided_ours": [910, 940, 990],
                          "capability_published": [4.5, 12.0, 80.0], "capability_ours": [4.4, 13.0, 90.0],
                          "capability_se_published": [0.1, 0.5, 3.0], "capability_se_ours": [0.1, 0.6, 3.1],
                          "capability_z": [0.5, 2.5, 2.3]})
    fig = published_comparison(table, "red_line_diag", "yellow_gem", "maze-5x5")
    pref_ax, cap_ax = fig.axes
    for ax, column in [(pref_ax, "preference"), (cap_ax, "capability")]:
        x, y = ax.lines[0].get_data()  # the error-bar markers
        np.testing.assert_allclose(x, table[f"{column}_published"])
        np.testing.assert_allclose(y, table[f"{column}_ours"])
    assert pref_ax.get_title() == "1 of 3 agents differ at the 5% level"
    assert cap_ax.get_title() == "2 of 3 agents differ at the 5% level"
    assert cap_ax.get_xscale() == "log" and pref_ax.get_xlim() == (0, 1)


# ----- end to end, through the workflow ------------------------------------------------------------------

SHIM = """import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ["FAKE_ZENODO_REPO"])
from tests.published_archive import FakeZenodo

download = FakeZenodo(os.environ["FAKE_ZENODO_RECORD"], Path(os.environ["FAKE_ZENODO_SOURCE"]),
                      offline=bool(os.environ.get("FAKE_ZENODO_OFFLINE")), journal=Path(os.environ["FAKE_ZENODO_JOURNAL"]))
"""


def published_config() -> dict:
    """The shipped config with source zenodo, narrowed to maze-5x5 on three pairs and 30 levels."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["source"] = "zenodo"
    exp = config["experiments"]["maze-5x5"]
    exp["pairs"] = [list(objects) for objects in PAIRS.values()]
    config["experiments"] = {"maze-5x5": exp}
    config["evaluation"].update(first_level=LEVELS.start, num_levels=len(LEVELS))
    config["evaluation"]["bootstrap"]["samples"] = 200
    figures = config["figures"]
    for section in ("ols", "illustration", "gifs", "vector_fields", "vector_field_differences"):
        figures[section] = [e for e in figures[section] if e["experiment"] == "maze-5x5"]
    config["published"]["compare"] = [{"experiment": "maze-5x5", "pair": "red-line-yellow-gem", "agents": 2}]
    config["published"]["gifs"] = [{"experiment": "maze-5x5", "agent": AGENTS[2], "env": "train"}]
    figures["gif"].update(frames=12, first_level=LEVELS.start)
    return config


def published_workspace(work: Path, engine: Path, config: dict, evaluate=None, offline: bool = False):
    """A scratch folder with the config and the synthetic record served as Zenodo would (or failing as
    without a network); returns the record's tables and a function that runs Snakemake there."""
    source = work / "served"
    source.mkdir()
    tables = build_record(source, LEVELS, evaluate=evaluate)
    for name in ("workflow_scripts", "cpp"):
        (work / name).symlink_to(REPO / name)
    (work / "results").mkdir()
    (work / "results" / "engine").symlink_to(engine)
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    shim = work / "shim" / "zenodo_get"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(SHIM)
    env = {**os.environ, "PYTHONPATH": f"{work / 'shim'}{os.pathsep}{REPO}", "FAKE_ZENODO_REPO": str(REPO),
           "FAKE_ZENODO_RECORD": RECORD, "FAKE_ZENODO_SOURCE": str(source),
           "FAKE_ZENODO_JOURNAL": str(work / "journal.jsonl"), **({"FAKE_ZENODO_OFFLINE": "1"} if offline else {})}

    def snakemake(*args):
        return subprocess.run([sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(work),
                               "--cores", "2", *args], cwd=work, env=env, capture_output=True, text=True)

    return tables, snakemake


def listed_figures(work: Path) -> set[str]:
    """The figures that figures/all lists with their sha256."""
    lines = (work / "figures/all").read_text().splitlines()
    return {line.split("  ", 1)[1] for line in lines if not line.startswith("#")}


@pytest.fixture(scope="module")
def workflow_run(engine, tmp_path_factory):
    """The workflow run in a scratch folder on a record whose red-line-yellow-gem CSVs come from our own
    evaluator, so our re-evaluation must agree with them level by level."""
    work = tmp_path_factory.mktemp("published-workflow")
    config = published_config()
    tables, snakemake = published_workspace(work, engine, config, evaluate=lambda path, obj1, obj2: evaluate_checkpoint(
        path, obj1, obj2, "black", LEVELS, config["evaluation"]["seed"]))
    run = snakemake("figures/all")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return work, tables, snakemake


@pytest.mark.slow
def test_figures_from_the_published_record_end_to_end(workflow_run):
    work, tables, snakemake = workflow_run
    listed = listed_figures(work)
    exp = "figures/maze-5x5"
    expected = {f"{exp}/scatter/{p}.{x}" for p in PAIRS for x in ("png", "pdf")}
    expected |= {f"{exp}/summary.{x}" for x in ("png", "pdf")}
    expected |= {f"{exp}/ols/yellow-gem-red-line--vs--green-line-red-line.{x}" for x in ("png", "pdf", "csv")}
    expected |= {f"{exp}/published-vs-ours/red-line-yellow-gem.{x}" for x in ("png", "pdf", "csv")}
    expected.add(f"{exp}/illustration-red-line-yellow-gem.png")
    expected.add(f"{exp}/published-gifs/{AGENTS[2]}/train.gif")
    expected |= {f"{exp}/published-learning-curves.{x}" for x in ("png", "pdf")}
    analyses = {f"results/analysis/maze-5x5/{t}.csv" for t in ("outliers", "outlier-agents", "seed-variation",
                                                                "channel-effects", "channel-glm", "channel-classes")}
    expected |= analyses | {f"{exp}/analysis/{f}.{x}" for f in ("seed-variation", "channel-preferences",
                                                                "channel-effects") for x in ("png", "pdf")}
    assert expected <= listed
    trained = [f for f in listed if f.endswith(("/learning-curves.png", "/learning-curves.pdf")) or "/gifs/" in f]
    assert trained == []  # nothing was trained

    # The analyses of the published table, spot-checked by hand: an agent's red main effect and a pair's
    # homogeneity test (scipy's chi-square on the agents x outcomes counts).
    effects = pd.read_csv(work / "results/analysis/maze-5x5/channel-effects.csv").set_index("agent")
    agent = AGENTS[0]
    bits = {"black": 0, "blue": 0, "cyan": 0, "green": 0, "purple": 1, "red": 1, "white": 1, "yellow": 1}
    on = [hand_preference(tables[(agent, f"{c}-line-yellow-gem")]) for c, r in bits.items() if r]
    off = [hand_preference(tables[(agent, f"{c}-line-yellow-gem")]) for c, r in bits.items() if not r]
    assert effects.loc[agent, "effect_r"] == pytest.approx(np.mean(on) - np.mean(off))
    variation = pd.read_csv(work / "results/analysis/maze-5x5/seed-variation.csv").set_index("pair")
    counts = [[(tables[(a, "green-line-red-line")]["reward"] == r).sum() for r in (10, -10)] for a in AGENTS]
    assert variation.loc["green-line-red-line", "p_homogeneity"] == pytest.approx(
        chi2_contingency(counts, correction=False).pvalue)

    table = pd.read_csv(work / "results/published/tables/maze-5x5.csv")
    for row in table.itertuples():
        assert row.preference == pytest.approx(hand_preference(tables[(row.agent, row.pair)]))
    assert set(table.loc[table["blacklisted"], "agent"]) == {BLACKLISTED}

    # The original's OLS fit kept the blacklisted agent: all four agents, against numpy's least squares.
    prefs = {pair: [hand_preference(tables[(a, pair)]) for a in sorted(AGENTS)] for pair in PAIRS}
    slope, intercept = np.polyfit(prefs["green-line-red-line"], prefs["yellow-gem-red-line"], 1)
    ols = pd.read_csv(work / f"{exp}/ols/yellow-gem-red-line--vs--green-line-red-line.csv").iloc[0]
    assert ols["n"] == len(AGENTS)
    assert ols["slope"] == pytest.approx(slope) and ols["intercept"] == pytest.approx(intercept)

    # The published CSVs of this pair were made by our evaluator: re-evaluated, they agree level by level.
    compared = pd.read_csv(work / f"{exp}/published-vs-ours/red-line-yellow-gem.csv")
    assert list(compared["agent"]) == sorted(AGENTS)[:2]
    assert (compared["same_outcome"] == 1).all() and (compared["preference_z"] == 0).all()

    # The published agent's GIF starts on the first GIF level of its training game, as the engine draws it.
    gif = Image.open(work / f"{exp}/published-gifs/{AGENTS[2]}/train.gif")
    assert gif.size == (384, 384) and gif.info["loop"] == 0
    env = MazeEnv(1, "single", level_seeds=[LEVELS.start], goal="yellow_line_diag", background="black")
    first = env.observe()[1]["rgb"][0].repeat(6, 0).repeat(6, 1)
    env.close()
    np.testing.assert_array_equal(np.asarray(gif.convert("RGB")), first)
    durations = []
    for i in range(gif.n_frames):
        gif.seek(i)
        durations.append(gif.info["duration"])
    assert sum(durations) == 12 * 200

    calls = [json.loads(line) for line in (work / "journal.jsonl").read_text().splitlines()]
    assert [c["md5"] for c in calls] == [True, False] and all(c["record"] == RECORD for c in calls)


@pytest.mark.slow
def test_a_record_of_results_only_makes_every_figure_but_those_that_need_its_models(engine, tmp_path):
    config = published_config()
    config["published"]["files"] = ["results-*.zip"]
    _, snakemake = published_workspace(tmp_path, engine, config)
    run = snakemake("figures/all")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert (tmp_path / f"resources/zenodo/{RECORD}/results-1000.zip").exists()
    assert not (tmp_path / f"resources/zenodo/{RECORD}/models.tar.gz").exists()
    exp = "figures/maze-5x5"
    listed = listed_figures(tmp_path)
    assert {f"{exp}/scatter/{p}.png" for p in PAIRS} | {f"{exp}/summary.png", "figures/icons.png"} <= listed
    left_out = {line.split("  ")[1]: line.split("  ")[2] for line in (tmp_path / "figures/all").read_text().splitlines()
                if line.startswith("# left out")}
    needs_models = {*(f"{exp}/published-learning-curves.{x}" for x in ("png", "pdf")),
                    *(f"{exp}/published-vs-ours/red-line-yellow-gem.{x}" for x in ("png", "pdf", "csv")),
                    f"{exp}/published-gifs/{AGENTS[2]}/train.gif"}
    assert set(left_out) == needs_models and not needs_models & listed
    assert "no training logs of run 'maze-5x5'" in left_out[f"{exp}/published-learning-curves.png"]
    assert "no trained models" in left_out[f"{exp}/published-gifs/{AGENTS[2]}/train.gif"]
    log = (tmp_path / "results/logs/figures/all.log").read_text()
    assert f"left out {exp}/published-learning-curves.png: the published record has no training logs" in log
    again = snakemake("figures/all", "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout[-3000:]


@pytest.mark.slow
def test_without_a_network_the_run_says_what_to_do_once(engine, tmp_path):
    _, snakemake = published_workspace(tmp_path, engine, published_config(), offline=True)
    run = snakemake("figures/all")
    console = run.stdout + run.stderr
    assert run.returncode != 0
    assert console.count("Is the network reachable") == 1 and "Traceback" not in console, console[-3000:]
    assert "Traceback" in (tmp_path / "results/logs/published/download.log").read_text()


@pytest.mark.slow
def test_published_workflow_is_complete_after_one_run(workflow_run):
    work, _, snakemake = workflow_run
    run = snakemake("figures/all", "--dry-run")
    assert run.returncode == 0 and "Nothing to be done" in run.stdout + run.stderr, run.stdout[-3000:]


# ----- the record by content ---------------------------------------------------------------------------------

def test_a_changed_archive_is_unpacked_again_and_a_killed_unpack_leaves_nothing(tmp_path):
    def archive(text):
        with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
            z.writestr("x/file.txt", text)

    archive("first")
    (tmp_path / ".a.zip.unpacked.tmp" / "half").mkdir(parents=True)  # what a killed unpack leaves behind
    [folder] = unpack_all(tmp_path, ["a.zip"])
    assert (folder / "x" / "file.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".unpack.lock", "a.zip", "a.zip.unpacked"]
    os.utime(tmp_path / "a.zip", (1, 1))  # a touch or a copy: same content, left as it is
    (folder / "x" / "file.txt").write_text("kept")
    unpack_all(tmp_path, ["a.zip"])
    assert (folder / "x" / "file.txt").read_text() == "kept"
    archive("corrected")
    unpack_all(tmp_path, ["a.zip"])
    assert (folder / "x" / "file.txt").read_text() == "corrected"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".unpack.lock", "a.zip", "a.zip.unpacked"]


def test_current_checksums_read_a_file_only_when_it_changed(tmp_path, monkeypatch):
    from workflow_scripts import zenodo

    (tmp_path / "f").write_bytes(b"one")
    assert zenodo.current_checksums(tmp_path, ["f", "absent"]) == {"f": md5(tmp_path / "f"), "absent": "missing"}
    reads = []
    monkeypatch.setattr(zenodo, "md5sum", lambda p: reads.append(p) or hashlib.md5(Path(p).read_bytes()).hexdigest())
    assert zenodo.current_checksums(tmp_path, ["f"]) == {"f": md5(tmp_path / "f")} and reads == []
    os.utime(tmp_path / "f", (5, 5))
    assert zenodo.current_checksums(tmp_path, ["f"]) == {"f": md5(tmp_path / "f")} and len(reads) == 1
    (tmp_path / "f").write_bytes(b"two")
    assert zenodo.current_checksums(tmp_path, ["f"]) == {"f": hashlib.md5(b"two").hexdigest()}


@pytest.mark.parametrize("how", ["rewritten in place", "replaced by another file"])
def test_a_file_replaced_under_its_old_size_and_time_is_read_again(tmp_path, how):
    """The issue's case: an archive replaced by one of the same size under the same modification time (a
    restore, `cp -p`, rsync --times) is not the archive whose md5 the cache holds."""
    from workflow_scripts import zenodo

    archive = tmp_path / "models.zip"
    archive.write_bytes(b"one")
    stamp = archive.stat().st_mtime_ns
    assert zenodo.current_checksums(tmp_path, ["models.zip"]) == {"models.zip": hashlib.md5(b"one").hexdigest()}
    time.sleep(0.05)  # a person's replacement comes later than the kernel's coarse clock can miss
    if how == "rewritten in place":
        archive.write_bytes(b"two")
    else:
        (tmp_path / "restored").write_bytes(b"two")
        (tmp_path / "restored").replace(archive)
    os.utime(archive, ns=(stamp, stamp))
    assert archive.stat().st_size == 3 and archive.stat().st_mtime_ns == stamp
    assert zenodo.current_checksums(tmp_path, ["models.zip"]) == {"models.zip": hashlib.md5(b"two").hexdigest()}


def test_a_file_that_no_longer_matches_the_listing_is_named(tmp_path):
    from workflow_scripts.zenodo import check_against_listing

    (tmp_path / "a.zip").write_bytes(b"corrected")
    (tmp_path / LISTING).write_text(f"{hashlib.md5(b'original').hexdigest()}  a.zip\n")
    with pytest.raises(DownloadError, match=r"a\.zip in .* no longer match .*record\.md5"):
        check_against_listing(tmp_path, ["a.zip"])
    (tmp_path / LISTING).write_text(f"{hashlib.md5(b'corrected').hexdigest()}  a.zip\n")
    assert check_against_listing(tmp_path, ["a.zip"]) == {"a.zip": hashlib.md5(b"corrected").hexdigest()}


def test_names_the_record_lacks_are_listed_with_the_closest(unpacked):
    from workflow_scripts.published import unknown_names

    index = find_published(unpacked)
    assert unknown_names(index, [BLACKLISTED], {"maze-5x5": RUN}, [("published.gifs", AGENTS[0])]) == []
    problems = unknown_names(index, [BLACKLISTED[:-1]], {"maze-5x5": RUN + "x"}, [("published.gifs", "nobody")])
    assert len(problems) == 3
    assert problems[0].startswith(f"published.blacklist: no agent {BLACKLISTED[:-1]!r}") and BLACKLISTED in problems[0]
    assert f"experiments.maze-5x5.published_run: no run {RUN + 'x'!r}" in problems[1] and RUN in problems[1]
    assert problems[2].startswith("published.gifs: no agent 'nobody'")


@pytest.mark.slow
def test_a_corrected_record_file_is_picked_up_and_a_touch_is_not(workflow_run):
    """The README's offline path: a corrected archive copied in with its md5 in record.md5; the agent's table
    row then follows the corrected file. A touched archive reruns nothing."""
    work, tables, snakemake = workflow_run
    folder = work / "resources" / "zenodo" / RECORD
    archive = folder / "results-1000.zip"
    os.utime(archive, None)
    run = snakemake("figures/all", "--dry-run")
    assert "Nothing to be done" in run.stdout + run.stderr, run.stdout[-3000:]

    agent, pair = AGENTS[1], "green-line-red-line"
    member = f"train-procgen/experiments/results-1000/{RUN}/{pair}-final-model/{agent}/model_{FINAL_STEP}.csv"
    corrected = folder / "corrected.zip"
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(corrected, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == member:
                table = pd.read_csv(io.BytesIO(data))
                data = table.assign(reward=-table["reward"]).to_csv(index=False).encode()
            new.writestr(info, data)
    corrected.replace(archive)
    # Not yet in record.md5: the file is refused, naming it.
    run = snakemake("figures/all")
    assert run.returncode != 0 and "results-1000.zip" in run.stdout + run.stderr
    listing = folder / LISTING
    listing.write_text("".join(f"{md5(archive) if name == archive.name else m}  {name}\n"
                               for name, m in read_checksums(listing).items()))
    run = snakemake("figures/all")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    row = pd.read_csv(work / "results/published/tables/maze-5x5.csv").set_index(["agent", "pair"]).loc[(agent, pair)]
    flipped = tables[(agent, pair)].assign(reward=-tables[(agent, pair)]["reward"])
    assert row["preference"] == pytest.approx(hand_preference(flipped))
    assert row["preference"] != pytest.approx(hand_preference(tables[(agent, pair)]))
    # The refused run had left no unpacked.txt, which the stale-results guard remade: the listing is rewritten
    # once more (docs/workflow.md, "Results always match the configuration"), then there is nothing to do.
    assert snakemake("figures/all").returncode == 0
    assert "Nothing to be done" in (lambda r: r.stdout + r.stderr)(snakemake("figures/all", "--dry-run"))


@pytest.mark.slow
def test_a_blacklist_typo_stops_the_run_naming_the_entry(workflow_run):
    work, _, snakemake = workflow_run
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["published"]["blacklist"] = [BLACKLISTED[:-1]]
    typo = work / "typo.yaml"
    typo.write_text(yaml.safe_dump({"published": config["published"]}))
    run = snakemake("figures/all", "--dry-run", "--configfile", str(typo))
    text = run.stdout + run.stderr
    assert run.returncode != 0 and f"published.blacklist: no agent {BLACKLISTED[:-1]!r}" in text and BLACKLISTED in text
