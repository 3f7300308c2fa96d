# Figures of the paper (paper.md §5) from the aggregated tables, and figures/all listing them.


rule scatter_plot:
    input:
        table="results/tables/{experiment}.csv",
        lib=ENGINE_LIB,
        assets=ENGINE_ASSETS,
        code=[f"workflow_scripts/{m}.py" for m in ("figures", "maze")],
    output:
        png="figures/{experiment}/scatter/{pair}.png",
        pdf="figures/{experiment}/scatter/{pair}.pdf",
    params:
        pair=lambda wc: wc.pair,
        obj1=lambda wc: pairs(wc.experiment)[wc.pair][0],
        obj2=lambda wc: pairs(wc.experiment)[wc.pair][1],
        goal=lambda wc: EXPERIMENTS[wc.experiment]["goal"],
        background=lambda wc: EXPERIMENTS[wc.experiment]["background"],
        colours=config["colours"],
    log:
        "results/logs/figures/{experiment}/scatter/{pair}.log",
    script:
        "../workflow_scripts/figures.py"


rule ols_plot:
    input:
        table="results/tables/{experiment}.csv",
        lib=ENGINE_LIB,
        assets=ENGINE_ASSETS,
        code=[f"workflow_scripts/{m}.py" for m in ("figures", "maze")],
    output:
        png="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.png",
        pdf="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.pdf",
        csv="figures/{experiment}/ols/{y_pair}--vs--{x_pair}.csv",
    params:
        x_pair_name=lambda wc: wc.x_pair,
        y_pair_name=lambda wc: wc.y_pair,
        x_pair=lambda wc: pairs(wc.experiment)[wc.x_pair],
        y_pair=lambda wc: pairs(wc.experiment)[wc.y_pair],
        background=lambda wc: EXPERIMENTS[wc.experiment]["background"],
        colours=config["colours"],
    log:
        "results/logs/figures/{experiment}/ols/{y_pair}--vs--{x_pair}.log",
    script:
        "../workflow_scripts/figures.py"


def figure_targets():
    """Every figure of the active experiments."""
    scatters = [f"figures/{e}/scatter/{p}.{ext}" for e in ACTIVE for p in pairs(e) for ext in ("png", "pdf")]
    ols = [
        f"figures/{o['experiment']}/ols/{o['y']}--vs--{o['x']}.{ext}"
        for o in config["figures"]["ols"]
        if o["experiment"] in ACTIVE
        for ext in ("png", "pdf", "csv")
    ]
    return scatters + ols


rule all_figures:
    input:
        figure_targets(),
    output:
        "figures/all",
    params:
        figures=figure_targets(),
    log:
        "results/logs/figures/all.log",
    script:
        "../workflow_scripts/figures.py"
