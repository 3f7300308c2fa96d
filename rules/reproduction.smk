# Did it reproduce? (workflow_scripts/reproduction.py, README "Did it reproduce?") Our agents (results/tables/,
# trained and evaluated here) against the published ones (results/published/tables/, imported from the record),
# whatever `source` says: `snakemake reproduction`, or figures/all with reproduction.in_figures_all. Nothing
# here is planned otherwise, so the main job never needs the record. Comparisons take seconds to minutes: on a
# cluster they run on the submitting host (localrule).
from workflow_scripts.published_plan import published_index

REPRODUCTION_DIR = "results/reproduction"
REPRODUCTION_SUMMARY = f"{REPRODUCTION_DIR}/summary.md"
REPRODUCTION_FIGURES = ("preferences", "forest", "claims")


def _published_experiment(run):
    """The first configured experiment (in config order) whose published_run is `run`: its published table
    holds the run's agents on that experiment's pairs (config_check makes sure there is one)."""
    return next(e for e, exp in EXPERIMENTS.items() if exp.get("published_run") == run)


def reproduction_comparisons():
    """{our experiment: the experiment whose published table it is compared with}: every experiment of `scale`
    with a published_run against its own, and every reproduction.against entry of that scale (entries of other
    scales are skipped, as figures.ols's are)."""
    ours = [e for e, exp in EXPERIMENTS.items() if exp["scale"] == config["scale"]]
    compared = {e: e for e in ours if "published_run" in EXPERIMENTS[e]}
    for experiment, run in config["reproduction"]["against"].items():
        if experiment in ours:
            compared[experiment] = _published_experiment(run)
    return compared


REPRODUCTION = reproduction_comparisons()


def compared_table(wc):
    """The published table that {experiment} is compared with. Its run is checked against the record once the
    record is indexed, as the runs of the active experiments are (workflow_scripts/published_plan.py)."""
    from workflow_scripts.published import unknown_names

    theirs = REPRODUCTION[wc.experiment]
    run = EXPERIMENTS[theirs]["published_run"]
    problems = unknown_names(published_index(checkpoints, config, ACTIVE), [], {theirs: run}, [])
    if problems:
        raise ValueError(f"reproduction of {wc.experiment!r}: " + "; ".join(problems))
    return f"results/published/tables/{theirs}.csv"


def _setup(experiment):
    """What an experiment's agents were trained with, for the summary's caveats."""
    exp = EXPERIMENTS[experiment]
    return {key: exp[key] for key in ("goal", "background", "world_dim", "timesteps", "ppo")} | {
        "overrides": exp.get("overrides", {})}


def comparison_info(experiment):
    """What the summary says of one comparison: the published run, whether it is like-for-like (the run is the
    experiment's own published_run) and both training setups."""
    theirs = REPRODUCTION[experiment]
    run = EXPERIMENTS[theirs]["published_run"]
    return {"published_experiment": theirs, "run": run,
            "like_for_like": EXPERIMENTS[experiment].get("published_run") == run,
            "ours": _setup(experiment), "published": _setup(theirs)}


rule reproduction_compare:
    input:
        ours="results/tables/{experiment}.csv",
        published=compared_table,
        code=job_code("reproduction_compare"),
    output:
        pairs=report("results/reproduction/{experiment}/pairs.csv", caption="../report/reproduction_pairs.rst",
                     category="{experiment}", subcategory="Reproduction", labels={"table": "pair verdicts"}),
        claims="results/reproduction/{experiment}/claims.csv",
    params:
        margin=config["reproduction"]["margin"],
        alpha=config["reproduction"]["alpha"],
        min_effect=config["analysis"]["channel_min_effect"],
        outlier_alpha=config["analysis"]["outlier_alpha"],
        code=code_version("reproduction_compare"),
    localrule: True
    log:
        "results/logs/reproduction/{experiment}/compare.log",
    script:
        "../workflow_scripts/jobs/reproduction_compare.py"


rule reproduction_figures:
    input:
        ours="results/tables/{experiment}.csv",
        published=compared_table,
        pairs="results/reproduction/{experiment}/pairs.csv",
        claims="results/reproduction/{experiment}/claims.csv",
        code=job_code("reproduction_figures"),
    output:
        preferences_png=report("figures/{experiment}/reproduction/preferences.png",
                               caption="../report/reproduction_preferences.rst", category="{experiment}",
                               subcategory="Reproduction", labels={"figure": "preferences, ours vs published"}),
        preferences_pdf="figures/{experiment}/reproduction/preferences.pdf",
        forest_png=report("figures/{experiment}/reproduction/forest.png", caption="../report/reproduction_forest.rst",
                          category="{experiment}", subcategory="Reproduction", labels={"figure": "differences"}),
        forest_pdf="figures/{experiment}/reproduction/forest.pdf",
        claims_png=report("figures/{experiment}/reproduction/claims.png", caption="../report/reproduction_claims.rst",
                          category="{experiment}", subcategory="Reproduction", labels={"figure": "claims"}),
        claims_pdf="figures/{experiment}/reproduction/claims.pdf",
    params:
        margin=config["reproduction"]["margin"],
        alpha=config["reproduction"]["alpha"],
        title=lambda wc: f"{wc.experiment} vs published {comparison_info(wc.experiment)['run']}",
        columns=config["figures"]["summary_columns"],
        code=code_version("reproduction_figures"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/reproduction.log",
    script:
        "../workflow_scripts/jobs/reproduction_figures.py"


rule reproduction_summary:
    input:
        ours=[f"results/tables/{e}.csv" for e in REPRODUCTION],
        published=[f"results/published/tables/{t}.csv" for t in REPRODUCTION.values()],
        pairs=[f"{REPRODUCTION_DIR}/{e}/pairs.csv" for e in REPRODUCTION],
        claims=[f"{REPRODUCTION_DIR}/{e}/claims.csv" for e in REPRODUCTION],
        code=job_code("reproduction_summary"),
    output:
        report(REPRODUCTION_SUMMARY, caption="../report/reproduction_summary.rst", category="Reproduction"),
    params:
        experiments=list(REPRODUCTION),
        comparisons=experiments.canonical({e: comparison_info(e) for e in REPRODUCTION}),
        margin=config["reproduction"]["margin"],
        alpha=config["reproduction"]["alpha"],
        # {experiment: its results of another identity kept with --touch}, which the summary names.
        kept=lambda wc: {e: GUARD.kept_under(e) for e in REPRODUCTION},
        code=code_version("reproduction_summary"),
    localrule: True
    log:
        "results/logs/reproduction/summary.log",
    script:
        "../workflow_scripts/jobs/reproduction_summary.py"
