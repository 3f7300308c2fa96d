"""What the stale-results guard reads: Snakemake's records of what each file was made from, walked back from the
files asked for, and the figures/all listing compared with the files on disk (workflow_scripts/guard.py)."""

import hashlib
import json
from pathlib import Path

from workflow_scripts import provenance, snakemake_internals


def test_stale_ancestors_walk_the_records_back(tmp_path):
    """A figure made from a table made from a missing evaluation: the table is the stale product to force, found
    from the figure through Snakemake's records; files not made from anything stale force nothing."""
    meta = tmp_path / "metadata"
    meta.mkdir()
    records = {"fig.png": ["table.csv", "code.py"], "table.csv": ["eval.csv"], "other.png": ["other.csv"]}
    for output, inputs in records.items():
        path = snakemake_internals.record_path(output, meta)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"input": inputs}))
    stale = {"eval.csv": ["table.csv"]}
    assert provenance.stale_ancestors(["fig.png"], stale, meta) == {"table.csv"}
    assert provenance.stale_ancestors(["./table.csv"], stale, meta) == {"table.csv"}
    assert provenance.stale_ancestors(["other.png"], stale, meta) == set()


def test_listed_but_changed_compares_content_not_time(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.png").write_bytes(b"a")
    Path("b.png").write_bytes(b"b")
    digest = hashlib.sha256(b"a").hexdigest()
    Path("all").write_text(f"{digest}  a.png\n{digest}  b.png\n{digest}  gone.png\n# left out  c.png  why\n")
    assert provenance.listed_but_changed("all") == ["b.png"]
    assert provenance.listed_but_changed("missing") == []

