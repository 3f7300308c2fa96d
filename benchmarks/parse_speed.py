"""How long Snakemake takes to parse the workflow and to plan it, against an empty Snakefile, side by side.

    .venv/bin/python benchmarks/parse_speed.py [--repeats 3] [--full] [--repo OTHER_CHECKOUT ...] [--records]

Times (best of `repeats`, wall clock) of `snakemake -n` for: an empty Snakefile (Snakemake's own start-up),
a tiny target of this workflow at paper scale (`engine`: parsing plus a near-empty plan), and with --full the
whole paper-scale plan (`figures/all --config scale=paper --forceall`). Each --repo (e.g. a checkout of an
older commit) is timed in the same run, so the figures compare on one machine at one moment. --records also
times what the identity check costs when every result of the paper is there with its record (600 agents:
checkpoint and capability table; 8,300 evaluations; 83 pair tables): reading the records and comparing them
with planned params of the same size as the workflow's, in a temporary folder.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from workflow_scripts import identity  # noqa: E402

# The paper's results (rules/targets.smk planned_identities): agents, evaluations and pair tables.
AGENTS, EVALUATIONS, TABLES = 600, 8300, 83
CODE, ENGINE = "c" * 64, "e" * 64
TRAIN = dict(adam_eps=1e-05, background="black", bf16=False, clip=0.2, colours={}, entropy_coef=0.01, env_threads=1,
             epochs=3, gamma=0.999, goal="yellow_line_diag", lam=0.95, learning_rate=0.0005, max_grad_norm=0.5,
             minibatches=8, n_envs=64, n_steps=256, num_checkpoints=10, num_levels=100000, reward_clip=10.0,
             reward_gamma=0.999, start_level=0, timesteps=5046272, torch_threads=2, value_coef=0.5, world_dim=5)
INPUTS = [f"workflow_scripts/module_{i}.py" for i in range(20)] + [f"results/engine/assets/a{i}.pam" for i in range(12)]


def paper_results() -> dict[str, tuple[str, dict]]:
    """{result: (rule, params)} shaped like the paper's planned identities."""
    planned = {}
    for a in range(AGENTS):
        planned[f"results/train/e{a % 6}/seed_{a}/final.pth"] = (
            "train_agent", dict(train={**TRAIN, "seed": a}, device="auto", code=CODE, engine=ENGINE))
        planned[f"results/train/e{a % 6}/seed_{a}/capability.csv"] = (
            "training_capability", dict(goal="yellow_line_diag", background="black", world_dim=5, colours={},
                                        engine=ENGINE, first_level=100000, num_levels=1000, bf16="auto",
                                        device="auto", code=CODE))
    for i in range(EVALUATIONS):
        planned[f"results/eval/e{i % 6}/pair_{i % 14}/seed_{i}.csv"] = (
            "evaluate_agent", dict(obj1="red_line_diag", obj2="yellow_gem", background="black", world_dim=5,
                                   colours={}, first_level=100000, num_levels=1000, seed=0, bf16="auto",
                                   device="auto", engine=ENGINE, code=CODE))
    for t in range(TABLES):
        planned[f"results/tables/e{t % 6}/pair_{t}.csv"] = (
            "aggregate_pair", dict(pairs={f"pair_{t}": ["red_line_diag", "yellow_gem"]}, seeds=list(range(100)),
                                   first_level=100000, num_levels=1000,
                                   bootstrap={"samples": 1000, "seed": 0}, code=CODE))
    return planned


def identity_check_seconds(repeats: int) -> tuple[float, int]:
    """(best wall time of identity.check over every paper result with a matching record, results checked)."""
    planned = paper_results()
    with tempfile.TemporaryDirectory() as folder:
        here = os.getcwd()
        os.chdir(folder)
        try:
            for result, (rule, params) in planned.items():
                Path(result).parent.mkdir(parents=True, exist_ok=True)
                Path(result).touch()
                identity.write_record(rule, params, INPUTS, [result])
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                remade, kept = identity.check(planned)
                best = min(best, time.perf_counter() - start)
                assert not remade and not kept
        finally:
            os.chdir(here)
    return best, len(planned)


def dry_run_seconds(cwd: Path, args: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "snakemake", *args, "--dry-run", "--nolock", "--cores", "1"],
                             cwd=cwd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if run.returncode != 0:
            raise SystemExit(f"snakemake {' '.join(args)} failed in {cwd}:\n{run.stderr[-2000:]}")
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also plan the whole paper (about a minute each)")
    parser.add_argument("--repo", type=Path, action="append", default=[], help="another checkout to time")
    parser.add_argument("--records", action="store_true", help="also time the identity check of every paper result")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty:
        (Path(empty) / "Snakefile").write_text('rule a:\n    output: "a"\n    shell: "touch a"\n')
        baseline = dry_run_seconds(Path(empty), ["a"], args.repeats)
    print("| checkout | empty Snakefile | `engine` at paper scale | minus empty | whole paper plan |")
    print("|---|---:|---:|---:|---:|")
    for repo in [REPO, *args.repo]:
        tiny = dry_run_seconds(repo, ["engine", "--config", "scale=paper"], args.repeats)
        full = (f"{dry_run_seconds(repo, ['figures/all', '--config', 'scale=paper', '--forceall'], 1):.1f} s"
                if args.full else "not run")
        print(f"| {repo} | {baseline:.2f} s | {tiny:.2f} s | {tiny - baseline:+.2f} s | {full} |")
    if args.records:
        seconds, count = identity_check_seconds(args.repeats)
        print(f"\nidentity check of {count:,} results, each with its record on disk: {seconds:.2f} s")


if __name__ == "__main__":
    main()
