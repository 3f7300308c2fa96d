# The paper's published results and agents (config `published`, used when source is zenodo): fetched from
# Zenodo, unpacked, found by the original's folder conventions, imported into our tables, and a few published
# agents re-evaluated in our engine to compare with their published CSVs. All but the agents' evaluations and
# GIFs run on the submitting host of a cluster (localrule): the download needs the network, the rest is light.
import pathlib

from workflow_scripts.published_plan import published_index


def _published_index():
    """The record's index for this file's input functions (workflow_scripts/published_plan.py)."""
    return published_index(checkpoints, config, ACTIVE)


def compared_agents(wc):
    """{agent: final checkpoint} of the published agents that published.compare re-evaluates on a pair."""
    from workflow_scripts.published import published_agents

    entry = next(e for e in config["published"]["compare"] if (e["experiment"], e["pair"]) == (wc.experiment, wc.pair))
    return published_agents(_published_index(), EXPERIMENTS[wc.experiment]["published_run"], wc.pair, entry["agents"])


def published_checkpoint(wc):
    """The final checkpoint of one published agent of {experiment}."""
    from workflow_scripts.published import published_checkpoint as lookup

    return lookup(_published_index(), EXPERIMENTS[wc.experiment]["published_run"], wc.agent)


def published_csvs(wc):
    """The published evaluation CSVs of the agents that compared_agents names, in the same order."""
    from workflow_scripts.published import published_results

    results = published_results(_published_index(), EXPERIMENTS[wc.experiment]["published_run"], wc.pair)
    return [results[agent] for agent in compared_agents(wc)]


# A checkpoint, so that unpack_published knows the fetched files' content once they are here.
checkpoint download_published:
    input:
        code=job_code("download_published"),
    output:
        f"{PUBLISHED_DIR}/fetched.md5",
    params:
        record=config["published"]["record"],
        folder=PUBLISHED_DIR,
        files=config["published"]["files"],
        code=code_version("download_published"),
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


def fetched_record(wc):
    """The list of fetched files, once download_published has run."""
    return checkpoints.download_published.get().output[0]


def record_content(wc):
    """{file: md5} of the fetched files as they are on disk now: a file corrected by hand (README, "Published
    data") is unpacked again with everything made from it; a touched or copied one is not."""
    from workflow_scripts.zenodo import current_checksums, read_checksums

    return current_checksums(PUBLISHED_DIR, read_checksums(pathlib.Path(fetched_record(wc))))


rule unpack_published:
    input:
        fetched_record,
        code=job_code("unpack_published"),
    output:
        f"{PUBLISHED_DIR}/unpacked.txt",
    params:
        folder=PUBLISHED_DIR,
        record=record_content,
        code=code_version("unpack_published"),
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
        code=code_version("index_published"),
    localrule: True
    log:
        "results/logs/published/index.log",
    script:
        "../workflow_scripts/jobs/index_published.py"


def imported_csvs(wc):
    """The published CSVs behind one pair's table: inputs, so that a corrected one (unpacked again under the
    same name, so the index is unchanged) remakes the table, and only that one."""
    from workflow_scripts.published import published_results

    run = EXPERIMENTS[wc.experiment]["published_run"]
    return sorted(published_results(_published_index(), run, wc.pair).values())


rule import_published:
    input:
        index=PUBLISHED_INDEX,
        csvs=imported_csvs,
        code=job_code("import_published"),
    output:
        "results/published/tables/{experiment}/{pair}.csv",
    params:
        run=experiment_value("published_run"),
        pairs=lambda wc: {wc.pair: pairs(wc.experiment)[wc.pair]},
        blacklist=config["published"]["blacklist"],
        bootstrap=experiments.canonical(config["evaluation"]["bootstrap"]),
        # Published CSVs with another number of levels, or other levels, are kept and reported in the log
        # (and in n_levels).
        first_level=config["evaluation"]["first_level"],
        num_levels=config["evaluation"]["num_levels"],
        code=code_version("import_published"),
    localrule: True
    log:
        "results/logs/published/tables/{experiment}/{pair}.log",
    script:
        "../workflow_scripts/jobs/import_published.py"


rule evaluate_published_agent:
    input:
        unpack(engine_inputs),
        model=lambda wc: compared_agents(wc)[wc.agent],
        code=job_code("evaluate_published_agent"),
    output:
        "results/published/eval/{experiment}/{pair}/{agent}.csv",
    params:
        **EVALUATION_PARAMS,
        code=code_version("evaluate_published_agent"),
    wildcard_constraints:
        agent="[^/]+",
    resources:
        **gpu_resources(evaluation_gpus()),
        **EVALUATION_RESOURCES,
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
        code=code_version("compare_published"),
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
        # The published run trained with the experiment's PPO set, as ours do.
        first_timeout=lambda wc: first_timeout(wc.experiment),
        code=code_version("published_learning_curves"),
    localrule: True
    log:
        "results/logs/figures/{experiment}/published-learning-curves.log",
    script:
        "../workflow_scripts/jobs/published_learning_curves.py"
