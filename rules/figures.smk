# Figures of the paper and beyond it, from the aggregated tables, the training logs and the
# engine; figures/all lists them. Every figure is marked for `snakemake --report` with a caption in report/.
# Plots take seconds each: on a cluster they run on the submitting host (localrule), GIFs, which play agents,
# as jobs.

ICON_BACKGROUNDS = ["black", "grey", "textured"]


rule scatter_plot:
    input:
        table=lambda wc: table_path(wc.experiment, wc.pair),
        outliers=lambda wc: outlier_table(wc.experiment, wc.pair),
        icons=lambda wc: icon_files(wc.experiment, pairs(wc.experiment)[wc.pair]),
        code=job_code("scatter_plot"),
    output:
        png=report("figures/{experiment}/scatter/{pair}.png", caption="../report/scatter.rst",
                   category="{experiment}", subcategory="Preference vs capability", labels={"pair": "{pair}"}),
        pdf="figures/{experiment}/scatter/{pair}.pdf",
    params:
        obj1=pair_object(0),
        obj2=pair_object(1),
        goal=experiment_value("goal"),
        intervals=config["figures"]["scatter"]["intervals"],
        code=code_version("scatter_plot"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/scatter/{pair}.log",
    script:
        "../workflow_scripts/jobs/scatter_plot.py"


rule experiment_summary:
    input:
        table=lambda wc: table_path(wc.experiment),
        outliers=lambda wc: outlier_table(wc.experiment),
        icons=lambda wc: icon_files(wc.experiment, [o for pair in pairs(wc.experiment).values() for o in pair]),
        code=job_code("experiment_summary"),
    output:
        png=report("figures/{experiment}/summary.png", caption="../report/summary.rst", category="{experiment}",
                   subcategory="Summary", labels={"figure": "all pairs"}),
        pdf="figures/{experiment}/summary.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        pairs=lambda wc: pairs(wc.experiment),
        goal=experiment_value("goal"),
        background=experiment_value("background"),
        columns=config["figures"]["summary_columns"],
        code=code_version("experiment_summary"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/summary.log",
    script:
        "../workflow_scripts/jobs/experiment_summary.py"


rule ols_plot:
    input:
        tables=lambda wc: [table_path(wc.experiment, wc.x_pair), table_path(wc.experiment, wc.y_pair)],
        icons=lambda wc: icon_files(wc.experiment,
                                    [*pairs(wc.experiment)[wc.x_pair], *pairs(wc.experiment)[wc.y_pair]]),
        code=job_code("ols_plot"),
    output:
        png=report("figures/{experiment}/ols/{y_pair}--vs--{x_pair}.png", caption="../report/ols.rst",
                   category="{experiment}", subcategory="OLS", labels={"y": "{y_pair}", "x": "{x_pair}"}),
        pdf="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.pdf",
        csv="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.csv",
    params:
        x_pair_name=lambda wc: wc.x_pair,
        y_pair_name=lambda wc: wc.y_pair,
        x_pair=lambda wc: pairs(wc.experiment)[wc.x_pair],
        y_pair=lambda wc: pairs(wc.experiment)[wc.y_pair],
        code=code_version("ols_plot"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/ols/{y_pair}--vs--{x_pair}.log",
    script:
        "../workflow_scripts/jobs/ols_plot.py"


rule learning_curves:
    input:
        logs=lambda wc: [run_file(wc.experiment, s, "log.csv") for s in seeds(wc.experiment)],
        code=job_code("learning_curves"),
    output:
        png=report("figures/{experiment}/learning-curves.png", caption="../report/learning_curves.rst",
                   category="{experiment}", subcategory="Training", labels={"figure": "learning curves"}),
        pdf="figures/{experiment}/learning-curves.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        seeds=lambda wc: seeds(wc.experiment),
        first_timeout=lambda wc: first_timeout(wc.experiment),
        code=code_version("learning_curves"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/learning-curves.log",
    script:
        "../workflow_scripts/jobs/learning_curves.py"


def _entry(section, experiment):
    """The figures.<section> entry of an experiment (at most one, checked in common.smk)."""
    return next(e for e in config["figures"][section] if e["experiment"] == experiment)


rule illustration:
    input:
        unpack(engine_inputs),
        code=job_code("illustration"),
    output:
        report("figures/{experiment}/illustration-{pair}.png", caption="../report/illustration.rst",
               category="{experiment}", subcategory="Train and test", labels={"figure": "illustration"}),
    params:
        goal=experiment_value("goal"),
        obj1=pair_object(0),
        obj2=pair_object(1),
        background=experiment_value("background"),
        world_dim=experiment_value("world_dim"),
        train_level=lambda wc: _entry("illustration", wc.experiment)["train_level"],
        test_level=lambda wc: _entry("illustration", wc.experiment)["test_level"],
        colours=lambda wc: colours_of(*pairs(wc.experiment)[wc.pair], EXPERIMENTS[wc.experiment]["goal"]),
        engine=ENGINE_VERSION,
        code=code_version("illustration"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/illustration-{pair}.log",
    script:
        "../workflow_scripts/jobs/illustration.py"


# What a GIF of an agent of {experiment} in {env} depends on, besides the agent: ours and published alike.
GIF_PARAMS = dict(
    **GAME_PARAMS,
    seed=config["evaluation"]["seed"],
    **config["figures"]["gif"],
)


rule agent_gif:
    input:
        unpack(engine_inputs),
        model=lambda wc: final_checkpoint(wc.experiment, wc.seed),
        code=job_code("agent_gif"),
    output:
        report("figures/{experiment}/gifs/seed_{seed}-{env}.gif", caption="../report/gif.rst",
               category="{experiment}", subcategory="Agents", labels={"seed": "{seed}", "env": "{env}"}),
    params:
        **GIF_PARAMS,
        code=code_version("agent_gif"),
    wildcard_constraints:
        seed=r"\d+",
    log:
        "results/logs/figures/{experiment}/gifs/seed_{seed}-{env}.log",
    script:
        "../workflow_scripts/jobs/agent_gif.py"


rule published_agent_gif:
    input:
        unpack(engine_inputs),
        model=published_checkpoint,
        code=job_code("published_agent_gif"),
    output:
        report("figures/{experiment}/published-gifs/{agent}/{env}.gif", caption="../report/published_gif.rst",
               category="{experiment}", subcategory="Published agents", labels={"agent": "{agent}", "env": "{env}"}),
    params:
        **GIF_PARAMS,
        code=code_version("published_agent_gif"),
    log:
        "results/logs/figures/{experiment}/published-gifs/{agent}/{env}.log",
    script:
        "../workflow_scripts/jobs/published_agent_gif.py"


def experiment_objects(experiment):
    """Every object an experiment trains on or evaluates."""
    return {o for pair in EXPERIMENTS[experiment]["pairs"] for o in pair} | {EXPERIMENTS[experiment]["goal"]}


def icon_objects():
    """Every object that the configured experiments train on or evaluate, sorted: active or not, so that the
    icons are the same for both sources and scales and switching between them redraws nothing."""
    return sorted(set().union(*(experiment_objects(e) for e in EXPERIMENTS)))


def icon_files(experiment, objects):
    """The icons that rule object_icon made of the objects on an experiment's background: what a plot draws
    them from, so that it needs no engine."""
    background = EXPERIMENTS[experiment]["background"]
    return [f"figures/icons/{background}/{o}.png" for o in sorted(set(objects))]


# One job per object, so that a new object or colour draws its own icons and the plots that show it, no others.
rule object_icon:
    input:
        unpack(engine_inputs),
        code=job_code("object_icon"),
    output:
        expand("figures/icons/{background}/{{object}}.png", background=ICON_BACKGROUNDS),
    params:
        backgrounds=ICON_BACKGROUNDS,
        colours=lambda wc: colours_of(wc.object),
        engine=ENGINE_VERSION,
        code=code_version("object_icon"),
    wildcard_constraints:
        object="[a-z0-9_]+",
    localrule: True
    log:
        "results/logs/figures/icons/{object}.log",
    script:
        "../workflow_scripts/jobs/object_icon.py"


# Every object's icon on every background: figures in their own right, and the sheet's inputs.
ICON_FILES = [f"figures/icons/{bg}/{o}.png" for bg in ICON_BACKGROUNDS for o in icon_objects()]


rule object_icons:
    input:
        icons=ICON_FILES,
        code=job_code("object_icons"),
    output:
        png=report("figures/icons.png", caption="../report/icons.rst", category="Objects"),
        pdf="figures/icons.pdf",
    params:
        objects=icon_objects(),
        backgrounds=ICON_BACKGROUNDS,
        code=code_version("object_icons"),
    localrule: True
    log:
        "results/logs/figures/icons.log",
    script:
        "../workflow_scripts/jobs/object_icons.py"
