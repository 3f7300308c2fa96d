"""How long Snakemake takes to parse the workflow and to plan it, against an empty Snakefile, side by side.

    .venv/bin/python benchmarks/parse_speed.py [--repeats 3] [--full] [--repo OTHER_CHECKOUT ...]

Times (best of `repeats`, wall clock) of `snakemake -n` for: an empty Snakefile (Snakemake's own start-up),
a tiny target of this workflow at paper scale (`engine`: parsing plus a near-empty plan), and with --full the
whole paper-scale plan (`figures/all --config scale=paper --forceall`). Each --repo (e.g. a checkout of an
older commit) is timed in the same run, so the figures compare on one machine at one moment.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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


if __name__ == "__main__":
    main()
