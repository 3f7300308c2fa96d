"""The paper's published results in the original's folder layout, found wherever they lie in the unpacked
record: evaluation CSVs `results-1000/<run>/<obj1>-<obj2>-final-model/<agent>/model_<N>.csv` and checkpoints `logs/train/maze_pure_yellowline/<run>/<agent>/model_<N>.pth`.
They are imported into our tables, and our evaluation of a published agent is compared with its CSV.
"""

import difflib
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workflow_scripts.metrics import aggregate, preference, read_results

# Anchored on the folder names the original wrote, not on where the archive puts them.
EVALUATION = re.compile(r"(?:^|/)(?P<run>[^/]+)/(?P<pair>[a-z0-9]+-(?:line|gem)-[a-z0-9]+-(?:line|gem))-final-model/"
                        r"(?P<agent>[^/]+)/model_(?P<step>\d+)\.csv$")
CHECKPOINT = re.compile(r"(?:^|/)(?P<run>[^/]+)/(?P<agent>[^/]*seed_\d+)/model_(?P<step>\d+)\.pth$")
TRAINING_LOG = re.compile(r"(?:^|/)(?P<run>[^/]+)/(?P<agent>[^/]*seed_\d+)/log-append\.csv$")
# The original's log-append.csv columns that our learning curves draw, as our log names them.
LOG_COLUMNS = {"mean_episode_len": "mean_episode_length", "mean_episode_rewards": "mean_episode_reward"}
INDEX_COLUMNS = ["kind", "run", "pair", "agent", "step", "path"]
EXPECTED = ("results-1000/<run>/<obj1>-<obj2>-final-model/<agent>/model_<N>.csv, e.g. "
            "results-1000/maze-5x5/red-line-yellow-gem-final-model/2023-02-10__09-48-21__seed_8998/model_5046272.csv")


class LayoutError(ValueError):
    """The published files are not where the original's conventions put them."""


def describe(root: Path, files: Sequence[Path], shown: int = 25) -> str:
    """What a folder holds, for an error message: file types, top folders and a few paths."""
    if not files:
        return f"{root} holds no files"
    kinds = Counter(p.suffix or "(no suffix)" for p in files)
    tops = Counter(p.relative_to(root).parts[0] for p in files)
    lines = [f"{root} holds {len(files)} files",
             "by type: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
             "by top folder: " + ", ".join(f"{k} {n}" for k, n in tops.most_common(12)),
             f"first {min(shown, len(files))}:"]
    return "\n".join(lines + [f"  {p.relative_to(root)}" for p in files[:shown]])


def find_published(root: str | Path) -> pd.DataFrame:
    """One row per agent's final evaluation CSV of each (run, pair), per agent's final checkpoint of each
    run and per agent's training log under root (kind 'evaluation', 'checkpoint' or 'log'); final = the
    largest step, as the original chose."""
    root = Path(root)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    rows = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        if m := EVALUATION.search(rel):
            rows.append(("evaluation", m["run"], m["pair"], m["agent"], int(m["step"]), str(path)))
        elif m := CHECKPOINT.search(rel):
            rows.append(("checkpoint", m["run"], "", m["agent"], int(m["step"]), str(path)))
        elif m := TRAINING_LOG.search(rel):
            rows.append(("log", m["run"], "", m["agent"], 0, str(path)))
    found = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    if not (found["kind"] == "evaluation").any():
        raise LayoutError(f"no published evaluation results in the original's layout ({EXPECTED}) under "
                          f"{root}.\n{describe(root, files)}")
    final = found.sort_values(["step", "path"]).groupby(["kind", "run", "pair", "agent"], as_index=False).last()
    return final[INDEX_COLUMNS].sort_values(["kind", "run", "pair", "agent"], ignore_index=True)


def read_index(path: str | Path) -> pd.DataFrame:
    """An index written by find_published (checkpoints have an empty pair, which must stay a string)."""
    return pd.read_csv(path, keep_default_na=False, dtype={"pair": str, "run": str, "agent": str})


def _nearest(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
    return f"closest: {', '.join(close)}" if close else f"{len(known)} known, e.g. {', '.join(sorted(known)[:3])}"


def unknown_names(index: pd.DataFrame, blacklist: Collection[str], runs: Mapping[str, str],
                  agents: Collection[tuple[str, str]]) -> list[str]:
    """What config entries name that the record lacks, one line each with the closest names found: agents of
    `published.blacklist` (any run), each experiment's `published_run` ({experiment: run}), and agents named
    elsewhere ((config key, agent), e.g. published.gifs)."""
    problems = []
    all_agents, all_runs = set(index["agent"]), set(index["run"])
    for agent in blacklist:
        if agent not in all_agents:
            problems.append(f"published.blacklist: no agent {agent!r} in the record ({_nearest(agent, all_agents)})")
    for experiment, run in runs.items():
        if run not in all_runs:
            problems.append(f"experiments.{experiment}.published_run: no run {run!r} in the record "
                            f"({_nearest(run, all_runs)})")
    for key, agent in agents:
        if agent not in all_agents:
            problems.append(f"{key}: no agent {agent!r} in the record ({_nearest(agent, all_agents)})")
    return problems


def _runs(index: pd.DataFrame, kind: str) -> list[str]:
    return sorted(index.loc[index["kind"] == kind, "run"].unique())


def published_results(index: pd.DataFrame, run: str, pair: str) -> dict[str, str]:
    """{agent: final evaluation CSV} of a run's agents on a pair, in name order (the original's order)."""
    rows = index[(index["kind"] == "evaluation") & (index["run"] == run) & (index["pair"] == pair)]
    return dict(zip(rows["agent"], rows["path"]))


def import_experiment(index: pd.DataFrame, run: str, pairs: Mapping[str, Sequence[str]],
                      blacklist: Collection[str] = (), bootstrap_samples: int = 1000,
                      bootstrap_seed: int = 0, expected_levels: Sequence[int] | None = None) -> pd.DataFrame:
    """Our table of one experiment from the published CSVs of its run: every agent with results for a
    pair, in name order (the original's); agents on the blacklist are marked. CSVs with other than
    `expected_levels` levels (our test levels), or with levels outside them, are kept as published, each with
    a warning."""
    if run not in _runs(index, "evaluation"):
        raise LayoutError(f"the published results have no run {run!r}; runs found: {_runs(index, 'evaluation')}")
    evaluations = index[(index["kind"] == "evaluation") & (index["run"] == run)]
    missing = [p for p in pairs if p not in set(evaluations["pair"])]
    if missing:
        raise LayoutError(f"run {run!r} has no published results for the pairs {missing}; its pairs: "
                          f"{sorted(evaluations['pair'].unique())}. Remove them from the experiment's pairs.")
    csvs = {(agent, pair): path for pair in pairs for agent, path in published_results(index, run, pair).items()}
    return aggregate(csvs, pairs, bootstrap_samples, bootstrap_seed, blacklist, expected_levels=expected_levels)


def published_agents(index: pd.DataFrame, run: str, pair: str, count: int) -> dict[str, str]:
    """{agent: final checkpoint} of the first `count` agents in name order that have both a published CSV
    for the pair and a checkpoint."""
    evaluated = set(published_results(index, run, pair))
    checkpoints = index[(index["kind"] == "checkpoint") & (index["run"] == run)]
    usable = checkpoints[checkpoints["agent"].isin(evaluated)].sort_values("agent").head(count)
    if usable.empty:
        raise LayoutError(f"no published checkpoint of run {run!r} belongs to an agent with results for {pair!r}; "
                          f"checkpoints were found for the runs {_runs(index, 'checkpoint')}. Does "
                          f"published.files include the record's trained models?")
    return dict(zip(usable["agent"], usable["path"]))


def lacks(index: pd.DataFrame, run: str, kind: str, agents: Collection[str] | None = None) -> str:
    """Why the record cannot make a product that needs its `kind` files ("checkpoint" or "log") of a run, or
    of some of its agents; "" when it can. A record fetched without its models (published.files) has
    neither, and only the products that need them are left out."""
    rows = index[(index["kind"] == kind) & (index["run"] == run)]
    if agents is not None:
        rows = rows[rows["agent"].isin(agents)]
    if not rows.empty:
        return ""
    what = {"checkpoint": "trained models", "log": "training logs"}[kind]
    whose = f"of run {run!r}" if agents is None else f"of agent {', '.join(sorted(agents)) or '(none)'} in run {run!r}"
    return f"the published record has no {what} {whose} (published.files selects what is fetched)"


def published_logs(index: pd.DataFrame, run: str) -> dict[str, str]:
    """{agent: log-append.csv} of a run's agents, in name order; an error when the record has none."""
    rows = index[(index["kind"] == "log") & (index["run"] == run)].sort_values("agent")
    if rows.empty:
        raise LayoutError(f"no published training log (<run>/<agent>/log-append.csv) of run {run!r}; logs were "
                          f"found for the runs {_runs(index, 'log')}. Does published.files include the trained models?")
    return dict(zip(rows["agent"], rows["path"]))


def read_training_log(path: str | Path) -> pd.DataFrame:
    """A published log-append.csv as our training log's columns (timesteps, mean_episode_length,
    mean_episode_reward): the original's means over its 40-episode buffer, the last row of
    a timestep logged twice (an appended, resumed run); an error names the file and the missing columns."""
    log = pd.read_csv(path)
    if missing := [c for c in ("timesteps", *LOG_COLUMNS) if c not in log.columns]:
        raise ValueError(f"{path}: not the original's log-append.csv: no column {', '.join(missing)}")
    log = log.rename(columns=LOG_COLUMNS)[["timesteps", *LOG_COLUMNS.values()]]
    return log.drop_duplicates("timesteps", keep="last").sort_values("timesteps", ignore_index=True)


def published_checkpoint(index: pd.DataFrame, run: str, agent: str) -> str:
    """The final checkpoint of one agent of a published run; an error names the run's agents."""
    checkpoints = index[(index["kind"] == "checkpoint") & (index["run"] == run)]
    found = checkpoints.loc[checkpoints["agent"] == agent, "path"]
    if found.empty:
        agents = sorted(checkpoints["agent"])
        raise LayoutError(f"no published checkpoint of agent {agent!r} in run {run!r}; its {len(agents)} agents "
                          f"with checkpoints: {', '.join(agents[:20])}{' ...' if len(agents) > 20 else ''}")
    return found.iloc[0]


def _z(diff: float, se: float) -> float:
    """A two-sample z statistic: 0 for identical samples without spread, NaN where undefined."""
    if np.isnan(diff) or np.isnan(se):
        return float("nan")
    if se == 0:
        return 0.0 if diff == 0 else float(np.copysign(np.inf, diff))
    return float(diff / se)


def _summary(table: pd.DataFrame) -> dict[str, float]:
    """Counts, preference, mean episode length and its standard error of one evaluation."""
    rewards, steps = table["reward"].to_numpy(), table["steps"].to_numpy()
    obj1, decided = int(np.sum(rewards == 10)), int(np.sum(rewards != 0))
    return {"obj1": obj1, "decided": decided, "preference": preference(rewards), "mean": float(steps.mean()),
            "se": float(steps.std(ddof=1) / np.sqrt(len(steps)))}


def compare_agent(published: pd.DataFrame, ours: pd.DataFrame) -> dict[str, float]:
    """One agent on one pair, the published CSV's episodes against ours on the same levels: preferences,
    mean lengths, their two-sample z statistics (pooled proportions; Welch), and the share of levels where
    both ended the same way."""
    a, b = _summary(published), _summary(ours)
    pref_se = float("nan")
    if a["decided"] and b["decided"]:
        pooled = (a["obj1"] + b["obj1"]) / (a["decided"] + b["decided"])
        pref_se = np.sqrt(pooled * (1 - pooled) * (1 / a["decided"] + 1 / b["decided"]))
    same = published.merge(ours, on="seed", suffixes=("_published", "_ours"))
    return {
        "preference_published": a["preference"], "preference_ours": b["preference"],
        "preference_z": _z(b["preference"] - a["preference"], pref_se),
        "capability_published": a["mean"], "capability_ours": b["mean"],
        "capability_se_published": a["se"], "capability_se_ours": b["se"],
        "capability_z": _z(b["mean"] - a["mean"], np.hypot(a["se"], b["se"])),
        "decided_published": a["decided"], "decided_ours": b["decided"],
        "same_outcome": float(np.mean(same["reward_published"] == same["reward_ours"])), "levels": len(same),
    }


def comparison_table(csvs: Mapping[str, tuple[str | Path, str | Path]]) -> pd.DataFrame:
    """One row per agent from {agent: (published CSV, our CSV)}; both must cover the same levels."""
    rows = []
    for agent, (published_csv, our_csv) in csvs.items():
        published, ours = read_results(published_csv), read_results(our_csv)
        if sorted(published["seed"]) != sorted(ours["seed"]):
            raise ValueError(f"agent {agent}: {published_csv} and {our_csv} cover different levels")
        rows.append({"agent": agent, **compare_agent(published, ours)})
    return pd.DataFrame(rows)
