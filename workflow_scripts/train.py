"""Trains one agent with the original's PPO (`hard-500`) in the `single` maze game.

Reproducible from the seed: it decides the network init, action sampling, minibatch order and the
environment's rand_seed. Resumable: every iteration writes `resume.pth`, and the checkpoints
`model_<t>.pth` (t = 0 and 5 equally spaced points, as the original) carry the same resume state, so
a killed job continues from its last iteration and ends with the weights of an uninterrupted run.
A run's identity is its config and its `identity` (fingerprints of the training code and the engine):
only a saved state of the same identity is resumed, so a fix in either trains again from the start
(run_folder.py decides which, and locks the folder). Each iteration logs a line on this module's logger.

    python -m workflow_scripts.train --out results/train/demo/seed_0 --seed 0 --timesteps 200000
"""

import argparse
import contextlib
import csv
import dataclasses
import logging
import math
import os
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from workflow_scripts.agent import Policy, new_policy, prepare_obs
from workflow_scripts.atomic import atomic_path
from workflow_scripts.code_deps import code_fingerprint, files_fingerprint
from workflow_scripts.devices import device_setup, resolve_bf16
from workflow_scripts.logs import CONSOLE
from workflow_scripts.maze import REPO_ROOT, MazeEnv, engine_dir
from workflow_scripts.ppo import RewardScaler, gae, normalize_advantages, ppo_losses
from workflow_scripts.run_folder import (CHECKPOINT_FORMAT, FINAL_NAME, RunFolderBusy, SaveError, checkpoint_path,
                                         matching_resume_state, refuse_overwrite, run_folder_lock, saving)
from workflow_scripts.train_config import TrainConfig, add_config_flags, config_from_args

__all__ = ["TrainConfig", "Trainer", "train"]

logger = logging.getLogger(__name__)

LOG_COLUMNS = [
    "iteration", "timesteps", "wall_time", "fps", "episodes", "mean_episode_length", "median_episode_length",
    "mean_episode_reward", "median_episode_reward", "policy_loss", "value_loss", "entropy", "approx_kl",
    "clip_fraction", "learning_rate",
]


def default_identity(engine: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The identity of a run started outside the workflow: the meaning of this module and every project
    module it imports, and the bytes of the engine it loads (library and artwork). The workflow passes its
    own: the training job's code and the engine's sources, by meaning."""
    folder = Path(engine) if engine is not None else engine_dir()
    files = [folder / "libmaze.so", *sorted((folder / "assets").glob("*.pam"))]
    return {"code": code_fingerprint("workflow_scripts/train.py", str(REPO_ROOT)),
            "engine": files_fingerprint([f for f in files if f.exists()], folder)}


class Trainer:
    """One PPO run: the env, policy, optimiser and everything that must survive a restart."""

    def __init__(self, config: TrainConfig, device: torch.device, identity: Mapping[str, str] | None = None,
                 engine: str | os.PathLike[str] | None = None) -> None:
        self.config, self.device = config, device
        self.identity = dict(identity if identity is not None else default_identity(engine))
        torch.manual_seed(config.seed)
        self.policy: Policy = new_policy(device)
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=config.learning_rate, eps=config.adam_eps)
        # Both generators live on the CPU, whatever the policy's device: actions are drawn from probabilities
        # copied to the host (the env needs the actions there anyway), so a state saved on one kind of device
        # resumes on the other, and CUDA and CPU runs draw alike from alike probabilities.
        self.sampling = torch.Generator().manual_seed(config.seed)
        self.shuffling = torch.Generator().manual_seed(config.seed + 1)
        # Page-locked staging for each step's frames, so their copy to the GPU is a plain DMA.
        self.staging = (torch.empty((config.n_envs, 64, 64, 3), dtype=torch.uint8).pin_memory()
                        if device.type == "cuda" else None)
        self.env = MazeEnv(config.n_envs, "single", goal=config.goal, background=config.background,
                           world_dim=config.world_dim, colours=config.colours, num_levels=config.num_levels,
                           start_level=config.start_level, rand_seed=config.seed, num_threads=config.env_threads,
                           engine=engine)
        self.rewards = RewardScaler(config.n_envs, config.reward_gamma, config.reward_clip)
        self.episode_length = torch.zeros(config.n_envs, dtype=torch.int64)
        self.episode_reward = torch.zeros(config.n_envs, dtype=torch.float64)
        self.timesteps = 0
        self.iteration = 0
        self.wall_time = 0.0
        # (perf_counter, wall_time) when this process's first iteration began: the wall time counts what passes
        # from then on, saving and logging between iterations included, on top of what earlier processes spent.
        self._clock: tuple[float, float] | None = None
        self.first_frame = torch.from_numpy(self.env.observe()[1]["rgb"][0].copy())
        self.log_rows: list[dict[str, Any]] = []

    # ----- persistence -------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The original's two keys plus what resuming needs; loadable with weights_only=True, and on a
        machine without CUDA: every tensor is a CPU tensor."""
        return {
            "model_state_dict": to_cpu(self.policy.state_dict()),
            "optimizer_state_dict": to_cpu(self.optimizer.state_dict()),
            "format": CHECKPOINT_FORMAT,
            "config": self.config.as_json(),
            "identity": self.identity,
            "timesteps": self.timesteps,
            "iteration": self.iteration,
            "wall_time": self.wall_time,
            "env_states": [torch.frombuffer(bytearray(s), dtype=torch.uint8) for s in self.env.get_state()],
            "reward_scaler": self.rewards.state_dict(),
            "episode_length": self.episode_length.clone(),
            "episode_reward": self.episode_reward.clone(),
            "sampling_rng": self.sampling.get_state(),
            "shuffling_rng": self.shuffling.get_state(),
            "first_frame": self.first_frame,
            "log_rows": self.log_rows,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.policy.load_state_dict(state["model_state_dict"])
        self.optimizer.load_state_dict(state["optimizer_state_dict"])
        self.timesteps, self.iteration, self.wall_time = state["timesteps"], state["iteration"], state["wall_time"]
        self.env.set_state([bytes(t.numpy()) for t in state["env_states"]])
        self.rewards.load_state_dict(state["reward_scaler"])
        self.episode_length, self.episode_reward = state["episode_length"].clone(), state["episode_reward"].clone()
        self.sampling.set_state(state["sampling_rng"])
        self.shuffling.set_state(state["shuffling_rng"])
        self.first_frame, self.log_rows = state["first_frame"], list(state["log_rows"])

    def save(self, path: Path) -> None:
        with saving(path), atomic_path(path) as tmp:
            torch.save(self.state(), tmp)

    # ----- one iteration ---------------------------------------------------------------------------
    def autocast(self) -> contextlib.AbstractContextManager:
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.config.bf16)

    def to_device(self, frames: Any) -> torch.Tensor:
        """The engine's uint8 frames [n_envs, 64, 64, 3] on the policy's device. The asynchronous copy from
        the staging buffer is safe: the next step reads its actions back to the host, which waits for the
        stream, before the buffer is overwritten."""
        if self.staging is None:
            return torch.from_numpy(frames).to(self.device)
        self.staging.copy_(torch.from_numpy(frames))
        return self.staging.to(self.device, non_blocking=True)

    def rollout(self) -> dict[str, torch.Tensor]:
        """n_steps of every env with sampled actions; observations stay uint8 on the policy's device."""
        c, dev = self.config, self.device
        obs = torch.empty((c.n_steps + 1, c.n_envs, 64, 64, 3), dtype=torch.uint8, device=dev)
        actions = torch.empty((c.n_steps, c.n_envs), dtype=torch.int64, device=dev)
        log_probs = torch.empty((c.n_steps, c.n_envs), device=dev)
        values = torch.empty((c.n_steps + 1, c.n_envs), device=dev)
        rewards = torch.empty((c.n_steps, c.n_envs))
        dones = torch.empty((c.n_steps, c.n_envs), dtype=torch.bool)
        finished_lengths: list[int] = []
        finished_rewards: list[float] = []

        obs[0] = self.to_device(self.env.observe()[1]["rgb"])
        self.policy.eval()
        with torch.no_grad(), self.autocast():
            for t in range(c.n_steps):
                logp, values[t] = self.policy(prepare_obs(obs[t]))
                logp = logp.float()
                chosen = torch.multinomial(logp.exp().cpu(), 1, generator=self.sampling).squeeze(1)
                actions[t] = chosen.to(dev)
                log_probs[t] = logp.gather(1, actions[t].unsqueeze(1)).squeeze(1)
                self.env.act(chosen.numpy())
                raw, ob, first = self.env.observe()
                raw_t, first_t = torch.from_numpy(raw), torch.from_numpy(first)
                obs[t + 1] = self.to_device(ob["rgb"])
                rewards[t], dones[t] = self.rewards(raw_t, first_t), first_t

                self.episode_length += 1
                self.episode_reward += raw_t.to(torch.float64)
                finished_lengths += self.episode_length[first_t].tolist()
                finished_rewards += self.episode_reward[first_t].tolist()
                self.episode_length[first_t] = 0
                self.episode_reward[first_t] = 0.0
            values[c.n_steps] = self.policy(prepare_obs(obs[c.n_steps]))[1]

        advantages, returns = gae(rewards, values[:-1].cpu(), dones, values[-1].cpu(), c.gamma, c.lam)
        return {
            "obs": obs[:-1].reshape(c.batch, 64, 64, 3), "actions": actions.reshape(-1),
            "log_probs": log_probs.reshape(-1), "values": values[:-1].reshape(-1),
            "advantages": normalize_advantages(advantages).reshape(-1).to(dev), "returns": returns.reshape(-1).to(dev),
            "episode_lengths": torch.tensor(finished_lengths, dtype=torch.float64),
            "episode_rewards": torch.tensor(finished_rewards, dtype=torch.float64),
        }

    def update(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        """epochs x minibatches Adam steps on fresh permutations of the whole batch."""
        c = self.config
        self.policy.train()
        keys = ["policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction"]
        # Kept on the device and read once per update: a read per minibatch would wait for the GPU each time.
        per_minibatch = []
        for _ in range(c.epochs):
            order = torch.randperm(c.batch, generator=self.shuffling).to(self.device)
            for idx in order.split(c.batch // c.minibatches):
                with self.autocast():
                    log_probs, values = self.policy(prepare_obs(batch["obs"][idx]))
                log_probs, values = log_probs.float(), values.float()
                losses = ppo_losses(log_probs, batch["actions"][idx], batch["log_probs"][idx], batch["advantages"][idx],
                                    values, batch["values"][idx], batch["returns"][idx], c.clip, c.value_coef,
                                    c.entropy_coef)
                self.optimizer.zero_grad(set_to_none=True)
                losses.total.backward()
                torch.nn.utils.clip_grad_norm_(self.policy.parameters(), c.max_grad_norm)
                self.optimizer.step()
                per_minibatch.append(torch.stack([getattr(losses, k.removesuffix("_loss")).detach() for k in keys]))
        means = torch.stack(per_minibatch).double().mean(0).tolist()
        return dict(zip(keys, means))

    def decay_learning_rate(self) -> float:
        """Linear decay after each iteration, from the step count after it (it ends slightly below zero)."""
        lr = self.config.learning_rate * (1.0 - self.timesteps / self.config.timesteps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr

    def iterate(self) -> dict[str, Any]:
        """One iteration (rollout, update, learning-rate decay, counters); returns its row of log.csv, which
        log_rows gets too."""
        tick = time.perf_counter()
        if self._clock is None:
            self._clock = (tick, self.wall_time)
        batch = self.rollout()
        losses = self.update(batch)
        self.timesteps += self.config.batch
        self.iteration += 1
        lr = self.decay_learning_rate()
        self.wall_time = self._clock[1] + time.perf_counter() - self._clock[0]
        lengths, rewards = batch["episode_lengths"], batch["episode_rewards"]
        row = {
            "iteration": self.iteration, "timesteps": self.timesteps, "wall_time": round(self.wall_time, 3),
            "fps": round(self.config.batch / (time.perf_counter() - tick), 1), "episodes": lengths.numel(),
            "mean_episode_length": _mean(lengths), "median_episode_length": _median(lengths),
            "mean_episode_reward": _mean(rewards), "median_episode_reward": _median(rewards),
            **losses, "learning_rate": lr,
        }
        self.log_rows.append(row)
        return row


def to_cpu(value: Any) -> Any:
    """A state (nested dicts, lists and tuples) with every tensor copied to the CPU."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_cpu(v) for v in value)
    return value


def _write_log(path: Path, rows: list[dict[str, Any]]) -> None:
    with saving(path), atomic_path(path) as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=LOG_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _median(values: torch.Tensor) -> float:
    return float(values.quantile(0.5)) if values.numel() else float("nan")


def _mean(values: torch.Tensor) -> float:
    return float(values.mean()) if values.numel() else float("nan")


def train(config: TrainConfig, out_dir: str | os.PathLike[str], device: str = "auto", label: str = "",
          stop_after_iterations: int | None = None, overwrite: bool = False, gpu_requested: bool = False,
          agents_per_gpu: int = 1, identity: Mapping[str, str] | None = None,
          engine: str | os.PathLike[str] | None = None, progress_every_s: float = 60.0) -> Path:
    """Runs (or resumes) training into out_dir; returns the final checkpoint's path. The folder is locked
    while it runs; a finished run of another configuration or identity there is refused unless `overwrite`.
    `identity` names what besides the config decides the weights ({"code": ..., "engine": ...}; default:
    default_identity(engine)); only a saved state of the same config and identity is resumed. `engine` is the
    engine's folder (default: maze.engine_dir()). Every iteration logs a line at INFO, prefixed by `label`; the
    first, then one at most every `progress_every_s`, and the last carry logs.CONSOLE, for a console that the
    full log would flood. `stop_after_iterations` ends the process early as if it had been killed (for tests);
    `gpu_requested` (the job holds a GPU) and `agents_per_gpu` go to devices.device_setup, which runs first, so
    that a job on the wrong kind of machine fails before it writes anything."""
    with device_setup(device, config.torch_threads, config.bf16, gpu_requested, agents_per_gpu) as dev:
        # The run records (and resumes by) the precision it trains in, not "auto".
        config = dataclasses.replace(config, bf16=resolve_bf16(config.bf16, dev))
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        with run_folder_lock(out_dir):
            identity = dict(identity if identity is not None else default_identity(engine))
            if not overwrite:
                refuse_overwrite(out_dir, config, identity)
            return _train_on(config, out_dir, dev, label, stop_after_iterations, identity, engine, progress_every_s)


def _train_on(config: TrainConfig, out_dir: Path, dev: torch.device, label: str, stop_after_iterations: int | None,
              identity: dict[str, str], engine: str | os.PathLike[str] | None, progress_every_s: float) -> Path:
    """train() on a device already set up."""
    out_dir.mkdir(parents=True, exist_ok=True)
    trainer = Trainer(config, dev, identity, engine)
    log_path = out_dir / "log.csv"
    resume, others = matching_resume_state(out_dir, config, identity)
    if resume is not None:
        trainer.load(resume)
        logger.info(f"{label}resuming at timestep {trainer.timesteps:,} (iteration {trainer.iteration})")
    else:
        # Saved states of another run (another config, other code or engine, or unreadable) must never be
        # resumed, nor left to be mistaken for this run's: they go, each named with the reason.
        stale = {p: others.get(p, "not resumable") for p in
                 [out_dir / "resume.pth", out_dir / FINAL_NAME, *sorted(out_dir.glob("model_*.pth"))] if p.exists()}
        for why in dict.fromkeys(stale.values()):
            names = ", ".join(p.name for p, w in stale.items() if w == why)
            logger.warning(f"{label}starting afresh: removing {names} from {out_dir}: {why}")
        for path in stale:
            path.unlink()
        trainer.save(checkpoint_path(out_dir, 0))
    # Both are rewritten from the saved state, so a rerun that deleted them loses nothing.
    with saving(out_dir / "obs.png"), atomic_path(out_dir / "obs.png") as tmp:
        Image.fromarray(trainer.first_frame.numpy()).save(tmp, format="PNG")
    _write_log(log_path, trainer.log_rows)

    total_iterations = config.final_timesteps() // config.batch
    schedule = set(config.checkpoint_steps())
    started, iterations_here, shown = time.perf_counter(), 0, -math.inf
    steps_at_start = trainer.timesteps
    while trainer.timesteps < config.timesteps:
        row = trainer.iterate()
        iterations_here += 1
        _write_log(log_path, trainer.log_rows)
        if trainer.timesteps in schedule:
            trainer.save(checkpoint_path(out_dir, trainer.timesteps))
        trainer.save(out_dir / "resume.pth")

        rate = (trainer.timesteps - steps_at_start) / (time.perf_counter() - started)
        eta = (config.final_timesteps() - trainer.timesteps) / max(rate, 1e-9)
        stopping = stop_after_iterations is not None and iterations_here >= stop_after_iterations
        last = stopping or trainer.timesteps >= config.timesteps
        to_console = last or time.perf_counter() - shown >= progress_every_s
        logger.info(f"{label}iteration {trainer.iteration}/{total_iterations}  t={trainer.timesteps:,}  {rate:,.0f} "
                    f"steps/s  ETA {eta / 60:.1f} min  episode length {row['mean_episode_length']:.1f}  reward "
                    f"{row['mean_episode_reward']:.2f}", extra=CONSOLE if to_console else None)
        if to_console:
            shown = time.perf_counter()
        if stopping:
            break

    trainer.env.close()
    final = checkpoint_path(out_dir, trainer.timesteps)
    if trainer.timesteps >= config.timesteps:
        # final.pth: a fixed name for the workflow; a copy, not a link, so damage to one spares the other.
        with saving(out_dir / FINAL_NAME), atomic_path(out_dir / FINAL_NAME) as tmp:
            shutil.copyfile(final, tmp)
        (out_dir / "resume.pth").unlink(missing_ok=True)
    return final


def _parse_args(argv: list[str] | None) -> tuple[TrainConfig, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="run folder (resumed when it holds a matching state)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--overwrite", action="store_true", help="replace a finished run of another config in --out")
    add_config_flags(parser)
    args = parser.parse_args(argv)
    return config_from_args(args), args


def main(argv: list[str] | None = None) -> None:
    """The command line: trains as the flags say; the log's lines go to stdout as they are."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    config, args = _parse_args(argv)
    try:
        train(config, args.out, device=args.device, overwrite=args.overwrite)
    except (FileExistsError, RunFolderBusy, SaveError) as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
