"""Time from the published record on disk to every paper figure: a synthetic record of the paper's size
(the six published runs, 100 agents each, every pair of config.yaml, 1,000 levels per CSV) in the original's
layout, zipped as one archive with its checksum list in place, as after a download; then
`snakemake figures/all --config source=zenodo` (unpack, index, import, 83 scatter plots, summaries, OLS,
icons, illustrations), timed as a whole. No network, and no agents (so no comparison and no GIFs).

Usage: python benchmarks/published_figures.py [--agents 100] [--cores 2]
"""

import argparse
import hashlib
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workflow_scripts.objects import short_name  # noqa: E402


def write_record(folder: Path, config: dict, agents: int, levels: int) -> int:
    """The zipped results-1000 tree of every published run and pair; returns the number of CSVs."""
    rng = np.random.default_rng(0)
    seeds = np.arange(100_000, 100_000 + levels)
    count = 0
    with zipfile.ZipFile(folder / "results-1000.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        for exp in config["experiments"].values():
            if "published_run" not in exp:
                continue
            for obj1, obj2 in exp["pairs"]:
                pair = f"{short_name(obj1)}-{short_name(obj2)}"
                for a in range(agents):
                    p = rng.uniform(0.05, 0.95)
                    reward = rng.choice([10.0, -10.0, 0.0], size=levels, p=[0.98 * p, 0.98 * (1 - p), 0.02])
                    steps = np.where(reward == 0, 500, rng.integers(2, 30, size=levels))
                    csv = pd.DataFrame({"seed": seeds, "steps": steps, "reward": reward}).to_csv(index=False)
                    agent = f"2023-01-01__00-00-{a:02d}__seed_{a}"
                    z.writestr(f"results-1000/{exp['published_run']}/{pair}-final-model/{agent}/model_5046272.csv", csv)
                    count += 1
    md5 = hashlib.md5((folder / "results-1000.zip").read_bytes()).hexdigest()
    (folder / "record.md5").write_text(f"{md5}  results-1000.zip\n")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--levels", type=int, default=1000)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config.update(source="zenodo")
    config["published"].update(files=["results-1000.zip"], compare=[], gifs=[])
    work = Path(tempfile.mkdtemp(prefix="published-figures-"))
    record = work / "resources" / "zenodo" / config["published"]["record"]
    record.mkdir(parents=True)
    start = time.perf_counter()
    csvs = write_record(record, config, args.agents, args.levels)
    built = time.perf_counter() - start
    for name in ("workflow_scripts", "cpp"):
        (work / name).symlink_to(REPO / name)
    (work / "results").mkdir()
    (work / "results" / "engine").symlink_to(REPO / "results" / "engine")
    (work / "config.yaml").write_text(yaml.safe_dump(config))

    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(work),
                          "--cores", str(args.cores), "figures/all"], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(run.stdout[-3000:] + run.stderr[-3000:])
    jobs = Counter(re.findall(r"^(?:local)?(?:rule|checkpoint) (\w+):", run.stdout + run.stderr, re.M))
    size = (record / "results-1000.zip").stat().st_size / 2**20
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"record: {csvs} CSVs of {args.levels} levels in a {size:.0f} MiB zip (built in {built:.0f} s)")
    print("jobs: " + ", ".join(f"{rule} {n}" for rule, n in sorted(jobs.items())))
    print(f"snakemake figures/all --config source=zenodo: {wall:.0f} s wall with --cores {args.cores}")
    print(f"figures listed: {len((work / 'figures' / 'all').read_text().splitlines())}; work folder {work}")


if __name__ == "__main__":
    main()
