# Policy vector fields (README, "Policy vector fields"): an agent's action distribution at every open cell of
# one level, and the difference between two agents' fields. Each field is one batched forward pass over
# frames the engine renders with the agent placed on each cell; a job takes seconds.

VECTOR_FIELD_STEM = "figures/{experiment}/analysis/vector-field-{env}-level_{level}-facing_{facing}-seed_{seed}"


def check_vector_fields():
    """figures.vector_fields and figures.vector_field_differences name existing experiments, seeds and envs."""
    for section in ("vector_fields", "vector_field_differences"):
        for entry in config["figures"][section]:
            exp = _figure_experiment(f"figures.{section}", entry)
            check_env(f"figures.{section}", exp, entry["env"])
            for seed in entry.get("seeds", [entry.get("seed")]):
                check_seed(f"figures.{section}", exp, seed)
            if len(set(entry.get("seeds", []))) == 1:
                raise ValueError(f"figures.{section}: a difference of seed {entry['seeds'][0]} with itself")


check_vector_fields()


def vector_field_targets():
    """The PNG and CSV of every configured field of the active experiments (of our own agents: figure_targets
    asks for them only with source=local)."""
    stems = [VECTOR_FIELD_STEM.format(**v) for v in config["figures"]["vector_fields"] if v["experiment"] in ACTIVE]
    stems += [VECTOR_FIELD_STEM.format(**d, seed=d["seeds"][0]) + f"-minus-seed_{d['seeds'][1]}"
              for d in config["figures"]["vector_field_differences"] if d["experiment"] in ACTIVE]
    return [f"{stem}.{ext}" for stem in stems for ext in ("png", "csv")]


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
