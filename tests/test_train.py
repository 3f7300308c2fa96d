"""Training: reproducible from the seed, resumable after a kill, the original's checkpoint schedule and
format, and a small learning test."""

import csv
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import torch

from tests.conftest import threads_per_worker
from workflow_scripts import devices
from workflow_scripts.agent import load_policy
from workflow_scripts.capability import training_game_episodes
from workflow_scripts.devices import device_setup
from workflow_scripts.run_folder import RunFolderBusy, SaveError, checkpoint_path, run_folder_lock
from workflow_scripts.train import LOG_COLUMNS, TrainConfig, Trainer, main, train

TINY = dict(n_envs=4, n_steps=16, minibatches=2, epochs=2, timesteps=192, torch_threads=1, env_threads=0,
            num_levels=50, num_checkpoints=5)


def weights(path):
    state = torch.load(path, weights_only=True)
    return state["model_state_dict"], state["optimizer_state_dict"]


def assert_same(a, b):
    for key in a[0]:
        assert torch.equal(a[0][key], b[0][key]), key
    for i, sa in a[1]["state"].items():
        for k, v in sa.items():
            assert torch.equal(torch.as_tensor(v), torch.as_tensor(b[1]["state"][i][k])), (i, k)


@pytest.mark.parametrize("timesteps, expected", [
    (5_000_000, [1048576, 2031616, 3014656, 4063232, 5046272]),
    (10_000_000, [2031616, 4063232, 6029312, 8060928, 10027008]),
])
def test_checkpoint_schedule_matches_the_original(timesteps, expected):
    """training.md §1.6: the original's file names for the paper's 5M and 10M runs."""
    assert TrainConfig(timesteps=timesteps).checkpoint_steps() == expected


def test_same_seed_same_weights_other_seed_other_weights(engine, tmp_path):
    runs = {name: train(TrainConfig(seed=seed, **TINY), tmp_path / name, device="cpu")
            for name, seed in [("a", 1), ("b", 1), ("c", 2)]}
    assert_same(weights(runs["a"]), weights(runs["b"]))
    assert not torch.equal(weights(runs["a"])[0]["fc_policy.weight"], weights(runs["c"])[0]["fc_policy.weight"])


def test_nan_in_every_new_tensor_changes_no_weight(engine, tmp_path, monkeypatch):
    """Jobs turn off deterministic mode's NaN fill of each new tensor (devices.deterministic_algorithms), which is
    right only if training reads no memory before writing it. With the fill back on, such a read would take NaN
    where the run without it takes whatever the memory held: the two runs end with the same weights."""
    without = train(TrainConfig(seed=3, **TINY), tmp_path / "without", device="cpu")
    assert not torch.utils.deterministic.fill_uninitialized_memory
    monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", False)  # so that teardown turns it off
    set_up = devices.deterministic_algorithms

    def with_fill():
        set_up()
        torch.utils.deterministic.fill_uninitialized_memory = True

    monkeypatch.setattr(devices, "deterministic_algorithms", with_fill)
    filled = train(TrainConfig(seed=3, **TINY), tmp_path / "filled", device="cpu")
    assert torch.utils.deterministic.fill_uninitialized_memory
    assert_same(weights(without), weights(filled))


def test_resume_after_kill_gives_the_same_weights(engine, tmp_path):
    config = TrainConfig(seed=5, **TINY)
    reference = train(config, tmp_path / "whole", device="cpu")
    killed = tmp_path / "killed"
    train(config, killed, device="cpu", stop_after_iterations=1)
    train(config, killed, device="cpu", stop_after_iterations=1)
    (killed / "resume.pth").write_bytes(b"torn write")  # the newest resume point is unreadable
    resumed = train(config, killed, device="cpu")
    assert resumed.name == reference.name
    assert_same(weights(reference), weights(resumed))
    assert not (killed / "resume.pth").exists()
    whole_log = (tmp_path / "whole" / "log.csv").read_text().splitlines()
    resumed_log = (killed / "log.csv").read_text().splitlines()
    assert [r.split(",")[:2] for r in whole_log] == [r.split(",")[:2] for r in resumed_log]


def test_changed_config_starts_afresh(engine, tmp_path):
    out = tmp_path / "run"
    train(TrainConfig(seed=5, **TINY), out, device="cpu", stop_after_iterations=1)
    other = TrainConfig(seed=5, **{**TINY, "learning_rate": 1e-3})
    final = train(other, out, device="cpu")
    fresh = train(other, tmp_path / "fresh", device="cpu")
    assert_same(weights(final), weights(fresh))


def test_an_iteration_returns_its_log_row_and_trains_as_train_does(engine, tmp_path):
    """Trainer.iterate advances the run by one iteration and returns the row that log.csv gets: iterated by
    hand, a trainer ends with the weights and the rows of train() on the same config."""
    config = TrainConfig(seed=4, **TINY)
    with device_setup("cpu", config.torch_threads) as cpu:
        trainer = Trainer(config, cpu)
        rows = [trainer.iterate() for _ in range(config.timesteps // config.batch)]
    assert [list(row) for row in rows] == [LOG_COLUMNS] * 3 and trainer.log_rows == rows
    assert [(r["iteration"], r["timesteps"]) for r in rows] == [(1, 64), (2, 128), (3, 192)]
    assert (trainer.iteration, trainer.timesteps) == (3, 192)
    assert rows[-1]["learning_rate"] == trainer.optimizer.param_groups[0]["lr"] == 0.0
    assert rows[0]["wall_time"] <= rows[1]["wall_time"] <= rows[2]["wall_time"] == round(trainer.wall_time, 3)
    trainer.env.close()

    final = train(config, tmp_path, device="cpu")
    assert_same((trainer.policy.state_dict(), trainer.optimizer.state_dict()), weights(final))
    logged = list(csv.DictReader((tmp_path / "log.csv").open()))
    timing = {"wall_time", "fps"}
    assert [{k: str(v) for k, v in r.items() if k not in timing} for r in rows] == \
        [{k: v for k, v in r.items() if k not in timing} for r in logged]


@pytest.mark.parametrize("stop_after, marked", [(None, [True, False, True]), (2, [True, True])])
def test_every_iteration_is_logged_and_the_first_and_last_are_marked_for_the_console(engine, tmp_path, caplog,
                                                                                      stop_after, marked):
    """The console (logs.CONSOLE) gets the first iteration's line, one a minute at most, and the last, also
    of a run that ends early; the log gets every line."""
    caplog.set_level(logging.INFO, logger="workflow_scripts.train")
    train(TrainConfig(seed=0, **TINY), tmp_path, device="cpu", label="[tiny seed 0] ",
          stop_after_iterations=stop_after, progress_every_s=3600)
    lines = [r for r in caplog.records if r.name == "workflow_scripts.train" and " iteration " in r.getMessage()]
    assert [r.getMessage().split()[:4] for r in lines] == [["[tiny", "seed", "0]", "iteration"]] * len(marked)
    assert [r.getMessage().split()[4] for r in lines] == [f"{i}/3" for i in range(1, len(marked) + 1)]
    assert all(re.search(r"  t=[\d,]+  [\d,]+ steps/s  ETA [\d.]+ min  episode length [\d.na]+  reward ",
                         r.getMessage()) for r in lines)
    assert [getattr(r, "console", False) for r in lines] == marked
    assert {r.levelno for r in lines} == {logging.INFO}


def test_checkpoints_keep_the_original_format(engine, tmp_path):
    config = TrainConfig(seed=0, **TINY)
    final = train(config, tmp_path, device="cpu")
    names = sorted(p.name for p in tmp_path.glob("model_*.pth"))
    assert names == sorted(f"model_{t}.pth" for t in [0, *config.checkpoint_steps()])
    state = torch.load(final, weights_only=True)
    iterations = config.final_timesteps() // config.batch
    adam = state["optimizer_state_dict"]
    assert {int(s["step"]) for s in adam["state"].values()} == {iterations * config.epochs * config.minibatches}
    assert adam["param_groups"][0]["eps"] == 1e-5
    # The stored lr is already decayed past the end: 5e-4 * (1 - t_final / N).
    assert adam["param_groups"][0]["lr"] == pytest.approx(5e-4 * (1 - config.final_timesteps() / config.timesteps))
    assert torch.load(checkpoint_path(tmp_path, 0), weights_only=True)["optimizer_state_dict"]["state"] == {}
    load_policy(final)  # loads strictly, weights only
    assert (tmp_path / "obs.png").exists()
    # final.pth is an independent copy: damage to one file must leave the other intact.
    assert (tmp_path / "final.pth").read_bytes() == final.read_bytes()
    assert not os.path.samefile(tmp_path / "final.pth", final)


def tiny_args(out, **changes):
    """The CLI flags of a TINY config."""
    return ["--out", str(out), "--device", "cpu", *[f"--{k}={v}" for k, v in {**TINY, **changes}.items()]]


def test_finished_run_of_another_config_is_not_overwritten(engine, tmp_path, caplog):
    out = tmp_path / "run"
    a, b = TrainConfig(seed=5, **TINY), TrainConfig(seed=5, **{**TINY, "learning_rate": 1e-3})
    first = train(a, out, device="cpu")
    shutil.copy(first, tmp_path / "a.pth")
    kept = {p.name: p.read_bytes() for p in out.glob("*.pth")}
    with pytest.raises(FileExistsError, match=r"another configuration \(learning_rate 0.0005 -> 0.001\).*--overwrite"):
        train(b, out, device="cpu")
    with pytest.raises(SystemExit, match=f"error: {out} holds a finished run"):
        main(tiny_args(out, seed=5, learning_rate=1e-3))
    assert {p.name: p.read_bytes() for p in out.glob("*.pth")} == kept
    assert train(a, out, device="cpu") == first  # the same config resumes its finished run: nothing to refuse

    main([*tiny_args(out, seed=5, learning_rate=1e-3), "--overwrite"])
    assert_same(weights(out / "final.pth"), weights(train(b, tmp_path / "fresh", device="cpu")))
    # Snakemake deletes a job's outputs before rerunning it with a changed config: that rerun proceeds.
    (out / "final.pth").unlink()
    assert_same(weights(train(a, out, device="cpu")), weights(tmp_path / "a.pth"))
    afresh = [r.levelno for r in caplog.records if "starting afresh: removing" in r.getMessage()]
    assert afresh and set(afresh) == {logging.WARNING}


def test_full_disk_names_the_file(engine, tmp_path, monkeypatch):
    """torch.save on a full disk raises RuntimeError('basic_ios::clear' or 'unexpected pos'); /dev/full is one."""
    real_save, calls = torch.save, []

    def save_to_full_disk_after_the_first(obj, f):
        calls.append(f)
        real_save(obj, f if len(calls) == 1 else "/dev/full")

    monkeypatch.setattr(torch, "save", save_to_full_disk_after_the_first)
    with pytest.raises(SaveError, match=r"could not write .*model_64\.pth: .*the disk may be full"):
        train(TrainConfig(seed=0, **TINY), tmp_path, device="cpu")
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written is left behind


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from workflow_scripts.run_folder import run_folder_lock
    with run_folder_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
""")


def test_second_trainer_on_a_folder_fails_at_once(engine, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model_0.pth").write_bytes(b"a file of the running trainer")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(RunFolderBusy, match=f"{out} is in use by another trainer: PID {holder.pid} on host"):
            train(TrainConfig(seed=0, **TINY), out, device="cpu")
        with pytest.raises(SystemExit, match=f"PID {holder.pid}"):
            main(tiny_args(out))
        assert (out / "model_0.pth").read_bytes() == b"a file of the running trainer"
    finally:
        holder.kill()  # as kill -9: the kernel releases the lock
        holder.wait()
    with run_folder_lock(out):
        pass


def mean_episode_length(policy_path, levels, world_dim):
    return training_game_episodes(policy_path, "yellow_line_diag", "black", world_dim, levels).steps.mean()


@pytest.mark.slow
def test_agent_learns_a_small_maze(engine, tmp_path):
    """On 3x3 mazes a short run must cut the steps to the goal on unseen levels well below the untrained
    policy's; broken advantages, losses or sampling leave it near the random walk. With these 8,192 steps at 1e-3,
    seeds 0-3 on one and two threads, and with AVX2 kernels, ended at 0.11-0.22 of the untrained policy's 50 steps;
    flipped advantages at 8 times it (BENCHMARKS.md, "Job start-up and the test suite")."""
    config = TrainConfig(seed=0, world_dim=3, n_envs=16, n_steps=32, minibatches=4, epochs=3, timesteps=8192,
                         gamma=0.99, learning_rate=1e-3, torch_threads=min(2, threads_per_worker()), env_threads=0,
                         bf16=False)
    final = train(config, tmp_path, device="cpu")
    unseen = list(range(200_000, 200_100))
    before = mean_episode_length(checkpoint_path(tmp_path, 0), unseen, 3)
    after = mean_episode_length(final, unseen, 3)
    assert after < 0.6 * before, (before, after)


def test_a_run_of_other_code_or_engine_is_never_resumed(engine, tmp_path, caplog):
    """The identity (code and engine fingerprints) is part of a run: after a fix in either, Snakemake reruns the
    job (deleting final.pth first) and it must train from the start, not copy the old run's last checkpoint."""
    caplog.set_level(logging.INFO, logger="workflow_scripts.train")
    config = TrainConfig(seed=5, **TINY)
    out = tmp_path / "run"
    old, fixed = {"code": "before", "engine": "e"}, {"code": "after", "engine": "e"}
    train(config, out, device="cpu", identity=old)
    (out / "final.pth").unlink()
    caplog.clear()
    train(config, out, device="cpu", identity=fixed, stop_after_iterations=1)
    assert "resuming" not in caplog.text
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "starting afresh: removing" in warned and "other code (code before -> after)" in warned
    assert {torch.load(p, weights_only=True)["identity"]["code"] for p in out.glob("*.pth")} == {"after"}
    assert len((out / "log.csv").read_text().splitlines()) == 2  # the header and one iteration

    # A killed run of the same identity still resumes, and a finished one is still remade in seconds.
    caplog.clear()
    final = train(config, out, device="cpu", identity=fixed)
    assert "resuming at timestep 64" in caplog.text
    shutil.copy(final, tmp_path / "kept.pth")
    (out / "final.pth").unlink()
    caplog.clear()
    train(config, out, device="cpu", identity=fixed)
    assert f"resuming at timestep {config.final_timesteps()}" in caplog.text
    assert_same(weights(out / "final.pth"), weights(tmp_path / "kept.pth"))
    # An engine change is another run too.
    (out / "final.pth").unlink()
    caplog.clear()
    train(config, out, device="cpu", identity={**fixed, "engine": "rebuilt"}, stop_after_iterations=1)
    assert "other engine" in caplog.text


def test_a_finished_run_of_other_code_is_not_overwritten_unasked(engine, tmp_path):
    config = TrainConfig(seed=5, **TINY)
    out = tmp_path / "run"
    train(config, out, device="cpu", identity={"code": "before", "engine": "e"})
    kept = {p.name: p.read_bytes() for p in out.glob("*.pth")}
    with pytest.raises(FileExistsError, match=r"finished run of other code .*--overwrite"):
        train(config, out, device="cpu", identity={"code": "after", "engine": "e"})
    assert {p.name: p.read_bytes() for p in out.glob("*.pth")} == kept
    train(config, out, device="cpu", identity={"code": "after", "engine": "e"}, overwrite=True)
    assert torch.load(out / "final.pth", weights_only=True)["identity"]["code"] == "after"


def test_default_identity_follows_the_engine_it_loads(engine, tmp_path):
    """Outside the workflow the identity is this trainer's code and the bytes of the engine it loads."""
    from workflow_scripts.train import default_identity

    copy = tmp_path / "engine"
    shutil.copytree(engine, copy)
    base = default_identity(copy)
    assert base == default_identity(engine) and set(base) == {"code", "engine"}
    data = (copy / "assets" / "wall.pam").read_bytes()
    (copy / "assets" / "wall.pam").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert default_identity(copy)["engine"] != base["engine"]
    assert default_identity(copy)["code"] == base["code"]


def test_bf16_auto_trains_and_resumes_in_the_precision_it_chose(engine, tmp_path, caplog, monkeypatch):
    """`bf16: auto` on a CPU without native bfloat16 trains in float32, exactly as `bf16: false`; the checkpoint
    records the precision chosen, and a killed run resumes under auto."""
    from workflow_scripts import devices
    monkeypatch.setattr(devices, "cpu_flags", lambda: frozenset({"avx2"}))
    caplog.set_level(logging.INFO, logger="workflow_scripts.train")
    auto, fp32 = TrainConfig(seed=6, bf16="auto", **TINY), TrainConfig(seed=6, bf16=False, **TINY)
    train(auto, tmp_path / "auto", device="cpu", stop_after_iterations=1)
    caplog.clear()
    final = train(auto, tmp_path / "auto", device="cpu")
    assert "resuming at timestep 64" in caplog.text
    assert json.loads(torch.load(final, weights_only=True)["config"])["bf16"] is False
    assert_same(weights(final), weights(train(fp32, tmp_path / "fp32", device="cpu")))
