# Policy vector fields (docs/analyses.md, "Policy vector fields"): an agent's action distribution at every open cell of
# one level, and the difference between two agents' fields. Each field is one batched forward pass over
# frames the engine renders with the agent placed on each cell; a job takes seconds.


rule vector_field:
    input:
        unpack(INPUTS.engine_inputs),
        models=lambda wc: [layout.final_checkpoint(wc.experiment, wc.seed)],
        code=INPUTS.job_code("vector_field"),
    output:
        png=report(f"{layout.VECTOR_FIELD_STEM}.png", caption="../report/vector_field.rst", category="{experiment}",
                   subcategory="Vector fields", labels={"seed": "{seed}", "env": "{env}", "level": "{level}",
                                                        "facing": "{facing}"}),
        csv=f"{layout.VECTOR_FIELD_STEM}.csv",
    params:
        labels=lambda wc: [f"seed {wc.seed}"],
        **PLAN.vector_field_params(),
        code=INPUTS.code_version("vector_field"),
    wildcard_constraints:
        **layout.VECTOR_FIELD_WILDCARDS,
    log:
        f"results/logs/{layout.VECTOR_FIELD_STEM}.log",
    script:
        "../workflow_scripts/jobs/vector_field.py"


rule vector_field_difference:
    input:
        unpack(INPUTS.engine_inputs),
        models=lambda wc: [layout.final_checkpoint(wc.experiment, wc.seed),
                           layout.final_checkpoint(wc.experiment, wc.other)],
        code=INPUTS.job_code("vector_field_difference"),
    output:
        png=report(f"{layout.VECTOR_FIELD_STEM}-minus-seed_{{other}}.png",
                   caption="../report/vector_field_difference.rst",
                   category="{experiment}", subcategory="Vector fields",
                   labels={"seed": "{seed} minus {other}", "env": "{env}", "level": "{level}", "facing": "{facing}"}),
        csv=f"{layout.VECTOR_FIELD_STEM}-minus-seed_{{other}}.csv",
    params:
        labels=lambda wc: [f"seed {wc.seed}", f"seed {wc.other}"],
        **PLAN.vector_field_params(),
        code=INPUTS.code_version("vector_field_difference"),
    wildcard_constraints:
        **layout.VECTOR_FIELD_WILDCARDS,
    log:
        f"results/logs/{layout.VECTOR_FIELD_STEM}-minus-seed_{{other}}.log",
    script:
        "../workflow_scripts/jobs/vector_field_difference.py"
