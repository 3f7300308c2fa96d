# The paper's published results and agents (config `published`, used when source is zenodo): fetched from
# Zenodo, unpacked, found by the original's folder conventions, imported into our tables, and a few published
# agents re-evaluated in our engine to compare with their published CSVs. All but the agents' evaluations and
# GIFs run on the submitting host of a cluster (localrule): the download needs the network, the rest is light.


# A checkpoint, so that unpack_published knows the fetched files' content once they are here.
checkpoint download_published:
    input:
        code=INPUTS.job_code("download_published"),
    output:
        layout.fetched_list(PLAN.published_dir),
    params:
        record=config["published"]["record"],
        folder=PLAN.published_dir,
        files=config["published"]["files"],
        code=INPUTS.code_version("download_published"),
    # How patiently to fetch changes no file fetched (each is md5-checked), so these are resources: changing
    # them refetches nothing. Snakemake's resources hold integers or strings.
    resources:
        download_retries=config["published"]["download"]["retries"],
        download_pause_s=str(config["published"]["download"]["pause_s"]),
        download_timeout_s=str(config["published"]["download"]["timeout_s"]),
    # Compute nodes often have no network. zenodo-get retries each request (download_retries); the fetched
    # files are kept, so a failed job resumes where it stopped when the workflow is run again.
    localrule: True
    log:
        "results/logs/published/download.log",
    script:
        "../workflow_scripts/jobs/download_published.py"


rule unpack_published:
    input:
        RECORD.fetched,
        code=INPUTS.job_code("unpack_published"),
    output:
        layout.unpacked_marker(PLAN.published_dir),
    params:
        folder=PLAN.published_dir,
        record=RECORD.content,
        code=INPUTS.code_version("unpack_published"),
    localrule: True
    log:
        "results/logs/published/unpack.log",
    script:
        "../workflow_scripts/jobs/unpack_published.py"


# A checkpoint: which published agents exist is known only once the record is unpacked.
checkpoint index_published:
    input:
        layout.unpacked_marker(PLAN.published_dir),
        code=INPUTS.job_code("index_published"),
    output:
        layout.PUBLISHED_INDEX,
    params:
        folder=PLAN.published_dir,
        code=INPUTS.code_version("index_published"),
    localrule: True
    log:
        "results/logs/published/index.log",
    script:
        "../workflow_scripts/jobs/index_published.py"


rule import_published:
    input:
        index=layout.PUBLISHED_INDEX,
        csvs=lambda wc: RECORD.imported_csvs(wc.experiment, wc.pair),
        code=INPUTS.job_code("import_published"),
    output:
        "results/published/tables/{experiment}/{pair}.csv",
    params:
        run=PLAN.experiment_value("published_run"),
        pairs=lambda wc: {wc.pair: PLAN.pairs(wc.experiment)[wc.pair]},
        blacklist=config["published"]["blacklist"],
        bootstrap=PLAN.bootstrap,
        # Published CSVs with another number of levels, or other levels, are kept and reported in the log
        # (and in n_levels).
        first_level=config["evaluation"]["first_level"],
        num_levels=config["evaluation"]["num_levels"],
        code=INPUTS.code_version("import_published"),
    localrule: True
    log:
        "results/logs/published/tables/{experiment}/{pair}.log",
    script:
        "../workflow_scripts/jobs/import_published.py"


rule evaluate_published_agent:
    input:
        unpack(INPUTS.engine_inputs),
        model=lambda wc: RECORD.compared_agents(wc.experiment, wc.pair)[wc.agent],
        code=INPUTS.job_code("evaluate_published_agent"),
    output:
        "results/published/eval/{experiment}/{pair}/{agent}.csv",
    params:
        **PLAN.evaluation_params(),
        code=INPUTS.code_version("evaluate_published_agent"),
    wildcard_constraints:
        agent="[^/]+",
    resources:
        **PLAN.gpu_resources(PLAN.evaluation_gpus()),
        **PLAN.evaluation_resources(),
        mem_mb=2000,
        runtime=60,
    log:
        "results/logs/published/eval/{experiment}/{pair}/{agent}.log",
    script:
        "../workflow_scripts/jobs/evaluate_published_agent.py"


rule compare_published:
    input:
        published=lambda wc: RECORD.compared_csvs(wc.experiment, wc.pair),
        ours=lambda wc: [f"results/published/eval/{wc.experiment}/{wc.pair}/{a}.csv"
                          for a in RECORD.compared_agents(wc.experiment, wc.pair)],
        code=INPUTS.job_code("compare_published"),
    output:
        png=report("figures/{experiment}/published-vs-ours/{pair}.png", caption="../report/compare.rst",
                   category="{experiment}", subcategory="Published agents", labels={"pair": "{pair}"}),
        pdf="figures/{experiment}/published-vs-ours/{pair}.pdf",
        csv="figures/{experiment}/published-vs-ours/{pair}.csv",
    params:
        obj1=PLAN.pair_object(0),
        obj2=PLAN.pair_object(1),
        experiment=lambda wc: wc.experiment,
        code=INPUTS.code_version("compare_published"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/published-vs-ours/{pair}.log",
    script:
        "../workflow_scripts/jobs/compare_published.py"


# The published agents' training, drawn as ours (figures.learning_curves) from their log-append.csv files.
rule published_learning_curves:
    input:
        logs=lambda wc: list(RECORD.training_logs(wc.experiment).values()),
        code=INPUTS.job_code("published_learning_curves"),
    output:
        png=report("figures/{experiment}/published-learning-curves.png", caption="../report/published_learning_curves.rst",
                   category="{experiment}", subcategory="Training", labels={"figure": "published learning curves"}),
        pdf="figures/{experiment}/published-learning-curves.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        agents=lambda wc: list(RECORD.training_logs(wc.experiment)),
        # The published run trained with the experiment's PPO set, as ours do.
        first_timeout=lambda wc: PLAN.first_timeout(wc.experiment),
        code=INPUTS.code_version("published_learning_curves"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/published-learning-curves.log",
    script:
        "../workflow_scripts/jobs/published_learning_curves.py"
