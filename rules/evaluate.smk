# Evaluation of every agent on every object pair of its experiment, and one tidy table per experiment.


rule evaluate_agent:
    input:
        unpack(INPUTS.engine_inputs),
        model=f"{layout.RUN_DIR}/final.pth",
        code=INPUTS.job_code("evaluate_agent"),
    output:
        "results/eval/{experiment}/{pair}/seed_{seed}.csv",
    params:
        **PLAN.evaluation_params(),
        code=INPUTS.code_version("evaluate_agent"),
    # Many short jobs: clusters pack them (profiles/slurm sets --group-components).
    group:
        "evaluation"
    resources:
        **PLAN.gpu_resources(PLAN.evaluation_gpus()),
        **PLAN.evaluation_resources(),
        mem_mb=2000,
        runtime=60,
    log:
        "results/logs/eval/{experiment}/{pair}/seed_{seed}.log",
    benchmark:
        "results/benchmarks/eval/{experiment}/{pair}/seed_{seed}.tsv"
    script:
        "../workflow_scripts/jobs/evaluate_agent.py"


# One table per pair, so that a pair added to an experiment leaves the other pairs' figures alone. Tables take
# seconds: on a cluster they are made on the submitting host (localrule).
rule aggregate_pair:
    input:
        csvs=lambda wc: [f"results/eval/{wc.experiment}/{wc.pair}/seed_{s}.csv" for s in PLAN.seeds(wc.experiment)],
        code=INPUTS.job_code("aggregate_pair"),
    output:
        "results/tables/{experiment}/{pair}.csv",
    params:
        pairs=lambda wc: {wc.pair: PLAN.pairs(wc.experiment)[wc.pair]},
        seeds=lambda wc: PLAN.seeds(wc.experiment),
        # Each CSV must hold exactly these levels, and a changed value remakes the table (with its CSVs).
        first_level=config["evaluation"]["first_level"],
        num_levels=config["evaluation"]["num_levels"],
        bootstrap=PLAN.bootstrap,
        code=INPUTS.code_version("aggregate_pair"),
    localrule: True
    log:
        "results/logs/tables/{experiment}/{pair}.log",
    script:
        "../workflow_scripts/jobs/aggregate_pair.py"


# An experiment's pair tables, ours or the imported published ones, in config order.
rule experiment_table:
    input:
        tables=lambda wc: [f"{wc.tables}/{wc.experiment}/{p}.csv" for p in PLAN.pairs(wc.experiment)],
        code=INPUTS.job_code("experiment_table"),
    output:
        "{tables}/{experiment}.csv",
    params:
        code=INPUTS.code_version("experiment_table"),
    wildcard_constraints:
        tables="results/tables|results/published/tables",
    localrule: True
    log:
        "results/logs/{tables}/{experiment}.log",
    script:
        "../workflow_scripts/jobs/experiment_table.py"
