"""A small synthetic Zenodo record in the original's layout (paper.md §4.1, training.md §1.5-1.6), and a
stand-in for zenodo_get.download that serves it, for tests that must not touch the network."""

import hashlib
import io
import json
import shutil
import tarfile
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from workflow_scripts.agent import new_policy

RUN = "maze-5x5"
FINAL_STEP = 5046272
BLACKLISTED = "2023-02-10__09-48-21__seed_8998"
AGENTS = ["2023-01-05__10-00-00__seed_17", BLACKLISTED, "2023-02-11__08-30-00__seed_42", "2023-03-01__12-00-00__seed_7"]
PAIRS = {"red-line-yellow-gem": ("red_line_diag", "yellow_gem"),
         "green-line-red-line": ("green_line_diag", "red_line_diag"),
         "yellow-gem-red-line": ("yellow_gem", "red_line_diag"),
         # The other 7 line colours against yellow gem: the full design of the colour-channel analysis.
         **{f"{c}-line-yellow-gem": (f"{c}_line_diag", "yellow_gem")
            for c in ("black", "blue", "cyan", "green", "purple", "white", "yellow")}}
# The original's log-append.csv columns (training.md §4).
LOG_COLUMNS = ["timesteps", "wall_time", "fps", "current_fps", "num_episodes", "max_episode_rewards",
               "mean_episode_rewards", "min_episode_rewards", "max_episode_len", "mean_episode_len", "min_episode_len",
               "mean_timeouts", "val_max_episode_rewards", "val_mean_episode_rewards", "val_min_episode_rewards",
               "val_max_episode_len", "val_mean_episode_len", "val_min_episode_len", "val_mean_timeouts"]
LOG_ITERATIONS = 5


def original_checkpoint(path: Path, seed: int) -> None:
    """A checkpoint as the original saved it: exactly the two keys, an Adam state after some steps."""
    torch.manual_seed(seed)
    policy = new_policy()
    optimizer = torch.optim.Adam(policy.parameters(), lr=5e-4, eps=1e-5)
    policy(torch.rand(2, 3, 64, 64))[1].sum().backward()
    optimizer.step()
    buffer = io.BytesIO()
    torch.save({"model_state_dict": policy.state_dict(), "optimizer_state_dict": optimizer.state_dict()}, buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def outcomes(agent: int, pair: int, levels: range) -> pd.DataFrame:
    """Made-up episodes of one agent on one pair: rewards +10/-10/0 and lengths, different per agent."""
    rng = np.random.default_rng(100 * agent + pair)
    reward = rng.choice([10.0, -10.0, 0.0], size=len(levels), p=[0.2 + 0.15 * agent, 0.75 - 0.15 * agent, 0.05])
    steps = np.where(reward == 0, 500, rng.integers(2, 40, size=len(levels)))
    return pd.DataFrame({"seed": list(levels), "steps": steps, "reward": reward})


def training_log(agent: int) -> pd.DataFrame:
    """A made-up log-append.csv: 19 columns, one row per iteration, an empty buffer (NaN means) at first."""
    k = np.arange(1, LOG_ITERATIONS + 1)
    length = np.where(k == 1, np.nan, 200.0 / k + agent)
    reward = np.where(k == 1, np.nan, 10.0 - 10.0 / k)
    values = {c: np.zeros(len(k)) for c in LOG_COLUMNS}
    values.update(timesteps=65536 * k, wall_time=10.0 * k, mean_episode_len=length, mean_episode_rewards=reward,
                  max_episode_len=2 * np.nan_to_num(length), num_episodes=100 * k)
    return pd.DataFrame(values)[LOG_COLUMNS]


def build_record(folder: Path, levels: range, evaluate=None) -> dict[tuple[str, str], pd.DataFrame]:
    """Writes the record's files into folder: `results-1000.zip` (evaluation CSVs, and for one pair an
    earlier checkpoint's CSV beside each final one), `models.tar.gz` (two checkpoints per agent, obs.png and a log)
    and a loose README. `evaluate(checkpoint, obj1, obj2)` makes the red-line-yellow-gem CSVs from the
    agents themselves. Returns the final CSVs' tables by (agent, pair)."""
    tree = folder / "tree"
    results = tree / "results" / "train-procgen" / "experiments" / "results-1000" / RUN
    models = tree / "models" / "train-procgen" / "logs" / "train" / "maze_pure_yellowline" / RUN
    tables = {}
    for i, agent in enumerate(AGENTS):
        run_dir = models / agent
        original_checkpoint(run_dir / "model_0.pth", seed=1000 + i)
        original_checkpoint(run_dir / f"model_{FINAL_STEP}.pth", seed=i)
        training_log(i).to_csv(run_dir / "log-append.csv", index=False)
        (run_dir / "obs.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        for j, (pair, (obj1, obj2)) in enumerate(PAIRS.items()):
            out = results / f"{pair}-final-model" / agent
            out.mkdir(parents=True)
            if evaluate is not None and pair == "red-line-yellow-gem":
                table = evaluate(run_dir / f"model_{FINAL_STEP}.pth", obj1, obj2)
            else:
                table = outcomes(i, j, levels)
            table.to_csv(out / f"model_{FINAL_STEP}.csv", index=False)
            tables[(agent, pair)] = table
            (out / "seed-100000.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        # An earlier checkpoint's evaluation, which the original's notebooks passed over for the last one.
        outcomes(i, 9, levels).assign(reward=0.0, steps=500).to_csv(
            results / "red-line-yellow-gem-final-model" / agent / "model_1048576.csv", index=False)
    with zipfile.ZipFile(folder / "results-1000.zip", "w") as z:
        for path in sorted((tree / "results").rglob("*")):
            z.write(path, path.relative_to(tree / "results"))
    with tarfile.open(folder / "models.tar.gz", "w:gz") as t:
        t.add(tree / "models" / "train-procgen", arcname="train-procgen")
    (folder / "README.md").write_text("Trained models and evaluation results.\n")
    shutil.rmtree(tree)
    return tables


def md5_listing(folder: Path, patterns=()) -> str:
    lines = [f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(folder.iterdir())
             if p.is_file() and (not patterns or any(fnmatch(p.name, g) for g in patterns))]
    return "".join(lines)


class FakeZenodo:
    """Serves a folder as Zenodo record `record`, with zenodo_get.download's signature and behaviour for
    what we use: md5=True writes md5sums.txt of the matching files, otherwise it copies them. `calls`
    records every call (and `journal`, a file, too, for calls from other processes); `offline` makes it
    fail as zenodo_get does without a network."""

    def __init__(self, record: str, source: Path, offline: bool = False, journal: Path | None = None):
        self.record, self.source, self.offline, self.journal, self.calls = record, source, offline, journal, []

    def __call__(self, record=None, output_dir=".", md5=False, file_glob=(), **options):
        call = {"record": record, "md5": md5, "file_glob": list(file_glob)}
        self.calls.append(call)
        if self.journal is not None:
            with open(self.journal, "a") as f:
                f.write(json.dumps(call) + "\n")
        if self.offline:
            raise ConnectionError(f"Error fetching metadata for record {record} from "
                                  f"https://zenodo.org/api/records/{record}: [Errno -3] Temporary failure in name resolution")
        if record != self.record:
            raise ValueError(f"HTTP error fetching metadata for record {record}: 404 - NOT FOUND")
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        if md5:
            (out / "md5sums.txt").write_text(md5_listing(self.source, file_glob))
            return
        for path in sorted(self.source.iterdir()):
            if not file_glob or any(fnmatch(path.name, g) for g in file_glob):
                shutil.copyfile(path, out / path.name)
