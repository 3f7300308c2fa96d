"""Replays bad inputs, faults and interruptions against a tiny configuration and prints what happened.

    .venv/bin/python benchmarks/reliability.py [--fast] [--keep DIR]

Each case breaks something as a user, a failing job or a full disk would, and checks the outcome the
project promises: a clear error that names the key, file or value (before any job where it can), or a
complete and correct result, never a successful run with a stale or wrong result. Cases run in a copy of
the workflow configured with tests/config/tiny.yaml (about two minutes for its complete run on 2 cores);
--fast skips the cases that need that run, among them the content cases, which compare a changed run with a
from-scratch run of the same code and config, file by file. The table is BENCHMARKS.md-ready.
"""

import argparse
import contextlib
import hashlib
import io
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests import tiny_workflow as tiny  # noqa: E402

TINY = dict(n_envs=4, n_steps=16, minibatches=2, epochs=2, timesteps=192, torch_threads=1, env_threads=0,
            num_levels=50, num_checkpoints=5)


class Bench:
    """The copy of the workflow (tests/tiny_workflow.make_copy) and the table of cases."""

    def __init__(self, root: Path) -> None:
        self.root, self.rows = root, []

    # ----- the copy ------------------------------------------------------------------------------------
    def make_copy(self) -> None:
        tiny.make_copy(self.root)
        self.config = tiny.tiny_config()

    def snakemake(self, *args: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
        """Snakemake in the copy on 2 cores, with `env` laid over tiny.venv_env() (not replacing it)."""
        return tiny.snakemake(self.root, *args, "--cores", "2", timeout=timeout, env={**tiny.venv_env(), **(env or {})})

    def tables(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes()
                for p in sorted((self.root / "results" / "tables").rglob("*.csv"))}

    # ----- cases ---------------------------------------------------------------------------------------
    def case(self, name: str, expected: str, run: Callable[[], tuple[bool, str]]) -> None:
        start = time.perf_counter()
        try:
            ok, actual = run()
        except Exception as err:  # a case that crashes the harness is a failed case, shown as such
            ok, actual = False, f"harness error: {type(err).__name__}: {err}"
        actual = " ".join(actual.split())[:160]
        self.rows.append((name, expected, actual, ok, time.perf_counter() - start))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {actual}", file=sys.stderr, flush=True)

    def config_error(self, mutate: Callable[[dict], None], fragment: str) -> tuple[bool, str]:
        config = yaml.safe_load(yaml.safe_dump(self.config))
        mutate(config)
        path = self.root / "bad.yaml"
        path.write_text(yaml.safe_dump(config))
        return self.configfile_error(path, fragment)

    def configfile_error(self, path: Path, fragment: str) -> tuple[bool, str]:
        run = self.snakemake("figures/all", "--dry-run", "--configfile", str(path))
        text = run.stdout + run.stderr
        lines = [line for line in text.splitlines() if fragment in line]
        return run.returncode != 0 and bool(lines), lines[0] if lines else f"rc {run.returncode}: {text[-300:]}"


def raises(call: Callable[[], object], kind: type[BaseException], *fragments: str) -> tuple[bool, str]:
    """Whether call raises `kind` with every fragment in its message."""
    try:
        call()
    except kind as err:
        message = str(err)
        return all(f in message for f in fragments), f"{type(err).__name__}: {message}"
    except Exception as err:
        return False, f"{type(err).__name__} (expected {kind.__name__}): {err}"
    return False, "no error"


def config_cases(b: Bench) -> None:
    dup = b.root / "dup.yaml"
    dup.write_text((b.root / "config.yaml").read_text() + "scale: paper\n")
    b.case("duplicate key in a config file", "error with both line numbers, before any job",
           lambda: b.configfile_error(dup, "is given twice in one mapping"))
    syntax = b.root / "syntax.yaml"
    syntax.write_text((b.root / "config.yaml").read_text().replace("scale: tiny", "scale: [tiny", 1))
    b.case("YAML syntax error in config.yaml", "error with the line, before any job",
           lambda: _syntax_error_in_main_config(b))
    b.case("even world_dim", "'must be odd' with the key",
           lambda: b.config_error(lambda c: c["experiments"]["tiny-a"].update(world_dim=4),
                                  "experiments.tiny-a.world_dim: 4 must be odd"))
    b.case("duplicate pair", "names the pair, not the list",
           lambda: b.config_error(lambda c: c["experiments"]["tiny-a"]["pairs"].append(["red_line_diag", "yellow_gem"]),
                                  "['red_line_diag', 'yellow_gem'] given more than once"))
    b.case("evaluation.first_level near 2^31", "error naming evaluation.first_level + num_levels",
           lambda: b.config_error(lambda c: c["evaluation"].update(first_level=2**31 - 5),
                                  "evaluation.first_level + num_levels"))
    b.case("seeds.start 3,000,000,000", "error naming the key",
           lambda: b.config_error(lambda c: c["experiments"]["tiny-a"]["seeds"].update(start=3_000_000_000),
                                  "experiments.tiny-a.seeds.start: 3000000000 must be at most"))
    b.case("unknown config key", "names the key and the known ones",
           lambda: b.config_error(lambda c: c["evaluation"].update(num_level=3), "unknown key 'num_level'"))
    b.case("unknown object in a pair", "names the experiment, pair and object",
           lambda: b.config_error(lambda c: c["experiments"]["tiny-a"]["pairs"].append(["red_line", "yellow_gem"]),
                                  "unknown object 'red_line'"))
    b.case("--configfile that does not exist", "names the file (Snakemake's own traceback: a known limit)",
           lambda: _missing_configfile(b))
    b.case("seeds.count 1,000,000,000", "error naming the key and the limit, at once",
           lambda: b.config_error(lambda c: c["experiments"]["tiny-a"]["seeds"].update(count=1_000_000_000),
                                  "experiments.tiny-a.seeds.count: 1000000000 must be at most 10000"))
    b.case("snakemake -s <checkout>/Snakefile --directory <other>", "error naming the checkout to run in",
           lambda: _other_directory(b))
    b.case("evaluation.num_levels 2,147,383,648", "error naming the key and the bound, before any job",
           lambda: b.config_error(lambda c: c["evaluation"].update(num_levels=2_147_383_648),
                                  "evaluation.num_levels"))


def _other_directory(b: Bench) -> tuple[bool, str]:
    other = b.root.parent / "elsewhere"
    other.mkdir(exist_ok=True)
    run = b.snakemake("-s", str(b.root / "Snakefile"), "--directory", str(other), "--dry-run")
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "is not a checkout" in line]
    return run.returncode != 0 and bool(lines) and str(b.root) in lines[0], lines[0] if lines else run.stderr[-300:]


def _syntax_error_in_main_config(b: Bench) -> tuple[bool, str]:
    path = b.root / "config.yaml"
    good = path.read_text()
    path.write_text(good.replace("scale: tiny", "scale: [tiny", 1))
    try:
        run = b.snakemake("figures/all", "--dry-run")
    finally:
        path.write_text(good)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "not valid YAML" in line]
    return run.returncode != 0 and bool(lines) and "line" in lines[0], lines[0] if lines else run.stderr[-300:]


def _missing_configfile(b: Bench) -> tuple[bool, str]:
    run = b.snakemake("figures/all", "--dry-run", "--configfile", "/nonexistent/tiny.yaml")
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "/nonexistent/tiny.yaml" in line]
    return run.returncode != 0 and bool(lines), lines[-1] if lines else "the file is not named"


def api_cases(b: Bench, engine: Path) -> None:
    os.environ["MAZE_ENGINE_DIR"] = str(engine)
    import numpy as np
    import torch

    from workflow_scripts.agent import load_policy, new_policy
    from workflow_scripts.evaluate import evaluate_checkpoint
    from workflow_scripts.maze import MazeEnv
    from workflow_scripts.train import TrainConfig, train
    from workflow_scripts.locks import try_lock
    from workflow_scripts.metrics import read_results
    from workflow_scripts.zenodo import UNPACK_LOCK, DownloadError, unpack_all

    tmp = b.root / "api"
    tmp.mkdir()
    b.case("MazeEnv(colours='orange')", "TypeError naming colours", lambda: raises(
        lambda: MazeEnv(2, "duel", colours="orange"), TypeError, "colours"))

    def act_after_close():
        env = MazeEnv(2, "duel")
        env.close()
        env.act(np.zeros(2, dtype=np.int32))
    b.case("act() after close()", "RuntimeError saying the env is closed",
           lambda: raises(act_after_close, RuntimeError, "closed"))
    b.case("an engine call with a bad env index", "a Python error naming the index, no crash", lambda: _in_child(
        "from workflow_scripts.maze import MazeEnv\nenv = MazeEnv(2, 'duel')\n"
        "try:\n    env.set_agent(7, 1, 1)\nexcept Exception as err:\n    print('raised', err)\nprint('alive')\n",
        engine))
    text = tmp / "notes.txt"
    text.write_text("not a checkpoint\n")
    empty = tmp / "empty.pth"
    empty.write_bytes(b"")
    b.case("load_policy on a text file", "ValueError naming the file",
           lambda: raises(lambda: load_policy(text), ValueError, str(text)))
    b.case("load_policy on an empty file", "ValueError naming the file",
           lambda: raises(lambda: load_policy(empty), ValueError, str(empty), "empty"))
    payload = tmp / "payload.pth"
    payload.write_bytes(pickle.dumps({"model_state_dict": os.system}))
    b.case("checkpoint with a pickle payload", "refused, nothing run",
           lambda: raises(lambda: load_policy(payload), ValueError, str(payload)))
    good = tmp / "good.pth"
    torch.save({"model_state_dict": new_policy().state_dict()}, good)
    nan = tmp / "nan.pth"
    state = new_policy().state_dict()
    state["fc_policy.weight"][:] = float("nan")
    torch.save({"model_state_dict": state}, nan)
    b.case("evaluating a checkpoint with NaN weights", "error naming the checkpoint",
           lambda: raises(lambda: evaluate_checkpoint(nan, "red_line_diag", "yellow_gem", levels=range(100000, 100004)),
                          ValueError, str(nan)))
    b.case("max_batch=0", "ValueError naming max_batch",
           lambda: raises(lambda: evaluate_checkpoint(good, "red_line_diag", "yellow_gem", levels=range(100000, 100002),
                                                      max_batch=0), ValueError, "max_batch"))
    b.case("frames of the wrong size", "ValueError naming the shape", lambda: raises(
        lambda: load_policy(good).logits_and_value(torch.zeros(2, 32, 32, 3, dtype=torch.uint8)), ValueError, "64"))

    def full_disk():
        real = torch.save
        calls = []

        def to_dev_full(obj, path, *args, **kwargs):
            calls.append(path)
            return real(obj, "/dev/full" if len(calls) > 1 else path, *args, **kwargs)
        torch.save = to_dev_full
        try:
            train(TrainConfig(**TINY), tmp / "full", device="cpu")
        finally:
            torch.save = real
    b.case("full disk during training", "an error naming the file and the disk",
           lambda: raises(full_disk, OSError, "disk may be full"))
    run = tmp / "run"
    train(TrainConfig(**TINY), run, device="cpu")
    b.case("finished run overwritten by another config", "refused, naming what differs", lambda: raises(
        lambda: train(TrainConfig(**{**TINY, "learning_rate": 1e-3}), run, device="cpu"), FileExistsError, "learning_rate"))
    b.case("two trainers in one folder", "the second fails at once naming the first's PID",
           lambda: _two_trainers(tmp / "busy", engine))
    b.case("kill -9 during training, then rerun", "the weights of an uninterrupted run",
           lambda: _kill_and_resume(tmp, engine))
    archive = tmp / "evil.tar"
    with tarfile.open(archive, "w") as t:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 4
        t.addfile(info, io.BytesIO(b"evil"))
    b.case("engine in a folder named `sp ace ü`", "the same frames as the engine where it was built",
           lambda: _engine_elsewhere(engine, tmp))
    with zipfile.ZipFile(tmp / "record.zip", "w") as z:
        z.writestr("run/model_0.pth", (tmp / "good.pth").read_bytes())
    b.case("a checkpoint (a zip) inside the record's archive", "left as it is, not unpacked",
           lambda: (lambda f: (f == [tmp / "record.zip.unpacked"], f"unpacked: {[p.name for p in f]}"))(
               unpack_all(tmp, ["record.zip"])))

    def second_unpack():
        with try_lock(tmp / UNPACK_LOCK):
            unpack_all(tmp, ["record.zip"])
    b.case("a second unpack while one runs (Ctrl-C, --unlock, rerun)", "refused, naming the first",
           lambda: raises(second_unpack, DownloadError, "another process is unpacking", f"PID {os.getpid()}"))
    impossible = tmp / "impossible.csv"
    impossible.write_text("seed,steps,reward\n100000,7,0.0\n100001,5,10.0\n")
    b.case("evaluation CSV with reward 0 after 7 steps", "refused naming the file and line",
           lambda: raises(lambda: read_results(impossible), ValueError, str(impossible), "line 2"))
    b.case("archive replaced by one of the same size under the same mtime", "its md5 read again, not the cache's",
           lambda: _replaced_archive(tmp / "replaced"))
    b.case("archive member leaving its folder", "refused, nothing written outside",
           lambda: (lambda r: (r[0] and not (tmp.parent / "escaped.txt").exists(), r[1]))(
               raises(lambda: unpack_all(tmp, ["evil.tar"]), Exception, "")))


def _replaced_archive(folder: Path) -> tuple[bool, str]:
    from workflow_scripts.zenodo import current_checksums

    folder.mkdir()
    archive = folder / "models.zip"
    archive.write_bytes(b"the published archive")
    stamp = archive.stat().st_mtime_ns
    current_checksums(folder, [archive.name])
    time.sleep(0.05)
    (folder / "restored").write_bytes(b"a corrected archive!!")
    (folder / "restored").replace(archive)
    os.utime(archive, ns=(stamp, stamp))
    found = current_checksums(folder, [archive.name])[archive.name]
    ok = found == hashlib.md5(b"a corrected archive!!").hexdigest()
    return ok, "the new content's md5" if ok else "the cached md5 of the old archive"


def _engine_elsewhere(engine: Path, tmp: Path) -> tuple[bool, str]:
    import numpy as np

    from workflow_scripts.maze import MazeEnv

    elsewhere = tmp / "sp ace ü" / "engine"
    shutil.copytree(engine, elsewhere, ignore=shutil.ignore_patterns("*.json", "*.png"))
    frames = []
    for folder in (engine, elsewhere):
        env = MazeEnv(2, "duel", engine=folder, rand_seed=3, background="textured")
        frames.append(env.observe()[1]["rgb"].copy())
        env.close()
    same = np.array_equal(frames[0], frames[1])
    return same, "identical frames" if same else "frames DIFFER"


def _in_child(code: str, engine: Path) -> tuple[bool, str]:
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "MAZE_ENGINE_DIR": str(engine)}, timeout=120)
    return run.returncode == 0 and "alive" in run.stdout and "raised" in run.stdout, (run.stdout + run.stderr)[-200:]


def _trainer_command(out: Path, timesteps: int) -> list[str]:
    flags = [f"--{k}={v}" for k, v in {**TINY, "timesteps": timesteps}.items()]
    return [sys.executable, "-m", "workflow_scripts.train", "--out", str(out), "--device", "cpu", *flags]


def _two_trainers(out: Path, engine: Path) -> tuple[bool, str]:
    env = {**os.environ, "MAZE_ENGINE_DIR": str(engine)}
    first = subprocess.Popen(_trainer_command(out, 50_000), cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if (out / "model_0.pth").exists():
                break
            time.sleep(0.1)
        second = subprocess.run(_trainer_command(out, 50_000), cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=120)
    finally:
        first.kill()
        first.wait()
    return second.returncode != 0 and str(first.pid) in second.stderr, second.stderr.strip()[-200:]


def _kill_and_resume(tmp: Path, engine: Path) -> tuple[bool, str]:
    import torch

    env = {**os.environ, "MAZE_ENGINE_DIR": str(engine)}
    whole, killed = tmp / "whole", tmp / "killed"
    subprocess.run(_trainer_command(whole, 640), cwd=REPO, env=env, check=True, capture_output=True)
    child = subprocess.Popen(_trainer_command(killed, 640), cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    for _ in range(1200):
        if (killed / "resume.pth").exists():
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    subprocess.run(_trainer_command(killed, 640), cwd=REPO, env=env, check=True, capture_output=True)
    a = torch.load(whole / "final.pth", weights_only=True)["model_state_dict"]
    b = torch.load(killed / "final.pth", weights_only=True)["model_state_dict"]
    same = all(torch.equal(a[k], b[k]) for k in a)
    return same, "identical weights" if same else "weights differ"


def workflow_cases(b: Bench) -> None:
    complete = b.snakemake("all")
    if complete.returncode != 0:
        raise SystemExit(f"the tiny workflow failed:\n{complete.stderr[-3000:]}")
    reference = b.tables()

    def rerun_matches(break_it: Callable[[], None], target: str = "figures/all", *args: str) -> tuple[bool, str]:
        break_it()
        run = b.snakemake(target, *args)
        b.snakemake("all")  # the listing is rewritten once after a repair
        done = b.snakemake("all", "--dry-run")
        same = b.tables() == reference
        nothing = "Nothing to be done" in done.stdout + done.stderr
        return run.returncode == 0 and same and nothing, (f"rc {run.returncode}; tables {'identical' if same else 'DIFFER'}; "
                                                         f"then {'nothing to do' if nothing else 'more to do'}")

    b.case("second run of a complete result", "Nothing to be done", lambda: (
        lambda r: ("Nothing to be done" in r.stdout + r.stderr, r.stdout.strip().splitlines()[-1]))(
            b.snakemake("all", "--dry-run")))
    csv = b.root / "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"
    b.case("deleted evaluation CSV", "made again with what depends on it; same tables",
           lambda: rerun_matches(csv.unlink))
    final = b.root / "results/train/tiny-b/seed_0/final.pth"
    b.case("deleted final.pth", "remade from its checkpoint, agent re-evaluated; same tables",
           lambda: rerun_matches(final.unlink))
    figure = b.root / "figures/tiny-b/summary.png"
    b.case("deleted figure", "drawn again", lambda: rerun_matches(figure.unlink))
    b.case("empty figure with its old time stamp", "drawn again, listed with its new sha256",
           lambda: _damaged_figure(b, rerun_matches))
    b.case("deleted evaluation CSV, then one table as the target", "made again for that table; same tables",
           lambda: rerun_matches(csv.unlink, "results/tables/tiny-a/red-line-yellow-gem.csv"))
    b.case("figure replaced by another whole one, old time stamp kept", "kept, and listed with its sha256",
           lambda: _replaced_figure(b))
    evaluation = b.root / "results/eval/tiny-b/green-line-red-line/seed_0.csv"
    b.case("deleted evaluation CSV, then `snakemake evaluate`", "made again by the intermediate target; same tables",
           lambda: rerun_matches(evaluation.unlink, "evaluate"))
    b.case("deleted evaluation CSV without .snakemake/", "made again with what depends on it; same tables",
           lambda: rerun_matches(lambda: (shutil.rmtree(b.root / ".snakemake"), csv.unlink())))
    b.case("deleted evaluation CSV with the db persistence backend", "made again; same tables",
           lambda: rerun_matches(csv.unlink, "figures/all", "--persistence-backend", "db"))
    b.case("deleted evaluation CSV without .snakemake/, then a figure as the target",
           "error naming the CSV and the figure", lambda: _untraced_target(b, csv))
    b.case("fix in ppo.py, then --touch", "every later run names the kept agents; figures/all lists them",
           lambda: _touched_fix(b, reference))
    b.case("MAZE_ENGINE_DIR set to another folder in the shell", "jobs load results/engine and their logs say so",
           lambda: _engine_variable(b, reference))
    b.case("failed evaluations after a changed num_levels, then a normal run", "tables of the new num_levels",
           lambda: _failed_then_normal(b, reference))
    for label, content in [("truncated", None), ("empty", b""), ("binary", b"\x89PNG\r\n\x1a\n\x00\xff" * 40)]:
        b.case(f"{label} evaluation CSV", "the table fails naming the file", lambda c=content: _bad_csv(b, c))


def _untraced_target(b: Bench, csv: Path) -> tuple[bool, str]:
    shutil.rmtree(b.root / ".snakemake")
    csv.unlink()
    figure = "figures/tiny-a/scatter/red-line-yellow-gem.png"
    run = b.snakemake(figure, "--dry-run")
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "cannot tell whether" in line]
    b.snakemake("all")
    b.snakemake("all")
    named = bool(lines) and str(csv.relative_to(b.root)) in lines[0] and figure in lines[0]
    return run.returncode != 0 and named, lines[0] if lines else f"rc {run.returncode}"


def _touched_fix(b: Bench, reference: dict[str, bytes]) -> tuple[bool, str]:
    ppo = b.root / "workflow_scripts" / "ppo.py"
    original = ppo.read_text()
    tiny.apply_ppo_fix(b.root)
    try:
        touched = b.snakemake("all", "--touch")
        later = [b.snakemake("all") for _ in range(2)]
        warned = all("kept with --touch" in r.stdout + r.stderr for r in later)
        listed = (b.root / "figures/all").read_text().count("# kept  results/train/")
    finally:
        ppo.write_text(original)
    b.snakemake("all")
    b.snakemake("all")
    ok = touched.returncode == 0 and warned and listed == 2 and b.tables() == reference
    return ok, f"both later runs {'warn' if warned else 'do NOT warn'}; figures/all lists {listed} kept agents"


def _damaged_figure(b: Bench, rerun_matches: Callable) -> tuple[bool, str]:
    figure = b.root / "figures/tiny-a/summary.png"
    whole, stamp = figure.read_bytes(), (figure.stat().st_atime, figure.stat().st_mtime)

    def empty_it() -> None:
        figure.write_bytes(b"")
        os.utime(figure, stamp)
    ok, said = rerun_matches(empty_it)
    listed = hashlib.sha256(figure.read_bytes()).hexdigest() in (b.root / "figures/all").read_text()
    return ok and figure.read_bytes() == whole and listed, f"{said}; {'listed' if listed else 'NOT listed'}"


def _replaced_figure(b: Bench) -> tuple[bool, str]:
    figure, other = b.root / "figures/tiny-a/summary.png", b.root / "figures/tiny-b/summary.png"
    whole, stamp = figure.read_bytes(), (figure.stat().st_atime, figure.stat().st_mtime)
    figure.write_bytes(other.read_bytes())
    os.utime(figure, stamp)
    try:
        run = b.snakemake("figures/all")
        kept = figure.read_bytes() == other.read_bytes()
        listed = f"{hashlib.sha256(other.read_bytes()).hexdigest()}  figures/tiny-a/summary.png" in (
            b.root / "figures/all").read_text()
    finally:
        figure.write_bytes(whole)
        os.utime(figure, stamp)
    b.snakemake("all")
    return run.returncode == 0 and kept and listed, (f"rc {run.returncode}; {'kept' if kept else 'OVERWRITTEN'}; "
                                                     f"{'listed' if listed else 'NOT listed'} with its sha256")


def _engine_variable(b: Bench, reference: dict[str, bytes]) -> tuple[bool, str]:
    out = "results/eval/tiny-a/red-line-yellow-gem/seed_0.csv"
    run = b.snakemake(out, "--forcerun", "evaluate_agent", env={"MAZE_ENGINE_DIR": str(b.root.parent / "elsewhere")})
    log = (b.root / "results/logs/eval/tiny-a/red-line-yellow-gem/seed_0.log").read_text()
    named = f"engine {(b.root / 'results/engine/libmaze.so').resolve()}" in log
    b.snakemake("all")
    same = b.tables() == reference
    return run.returncode == 0 and named and same, (f"rc {run.returncode}; log {'names' if named else 'does NOT name'} "
                                                    f"results/engine; tables {'identical' if same else 'DIFFER'}")


def _failed_then_normal(b: Bench, reference: dict[str, bytes]) -> tuple[bool, str]:
    config = yaml.safe_load(yaml.safe_dump(b.config))
    config["evaluation"]["num_levels"] = 6
    tiny.write_config(b.root, config)
    try:
        failed = b.snakemake("figures/all", "--keep-going",
                             env=tiny.failing_jobs("evaluate_agent", b.root.parent / "fail"))
        normal = b.snakemake("figures/all")
        levels = {line.split(",")[13] for t in b.tables().values() for line in t.decode().splitlines()[1:]}
    finally:
        tiny.write_config(b.root, b.config)
    b.snakemake("all")
    ok = failed.returncode != 0 and normal.returncode == 0 and levels == {"6"} and b.tables() == reference
    return ok, f"failed run rc {failed.returncode}, next run rc {normal.returncode}, n_levels {sorted(levels)}"


def _bad_csv(b: Bench, content: bytes | None) -> tuple[bool, str]:
    csv = b.root / "results/eval/tiny-b/green-line-red-line/seed_0.csv"
    original = csv.read_bytes()
    csv.write_bytes(content if content is not None else b"".join(original.splitlines(keepends=True)[:6]))
    try:
        run = b.snakemake("figures/all")
    finally:
        csv.write_bytes(original)
    text = run.stdout + run.stderr
    lines = [line for line in text.splitlines() if "seed_0.csv: not an evaluation result" in line]
    b.snakemake("all")
    return run.returncode != 0 and bool(lines), lines[0] if lines else f"rc {run.returncode}"


# ----- reruns follow content; a fix retrains ---------------------------------------------------------
# Each case changes a complete run of one tiny experiment (two seeds) as a user would, runs the default
# target, and compares its results file by file (tests/tiny_workflow.results) with a from-scratch run of the
# same code and config in a fresh copy. Files of what the change removed stay on disk (counted, not compared).

def content_cases(workdir: Path) -> list[tuple[str, str, str, bool, float]]:
    def configure(root: Path) -> Path:
        config = tiny.read_config(root)
        del config["experiments"]["tiny-b"]
        config["experiments"]["tiny-a"]["seeds"]["count"] = 2
        tiny.write_config(root, config)
        return root

    def default_target(root: Path) -> subprocess.CompletedProcess:
        return tiny.snakemake(root, "--cores", "2")

    base = configure(tiny.make_copy(workdir / "content"))
    if default_target(base).returncode != 0:
        raise SystemExit("the tiny one-experiment workflow failed")
    rows = []

    def case(name: str, expected: str, files: Callable[[Path], None] | None = None,
             config: Callable[[dict], None] | None = None) -> None:
        """Change base, run it, compare with a fresh copy changed alike and run from scratch; undo the change."""
        start = time.perf_counter()
        saved = {p: p.read_bytes() for p in [*(base / "workflow_scripts").rglob("*.py"), *(base / "cpp").glob("*"),
                                             base / "config.yaml"]}
        before = tiny.results(base)
        try:
            for root in (base, scratch := configure(tiny.make_copy(workdir / f"scratch-{len(rows)}"))):
                if files:
                    files(root)
                if config:
                    c = tiny.read_config(root)
                    config(c)
                    tiny.write_config(root, c)
            run, fresh = default_target(base), default_target(scratch)
            ours, theirs = tiny.results(base), tiny.results(scratch)
            differ = tiny.differences({k: v for k, v in ours.items() if k in theirs}, theirs)
            left = sorted(set(ours) - set(theirs))
            resumed = sum("resuming" in p.read_text() for p in (base / "results/logs/train").rglob("*.log"))
            changed = tiny.differences(before, ours)
            ok = run.returncode == 0 and fresh.returncode == 0 and not differ
            actual = (f"rc {run.returncode}; {len(theirs) - len(differ)}/{len(theirs)} results as from scratch"
                      f"{'; DIFFER: ' + ', '.join(differ[:3]) if differ else ''}; {len(changed)} changed; "
                      f"{len(left)} left on disk; {resumed} training logs say resuming")
        except Exception as err:  # a case that crashes the harness is a failed case, shown as such
            ok, actual = False, f"harness error: {type(err).__name__}: {err}"
        finally:
            for path, data in saved.items():
                path.write_bytes(data)
            default_target(base)
            # What the case made under names the base run does not have (a renamed experiment's) goes, so
            # that the next case counts only its own leftovers.
            for made in set(tiny.results(base)) - set(before):
                (base / made).unlink()
        rows.append((name, expected, actual, ok, time.perf_counter() - start))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {actual}", file=sys.stderr, flush=True)

    def nothing_planned(name: str, change: Callable[[Path], None]) -> None:
        start = time.perf_counter()
        root = change(base) or base
        plan = tiny.planned_jobs(root, targets=[])
        rows.append((name, "nothing planned", f"{len(plan)} jobs planned", not plan, time.perf_counter() - start))

    def fresh_clone(_: Path) -> Path:
        return tiny.clone_with_results(base, workdir / "clone")

    def comment(root: Path) -> None:
        ppo = root / "workflow_scripts" / "ppo.py"
        ppo.write_text("# a note on the advantages\n" + ppo.read_text())

    nothing_planned("fresh clone, results copied with their time stamps", fresh_clone)
    saved = (base / "workflow_scripts" / "ppo.py").read_text()
    nothing_planned("comment added to ppo.py", comment)
    (base / "workflow_scripts" / "ppo.py").write_text(saved)
    config_text = (base / "config.yaml").read_text()
    nothing_planned("keys of evaluation.bootstrap reordered", _reordered_bootstrap)
    (base / "config.yaml").write_text(config_text)
    case("fix in ppo.py (advantage epsilon)", "agents retrained: all results as from scratch", files=tiny.apply_ppo_fix)
    case("fix in ppo.py after --cleanup-metadata of seed 0's final.pth", "both agents retrained: as from scratch",
         files=lambda root: (_cleanup_metadata(root, "results/train/tiny-a/seed_0/final.pth"), tiny.apply_ppo_fix(root)))
    case("fix in ppo.py without .snakemake/", "agents retrained: as from scratch",
         files=lambda root: (shutil.rmtree(root / ".snakemake", ignore_errors=True), tiny.apply_ppo_fix(root)))
    case("train.py imports ppo relatively, then a fix in ppo.py", "agents retrained: as from scratch",
         files=lambda root: (_relative_ppo_import(root), tiny.apply_ppo_fix(root)))
    case("fix in game.cpp (rewards swapped, facing)", "engine rebuilt, agents retrained: as from scratch",
         files=tiny.apply_engine_fix)
    case("a pair removed", "as from scratch; the pair's files stay on disk",
         config=lambda c: c["experiments"]["tiny-a"]["pairs"].pop())
    case("a seed removed", "as from scratch; the seed's files stay on disk",
         config=lambda c: c["experiments"]["tiny-a"]["seeds"].update(count=1))
    case("experiment renamed", "trained anew under the new name; the old one's files stay on disk",
         config=lambda c: c.update(experiments={"tiny-c": c["experiments"]["tiny-a"]}, figures={
             **c["figures"], **{k: [dict(e, experiment="tiny-c") for e in c["figures"][k]]
                                for k in ("illustration", "gifs", "vector_fields")}}))
    case("background changed", "agents retrained on the new background: as from scratch",
         config=lambda c: c["experiments"]["tiny-a"].update(background="textured"))
    return rows


def _cleanup_metadata(root: Path, path: str) -> None:
    if (root / path).exists():
        tiny.snakemake(root, "--cleanup-metadata", path)


def _relative_ppo_import(root: Path) -> None:
    train = root / "workflow_scripts" / "train.py"
    text = train.read_text()
    assert "from workflow_scripts.ppo import" in text
    train.write_text(text.replace("from workflow_scripts.ppo import", "from .ppo import"))


def _reordered_bootstrap(root: Path) -> None:
    config = tiny.read_config(root)
    config["evaluation"]["bootstrap"] = dict(reversed(list(config["evaluation"]["bootstrap"].items())))
    tiny.write_config(root, config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="skip the cases that need a complete tiny run")
    parser.add_argument("--keep", type=Path, help="run in this (new) folder and keep it")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        root = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        root.mkdir(parents=True, exist_ok=True)
        bench = Bench(root / "workflow")
        bench.make_copy()
        build = bench.snakemake("engine")
        if build.returncode != 0:
            raise SystemExit(f"building the engine failed:\n{build.stderr[-3000:]}")
        config_cases(bench)
        api_cases(bench, bench.root / "results" / "engine")
        if not args.fast:
            workflow_cases(bench)
            bench.rows += content_cases(root)
    print("| case | expected | actual | pass | s |")
    print("|---|---|---|---|---:|")
    for name, expected, actual, ok, seconds in bench.rows:
        print(f"| {name} | {expected} | {actual.replace('|', '/')} | {'yes' if ok else '**no**'} | {seconds:.1f} |")
    failed = sum(not ok for *_, ok, _ in bench.rows)
    print(f"\nreliability: {len(bench.rows)} cases, {len(bench.rows) - failed} as promised, {failed} not")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
