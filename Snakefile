# Colour versus Shape Goal Misgeneralization (Ramanauskas & Şimşek 2023): the reproduction workflow.
import sys

from snakemake.utils import min_version, validate

min_version("9.27")

sys.path.insert(0, workflow.basedir)

from workflow_scripts import config_check, guard, layout, plan, published_plan, rule_inputs, targets

config_check.check_working_directory(workflow.basedir)
config_check.check_interpreter(sys.executable)
# Plain YAML loading keeps the last of two equal keys and reports syntax errors without a line: read every
# config file strictly first. (Snakemake reads --configfile files before this line; an error it finds
# there is reported in its own words.)
config_check.check_files(["config.yaml", *workflow.overwrite_configfiles])


configfile: "config.yaml"


# Every problem of the configuration at once (schema, names, ranges), before any job is planned.
config_check.check_config(config)
validate(config, "schemas/config.schema.yaml")  # passes now; fills in the schema's defaults


report: "report/workflow.rst"


# The stale-results guard (workflow_scripts/guard.py): it is given what the workflow makes once every rule is
# defined (below), and the inputs of every script rule (INPUTS.job_code) let it repair the plan, once, before
# Snakemake decides what needs to run.
GUARD = guard.Guard(workflow)
# What the rule files read, built once from the config (parse-time modules, which no job imports): every rule's
# code and engine inputs (INPUTS), the config's look-ups (PLAN), the published record's (RECORD) and the lists
# of targets (TARGETS). The rule files call nothing of each other, so the order of their includes does not matter
# (tests/test_include_order.py).
INPUTS = rule_inputs.RuleInputs(workflow.basedir, config, GUARD, ancient, checkpoints)
PLAN = plan.Plan(config, INPUTS.engine_version)
RECORD = published_plan.Record(checkpoints, config, PLAN.active)
TARGETS = targets.Targets(PLAN, RECORD, rules)


# Before every include, so that each rule has them, whatever the order.
wildcard_constraints:
    experiment="[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",


include: "rules/engine.smk"
include: "rules/train.smk"
include: "rules/evaluate.smk"
include: "rules/published.smk"
include: "rules/vector_fields.smk"
include: "rules/analysis.smk"
include: "rules/reproduction.smk"
include: "rules/figures.smk"
include: "rules/targets.smk"


# Once every rule is defined: the identities the guard checks are the params of the rules.
GUARD.watch(TARGETS.workflow_products(), TARGETS.planned_identities, TARGETS.figures)


onstart:
    GUARD.check_rerun_triggers()


# The default target: every figure (figures/all lists them) and each agent's capability table.
rule all:
    default_target: True
    input:
        "figures/all",
        PLAN.capability_tables if PLAN.source == "local" else [],
    localrule: True
