# The paper's published results and agents (config `published`, used when source is zenodo): fetched from
# Zenodo, unpacked, found by the original's folder conventions, imported into our tables, and a few published
# agents re-evaluated in our engine to compare with their published CSVs. All but the agents' evaluations and
# GIFs run on the submitting host of a cluster (localrule): the download needs the network, the rest is light.


rule download_published:
    input:
        code=job_code("download_published"),
    output:
        f"{PUBLISHED_DIR}/fetched.md5",
    params:
        record=config["published"]["record"],
        folder=PUBLISHED_DIR,
        files=config["published"]["files"],
        retries=config["published"]["download"]["retries"],
        pause=config["published"]["download"]["pause_s"],
        timeout=config["published"]["download"]["timeout_s"],
    # Compute nodes often have no network; the fetched files are kept across attempts, so a retry resumes.
    localrule: True
    retries: 2
    log:
        "results/logs/published/download.log",
    script:
        "../workflow_scripts/jobs/download_published.py"


rule unpack_published:
    input:
        f"{PUBLISHED_DIR}/fetched.md5",
        code=job_code("unpack_published"),
    output:
        f"{PUBLISHED_DIR}/unpacked.txt",
    params:
        folder=PUBLISHED_DIR,
    localrule: True
    log:
        "results/logs/published/unpack.log",
    script:
        "../workflow_scripts/jobs/unpack_published.py"


# A checkpoint: which published agents exist is known only once the record is unpacked.
checkpoint index_published:
    input:
        f"{PUBLISHED_DIR}/unpacked.txt",
        code=job_code("index_published"),
    output:
        PUBLISHED_INDEX,
    params:
        folder=PUBLISHED_DIR,
    localrule: True
    log:
        "results/logs/published/index.log",
    script:
        "../workflow_scripts/jobs/index_published.py"


rule import_published:
    input:
        index=PUBLISHED_INDEX,
        code=job_code("import_published"),
    output:
        "results/published/tables/{experiment}/{pair}.csv",
    params:
        run=experiment_value("published_run"),
        pairs=lambda wc: {wc.pair: pairs(wc.experiment)[wc.pair]},
        blacklist=config["published"]["blacklist"],
        bootstrap=config["evaluation"]["bootstrap"],
        # Published CSVs with another number of levels are kept and reported in the log and in n_levels.
        num_levels=config["evaluation"]["num_levels"],
    localrule: True
    log:
        "results/logs/published/tables/{experiment}/{pair}.log",
    script:
        "../workflow_scripts/jobs/import_published.py"


rule evaluate_published_agent:
    input:
        ENGINE_LIB,
        ENGINE_ASSETS,
        model=lambda wc: compared_agents(wc)[wc.agent],
        code=job_code("evaluate_published_agent"),
    output:
        "results/published/eval/{experiment}/{pair}/{agent}.csv",
    params:
        **EVALUATION_PARAMS,
    wildcard_constraints:
        agent="[^/]+",
    resources:
        **gpu_resources(evaluation_gpus()),
        mem_mb=2000,
        runtime=60,
    log:
        "results/logs/published/eval/{experiment}/{pair}/{agent}.log",
    script:
        "../workflow_scripts/jobs/evaluate_published_agent.py"


rule compare_published:
    input:
        published=lambda wc: published_csvs(wc),
        ours=lambda wc: [f"results/published/eval/{wc.experiment}/{wc.pair}/{a}.csv" for a in compared_agents(wc)],
        code=job_code("compare_published"),
    output:
        png=report("figures/{experiment}/published-vs-ours/{pair}.png", caption="../report/compare.rst",
                   category="{experiment}", subcategory="Published agents", labels={"pair": "{pair}"}),
        pdf="figures/{experiment}/published-vs-ours/{pair}.pdf",
        csv="figures/{experiment}/published-vs-ours/{pair}.csv",
    params:
        obj1=pair_object(0),
        obj2=pair_object(1),
        experiment=lambda wc: wc.experiment,
    localrule: True
    log:
        "results/logs/figures/{experiment}/published-vs-ours/{pair}.log",
    script:
        "../workflow_scripts/jobs/compare_published.py"


def published_training_logs(wc):
    """{agent: log-append.csv} of the published agents of {experiment}."""
    from workflow_scripts.published import published_logs

    return published_logs(_published_index(), EXPERIMENTS[wc.experiment]["published_run"])


# The published agents' training, drawn as ours (figures.learning_curves) from their log-append.csv files.
rule published_learning_curves:
    input:
        logs=lambda wc: list(published_training_logs(wc).values()),
        code=job_code("published_learning_curves"),
    output:
        png=report("figures/{experiment}/published-learning-curves.png", caption="../report/published_learning_curves.rst",
                   category="{experiment}", subcategory="Training", labels={"figure": "published learning curves"}),
        pdf="figures/{experiment}/published-learning-curves.pdf",
    params:
        experiment=lambda wc: wc.experiment,
        agents=lambda wc: list(published_training_logs(wc)),
    localrule: True
    log:
        "results/logs/figures/{experiment}/published-learning-curves.log",
    script:
        "../workflow_scripts/jobs/published_learning_curves.py"
