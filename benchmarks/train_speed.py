"""Training throughput (env steps per second) with a breakdown of env, inference and update time.

Runs a few PPO iterations of a configuration from config.yaml's PPO sets on the chosen device.
Usage: python benchmarks/train_speed.py [--ppo hard-500] [--iterations 2] [--device auto] [--n_envs N]
       [--set bf16=false torch_threads=2 ...]
"""

import argparse
import platform
import time

import torch
import yaml

from workflow_scripts.train import Trainer, TrainConfig, resolve_device


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
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="other PPO-set values, YAML-parsed, e.g. bf16=false torch_threads=2")
    args = parser.parse_args()

    values = yaml.safe_load(open("config.yaml"))["ppo"][args.ppo]
    values.update({k: getattr(args, k) for k in ("n_envs", "n_steps") if getattr(args, k)})
    values.update({k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)})
    config = TrainConfig(seed=0, **values)
    device = resolve_device(args.device)
    torch.set_num_threads(config.torch_threads)
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
    for _ in range(args.iterations):
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
    steps = args.iterations * config.batch
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else (platform.processor() or platform.machine())
    print(f"{time.strftime('%Y-%m-%d')}  {name}  ppo={args.ppo} n_envs={config.n_envs} n_steps={config.n_steps} "
          f"bf16={config.bf16} torch_threads={config.torch_threads} iterations={args.iterations}")
    print(f"env steps/s: {steps / total:,.0f}")
    print(f"  env       {env_time:7.2f} s  {env_time / total:5.1%}")
    print(f"  inference {rollout_time - env_time:7.2f} s  {(rollout_time - env_time) / total:5.1%}  (rollout minus env)")
    print(f"  update    {update_time:7.2f} s  {update_time / total:5.1%}")
    if device.type == "cuda":
        print(f"  peak GPU memory {torch.cuda.max_memory_allocated(device) / 2**30:.1f} GiB")
    print(f"time for 5M steps at this rate: {5e6 / (steps / total) / 60:.1f} min")


if __name__ == "__main__":
    main()
