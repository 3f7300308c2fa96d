# What the workflow builds: the stage targets (engine, train, evaluate, reproduction), figures/all and the lists
# of products behind them and `rule all` (in the Snakefile: Snakemake takes the default target from there
# only), each made once, here. Included last, since the lists name the files of every stage; the stale-results
# guard (workflow_scripts/guard.py) checks the same lists.
import functools

from workflow_scripts import snakemake_internals
from workflow_scripts.published_plan import published_index


def figure_targets():
    """Every figure and analysis table of the active experiments that is known before the published record is
    unpacked; our learning curves and GIFs need our own agents (the published ones: record_products)."""
    targets = [f for e in ACTIVE for p in pairs(e) for f in png_pdf(f"figures/{e}/scatter/{p}")]
    targets += [f for e in ACTIVE for f in png_pdf(f"figures/{e}/summary")]
    targets += [
        f"figures/{o['experiment']}/ols/{o['y']}--vs--{o['x']}.{ext}"
        for o in config["figures"]["ols"]
        if o["experiment"] in ACTIVE
        for ext in ("png", "pdf", "csv")
    ]
    targets += [f"figures/{i['experiment']}/illustration-{i['pair']}.png"
                for i in config["figures"]["illustration"] if i["experiment"] in ACTIVE]
    if SOURCE == "local":
        targets += [f for e in ACTIVE for f in png_pdf(f"figures/{e}/learning-curves")]
        targets += [f"figures/{g['experiment']}/gifs/seed_{g['seed']}-{g['env']}.gif"
                    for g in config["figures"]["gifs"] if g["experiment"] in ACTIVE]
        targets += vector_field_targets()
    return targets + analysis_targets() + reproduction_figure_targets() + rules.object_icons.output + ICON_FILES


def analysis_targets():
    """Every analysis table and figure of the active experiments, for figures/all."""
    targets = []
    for e in ACTIVE:
        targets += [outlier_table(e), f"results/analysis/{e}/outlier-agents.csv",
                    f"results/analysis/{e}/seed-variation.csv", *png_pdf(f"figures/{e}/analysis/seed-variation")]
    for e in channel_experiments():
        targets += [f"results/analysis/{e}/channel-{t}.csv" for t in ("effects", "glm", "classes")]
        targets += [f for name in ("preferences", "effects") for f in png_pdf(f"figures/{e}/analysis/channel-{name}")]
    return targets


def vector_field_targets():
    """The PNG and CSV of every configured field of the active experiments (of our own agents: figure_targets
    asks for them only with source=local)."""
    stems = [VECTOR_FIELD_STEM.format(**v) for v in config["figures"]["vector_fields"] if v["experiment"] in ACTIVE]
    stems += [VECTOR_FIELD_STEM.format(**d, seed=d["seeds"][0]) + f"-minus-seed_{d['seeds'][1]}"
              for d in config["figures"]["vector_field_differences"] if d["experiment"] in ACTIVE]
    return [f"{stem}.{ext}" for stem in stems for ext in ("png", "csv")]


def reproduction_targets():
    """Every table, figure and the summary of the reproduction."""
    targets = [REPRODUCTION_SUMMARY]
    for e in REPRODUCTION:
        targets += [f"{REPRODUCTION_DIR}/{e}/pairs.csv", f"{REPRODUCTION_DIR}/{e}/claims.csv"]
        targets += [f for name in REPRODUCTION_FIGURES for f in png_pdf(f"figures/{e}/reproduction/{name}")]
    return targets


def reproduction_figure_targets():
    """What figures/all lists of the reproduction: everything when reproduction.in_figures_all, else nothing."""
    if not config["reproduction"]["in_figures_all"]:
        return []
    if not REPRODUCTION:
        raise ValueError(f"reproduction.in_figures_all: no experiment of scale {config['scale']!r} names a "
                         "published_run or a reproduction.against entry; nothing to compare")
    return reproduction_targets()


def reproduction_products():
    """The reproduction's intermediates for the stale-results guard, when figures/all builds it:
    both sides' tables and the record's chain."""
    if not config["reproduction"]["in_figures_all"]:
        return []
    products = [f"{PUBLISHED_DIR}/fetched.md5", f"{PUBLISHED_DIR}/unpacked.txt", PUBLISHED_INDEX]
    for ours, theirs in REPRODUCTION.items():
        products += [f"results/tables/{ours}.csv", *[f"results/tables/{ours}/{p}.csv" for p in pairs(ours)]]
        products += [f"results/published/tables/{theirs}.csv",
                     *[f"results/published/tables/{theirs}/{p}.csv" for p in pairs(theirs)]]
    return products


@functools.cache  # figures/all asks twice (input and params); the record does not change while planning
def record_products():
    """The figures that need the published record's trained models or training logs, as (those it can make,
    {figure: why not} for the others): a record fetched without its models still makes everything else."""
    if SOURCE != "zenodo":
        return [], {}
    from workflow_scripts.published import lacks, published_results

    index = published_index(checkpoints, config, ACTIVE)
    made, left_out = [], {}

    def add(files, reason):
        if reason:
            left_out.update(dict.fromkeys(files, reason))
        else:
            made.extend(files)

    for c in config["published"]["compare"]:
        run = EXPERIMENTS[c["experiment"]]["published_run"]
        add([f"figures/{c['experiment']}/published-vs-ours/{c['pair']}.{ext}" for ext in ("png", "pdf", "csv")],
            lacks(index, run, "checkpoint", published_results(index, run, c["pair"])))
    for g in config["published"]["gifs"]:
        add([f"figures/{g['experiment']}/published-gifs/{g['agent']}/{g['env']}.gif"],
            lacks(index, EXPERIMENTS[g["experiment"]]["published_run"], "checkpoint", [g["agent"]]))
    for e in ACTIVE:
        add(png_pdf(f"figures/{e}/published-learning-curves"), lacks(index, EXPERIMENTS[e]["published_run"], "log"))
    return made, left_out


# Every agent of the active experiments, as (experiment, seed).
AGENTS = [(e, s) for e in ACTIVE for s in seeds(e)]
CAPABILITY_TABLES = [run_file(e, s, "capability.csv") for e, s in AGENTS]
FIGURES = figure_targets()


def workflow_products():
    """Every file that the targets of the active experiments are made of, intermediates included."""
    products = [*FIGURES, "figures/all"]
    products += [table_path(e) for e in ACTIVE] + [table_path(e, p) for e in ACTIVE for p in pairs(e)]
    if SOURCE == "zenodo":
        # The record's chain: a failed unpack (a file that no longer matches record.md5) leaves no unpacked.txt
        # while the index made from it stays.
        products += [f"{PUBLISHED_DIR}/fetched.md5", f"{PUBLISHED_DIR}/unpacked.txt", PUBLISHED_INDEX]
    if SOURCE == "local":
        for e, s in AGENTS:
            products += [final_checkpoint(e, s), run_file(e, s, "log.csv"), run_file(e, s, "capability.csv")]
            products += [f"results/eval/{e}/{p}/seed_{s}.csv" for p in pairs(e)]
    return products + reproduction_products()


def planned_identities():
    """{result: (rule, params)} of the engine, the expensive results of the active experiments and the tables
    made from them: each checked against the identity record its job wrote (workflow_scripts/guard.py). The engine's own,
    so that a result planned with a new engine is never made with the old library."""
    planned = {ENGINE_LIB: ("compile_engine", rule_params("compile_engine")),
               ENGINE_ASSETS[0]: ("prepare_assets", rule_params("prepare_assets")),
               ENGINE_RECORD: ("engine_built", rule_params("engine_built"))}
    if SOURCE != "local":
        return planned
    for e, s in AGENTS:
        planned[final_checkpoint(e, s)] = ("train_agent", rule_params("train_agent", experiment=e, seed=s))
        planned[run_file(e, s, "capability.csv")] = (
            "training_capability", rule_params("training_capability", experiment=e, seed=s))
        for p in pairs(e):
            planned[f"results/eval/{e}/{p}/seed_{s}.csv"] = (
                "evaluate_agent", rule_params("evaluate_agent", experiment=e, pair=p, seed=s))
    for e in ACTIVE:
        for p in pairs(e):
            planned[table_path(e, p)] = ("aggregate_pair", rule_params("aggregate_pair", experiment=e, pair=p))
    return planned


def rule_params(rule_name, **wildcards):
    """The params of the job of `rule_name` with these wildcards, as Snakemake gives them to the job."""
    return snakemake_internals.job_params(getattr(rules, rule_name), wildcards)


GUARD.watch(workflow_products(), planned_identities, FIGURES)


rule engine:
    input:
        ENGINE_LIB,
        ENGINE_ASSETS,
        ENGINE_RECORD,
        f"{ENGINE_DIR}/preview.png",
        lambda wc: GUARD.stale_under(f"{ENGINE_DIR}/"),
    localrule: True


rule train:
    input:
        [final_checkpoint(e, s) for e, s in AGENTS],
        CAPABILITY_TABLES,
        lambda wc: GUARD.stale_under(f"{ENGINE_DIR}/", "results/train/"),
    localrule: True


rule evaluate:
    input:
        [table_path(e) for e in ACTIVE],
        lambda wc: GUARD.stale_under(f"{ENGINE_DIR}/", "results/train/", "results/eval/", "results/tables/"),
    localrule: True


def _reproduction_inputs(wc):
    """The reproduction target's files; an error in words when there is nothing to compare."""
    if not REPRODUCTION:
        raise ValueError(f"nothing to compare: no experiment of scale {config['scale']!r} names a published_run or "
                         "has a reproduction.against entry (e.g. against: {demo-maze-5x5: maze-5x5})")
    return reproduction_targets()


rule reproduction:
    input:
        _reproduction_inputs,
    localrule: True


rule all_figures:
    input:
        figures=FIGURES,
        record=lambda wc: record_products()[0],
        remade=lambda wc: GUARD.figures_all_inputs(),
        code=job_code("all_figures"),
    output:
        "figures/all",
    params:
        # Changes exactly when files that results were made from are missing, so that this listing runs
        # and they are made again (workflow_scripts/guard.py).
        remade=lambda wc: sorted(GUARD.stale),
        left_out=lambda wc: record_products()[1],
        # Results of another identity kept with --touch: the listing names them.
        kept=lambda wc: GUARD.kept,
        code=code_version("all_figures"),
    localrule: True
    log:
        "results/logs/figures/all.log",
    script:
        "../workflow_scripts/jobs/all_figures.py"
