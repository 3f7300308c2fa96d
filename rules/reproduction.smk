# Did it reproduce? (workflow_scripts/reproduction.py, docs/reproduction.md) Our agents (results/tables/,
# trained and evaluated here) against the published ones (results/published/tables/, imported from the record),
# whatever `source` says: `snakemake reproduction`, or figures/all with reproduction.in_figures_all. Nothing
# here is planned otherwise, so the main job never needs the record. Comparisons take seconds to minutes: on a
# cluster they run on the submitting host (localrule).


rule reproduction_compare:
    input:
        ours="results/tables/{experiment}.csv",
        published=lambda wc: RECORD.compared_table(wc.experiment, PLAN.reproduction[wc.experiment]),
        code=INPUTS.job_code("reproduction_compare"),
    output:
        pairs=report("results/reproduction/{experiment}/pairs.csv", caption="../report/reproduction_pairs.rst",
                     category="{experiment}", subcategory="Reproduction", labels={"table": "pair verdicts"}),
        claims="results/reproduction/{experiment}/claims.csv",
    params:
        margin=config["reproduction"]["margin"],
        alpha=config["reproduction"]["alpha"],
        min_effect=config["analysis"]["channel_min_effect"],
        outlier_alpha=config["analysis"]["outlier_alpha"],
        code=INPUTS.code_version("reproduction_compare"),
    localrule: True
    log:
        "results/logs/reproduction/{experiment}/compare.log",
    script:
        "../workflow_scripts/jobs/reproduction_compare.py"


rule reproduction_figures:
    input:
        ours="results/tables/{experiment}.csv",
        published=lambda wc: RECORD.compared_table(wc.experiment, PLAN.reproduction[wc.experiment]),
        pairs="results/reproduction/{experiment}/pairs.csv",
        claims="results/reproduction/{experiment}/claims.csv",
        code=INPUTS.job_code("reproduction_figures"),
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
        title=lambda wc: f"{wc.experiment} vs published {PLAN.comparison_info(wc.experiment)['run']}",
        columns=config["figures"]["summary_columns"],
        code=INPUTS.code_version("reproduction_figures"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/reproduction.log",
    script:
        "../workflow_scripts/jobs/reproduction_figures.py"


rule reproduction_summary:
    input:
        ours=[f"results/tables/{e}.csv" for e in PLAN.reproduction],
        published=[f"results/published/tables/{t}.csv" for t in PLAN.reproduction.values()],
        pairs=[f"{layout.REPRODUCTION_DIR}/{e}/pairs.csv" for e in PLAN.reproduction],
        claims=[f"{layout.REPRODUCTION_DIR}/{e}/claims.csv" for e in PLAN.reproduction],
        code=INPUTS.job_code("reproduction_summary"),
    output:
        report(layout.REPRODUCTION_SUMMARY, caption="../report/reproduction_summary.rst", category="Reproduction"),
    params:
        experiments=list(PLAN.reproduction),
        comparisons=PLAN.comparisons(),
        margin=config["reproduction"]["margin"],
        alpha=config["reproduction"]["alpha"],
        # {experiment: its results of another identity kept with --touch}, which the summary names.
        kept=lambda wc: {e: GUARD.kept_under(e) for e in PLAN.reproduction},
        code=INPUTS.code_version("reproduction_summary"),
    localrule: True
    log:
        "results/logs/reproduction/summary.log",
    script:
        "../workflow_scripts/jobs/reproduction_summary.py"
