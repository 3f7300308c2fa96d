"""The Snakemake side of an entry script: its job's logging (Python logging, warnings and an uncaught
exception with its traceback all go to the rule's `log:` file, as PyPSA-Eur's `configure_logging` does), its
device, and the identity record of what it made. The only place beside the entry scripts that reads the
`snakemake` object."""

import contextlib
import logging
import sys
import warnings
from pathlib import Path
from typing import Any

from workflow_scripts.identity import write_record
from workflow_scripts.logs import FORMAT, ConsoleFormat, for_console


def configure_logging(snakemake: Any, name: str | None = None) -> logging.Logger:
    """Sends the job's logging to its first log file (warnings and errors to stderr too) and returns a logger
    for the job.

    Warnings are logged each time they occur, so that a table names every agent it warns about, and an
    uncaught exception is logged with its traceback before the job fails."""
    log_files = list(getattr(snakemake, "log", []) or [])
    # The console shows a job's warnings, errors and progress lines; its log holds everything.
    console = logging.StreamHandler(sys.stderr)
    console.addFilter(for_console)
    console.setFormatter(ConsoleFormat(FORMAT))
    handlers: list[logging.Handler] = [console]
    if log_files:
        Path(log_files[0]).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_files[0], mode="w"))
    logging.basicConfig(level=logging.INFO, format=FORMAT, handlers=handlers, force=True)
    logging.captureWarnings(True)
    warnings.simplefilter("always")
    logger = logging.getLogger(name or getattr(snakemake, "rule", "job"))

    where = f" (traceback in {log_files[0]})" if log_files else ""

    def log_uncaught(kind, value, traceback) -> None:
        logger.critical("the job failed: %s%s", value, where, exc_info=(kind, value, traceback))

    sys.excepthook = log_uncaught
    wildcards = getattr(snakemake, "wildcards", None)
    wildcards = dict(wildcards.items()) if hasattr(wildcards, "items") else {}
    logger.info("job %s%s: %s", getattr(snakemake, "rule", "?"), f" {wildcards}" if wildcards else "",
                ", ".join(map(str, getattr(snakemake, "output", []) or [])))
    # Jobs load the engine they declare, never one that MAZE_ENGINE_DIR names: the log says which.
    if engine := getattr(getattr(snakemake, "input", None), "lib", None):
        logger.info("engine %s", Path(engine).resolve())
    return logger


def job_device(snakemake, bf16: bool | str) -> contextlib.AbstractContextManager:
    """The device of a job that plays an agent (`params.device`), set up with the job's threads and GPU."""
    # Imported here: every job imports this module, and importing torch costs most jobs (tables, analyses,
    # figures, the engine) over a second each of a run's start-up.
    from workflow_scripts.devices import device_setup

    return device_setup(snakemake.params.device, snakemake.threads, bf16, getattr(snakemake.resources, "gpu", 0) > 0,
                        getattr(snakemake.resources, "agents_per_gpu", 1))


def record_job(snakemake: Any) -> Path:
    """Records, beside the job's first output, what it was made with (identity.write_record): the rule, its
    named params, inputs and outputs. Called last, once the outputs are written."""
    return write_record(snakemake.rule, dict(snakemake.params.items()), list(snakemake.input), list(snakemake.output))
