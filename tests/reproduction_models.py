"""Populations of agents from stated models, for the reproduction's error-rate tests and benchmark: experiment
tables (metrics.aggregate's columns) whose agents' true preferences are drawn from a known distribution, and
whose episodes are drawn from those preferences, independently of the code under test."""

from collections.abc import Callable

import numpy as np
import pandas as pd

from workflow_scripts.objects import channel_bits

Preferences = Callable[[np.random.Generator, int], np.ndarray]


def population(rng: np.random.Generator, preferences: np.ndarray, pair: str = "red-line-yellow-gem",
               obj: tuple[str, str] = ("red_line_diag", "yellow_gem"), levels: int = 1000,
               timeout: float = 0.02, log_length: tuple[float, float] = (1.6, 0.3), name: str = "a") -> pd.DataFrame:
    """An experiment table of one pair: agent i prefers obj1 with probability preferences[i]; each of its
    `levels` episodes times out with probability `timeout`, else ends at obj1 with that probability; its mean
    episode length is log-normal."""
    preferences = np.asarray(preferences, float)
    timeouts = rng.binomial(levels, timeout, size=len(preferences))
    decided = levels - timeouts
    obj1 = rng.binomial(decided, preferences)
    with np.errstate(invalid="ignore"):
        share = np.where(decided > 0, obj1 / np.maximum(decided, 1), np.nan)
    return pd.DataFrame({"agent": [f"{name}{i}" for i in range(len(preferences))], "pair": pair, "obj1": obj[0],
                         "obj2": obj[1], "preference": share, "preference_low": share, "preference_high": share,
                         "capability": np.exp(rng.normal(*log_length, size=len(preferences))),
                         "median_length": 5.0, "timeout_rate": timeouts / levels, "n_obj1": obj1,
                         "n_obj2": decided - obj1, "n_timeout": timeouts, "n_levels": levels, "blacklisted": False})


def beta(a: float, b: float, shift: float = 0.0) -> Preferences:
    """Preferences Beta(a, b), moved by `shift` and clipped to [0, 1]."""
    return lambda rng, agents: np.clip(rng.beta(a, b, size=agents) + shift, 0.0, 1.0)


def channel_weights(rng: np.random.Generator, agents: int, red_share: float = 0.5,
                    weight: float = 6.0) -> np.ndarray:
    """Agents that detect the goal through one channel each, chosen at random per agent as the paper found:
    red with probability `red_share`, else green; rows (w0, wR, wG, wB) with a random bias, a strong weight
    on the chosen channel and small random weights on the others."""
    w = np.column_stack([rng.normal(-weight / 2, 1.0, agents), rng.normal(0.0, 0.5, (agents, 3))])
    red = rng.random(agents) < red_share
    w[red, 1] += weight
    w[~red, 2] += weight
    return w


def channel_table(rng: np.random.Generator, weights: np.ndarray, name: str, levels: int = 1000) -> pd.DataFrame:
    """All 8 lines against the yellow gem for agents of known channel weights: agent i picks a line of bits
    (r, g, b) with probability logistic(w_i0 + w_i . bits)."""
    frames = []
    for line, bits in channel_bits().items():
        logits = weights[:, 0] + weights[:, 1:] @ np.asarray(bits, float)
        frames.append(population(rng, 1 / (1 + np.exp(-logits)), pair=f"{line.split('_')[0]}-line-yellow-gem",
                                 obj=(line, "yellow_gem"), levels=levels, name=name))
    return pd.concat(frames, ignore_index=True)


# ----- experiments: both sides drawn, compared, each kind of row's verdict kept ----------------------------

ROW_KINDS = ("pair preference", "pair mean test", "pair distribution test", "pair capability",
             "all classes", "any class row", "any ICC row", "outliers")


def pair_kinds(pairs: pd.DataFrame, alpha: float) -> dict[str, float]:
    """Share of an experiment's pairs that read differs, per kind of pair row (the two tests alone each at the
    alpha / 2 they are read at)."""
    return {"pair preference": float((pairs["verdict"] == "differs").mean()),
            "pair mean test": float((pairs["p_mean"] < alpha / 2).mean()),
            "pair distribution test": float((pairs["p_distribution"] < alpha / 2).mean()),
            "pair capability": float((pairs["cap_verdict"] == "differs").mean())}


def claim_kinds(claims: pd.DataFrame) -> dict[str, float]:
    """Whether each claim family of an experiment reads differs anywhere (1.0) or not (0.0); NaN where the
    experiment has no such row."""
    differs = claims["verdict"] == "differs"
    whole = claims["item"].str.startswith("all classes")
    classes = (claims["claim"] == "channel classes") & ~whole
    icc = claims["claim"] == "seed variation (ICC)"
    outliers = claims["claim"] == "outliers"
    return {kind: float(differs[rows].any()) if rows.any() else float("nan")
            for kind, rows in (("all classes", whole), ("any class row", classes), ("any ICC row", icc),
                               ("outliers", outliers))}


def null_experiment(model: str, n_ours: int, n_published: int, seed: int, permutations: int = 999,
                    outlier_alpha: float = 0.01, claims: tuple[str, ...] = (), alpha: float = 0.05,
                    levels: int = 1000) -> dict[str, float]:
    """One experiment with both sides drawn from one population: `split` (one pair, preferences Beta(0.5,
    0.5), the paper's seeds split between the objects) or `channel` (the 8 lines against the yellow gem,
    channel_weights agents); the share of pair rows that read differs per kind, and the `claims` families'."""
    from workflow_scripts.reproduction import compare_claims, compare_populations

    rng = np.random.default_rng(seed)
    if model == "split":
        ours = population(rng, beta(0.5, 0.5)(rng, n_ours), levels=levels)
        published = population(rng, beta(0.5, 0.5)(rng, n_published), levels=levels, name="b")
    elif model == "channel":
        ours = channel_table(rng, channel_weights(rng, n_ours), "a", levels)
        published = channel_table(rng, channel_weights(rng, n_published), "b", levels)
    else:
        raise ValueError(f"unknown model {model!r}")
    result = pair_kinds(compare_populations(ours, published, alpha=alpha, permutations=permutations, seed=seed), alpha)
    if claims:
        result.update(claim_kinds(compare_claims(ours, published, alpha=alpha, outlier_alpha=outlier_alpha,
                                                 permutations=permutations, seed=seed, claims=claims)))
    return result


def power_experiment(scenario: str, seed: int, agents: int = 100, permutations: int = 999,
                     alpha: float = 0.05) -> dict[str, object]:
    """One experiment of a real difference (or, for `same`, none), `agents` a side: the verdicts that the
    scenario is about.
    - `shift`: a mean preference 0.15 higher, split populations Beta(0.5, 0.5) against Beta(0.65, 0.35);
    - `icc`: ICC 0.1 against 0.3 (Beta(4.5, 4.5) against Beta(7/6, 7/6) preferences, mean 0.5);
    - `class`: one channel class at 30% against 10% (green-reliant agents, the rest red-reliant);
    - `same`: one concentrated population (Beta(8, 8)) on both sides, whose pair should read reproduced."""
    from workflow_scripts.reproduction import compare_claims, compare_populations

    rng = np.random.default_rng(seed)
    if scenario in ("shift", "icc", "same"):
        a, b = {"shift": ((0.65, 0.35), (0.5, 0.5)), "icc": ((4.5, 4.5), (7 / 6, 7 / 6)),
                "same": ((8, 8), (8, 8))}[scenario]
        ours, published = population(rng, rng.beta(*a, agents)), population(rng, rng.beta(*b, agents), name="b")
        pair = compare_populations(ours, published, alpha=alpha, permutations=permutations, seed=seed).iloc[0]
        if scenario != "icc":
            return {"verdict": pair["verdict"]}
        claims = compare_claims(ours, published, alpha=alpha, permutations=permutations, seed=seed,
                                claims=("seed variation (ICC)",))
        return {"verdict": claims["verdict"].iloc[0]}
    if scenario == "class":
        ours = channel_table(rng, channel_weights(rng, agents, red_share=0.7), "a")
        published = channel_table(rng, channel_weights(rng, agents, red_share=0.9), "b")
        claims = compare_claims(ours, published, alpha=alpha, permutations=permutations, seed=seed,
                                claims=("channel classes",)).set_index("item")
        green = claims.loc["+G vs yellow_gem"] if "+G vs yellow_gem" in claims.index else None
        return {"verdict": claims.loc["all classes vs yellow_gem", "verdict"],
                "class row": green["verdict"] if green is not None else "inconclusive"}
    raise ValueError(f"unknown scenario {scenario!r}")
