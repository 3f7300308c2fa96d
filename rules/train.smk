# Training: one job per (experiment, seed), resumable from its last iteration.
import dataclasses


wildcard_constraints:
    experiment="[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",


rule train_agent:
    input:
        unpack(engine_inputs),
        code=job_code("train_agent"),
    output:
        final=f"{RUN_DIR}/final.pth",
        log_csv=f"{RUN_DIR}/log.csv",
        screenshot=f"{RUN_DIR}/obs.png",
    params:
        train=lambda wc: dataclasses.asdict(train_config(wc.experiment, wc.seed)),
        device=config["train"]["device"],
        # With the config, these two are the run's identity: a checkpoint of other code or another engine is
        # never resumed (README, "Training").
        code=code_version("train_agent"),
        engine=ENGINE_VERSION,
    threads: lambda wc: train_config(wc.experiment, wc.seed).torch_threads
    # agents_per_gpu is a resource, not a param: it changes no result, so changing it must rerun nothing.
    resources:
        **gpu_resources(training_gpus()),
        agents_per_gpu=config["train"]["agents_per_gpu"],
        mem_mb=lambda wc: 4000 + train_config(wc.experiment, wc.seed).batch * 12288 * 2 // 1_000_000,
        runtime=lambda wc: config["train"]["runtime_minutes"],
    log:
        "results/logs/train/{experiment}/seed_{seed}.log",
    benchmark:
        "results/benchmarks/train/{experiment}/seed_{seed}.tsv"
    script:
        "../workflow_scripts/jobs/train_agent.py"


rule training_capability:
    input:
        unpack(engine_inputs),
        model=f"{RUN_DIR}/final.pth",
        code=job_code("training_capability"),
    output:
        f"{RUN_DIR}/capability.csv",
    params:
        goal=experiment_value("goal"),
        background=experiment_value("background"),
        world_dim=experiment_value("world_dim"),
        colours=lambda wc: colours_of(EXPERIMENTS[wc.experiment]["goal"]),
        engine=ENGINE_VERSION,
        first_level=config["capability"]["first_level"],
        num_levels=config["capability"]["num_levels"],
        bf16=lambda wc: train_config(wc.experiment, wc.seed).bf16,
        device=config["evaluation"]["device"],
        code=code_version("training_capability"),
    resources:
        **gpu_resources(evaluation_gpus()),
    log:
        "results/logs/capability/{experiment}/seed_{seed}.log",
    script:
        "../workflow_scripts/jobs/training_capability.py"
