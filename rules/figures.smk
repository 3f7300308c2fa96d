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


def figure_targets():
    """Every figure of the active experiments."""
    return [
        f"figures/{e}/scatter/{p}.{ext}" for e in ACTIVE for p in pairs(e) for ext in ("png", "pdf")
    ]


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
