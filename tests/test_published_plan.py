"""The published record's look-ups for the rules' input functions (workflow_scripts/published_plan.py, Record),
from a hand-written index behind a stand-in for Snakemake's checkpoints."""

import hashlib
from types import SimpleNamespace

import pandas as pd
import pytest

from workflow_scripts.published import INDEX_COLUMNS, LayoutError
from workflow_scripts.published_plan import Record

PAIR = "red-line-yellow-gem"
CONFIG = {
    "experiments": {"ours": {"published_run": "run-a"}, "theirs": {"published_run": "run-b"}},
    "published": {"record": 42, "blacklist": [], "gifs": [],
                  "compare": [{"experiment": "ours", "pair": PAIR, "agents": 2}]},
}
ROWS = [
    # agent-3 of run-a has a CSV for the pair but no checkpoint; agent-9 a checkpoint but no CSV
    *[("evaluation", "run-a", PAIR, a, 5, f"eval/{a}.csv") for a in ("agent-3", "agent-2", "agent-1")],
    *[("checkpoint", "run-a", "", a, 5, f"models/{a}.pth") for a in ("agent-9", "agent-2", "agent-1")],
    *[("log", "run-a", "", a, 0, f"logs/{a}.csv") for a in ("agent-2", "agent-1")],
    ("evaluation", "run-b", PAIR, "agent-7", 5, "eval/b7.csv"),
]


class Checkpoints:
    """Snakemake's checkpoints as the look-ups use them: each get() counted, the index's made or not yet."""

    def __init__(self, index: str | None, fetched: str = "fetched.md5"):
        self.asked = []
        self.index_published = SimpleNamespace(get=lambda: self._get("index_published", index))
        self.download_published = SimpleNamespace(get=lambda: self._get("download_published", fetched))

    def _get(self, name, output):
        self.asked.append(name)
        if output is None:
            raise RuntimeError(f"checkpoint {name} not yet made")
        return SimpleNamespace(output=[output])


@pytest.fixture
def record(tmp_path):
    index = tmp_path / "index.csv"
    pd.DataFrame(ROWS, columns=INDEX_COLUMNS).to_csv(index, index=False)
    return Record(Checkpoints(str(index)), CONFIG, ["ours"])


def test_look_ups_read_the_index(record):
    assert record.compared_agents("ours", PAIR) == {"agent-1": "models/agent-1.pth", "agent-2": "models/agent-2.pth"}
    assert record.compared_csvs("ours", PAIR) == ["eval/agent-1.csv", "eval/agent-2.csv"]
    assert record.checkpoint("ours", "agent-9") == "models/agent-9.pth"
    assert record.imported_csvs("ours", PAIR) == ["eval/agent-1.csv", "eval/agent-2.csv", "eval/agent-3.csv"]
    assert record.training_logs("ours") == {"agent-1": "logs/agent-1.csv", "agent-2": "logs/agent-2.csv"}
    assert record.compared_table("ours", "theirs") == "results/published/tables/theirs.csv"
    assert set(record.checkpoints.asked) == {"index_published"}


def test_names_the_record_lacks_are_errors(record):
    with pytest.raises(LayoutError, match="agent-5"):
        record.checkpoint("ours", "agent-5")
    unknown = {**CONFIG, "experiments": {**CONFIG["experiments"], "theirs": {"published_run": "run-x"}}}
    with pytest.raises(ValueError, match="reproduction of 'ours'.*run-x"):
        Record(record.checkpoints, unknown, ["ours"]).compared_table("ours", "theirs")


def test_no_index_before_its_checkpoint():
    with pytest.raises(RuntimeError, match="not yet made"):
        Record(Checkpoints(None), CONFIG, ["ours"]).training_logs("ours")


def test_content_is_the_fetched_files_as_they_are_now(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "resources" / "zenodo" / "42"
    folder.mkdir(parents=True)
    (folder / "a.zip").write_bytes(b"corrected by hand")
    (folder / "fetched.md5").write_text(f"{hashlib.md5(b'as fetched').hexdigest()}  a.zip\n")
    record = Record(Checkpoints(None, fetched=str(folder / "fetched.md5")), CONFIG, [])
    assert record.fetched(None) == str(folder / "fetched.md5")
    assert record.content(None) == {"a.zip": hashlib.md5(b"corrected by hand").hexdigest()}
