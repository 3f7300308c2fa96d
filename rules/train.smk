# Training: one job per (experiment, seed), resumable from its last iteration.


rule train_agent:
    input:
        unpack(INPUTS.engine_inputs),
        code=INPUTS.job_code("train_agent"),
    output:
        final=f"{layout.RUN_DIR}/final.pth",
        log_csv=f"{layout.RUN_DIR}/log.csv",
        screenshot=f"{layout.RUN_DIR}/obs.png",
    params:
        train=lambda wc: PLAN.train_params(wc.experiment, wc.seed),
        device=config["train"]["device"],
        # With the config, these two are the run's identity: a checkpoint of other code or another engine is
        # never resumed (docs/training.md).
        code=INPUTS.code_version("train_agent"),
        engine=INPUTS.engine_version,
    threads: lambda wc: PLAN.train_config(wc.experiment, wc.seed).torch_threads
    # agents_per_gpu is a resource, not a param: it changes no result, so changing it must rerun nothing.
    resources:
        **PLAN.gpu_resources(PLAN.training_gpus()),
        agents_per_gpu=config["train"]["agents_per_gpu"],
        mem_mb=lambda wc: 4000 + PLAN.train_config(wc.experiment, wc.seed).batch * 12288 * 2 // 1_000_000,
        runtime=lambda wc: config["train"]["runtime_minutes"],
    log:
        "results/logs/train/{experiment}/seed_{seed}.log",
    benchmark:
        "results/benchmarks/train/{experiment}/seed_{seed}.tsv"
    script:
        "../workflow_scripts/jobs/train_agent.py"


rule training_capability:
    input:
        unpack(INPUTS.engine_inputs),
        model=f"{layout.RUN_DIR}/final.pth",
        code=INPUTS.job_code("training_capability"),
    output:
        f"{layout.RUN_DIR}/capability.csv",
    params:
        goal=PLAN.experiment_value("goal"),
        background=PLAN.experiment_value("background"),
        world_dim=PLAN.experiment_value("world_dim"),
        colours=lambda wc: PLAN.colours_of(PLAN.experiments[wc.experiment]["goal"]),
        engine=INPUTS.engine_version,
        first_level=config["capability"]["first_level"],
        num_levels=config["capability"]["num_levels"],
        bf16=lambda wc: PLAN.train_config(wc.experiment, wc.seed).bf16,
        device=config["evaluation"]["device"],
        code=INPUTS.code_version("training_capability"),
    resources:
        **PLAN.gpu_resources(PLAN.evaluation_gpus()),
    log:
        "results/logs/capability/{experiment}/seed_{seed}.log",
    script:
        "../workflow_scripts/jobs/training_capability.py"
