# Figures of the paper and beyond it, from the aggregated tables, the training logs and the
# engine; figures/all lists them. Every figure is marked for `snakemake --report` with a caption in report/.
# Plots take seconds each: on a cluster they run on the submitting host (localrule), GIFs, which play agents,
# as jobs.


rule scatter_plot:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment, wc.pair),
        outliers=lambda wc: layout.outlier_table(wc.experiment, wc.pair),
        icons=lambda wc: PLAN.icon_files(wc.experiment, PLAN.pairs(wc.experiment)[wc.pair]),
        code=INPUTS.job_code("scatter_plot"),
    output:
        png=report("figures/{experiment}/scatter/{pair}.png", caption="../report/scatter.rst",
                   category="{experiment}", subcategory="Preference vs capability", labels={"pair": "{pair}"}),
        pdf="figures/{experiment}/scatter/{pair}.pdf",
    params:
        obj1=PLAN.pair_object(0),
        obj2=PLAN.pair_object(1),
        goal=PLAN.experiment_value("goal"),
        intervals=config["figures"]["scatter"]["intervals"],
        code=INPUTS.code_version("scatter_plot"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/scatter/{pair}.log",
    script:
        "../workflow_scripts/jobs/scatter_plot.py"


rule experiment_summary:
    input:
        table=lambda wc: PLAN.table_path(wc.experiment),
        outliers=lambda wc: layout.outlier_table(wc.experiment),
        icons=lambda wc: PLAN.icon_files(wc.experiment,
                                         [o for pair in PLAN.pairs(wc.experiment).values() for o in pair]),
        code=INPUTS.job_code("experiment_summary"),
    output:
        png=report("figures/{experiment}/summary.png", caption="../report/summary.rst", category="{experiment}",
                   subcategory="Summary", labels={"figure": "all pairs"}),
        pdf="figures/{experiment}/summary.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        pairs=lambda wc: PLAN.pairs(wc.experiment),
        goal=PLAN.experiment_value("goal"),
        background=PLAN.experiment_value("background"),
        columns=config["figures"]["summary_columns"],
        code=INPUTS.code_version("experiment_summary"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/summary.log",
    script:
        "../workflow_scripts/jobs/experiment_summary.py"


rule ols_plot:
    input:
        tables=lambda wc: [PLAN.table_path(wc.experiment, wc.x_pair), PLAN.table_path(wc.experiment, wc.y_pair)],
        icons=lambda wc: PLAN.icon_files(
            wc.experiment, [*PLAN.pairs(wc.experiment)[wc.x_pair], *PLAN.pairs(wc.experiment)[wc.y_pair]]),
        code=INPUTS.job_code("ols_plot"),
    output:
        png=report("figures/{experiment}/ols/{y_pair}--vs--{x_pair}.png", caption="../report/ols.rst",
                   category="{experiment}", subcategory="OLS", labels={"y": "{y_pair}", "x": "{x_pair}"}),
        pdf="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.pdf",
        csv="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.csv",
    params:
        x_pair_name=lambda wc: wc.x_pair,
        y_pair_name=lambda wc: wc.y_pair,
        x_pair=lambda wc: PLAN.pairs(wc.experiment)[wc.x_pair],
        y_pair=lambda wc: PLAN.pairs(wc.experiment)[wc.y_pair],
        code=INPUTS.code_version("ols_plot"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/ols/{y_pair}--vs--{x_pair}.log",
    script:
        "../workflow_scripts/jobs/ols_plot.py"


rule learning_curves:
    input:
        logs=lambda wc: [layout.run_file(wc.experiment, s, "log.csv") for s in PLAN.seeds(wc.experiment)],
        code=INPUTS.job_code("learning_curves"),
    output:
        png=report("figures/{experiment}/learning-curves.png", caption="../report/learning_curves.rst",
                   category="{experiment}", subcategory="Training", labels={"figure": "learning curves"}),
        pdf="figures/{experiment}/learning-curves.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        seeds=lambda wc: PLAN.seeds(wc.experiment),
        first_timeout=lambda wc: PLAN.first_timeout(wc.experiment),
        code=INPUTS.code_version("learning_curves"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/learning-curves.log",
    script:
        "../workflow_scripts/jobs/learning_curves.py"


rule illustration:
    input:
        unpack(INPUTS.engine_inputs),
        code=INPUTS.job_code("illustration"),
    output:
        report("figures/{experiment}/illustration-{pair}.png", caption="../report/illustration.rst",
               category="{experiment}", subcategory="Train and test", labels={"figure": "illustration"}),
    params:
        goal=PLAN.experiment_value("goal"),
        obj1=PLAN.pair_object(0),
        obj2=PLAN.pair_object(1),
        background=PLAN.experiment_value("background"),
        world_dim=PLAN.experiment_value("world_dim"),
        train_level=lambda wc: PLAN.entry("illustration", wc.experiment)["train_level"],
        test_level=lambda wc: PLAN.entry("illustration", wc.experiment)["test_level"],
        colours=lambda wc: PLAN.colours_of(*PLAN.pairs(wc.experiment)[wc.pair],
                                           PLAN.experiments[wc.experiment]["goal"]),
        engine=INPUTS.engine_version,
        code=INPUTS.code_version("illustration"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/illustration-{pair}.log",
    script:
        "../workflow_scripts/jobs/illustration.py"


rule agent_gif:
    input:
        unpack(INPUTS.engine_inputs),
        model=lambda wc: layout.final_checkpoint(wc.experiment, wc.seed),
        code=INPUTS.job_code("agent_gif"),
    output:
        report("figures/{experiment}/gifs/seed_{seed}-{env}.gif", caption="../report/gif.rst",
               category="{experiment}", subcategory="Agents", labels={"seed": "{seed}", "env": "{env}"}),
    params:
        **PLAN.gif_params(),
        code=INPUTS.code_version("agent_gif"),
    wildcard_constraints:
        seed=r"\d+",
    log:
        "results/logs/figures/{experiment}/gifs/seed_{seed}-{env}.log",
    script:
        "../workflow_scripts/jobs/agent_gif.py"


rule published_agent_gif:
    input:
        unpack(INPUTS.engine_inputs),
        model=lambda wc: RECORD.checkpoint(wc.experiment, wc.agent),
        code=INPUTS.job_code("published_agent_gif"),
    output:
        report("figures/{experiment}/published-gifs/{agent}/{env}.gif", caption="../report/published_gif.rst",
               category="{experiment}", subcategory="Published agents", labels={"agent": "{agent}", "env": "{env}"}),
    params:
        **PLAN.gif_params(),
        code=INPUTS.code_version("published_agent_gif"),
    log:
        "results/logs/figures/{experiment}/published-gifs/{agent}/{env}.log",
    script:
        "../workflow_scripts/jobs/published_agent_gif.py"


# One job per object, so that a new object or colour draws its own icons and the plots that show it, no others.
rule object_icon:
    input:
        unpack(INPUTS.engine_inputs),
        code=INPUTS.job_code("object_icon"),
    output:
        [layout.icon_file(background, "{object}") for background in layout.ICON_BACKGROUNDS],
    params:
        backgrounds=layout.ICON_BACKGROUNDS,
        colours=lambda wc: PLAN.colours_of(wc.object),
        engine=INPUTS.engine_version,
        code=INPUTS.code_version("object_icon"),
    wildcard_constraints:
        object="[a-z0-9_]+",
    localrule: True
    log:
        "results/logs/figures/icons/{object}.log",
    script:
        "../workflow_scripts/jobs/object_icon.py"


# Every object's icon on every background (figures in their own right) on one sheet.
rule object_icons:
    input:
        icons=PLAN.all_icons(),
        code=INPUTS.job_code("object_icons"),
    output:
        png=report(f"{layout.ICON_SHEET}.png", caption="../report/icons.rst", category="Objects"),
        pdf=f"{layout.ICON_SHEET}.pdf",
    params:
        objects=PLAN.icon_objects(),
        backgrounds=layout.ICON_BACKGROUNDS,
        code=INPUTS.code_version("object_icons"),
    localrule: True
    log:
        "results/logs/figures/icons.log",
    script:
        "../workflow_scripts/jobs/object_icons.py"
