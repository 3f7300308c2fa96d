"""A training run's folder: its lock, its file names, which saved state in it resumes the run, and when a
finished run there must not be replaced."""

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import torch

from workflow_scripts.locks import holder, try_lock
from workflow_scripts.train_config import TrainConfig

CHECKPOINT_FORMAT = "csgm-train-2"
FINAL_NAME = "final.pth"
LOCK_NAME = "train.lock"


class RunFolderBusy(RuntimeError):
    """Another trainer holds the run folder's lock."""


class SaveError(OSError):
    """A file of the run could not be written (most often: the disk is full)."""


@contextlib.contextmanager
def saving(path: Path) -> Iterator[None]:
    """Turns a failed write (torch.save reports a full disk as a RuntimeError) into a message naming the file."""
    try:
        yield
    except (OSError, RuntimeError) as err:
        raise SaveError(f"could not write {path}: {err} (the disk may be full, or the folder not writable)") from err


@contextlib.contextmanager
def run_folder_lock(out_dir: Path) -> Iterator[None]:
    """Holds an exclusive lock on out_dir/train.lock, which names the holder, while the block runs: a second
    trainer on the folder fails at once. The kernel releases it when the process dies, even by kill -9."""
    lock = try_lock(out_dir / LOCK_NAME)
    if lock is None:
        raise RunFolderBusy(f"{out_dir} is in use by another trainer: {holder(out_dir / LOCK_NAME)} holds "
                            f"{out_dir / LOCK_NAME}; wait for it to end or stop it, then rerun")
    with lock:
        yield


def checkpoint_path(out_dir: Path, timesteps: int) -> Path:
    """The checkpoint of the run in out_dir after `timesteps` steps, under the original's name."""
    return out_dir / f"model_{timesteps}.pth"


def _resumable_rng(state: dict[str, Any]) -> bool:
    """Whether the state's generators are CPU generators (states written before sampling moved to the CPU
    may hold a CUDA generator's state, which a CPU generator cannot load)."""
    size = torch.Generator().get_state().numel()
    return all(isinstance(state.get(k), torch.Tensor) and state[k].numel() == size
               for k in ("sampling_rng", "shuffling_rng"))


def _same_run(state: dict[str, Any], config: TrainConfig, identity: Mapping[str, str]) -> str | None:
    """None when a saved state belongs to this run (format, config and identity); else what differs, in words."""
    if state.get("format") != CHECKPOINT_FORMAT:
        return f"another checkpoint format (not {CHECKPOINT_FORMAT})"
    if state.get("config") != config.as_json():
        ours, theirs = json.loads(config.as_json()), json.loads(state["config"])
        changes = [f"{k} {theirs.get(k)!r} -> {ours.get(k)!r}" for k in sorted(ours | theirs)
                   if theirs.get(k) != ours.get(k)]
        return f"another configuration ({', '.join(changes)})"
    theirs = state.get("identity") or {}
    changed = [name for name in sorted(set(identity) | set(theirs)) if theirs.get(name) != identity.get(name)]
    if changed:
        shown = ", ".join(f"{n} {str(theirs.get(n))[:12]} -> {str(identity.get(n))[:12]}" for n in changed)
        return f"other {' and '.join(changed)} ({shown})"
    return None


def matching_resume_state(out_dir: Path, config: TrainConfig,
                          identity: Mapping[str, str]) -> tuple[dict[str, Any] | None, dict[Path, str]]:
    """The latest saved state in out_dir of this very run, if any, and {saved file: why it is not this run's}."""
    best, others = None, {}
    for path in [out_dir / "resume.pth", *out_dir.glob("model_*.pth")]:
        if not path.exists():
            continue
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:  # a torn or foreign file is not a resume point
            others[path] = f"unreadable: {err}"
            continue
        why = _same_run(state, config, identity)
        if why is None and not _resumable_rng(state):
            why = "its sampling state is not a CPU generator's"
        if why is not None:
            others[path] = why
        elif best is None or state["timesteps"] > best["timesteps"]:
            best = state
    return best, others


def refuse_overwrite(out_dir: Path, config: TrainConfig, identity: Mapping[str, str]) -> None:
    """A finished run of another configuration, other code or another engine is a user's result: training
    must not replace it unasked. (Snakemake deletes final.pth before it reruns a job, so its reruns pass.)"""
    final = out_dir / FINAL_NAME
    if not final.exists():
        return
    try:
        why = _same_run(torch.load(final, map_location="cpu", weights_only=True), config, identity)
    except Exception as err:  # whatever it is, it is not ours to delete
        why = f"a file this trainer did not write ({type(err).__name__}: {err})"
    if why is None:
        return
    raise FileExistsError(f"{out_dir} holds a finished run of {why}; training here would replace its {FINAL_NAME} "
                          f"and checkpoints. Pass --overwrite (train(..., overwrite=True)) to replace it, or choose "
                          f"another --out")
