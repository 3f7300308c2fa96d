# Policy vector fields (README, "Policy vector fields"): an agent's action distribution at every open cell of
# one level, and the difference between two agents' fields. Each field is one batched forward pass over
# frames the engine renders with the agent placed on each cell; a job takes seconds.

VECTOR_FIELD_STEM = "figures/{experiment}/analysis/vector-field-{env}-level_{level}-facing_{facing}-seed_{seed}"


# What a field of an agent of {experiment} in {env} on {level} depends on, besides the agents.
VECTOR_FIELD_PARAMS = dict(
    **GAME_PARAMS,
    level=lambda wc: int(wc.level),
    facing=lambda wc: wc.facing,
    title=lambda wc: f"{wc.experiment}, {wc.env}",
)
VECTOR_FIELD_WILDCARDS = dict(seed=r"\d+", other=r"\d+", level=r"\d+", facing="left|right")


rule vector_field:
    input:
        unpack(engine_inputs),
        models=lambda wc: [final_checkpoint(wc.experiment, wc.seed)],
        code=job_code("vector_field"),
    output:
        png=report(f"{VECTOR_FIELD_STEM}.png", caption="../report/vector_field.rst", category="{experiment}",
                   subcategory="Vector fields", labels={"seed": "{seed}", "env": "{env}", "level": "{level}",
                                                        "facing": "{facing}"}),
        csv=f"{VECTOR_FIELD_STEM}.csv",
    params:
        labels=lambda wc: [f"seed {wc.seed}"],
        **VECTOR_FIELD_PARAMS,
        code=code_version("vector_field"),
    wildcard_constraints:
        **VECTOR_FIELD_WILDCARDS,
    log:
        f"results/logs/{VECTOR_FIELD_STEM}.log",
    script:
        "../workflow_scripts/jobs/vector_field.py"


rule vector_field_difference:
    input:
        unpack(engine_inputs),
        models=lambda wc: [final_checkpoint(wc.experiment, wc.seed), final_checkpoint(wc.experiment, wc.other)],
        code=job_code("vector_field_difference"),
    output:
        png=report(f"{VECTOR_FIELD_STEM}-minus-seed_{{other}}.png", caption="../report/vector_field_difference.rst",
                   category="{experiment}", subcategory="Vector fields",
                   labels={"seed": "{seed} minus {other}", "env": "{env}", "level": "{level}", "facing": "{facing}"}),
        csv=f"{VECTOR_FIELD_STEM}-minus-seed_{{other}}.csv",
    params:
        labels=lambda wc: [f"seed {wc.seed}", f"seed {wc.other}"],
        **VECTOR_FIELD_PARAMS,
        code=code_version("vector_field_difference"),
    wildcard_constraints:
        **VECTOR_FIELD_WILDCARDS,
    log:
        f"results/logs/{VECTOR_FIELD_STEM}-minus-seed_{{other}}.log",
    script:
        "../workflow_scripts/jobs/vector_field_difference.py"
