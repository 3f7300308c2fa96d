"""Logging of workflow jobs: Python logging, warnings and uncaught exceptions (with traceback) all go to the
job's `log:` file, as PyPSA-Eur's `configure_logging` does. The console gets warnings and errors, and the
records that library code marks with CONSOLE (a training job's progress lines)."""

import logging
import sys
import warnings
from pathlib import Path
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# `extra` of a record that the console shows too, as it is: a line of progress that is worth watching live.
CONSOLE = {"console": True}


def configure_logging(snakemake: Any, name: str | None = None) -> logging.Logger:
    """Sends the job's logging to its first log file (warnings and errors to stderr too) and returns a logger
    for the job.

    Warnings are logged each time they occur, so that a table names every agent it warns about, and an
    uncaught exception is logged with its traceback before the job fails."""
    log_files = list(getattr(snakemake, "log", []) or [])
    # The console shows a job's warnings, errors and progress lines; its log holds everything.
    console = logging.StreamHandler(sys.stderr)
    console.addFilter(for_console)
    console.setFormatter(_ConsoleFormat(FORMAT))
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


def for_console(record: logging.LogRecord) -> bool:
    """Whether the console shows a record: warnings and errors, and records logged with extra=CONSOLE."""
    return record.levelno >= logging.WARNING or getattr(record, "console", False)


class _ConsoleFormat(logging.Formatter):
    """The console's format: a progress line as it is; other records with their time, level and logger, and
    a failure's message without its traceback, which the job's log file keeps."""

    def format(self, record: logging.LogRecord) -> str:
        """The record's line on the console."""
        if getattr(record, "console", False):
            return record.getMessage()
        return super().format(logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None}))
