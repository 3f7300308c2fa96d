"""What a result was made with, in a small JSON record beside it: written by the job that made it, read back
when the workflow is planned, so that a result of other code or another configuration is made again whatever
Snakemake's own records (`.snakemake/`, or the db backend) say or no longer say.

A job's record lies beside its first output (`<output>.identity.json`) and holds the job's rule, its params
(everything that decides the result: config values and the code and engine fingerprints), their digest, and
the job's inputs, which tell the stale-results guard what the result was made from (provenance.py). A result
that the user kept with `snakemake --touch` after its identity changed carries `kept_for`, the identity it
was kept for, and every run names it. Light (json and hashlib only): parsing reads thousands of records.
"""

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workflow_scripts.atomic import atomic_path

FORMAT = "csgm-identity-1"
SUFFIX = ".identity.json"


def record_path(output: str | os.PathLike[str]) -> Path:
    """The record of the job whose first output is `output`."""
    return Path(f"{output}{SUFFIX}")


def digest(rule: str, params: Mapping[str, Any]) -> str:
    """The identity of a job of `rule` with these params: the sha256 of their canonical JSON, so that the
    planning process and the job, which hold the same values, agree whatever the order of dict keys."""
    text = json.dumps({"rule": rule, "params": params}, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def write_record(rule: str, params: Mapping[str, Any], inputs: Iterable[str], outputs: Iterable[str]) -> Path:
    """Records, beside the first output, what the job made its outputs with. Written last, atomically: a
    record is there only for a result that its job finished."""
    outputs = [str(o) for o in outputs]
    record = {"format": FORMAT, "rule": rule, "identity": digest(rule, params), "params": dict(params),
              "inputs": sorted({str(i) for i in inputs}), "outputs": outputs}
    return _write(record, outputs[0])


def read_record(output: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The record beside `output`; None when there is none or it cannot be read."""
    try:
        record = json.loads(record_path(output).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def differences(recorded: Mapping[str, Any], planned: Mapping[str, Any], shown: int = 3) -> str:
    """What differs between recorded and planned params, in a few words (fingerprints cut to 12 characters)."""
    def short(value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=repr)
        return text if len(text) <= 40 else text[:12] + "..."

    changes = []
    for key in sorted(set(recorded) | set(planned)):
        old, new = recorded.get(key), planned.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            changes += [f"{key}.{k} {short(old.get(k))} -> {short(new.get(k))}" for k in sorted(set(old) | set(new))
                        if json.dumps(old.get(k), sort_keys=True) != json.dumps(new.get(k), sort_keys=True)]
        elif isinstance(old, list) and isinstance(new, list) and all(isinstance(v, str) for v in old + new):
            gone, added = [v for v in old if v not in new], [v for v in new if v not in old]
            if gone or added:
                changes.append(f"{key} {' '.join(gone) or '(none)'} -> {' '.join(added) or '(none)'}")
            elif old != new:
                changes.append(f"{key} reordered")
        elif json.dumps(old, sort_keys=True, default=repr) != json.dumps(new, sort_keys=True, default=repr):
            changes.append(f"{key} {short(old)} -> {short(new)}")
    more = f" and {len(changes) - shown} more" if len(changes) > shown else ""
    return ", ".join(changes[:shown]) + more


def describe(results: Mapping[str, str], shown: int = 10) -> str:
    """A few lines naming {result: what differs}, the rest counted."""
    lines = [f"{result}: {why}" for result, why in sorted(results.items())[:shown]]
    more = [f"... and {len(results) - shown} more"] if len(results) > shown else []
    return "\n  ".join(lines + more)


def check(planned: Mapping[str, tuple[str, Mapping[str, Any]]]) -> tuple[dict[str, str], dict[str, str]]:
    """Over {result: (rule, params)} as planned, the existing results that were made with another identity:
    ({result: what differs} to make again, {result: what differs} kept with --touch for the planned one).
    A result without a record (made before records existed, or put there by hand) is made again: nothing
    vouches for it."""
    stale, kept = {}, {}
    for result, (rule, params) in planned.items():
        if not os.path.exists(result):
            continue
        record = read_record(result)
        wanted = digest(rule, params)
        if record is None:
            stale[result] = f"no identity record ({record_path(result).name})"
        elif record.get("identity") == wanted:
            continue
        else:
            why = differences(record.get("params") or {}, params) or "another rule"
            (kept if record.get("kept_for") == wanted else stale)[result] = why
    return stale, kept


def keep(planned: Mapping[str, tuple[str, Mapping[str, Any]]], results: Iterable[str]) -> None:
    """Marks results as kept by the user (`--touch`) for their planned identity: later runs name them instead
    of making them again, until the identity changes once more. A result without a record gets one that
    says only that."""
    for result in results:
        rule, params = planned[result]
        record = read_record(result) or {"format": FORMAT, "rule": rule, "identity": None, "params": {},
                                         "inputs": [], "outputs": [result]}
        record["kept_for"] = digest(rule, params)
        _write(record, result)


def _write(record: Mapping[str, Any], output: str | os.PathLike[str]) -> Path:
    """The record beside `output`, written atomically."""
    path = record_path(output)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True, default=repr) + "\n")
    return path


def recorded_inputs(output: str | os.PathLike[str]) -> list[str] | None:
    """The inputs that the record beside `output` lists; None without a record."""
    record = read_record(output)
    inputs = record.get("inputs") if record else None
    return [str(i) for i in inputs] if isinstance(inputs, list) else None
