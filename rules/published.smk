# The paper's published results and agents (config `published`, used when source is zenodo): fetched from
# Zenodo, unpacked, found by the original's folder conventions, imported into our tables, and a few published
# agents re-evaluated in our engine to compare with their published CSVs. All but the agents' evaluations and
# GIFs run on the submitting host of a cluster (localrule): the download needs the network, the rest is light.


rule download_published:
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
        "../workflow_scripts/zenodo.py"


rule unpack_published:
    input:
        f"{PUBLISHED_DIR}/fetched.md5",
    output:
        f"{PUBLISHED_DIR}/unpacked.txt",
    params:
        folder=PUBLISHED_DIR,
    localrule: True
    log:
        "results/logs/published/unpack.log",
    script:
        "../workflow_scripts/zenodo.py"


# A checkpoint: which published agents exist is known only once the record is unpacked.
checkpoint index_published:
    input:
        f"{PUBLISHED_DIR}/unpacked.txt",
        code="workflow_scripts/metrics.py",
    output:
        PUBLISHED_INDEX,
    params:
        folder=PUBLISHED_DIR,
    localrule: True
    log:
        "results/logs/published/index.log",
    script:
        "../workflow_scripts/published.py"


rule import_published:
    input:
        index=PUBLISHED_INDEX,
        code="workflow_scripts/metrics.py",
    output:
        "results/published/tables/{experiment}/{pair}.csv",
    params:
        run=lambda wc: EXPERIMENTS[wc.experiment]["published_run"],
        pairs=lambda wc: {wc.pair: pairs(wc.experiment)[wc.pair]},
        blacklist=config["published"]["blacklist"],
        bootstrap=config["evaluation"]["bootstrap"],
    localrule: True
    log:
        "results/logs/published/tables/{experiment}/{pair}.log",
    script:
        "../workflow_scripts/published.py"


rule evaluate_published_agent:
    input:
        ENGINE_LIB,
        ENGINE_ASSETS,
        model=lambda wc: compared_agents(wc)[wc.agent],
        code=[f"workflow_scripts/{m}.py" for m in ("agent", "maze", "evaluate", "devices", "gpus")],
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
        "../workflow_scripts/evaluate.py"


rule compare_published:
    input:
        published=lambda wc: published_csvs(wc),
        ours=lambda wc: [f"results/published/eval/{wc.experiment}/{wc.pair}/{a}.csv" for a in compared_agents(wc)],
        code=FIGURE_CODE + ["workflow_scripts/published.py"],
    output:
        png=report("figures/{experiment}/published-vs-ours/{pair}.png", caption="../report/compare.rst",
                   category="{experiment}", subcategory="Published agents", labels={"pair": "{pair}"}),
        pdf="figures/{experiment}/published-vs-ours/{pair}.pdf",
        csv="figures/{experiment}/published-vs-ours/{pair}.csv",
    params:
        obj1=lambda wc: pairs(wc.experiment)[wc.pair][0],
        obj2=lambda wc: pairs(wc.experiment)[wc.pair][1],
        experiment=lambda wc: wc.experiment,
    localrule: True
    log:
        "results/logs/figures/{experiment}/published-vs-ours/{pair}.log",
    script:
        "../workflow_scripts/figures.py"
