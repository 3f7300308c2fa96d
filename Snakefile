# Colour versus Shape Goal Misgeneralization (Ramanauskas & Şimşek 2023): the reproduction workflow.
import sys

from snakemake.utils import min_version, validate

min_version("9.27")

sys.path.insert(0, workflow.basedir)

from workflow_scripts import config_check, guard

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


# The stale-results guard (workflow_scripts/guard.py): rules/targets.smk gives it what the workflow makes, and
# the inputs of every script rule (rules/common.smk, job_code) let it repair the plan, once, before Snakemake
# decides what needs to run.
GUARD = guard.Guard(workflow)


include: "rules/common.smk"
include: "rules/engine.smk"
include: "rules/train.smk"
include: "rules/evaluate.smk"
include: "rules/published.smk"
include: "rules/vector_fields.smk"
include: "rules/analysis.smk"
include: "rules/reproduction.smk"
include: "rules/figures.smk"
include: "rules/targets.smk"


onstart:
    GUARD.check_rerun_triggers()


# The default target: every figure (figures/all lists them) and each agent's capability table.
rule all:
    default_target: True
    input:
        "figures/all",
        CAPABILITY_TABLES if SOURCE == "local" else [],
    localrule: True
