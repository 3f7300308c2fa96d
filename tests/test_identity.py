"""The identity record beside each expensive result (workflow_scripts/identity.py) and what the stale-results
guard reads from it (workflow_scripts/provenance.py)."""

import json

from workflow_scripts import identity, provenance, snakemake_internals

PARAMS = {"train": {"seed": 3, "learning_rate": 0.0005, "colours": {}}, "device": "cpu", "code": "a" * 64}


def test_a_digest_is_the_same_whatever_the_order_of_keys():
    reordered = {"code": "a" * 64, "device": "cpu", "train": {"colours": {}, "learning_rate": 0.0005, "seed": 3}}
    assert identity.digest("train_agent", PARAMS) == identity.digest("train_agent", reordered)
    assert identity.digest("train_agent", PARAMS) != identity.digest("training_capability", PARAMS)
    assert identity.digest("train_agent", PARAMS) != identity.digest("train_agent", {**PARAMS, "device": "cuda"})
    # tuples reach a job as the lists the planner holds
    assert identity.digest("r", {"pair": ("a", "b")}) == identity.digest("r", {"pair": ["a", "b"]})


def test_a_record_round_trip_lists_the_inputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = identity.write_record("train_agent", PARAMS, ["b.py", "a.py", "a.py"], ["run/final.pth", "run/log.csv"])
    assert path.resolve() == tmp_path / "run/final.pth.identity.json"
    record = identity.read_record("run/final.pth")
    assert record["identity"] == identity.digest("train_agent", PARAMS) and record["params"] == PARAMS
    assert identity.recorded_inputs("run/final.pth") == ["a.py", "b.py"]
    assert identity.read_record("run/log.csv") is None  # one record per job, beside its first output
    path.write_text("{not json")
    assert identity.read_record("run/final.pth") is None


def test_check_names_results_of_another_identity_in_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("same", "other", "bare", "absent"):
        (tmp_path / name).mkdir()
    for name in ("same", "other", "bare"):
        (tmp_path / name / "final.pth").write_bytes(b"x")
    identity.write_record("train_agent", PARAMS, [], ["same/final.pth"])
    identity.write_record("train_agent", {**PARAMS, "train": {**PARAMS["train"], "learning_rate": 0.001}}, [],
                          ["other/final.pth"])
    planned = {f"{n}/final.pth": ("train_agent", PARAMS) for n in ("same", "other", "bare", "absent")}
    remade, kept = identity.check(planned)
    assert kept == {}
    assert set(remade) == {"other/final.pth", "bare/final.pth"}  # an absent result is Snakemake's to make
    assert remade["other/final.pth"] == "train.learning_rate 0.001 -> 0.0005"
    assert "no identity record" in remade["bare/final.pth"]


def test_kept_results_are_named_until_their_identity_changes_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run/final.pth").write_bytes(b"x")
    identity.write_record("train_agent", {**PARAMS, "code": "b" * 64}, [], ["run/final.pth"])
    planned = {"run/final.pth": ("train_agent", PARAMS)}
    identity.keep(planned, ["run/final.pth"])
    remade, kept = identity.check(planned)
    assert remade == {} and kept == {"run/final.pth": f"code {'b' * 12}... -> {'a' * 12}..."}
    # the record still says what made the result
    assert identity.read_record("run/final.pth")["params"]["code"] == "b" * 64
    remade, kept = identity.check({"run/final.pth": ("train_agent", {**PARAMS, "device": "cuda"})})
    assert set(remade) == {"run/final.pth"} and kept == {}


def test_keep_gives_a_result_without_a_record_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text("x\n")
    planned = {"t.csv": ("aggregate_pair", {"code": "c"})}
    identity.keep(planned, ["t.csv"])
    assert identity.check(planned) == ({}, {"t.csv": "code null -> c"})


def test_the_guard_reads_inputs_from_the_record_before_snakemakes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    for output, inputs in {"table.csv": ["snake-eval.csv"], "figure.png": ["table.csv"]}.items():
        snakemake_internals.record_path(output, metadata).write_text(json.dumps({"input": inputs}))
    (tmp_path / "table.csv").write_text("x\n")
    identity.write_record("aggregate_pair", {}, ["eval.csv"], ["table.csv"])
    assert provenance.recorded_inputs("table.csv", metadata) == ["eval.csv"]
    assert provenance.recorded_inputs("figure.png", metadata) == ["table.csv"]
    assert provenance.stale_sources(["eval.csv", "table.csv"], metadata) == {"eval.csv": ["table.csv"]}


def test_a_missing_result_whose_record_is_there_is_stale_without_any_other_record(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    identity.write_record("evaluate_agent", {}, ["final.pth"], ["eval.csv"])
    (tmp_path / "other.csv").write_text("x\n")
    assert provenance.stale_sources(["eval.csv", "other.csv", "never-made.csv"], tmp_path / "none") == {"eval.csv": []}
    assert "made before: its identity record is there" in provenance.describe({"eval.csv": []})


def test_a_long_list_is_cut_to_a_few_lines():
    many = {f"results/eval/e/p/seed_{i:03d}.csv": "code a -> b" for i in range(25)}
    text = identity.describe(many, shown=3)
    assert text.splitlines() == ["results/eval/e/p/seed_000.csv: code a -> b", "  results/eval/e/p/seed_001.csv: code a -> b",
                                 "  results/eval/e/p/seed_002.csv: code a -> b", "  ... and 22 more"]


def test_a_changed_list_of_words_names_what_went_and_came():
    old = {"flags": ["-O2", "-fPIC"], "seeds": [1, 2]}
    assert identity.differences(old, {"flags": ["-O3", "-fPIC"], "seeds": [1, 2]}) == "flags -O2 -> -O3"
    assert identity.differences(old, {"flags": ["-fPIC", "-O2"], "seeds": [1, 2, 3]}) == "flags reordered, seeds [1, 2] -> [1, 2, 3]"
