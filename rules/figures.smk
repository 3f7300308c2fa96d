# Figures of the paper and beyond it, from the aggregated tables, the training logs and the
# engine; figures/all lists them. Every figure is marked for `snakemake --report` with a caption in report/.
# Plots take seconds each: on a cluster they run on the submitting host (localrule), GIFs, which play agents,
# as jobs.

ICON_BACKGROUNDS = ["black", "grey", "textured"]


rule scatter_plot:
    input:
        unpack(engine_inputs),
        table=lambda wc: table_path(wc.experiment, wc.pair),
        outliers=lambda wc: outlier_table(wc.experiment, wc.pair),
        code=job_code("scatter_plot"),
    output:
        png=report("figures/{experiment}/scatter/{pair}.png", caption="../report/scatter.rst",
                   category="{experiment}", subcategory="Preference vs capability", labels={"pair": "{pair}"}),
        pdf="figures/{experiment}/scatter/{pair}.pdf",
    params:
        obj1=pair_object(0),
        obj2=pair_object(1),
        goal=experiment_value("goal"),
        background=experiment_value("background"),
        colours=lambda wc: colours_of(*pairs(wc.experiment)[wc.pair], EXPERIMENTS[wc.experiment]["goal"]),
        engine=ENGINE_VERSION,
        intervals=config["figures"]["scatter"]["intervals"],
        code=code_version("scatter_plot"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/scatter/{pair}.log",
    script:
        "../workflow_scripts/jobs/scatter_plot.py"


rule experiment_summary:
    input:
        unpack(engine_inputs),
        table=lambda wc: table_path(wc.experiment),
        outliers=lambda wc: outlier_table(wc.experiment),
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
        colours=lambda wc: colours_of(*experiment_objects(wc.experiment)),
        engine=ENGINE_VERSION,
        columns=config["figures"]["summary_columns"],
        code=code_version("experiment_summary"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/summary.log",
    script:
        "../workflow_scripts/jobs/experiment_summary.py"


rule ols_plot:
    input:
        unpack(engine_inputs),
        tables=lambda wc: [table_path(wc.experiment, wc.x_pair), table_path(wc.experiment, wc.y_pair)],
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
        background=experiment_value("background"),
        colours=lambda wc: colours_of(*pairs(wc.experiment)[wc.x_pair], *pairs(wc.experiment)[wc.y_pair]),
        engine=ENGINE_VERSION,
        code=code_version("ols_plot"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/ols/{y_pair}--vs--{x_pair}.log",
    script:
        "../workflow_scripts/jobs/ols_plot.py"


rule learning_curves:
    input:
        logs=lambda wc: [f"results/train/{wc.experiment}/seed_{s}/log.csv" for s in seeds(wc.experiment)],
        code=job_code("learning_curves"),
    output:
        png=report("figures/{experiment}/learning_curves.png", caption="../report/learning_curves.rst",
                   category="{experiment}", subcategory="Training", labels={"figure": "learning curves"}),
        pdf="figures/{experiment}/learning_curves.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        seeds=lambda wc: seeds(wc.experiment),
        first_timeout=lambda wc: first_timeout(wc.experiment),
        code=code_version("learning_curves"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/learning_curves.log",
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


rule object_icons:
    input:
        unpack(engine_inputs),
        code=job_code("object_icons"),
    output:
        png=report("figures/icons.png", caption="../report/icons.rst", category="Objects"),
        pdf="figures/icons.pdf",
        icons=[f"figures/icons/{bg}/{o}.png" for bg in ICON_BACKGROUNDS for o in icon_objects()],
    params:
        objects=icon_objects(),
        backgrounds=ICON_BACKGROUNDS,
        colours=colours_of(*icon_objects()),
        engine=ENGINE_VERSION,
        code=code_version("object_icons"),
    localrule: True
    log:
        "results/logs/figures/icons.log",
    script:
        "../workflow_scripts/jobs/object_icons.py"


def figure_targets():
    """Every figure and analysis table of the active experiments that is known before the published record is
    unpacked; our learning curves and GIFs need our own agents (the published ones: record_products)."""
    targets = [f for e in ACTIVE for p in pairs(e) for f in png_pdf(f"figures/{e}/scatter/{p}")]
    targets += [f for e in ACTIVE for f in png_pdf(f"figures/{e}/summary")]
    targets += [
        f"figures/{o['experiment']}/ols/{o['y']}--vs--{o['x']}.{ext}"
        for o in config["figures"]["ols"]
        if o["experiment"] in ACTIVE
        for ext in ("png", "pdf", "csv")
    ]
    targets += [f"figures/{i['experiment']}/illustration-{i['pair']}.png"
                for i in config["figures"]["illustration"] if i["experiment"] in ACTIVE]
    if SOURCE == "local":
        targets += [f for e in ACTIVE for f in png_pdf(f"figures/{e}/learning_curves")]
        targets += [f"figures/{g['experiment']}/gifs/seed_{g['seed']}-{g['env']}.gif"
                    for g in config["figures"]["gifs"] if g["experiment"] in ACTIVE]
        targets += vector_field_targets()
    return targets + analysis_targets() + reproduction_figure_targets() + rules.object_icons.output


@functools.cache  # figures/all asks twice (input and params); the record does not change while planning
def record_products():
    """The figures that need the published record's trained models or training logs, as (those it can make,
    {figure: why not} for the others): a record fetched without its models still makes everything else."""
    if SOURCE != "zenodo":
        return [], {}
    from workflow_scripts.published import lacks, published_results

    index = _published_index()
    made, left_out = [], {}

    def add(files, reason):
        if reason:
            left_out.update(dict.fromkeys(files, reason))
        else:
            made.extend(files)

    for c in config["published"]["compare"]:
        run = EXPERIMENTS[c["experiment"]]["published_run"]
        add([f"figures/{c['experiment']}/published-vs-ours/{c['pair']}.{ext}" for ext in ("png", "pdf", "csv")],
            lacks(index, run, "checkpoint", published_results(index, run, c["pair"])))
    for g in config["published"]["gifs"]:
        add([f"figures/{g['experiment']}/published-gifs/{g['agent']}/{g['env']}.gif"],
            lacks(index, EXPERIMENTS[g["experiment"]]["published_run"], "checkpoint", [g["agent"]]))
    for e in ACTIVE:
        add(png_pdf(f"figures/{e}/published-learning-curves"), lacks(index, EXPERIMENTS[e]["published_run"], "log"))
    return made, left_out


rule all_figures:
    input:
        figures=figure_targets(),
        record=lambda wc: record_products()[0],
        remade=lambda wc: check_rerun_triggers() or redraw_damaged_figures() or sorted(STALE),
        code=job_code("all_figures"),
    output:
        "figures/all",
    params:
        # Changes exactly when files that results were made from are missing, so that this listing runs
        # and they are made again (rules/guard.smk).
        remade=lambda wc: sorted(STALE),
        left_out=lambda wc: record_products()[1],
        code=code_version("all_figures"),
    localrule: True
    log:
        "results/logs/figures/all.log",
    script:
        "../workflow_scripts/jobs/all_figures.py"
