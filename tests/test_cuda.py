"""The CUDA path (issue 15), wherever CUDA exists: outputs equal to the CPU's, a full-batch hard-500
iteration, determinism, resume, evaluation agreement with the CPU, and bfloat16 learning.
Run alone with `pytest -m cuda` (benchmarks/gpu_check.sh does)."""

import pytest
import torch

from tests.test_agent import original_checkpoint
from tests.test_train import TINY, assert_same, mean_episode_length, weights
from workflow_scripts.agent import load_policy, new_policy
from workflow_scripts.devices import device_setup
from workflow_scripts.evaluate import evaluate_checkpoint
from workflow_scripts.maze import MazeEnv
from workflow_scripts.media import agent_frames
from workflow_scripts.run_folder import checkpoint_path
from workflow_scripts.train import TrainConfig, Trainer, train

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason=f"CUDA is not available (torch {torch.__version__}, built with CUDA: "
                              f"{torch.version.cuda or 'no'}); these tests run where a GPU is"),
]


@pytest.fixture
def cuda():
    with device_setup("cuda:0", threads=4) as device:
        yield device


def test_policy_outputs_on_cuda_equal_the_cpus_on_an_original_checkpoint(tmp_path, cuda):
    path = tmp_path / "model_5046272.pth"
    torch.save(original_checkpoint(seed=4), path)
    frames = torch.from_numpy(MazeEnv(64, "duel", level_seeds=range(100_000, 100_064)).observe()[1]["rgb"].copy())
    with torch.no_grad():
        cpu = load_policy(path, "cpu").logits_and_value(frames)
        gpu = load_policy(path, cuda).logits_and_value(frames.to(cuda))
    for a, b in zip(cpu, gpu):
        torch.testing.assert_close(b.cpu(), a, atol=1e-4, rtol=0)


def test_one_hard_500_iteration_at_full_batch_is_finite_and_learns(engine, cuda):
    config = TrainConfig(seed=0, torch_threads=4, env_threads=4)
    assert config.batch == 256 * 256
    trainer = Trainer(config, cuda)
    before = {k: v.clone() for k, v in trainer.policy.state_dict().items()}
    losses = trainer.update(trainer.rollout())
    assert all(torch.isfinite(torch.tensor(v)) for v in losses.values()), losses
    after = trainer.policy.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    trainer.env.close()


def test_two_cuda_runs_with_one_seed_give_identical_weights(engine, tmp_path):
    runs = [train(TrainConfig(seed=2, **TINY), tmp_path / name, device="cuda") for name in ("a", "b")]
    assert_same(weights(runs[0]), weights(runs[1]))


def test_a_run_killed_and_resumed_on_cuda_ends_with_the_uninterrupted_weights(engine, tmp_path):
    config = TrainConfig(seed=5, **TINY)
    reference = train(config, tmp_path / "whole", device="cuda")
    train(config, tmp_path / "killed", device="cuda", stop_after_iterations=1)
    assert_same(weights(reference), weights(train(config, tmp_path / "killed", device="cuda")))


def test_a_cuda_run_saves_cpu_tensors_and_resumes_on_the_cpu(engine, tmp_path):
    config = TrainConfig(seed=6, **TINY)
    train(config, tmp_path, device="cuda", stop_after_iterations=1)
    state = torch.load(tmp_path / "resume.pth", weights_only=True)  # no map_location: must not need CUDA
    assert {t.device.type for t in state["model_state_dict"].values()} == {"cpu"}
    assert {v.device.type for s in state["optimizer_state_dict"]["state"].values() for v in s.values()} == {"cpu"}
    final = train(config, tmp_path, device="cpu")
    assert final.name == f"model_{config.final_timesteps()}.pth"


def test_evaluation_on_cuda_gives_the_cpus_csv_on_all_but_near_ties(engine, tmp_path, cuda):
    path = train(TrainConfig(seed=0, **{**TINY, "timesteps": 1024}), tmp_path / "agent", device="cpu")
    args = dict(obj1="red_line_diag", obj2="yellow_gem", levels=range(100_000, 101_000), seed=0)
    cpu = evaluate_checkpoint(path, device="cpu", **args)
    gpu = evaluate_checkpoint(path, device=cuda, **args)
    same = ((cpu.steps == gpu.steps) & (cpu.reward == gpu.reward)).mean()
    assert same >= 0.999, same


def test_bfloat16_autocast_on_cuda_still_learns_the_small_maze(engine, tmp_path):
    config = TrainConfig(seed=0, world_dim=3, n_envs=16, n_steps=32, minibatches=4, epochs=3, timesteps=12288,
                         gamma=0.99, torch_threads=2, env_threads=0, bf16=True)
    final = train(config, tmp_path, device="cuda")
    unseen = list(range(200_000, 200_100))
    before = mean_episode_length(checkpoint_path(tmp_path, 0), unseen, 3)
    assert mean_episode_length(final, unseen, 3) < 0.6 * before


def test_gif_frames_of_a_cuda_policy(engine, cuda):
    torch.manual_seed(0)
    frames = agent_frames(new_policy(cuda), "single", 8)
    assert frames.shape == (8, 64, 64, 3)


def test_evaluation_tables_do_not_depend_on_the_batch_on_cuda(engine, tmp_path, cuda):
    path = tmp_path / "model.pth"
    torch.manual_seed(1)
    torch.save({"model_state_dict": new_policy().state_dict()}, path)
    args = dict(obj1="red_line_diag", obj2="yellow_gem", levels=range(100_000, 100_200), seed=0, device=cuda)
    whole = evaluate_checkpoint(path, max_batch=256, **args)
    small = evaluate_checkpoint(path, max_batch=7, **args)
    assert (whole == small).all().all()
