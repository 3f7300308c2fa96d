"""What the workflow builds: the figures that figures/all lists, the products behind them and the identities
the stale-results guard checks (workflow_scripts/guard.py), each listed once, from the Plan. Parse-time only:
no job imports it."""

import functools
from typing import Any

from workflow_scripts import layout, snakemake_internals
from workflow_scripts.layout import png_pdf
from workflow_scripts.plan import Plan
from workflow_scripts.published_plan import Record


class Targets:
    """The targets of one plan. `rules` is Snakemake's: planned_identities reads the params of the rules, so
    it is called only once every rule file is included."""

    def __init__(self, plan: Plan, record: Record, rules: Any) -> None:
        self.plan = plan
        self.config = plan.config
        self.record = record
        self.rules = rules
        self.figures = self.figure_targets()

    def figure_targets(self) -> list[str]:
        """Every figure and analysis table of the active experiments that is known before the published record
        is unpacked; our learning curves and GIFs need our own agents (the published ones: record_products)."""
        plan, figures, active = self.plan, self.config["figures"], self.plan.active
        targets = [f for e in active for p in plan.pairs(e) for f in png_pdf(f"figures/{e}/scatter/{p}")]
        targets += [f for e in active for f in png_pdf(f"figures/{e}/summary")]
        targets += [
            f"figures/{o['experiment']}/ols/{o['y']}--vs--{o['x']}.{ext}"
            for o in figures["ols"]
            if o["experiment"] in active
            for ext in ("png", "pdf", "csv")
        ]
        targets += [f"figures/{i['experiment']}/illustration-{i['pair']}.png"
                    for i in figures["illustration"] if i["experiment"] in active]
        if plan.source == "local":
            targets += [f for e in active for f in png_pdf(f"figures/{e}/learning-curves")]
            targets += [f"figures/{g['experiment']}/gifs/seed_{g['seed']}-{g['env']}.gif"
                        for g in figures["gifs"] if g["experiment"] in active]
            targets += self.vector_field_targets()
        return (targets + self.analysis_targets() + self.reproduction_figure_targets()
                + png_pdf(layout.ICON_SHEET) + plan.all_icons())

    def analysis_targets(self) -> list[str]:
        """Every analysis table and figure of the active experiments, for figures/all."""
        targets = []
        for e in self.plan.active:
            targets += [layout.outlier_table(e), f"results/analysis/{e}/outlier-agents.csv",
                        f"results/analysis/{e}/seed-variation.csv", *png_pdf(f"figures/{e}/analysis/seed-variation")]
        for e in self.plan.channel_experiments():
            targets += [f"results/analysis/{e}/channel-{t}.csv" for t in ("effects", "glm", "classes")]
            targets += [f for name in ("preferences", "effects")
                        for f in png_pdf(f"figures/{e}/analysis/channel-{name}")]
        return targets

    def vector_field_targets(self) -> list[str]:
        """The PNG and CSV of every configured field of the active experiments (of our own agents:
        figure_targets asks for them only with source=local)."""
        figures, active, stem = self.config["figures"], self.plan.active, layout.VECTOR_FIELD_STEM
        stems = [stem.format(**v) for v in figures["vector_fields"] if v["experiment"] in active]
        stems += [stem.format(**d, seed=d["seeds"][0]) + f"-minus-seed_{d['seeds'][1]}"
                  for d in figures["vector_field_differences"] if d["experiment"] in active]
        return [f"{s}.{ext}" for s in stems for ext in ("png", "csv")]

    def reproduction_targets(self) -> list[str]:
        """Every table, figure and the summary of the reproduction."""
        targets = [layout.REPRODUCTION_SUMMARY]
        for e in self.plan.reproduction:
            targets += [f"{layout.REPRODUCTION_DIR}/{e}/pairs.csv", f"{layout.REPRODUCTION_DIR}/{e}/claims.csv"]
            targets += [f for name in layout.REPRODUCTION_FIGURES
                        for f in png_pdf(f"figures/{e}/reproduction/{name}")]
        return targets

    def reproduction_inputs(self) -> list[str]:
        """The reproduction target's files; an error in words when there is nothing to compare."""
        if not self.plan.reproduction:
            raise ValueError(f"nothing to compare: no experiment of scale {self.config['scale']!r} names a "
                             "published_run or has a reproduction.against entry (e.g. against: "
                             "{demo-maze-5x5: maze-5x5})")
        return self.reproduction_targets()

    def reproduction_figure_targets(self) -> list[str]:
        """What figures/all lists of the reproduction: everything when reproduction.in_figures_all, else
        nothing."""
        if not self.config["reproduction"]["in_figures_all"]:
            return []
        if not self.plan.reproduction:
            raise ValueError(f"reproduction.in_figures_all: no experiment of scale {self.config['scale']!r} names a "
                             "published_run or a reproduction.against entry; nothing to compare")
        return self.reproduction_targets()

    def reproduction_products(self) -> list[str]:
        """The reproduction's intermediates for the stale-results guard, when figures/all builds it:
        both sides' tables and the record's chain."""
        if not self.config["reproduction"]["in_figures_all"]:
            return []
        plan = self.plan
        products = layout.published_chain(plan.published_dir)
        for ours, theirs in plan.reproduction.items():
            for tables, experiment in ((layout.OUR_TABLES, ours), (layout.PUBLISHED_TABLES, theirs)):
                products += [layout.table_path(tables, experiment),
                             *[layout.table_path(tables, experiment, p) for p in plan.pairs(experiment)]]
        return products

    # figures/all asks twice (input and params); the record does not change while planning. A checkpoint not
    # yet made raises, and is not cached.
    @functools.cache
    def record_products(self) -> tuple[list[str], dict[str, str]]:
        """The figures that need the published record's trained models or training logs, as (those it can make,
        {figure: why not} for the others): a record fetched without its models still makes everything else."""
        if self.plan.source != "zenodo":
            return [], {}
        from workflow_scripts.published import lacks, published_results

        index = self.record.index()
        made: list[str] = []
        left_out: dict[str, str] = {}

        def add(files: list[str], reason: str) -> None:
            if reason:
                left_out.update(dict.fromkeys(files, reason))
            else:
                made.extend(files)

        published = self.config["published"]
        for c in published["compare"]:
            run = self.record.run(c["experiment"])
            add([f"figures/{c['experiment']}/published-vs-ours/{c['pair']}.{ext}" for ext in ("png", "pdf", "csv")],
                lacks(index, run, "checkpoint", published_results(index, run, c["pair"])))
        for g in published["gifs"]:
            add([f"figures/{g['experiment']}/published-gifs/{g['agent']}/{g['env']}.gif"],
                lacks(index, self.record.run(g["experiment"]), "checkpoint", [g["agent"]]))
        for e in self.plan.active:
            add(png_pdf(f"figures/{e}/published-learning-curves"), lacks(index, self.record.run(e), "log"))
        return made, left_out

    def workflow_products(self) -> list[str]:
        """Every file that the targets of the active experiments are made of, intermediates included."""
        plan = self.plan
        products = [*self.figures, "figures/all"]
        products += [plan.table_path(e) for e in plan.active]
        products += [plan.table_path(e, p) for e in plan.active for p in plan.pairs(e)]
        if plan.source == "zenodo":
            # The record's chain: a failed unpack (a file that no longer matches record.md5) leaves no
            # unpacked.txt while the index made from it stays.
            products += layout.published_chain(plan.published_dir)
        if plan.source == "local":
            for e, s in plan.agents:
                products += [layout.final_checkpoint(e, s), layout.run_file(e, s, "log.csv"),
                             layout.run_file(e, s, "capability.csv")]
                products += [layout.eval_csv(e, p, s) for p in plan.pairs(e)]
        return products + self.reproduction_products()

    def planned_identities(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """{result: (rule, params)} of the engine, the expensive results of the active experiments and the
        tables made from them: each checked against the identity record its job wrote (workflow_scripts/guard.py).
        The engine's own, so that a result planned with a new engine is never made with the old library."""
        params = self.rule_params
        planned = {layout.ENGINE_LIB: ("compile_engine", params("compile_engine")),
                   layout.ENGINE_ASSETS[0]: ("prepare_assets", params("prepare_assets")),
                   layout.ENGINE_RECORD: ("engine_built", params("engine_built"))}
        if self.plan.source != "local":
            return planned
        for e, s in self.plan.agents:
            planned[layout.final_checkpoint(e, s)] = ("train_agent", params("train_agent", experiment=e, seed=s))
            planned[layout.run_file(e, s, "capability.csv")] = (
                "training_capability", params("training_capability", experiment=e, seed=s))
            for p in self.plan.pairs(e):
                planned[layout.eval_csv(e, p, s)] = (
                    "evaluate_agent", params("evaluate_agent", experiment=e, pair=p, seed=s))
        for e in self.plan.active:
            for p in self.plan.pairs(e):
                planned[self.plan.table_path(e, p)] = ("aggregate_pair", params("aggregate_pair", experiment=e, pair=p))
        return planned

    def rule_params(self, rule_name: str, **wildcards: Any) -> dict[str, Any]:
        """The params of the job of `rule_name` with these wildcards, as Snakemake gives them to the job."""
        return snakemake_internals.job_params(getattr(self.rules, rule_name), wildcards)
