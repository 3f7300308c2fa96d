# The stage targets (engine, train, evaluate, reproduction) and figures/all, from the lists of
# workflow_scripts/targets.py (`rule all` is in the Snakefile: Snakemake takes the default target from there
# only). Each also asks for the missing files that results under it were made from (the stale-results guard,
# workflow_scripts/guard.py), so that it repairs what it stands for.


rule engine:
    input:
        layout.ENGINE_LIB,
        layout.ENGINE_ASSETS,
        layout.ENGINE_RECORD,
        layout.ENGINE_PREVIEW,
        lambda wc: GUARD.stale_under(f"{layout.ENGINE_DIR}/"),
    localrule: True


rule train:
    input:
        [layout.final_checkpoint(e, s) for e, s in PLAN.agents],
        PLAN.capability_tables,
        lambda wc: GUARD.stale_under(f"{layout.ENGINE_DIR}/", "results/train/"),
    localrule: True


rule evaluate:
    input:
        [PLAN.table_path(e) for e in PLAN.active],
        lambda wc: GUARD.stale_under(f"{layout.ENGINE_DIR}/", "results/train/", "results/eval/", "results/tables/"),
    localrule: True


rule reproduction:
    input:
        lambda wc: TARGETS.reproduction_inputs(),
    localrule: True


rule all_figures:
    input:
        figures=TARGETS.figures,
        record=lambda wc: TARGETS.record_products()[0],
        remade=lambda wc: GUARD.figures_all_inputs(),
        code=INPUTS.job_code("all_figures"),
    output:
        "figures/all",
    params:
        # Changes exactly when files that results were made from are missing, so that this listing runs
        # and they are made again (workflow_scripts/guard.py).
        remade=lambda wc: sorted(GUARD.stale),
        left_out=lambda wc: TARGETS.record_products()[1],
        # Results of another identity kept with --touch: the listing names them.
        kept=lambda wc: GUARD.kept,
        code=INPUTS.code_version("all_figures"),
    localrule: True
    log:
        "results/logs/figures/all.log",
    script:
        "../workflow_scripts/jobs/all_figures.py"
