# The paper's three claims as numbers (workflow_scripts/analysis.py, docs/analyses.md): colour channels,
# variation across seeds and outliers, from the same tables as the figures (ours or the published ones).
# Tables under results/analysis/<experiment>/, figures under figures/<experiment>/analysis/; all take
# seconds, so on a cluster they run on the submitting host (localrule).


rule analysis_outliers_pair:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment, wc.pair),
        code=INPUTS.job_code("analysis_outliers_pair"),
    output:
        "results/analysis/{experiment}/outliers/{pair}.csv",
    params:
        alpha=config["analysis"]["outlier_alpha"],
        code=INPUTS.code_version("analysis_outliers_pair"),
    localrule: True
    log:
        "results/logs/analysis/{experiment}/outliers/{pair}.log",
    script:
        "../workflow_scripts/jobs/analysis_outliers_pair.py"


rule analysis_outliers:
    input:
        tables=lambda wc: [layout.outlier_table(wc.experiment, p) for p in PLAN.pairs(wc.experiment)],
        code=INPUTS.job_code("analysis_outliers"),
    output:
        flags="results/analysis/{experiment}/outliers.csv",
        agents=report("results/analysis/{experiment}/outlier-agents.csv", caption="../report/outliers.rst",
                      category="{experiment}", subcategory="Analyses", labels={"table": "outlier agents"}),
    params:
        code=INPUTS.code_version("analysis_outliers"),
    localrule: True
    log:
        "results/logs/analysis/{experiment}/outliers.log",
    script:
        "../workflow_scripts/jobs/analysis_outliers.py"


rule analysis_seed_variation:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment),
        code=INPUTS.job_code("analysis_seed_variation"),
    output:
        "results/analysis/{experiment}/seed-variation.csv",
    params:
        code=INPUTS.code_version("analysis_seed_variation"),
    localrule: True
    log:
        "results/logs/analysis/{experiment}/seed-variation.log",
    script:
        "../workflow_scripts/jobs/analysis_seed_variation.py"


rule analysis_channels:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment),
        code=INPUTS.job_code("analysis_channels"),
    output:
        effects="results/analysis/{experiment}/channel-effects.csv",
        glm="results/analysis/{experiment}/channel-glm.csv",
        classes="results/analysis/{experiment}/channel-classes.csv",
    params:
        reference=lambda wc: PLAN.channel_reference(wc.experiment),
        min_effect=config["analysis"]["channel_min_effect"],
        code=INPUTS.code_version("analysis_channels"),
    localrule: True
    log:
        "results/logs/analysis/{experiment}/channels.log",
    script:
        "../workflow_scripts/jobs/analysis_channels.py"


rule channel_figures:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment),
        effects="results/analysis/{experiment}/channel-effects.csv",
        classes="results/analysis/{experiment}/channel-classes.csv",
        code=INPUTS.job_code("channel_figures"),
    output:
        preferences_png=report("figures/{experiment}/analysis/channel-preferences.png",
                               caption="../report/channel_preferences.rst", category="{experiment}",
                               subcategory="Analyses", labels={"figure": "preference by line colour"}),
        preferences_pdf="figures/{experiment}/analysis/channel-preferences.pdf",
        effects_png=report("figures/{experiment}/analysis/channel-effects.png", caption="../report/channel_effects.rst",
                           category="{experiment}", subcategory="Analyses", labels={"figure": "channel effects"}),
        effects_pdf="figures/{experiment}/analysis/channel-effects.pdf",
    params:
        reference=lambda wc: PLAN.channel_reference(wc.experiment),
        experiment=lambda wc: wc.experiment,
        code=INPUTS.code_version("channel_figures"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/analysis/channels.log",
    script:
        "../workflow_scripts/jobs/channel_figures.py"


rule seed_variation_figure:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment),
        variation="results/analysis/{experiment}/seed-variation.csv",
        code=INPUTS.job_code("seed_variation_figure"),
    output:
        png=report("figures/{experiment}/analysis/seed-variation.png", caption="../report/seed_variation.rst",
                   category="{experiment}", subcategory="Analyses", labels={"figure": "seed variation"}),
        pdf="figures/{experiment}/analysis/seed-variation.pdf",
    params:
        pairs=lambda wc: PLAN.pairs(wc.experiment),
        experiment=lambda wc: wc.experiment,
        columns=config["figures"]["summary_columns"],
        code=INPUTS.code_version("seed_variation_figure"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/analysis/seed-variation.log",
    script:
        "../workflow_scripts/jobs/seed_variation_figure.py"
