"""Training across devices and side by side (issue 15), and its flags built from TrainConfig (issue 13)."""

import argparse
import dataclasses
import json
import subprocess
import sys

import torch

from tests.conftest import REPO
from tests.test_train import TINY, assert_same, weights
from workflow_scripts.train import TrainConfig, train
from workflow_scripts.train_config import add_config_flags, config_from_args


def test_a_state_with_another_device_types_generator_is_not_resumed_and_does_not_crash(engine, tmp_path):
    """A CUDA generator's state (16 bytes) cannot be loaded into a CPU generator ('Expected a
    CPUGeneratorImplState of size 5056 but found 16'): such a state must be passed over, not crash the job."""
    config = TrainConfig(seed=3, **TINY)
    reference = train(config, tmp_path / "whole", device="cpu")
    out = tmp_path / "foreign"
    train(config, out, device="cpu", stop_after_iterations=1)
    for path in [out / "resume.pth", *out.glob("model_*.pth")]:
        state = torch.load(path, weights_only=True)
        state["sampling_rng"] = torch.zeros(16, dtype=torch.uint8)  # what a CUDA generator's get_state() gives
        torch.save(state, path)
    final = train(config, out, device="cpu")
    assert_same(weights(reference), weights(final))


def test_checkpoints_hold_cpu_generators_and_cpu_tensors(engine, tmp_path):
    """Sampling draws on a CPU generator whatever the device, so every saved state resumes on any device."""
    train(TrainConfig(seed=1, **TINY), tmp_path, device="cpu", stop_after_iterations=1)
    state = torch.load(tmp_path / "resume.pth", weights_only=True)
    size = torch.Generator().get_state().numel()
    assert state["sampling_rng"].numel() == state["shuffling_rng"].numel() == size

    def tensors(value):
        if isinstance(value, torch.Tensor):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from tensors(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from tensors(v)

    assert {t.device.type for t in tensors(state)} == {"cpu"}


def test_two_agents_trained_side_by_side_equal_each_trained_alone(engine, tmp_path):
    """Two jobs at once (as agents sharing a GPU run: separate processes) end with the weights of each
    run alone."""
    flags = [f"--{k}={v}" for k, v in TINY.items()]
    jobs = [subprocess.Popen([sys.executable, "-m", "workflow_scripts.train", "--out", str(tmp_path / f"side_{seed}"),
                              "--device", "cpu", f"--seed={seed}", *flags], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for seed in (7, 8)]
    outputs = [job.communicate()[0] for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0], outputs
    assert all("device cpu" in out for out in outputs), outputs
    for seed in (7, 8):
        alone = train(TrainConfig(seed=seed, **TINY), tmp_path / f"alone_{seed}", device="cpu")
        side = tmp_path / f"side_{seed}" / alone.name
        assert_same(weights(alone), weights(side))


def test_every_config_field_has_a_flag_with_its_help_line():
    parser = argparse.ArgumentParser()
    add_config_flags(parser)
    actions = {a.dest: a for a in parser._actions}
    for f in dataclasses.fields(TrainConfig):
        assert f.metadata["help"], f.name
        assert actions[f.name].help.startswith(f.metadata["help"]), f.name
    text = parser.format_help()
    assert "--bf16, --no-bf16" in text and "discount of the advantages" in text


def test_flags_parse_into_the_config_they_name():
    parser = argparse.ArgumentParser()
    add_config_flags(parser)
    colours = {"orange": [255, 128, 0]}
    args = parser.parse_args(["--seed", "3", "--gamma", "0.99", "--bf16", "--colours", json.dumps(colours),
                              "--n_envs", "8", "--n_steps", "8", "--minibatches", "2"])
    expected = TrainConfig(seed=3, gamma=0.99, bf16=True, colours=colours, n_envs=8, n_steps=8, minibatches=2)
    assert config_from_args(args) == expected
    assert config_from_args(parser.parse_args([])) == TrainConfig()
