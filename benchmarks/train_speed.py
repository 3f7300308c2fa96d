"""Training throughput (env steps per second) with a breakdown of env, inference and update time.

Runs a few PPO iterations of a configuration from config.yaml's PPO sets on the chosen device.
Usage: python benchmarks/train_speed.py [--ppo hard-500] [--iterations 2] [--device auto] [--n_envs N]
       [--set bf16=false torch_threads=2 ...]
"""

import argparse
import dataclasses
import logging
import platform
import sys
import time

import torch
import yaml

from workflow_scripts.devices import device_setup, resolve_bf16
from workflow_scripts.train import Trainer, TrainConfig


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ppo", default="hard-500")
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n_envs", type=int, help="override the set's n_envs (and keep its minibatch count)")
    parser.add_argument("--n_steps", type=int)
    parser.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE",
                        help="other PPO-set values, YAML-parsed, e.g. bf16=false torch_threads=2")
    args = parser.parse_args()
    # The device setup logs the device and precision measured: the report shows them.
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)

    values = yaml.safe_load(open("config.yaml"))["ppo"][args.ppo]
    values.update({k: getattr(args, k) for k in ("n_envs", "n_steps") if getattr(args, k)})
    values.update({k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)})
    config = TrainConfig(seed=0, **values)
    # The setup train() uses (threads, TF32 off, deterministic algorithms, GPU claim), so this times what
    # training jobs run.
    with device_setup(args.device, config.torch_threads, config.bf16) as device:
        config = dataclasses.replace(config, bf16=resolve_bf16(config.bf16, device))
        print_report(measure(config, device, args.iterations), config, device, args.ppo)


def measure(config: TrainConfig, device: torch.device, iterations: int) -> dict[str, float]:
    """Seconds spent in the env, inference and update over `iterations` PPO iterations after a warm-up one."""
    trainer = Trainer(config, device)

    env_time = 0.0
    act, observe = trainer.env.act, trainer.env.observe

    def timed(fn):
        def wrapper(*a, **k):
            nonlocal env_time
            start = time.perf_counter()
            out = fn(*a, **k)
            env_time += time.perf_counter() - start
            return out
        return wrapper

    trainer.env.act, trainer.env.observe = timed(act), timed(observe)
    rollout_time = update_time = 0.0
    trainer.update(trainer.rollout())  # warm-up: allocator, kernels
    env_time = 0.0
    for _ in range(iterations):
        synchronize(device)
        start = time.perf_counter()
        batch = trainer.rollout()
        synchronize(device)
        middle = time.perf_counter()
        trainer.update(batch)
        synchronize(device)
        rollout_time += middle - start
        update_time += time.perf_counter() - middle

    total = rollout_time + update_time
    return {"steps_per_s": iterations * config.batch / total, "total": total, "env": env_time,
            "inference": rollout_time - env_time, "update": update_time, "iterations": iterations,
            "peak_gib": torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else float("nan")}


def print_report(m: dict[str, float], config: TrainConfig, device: torch.device, ppo: str) -> None:
    """The figures as text, then as a BENCHMARKS.md table row."""
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else (platform.processor() or platform.machine())
    precision = "bfloat16" if config.bf16 else "float32"
    minutes_5m = 5e6 / m["steps_per_s"] / 60
    share = {k: m[k] / m["total"] for k in ("env", "inference", "update")}
    print(f"{time.strftime('%Y-%m-%d')}  {where}  ppo={ppo} n_envs={config.n_envs} n_steps={config.n_steps} "
          f"bf16={config.bf16} torch_threads={config.torch_threads} iterations={m['iterations']}")
    print(f"env steps/s: {m['steps_per_s']:,.0f}")
    print(f"  env       {m['env']:7.2f} s  {share['env']:5.1%}")
    print(f"  inference {m['inference']:7.2f} s  {share['inference']:5.1%}  (rollout minus env)")
    print(f"  update    {m['update']:7.2f} s  {share['update']:5.1%}")
    if device.type == "cuda":
        print(f"  peak GPU memory {m['peak_gib']:.1f} GiB")
    print(f"time for 5M steps at this rate: {minutes_5m:.1f} min")
    peak = f"{m['peak_gib']:.1f} GiB" if device.type == "cuda" else "-"
    print(f"row: | {ppo} | {device.type} ({where}) | {config.n_envs} x {config.n_steps} | {precision} | "
          f"{config.torch_threads} | {m['steps_per_s']:,.0f} | {share['env']:.1%} | {share['inference']:.1%} | "
          f"{share['update']:.1%} | {peak} | {minutes_5m:.1f} min |")


if __name__ == "__main__":
    main()
