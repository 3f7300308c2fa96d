"""Logging of workflow jobs: Python logging, warnings and uncaught exceptions (with traceback) all go to the
job's `log:` file, as PyPSA-Eur's `configure_logging` does."""

import io
import logging
import sys
import warnings
from pathlib import Path
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(snakemake: Any, name: str | None = None) -> logging.Logger:
    """Sends the job's logging to its first log file (warnings and errors to stderr too) and returns a logger
    for the job.

    Warnings are logged each time they occur, so that a table names every agent it warns about, and an
    uncaught exception is logged with its traceback before the job fails."""
    log_files = list(getattr(snakemake, "log", []) or [])
    # The console shows a job's warnings and errors; its log holds everything.
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(_WithoutTraceback(FORMAT))
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


class _WithoutTraceback(logging.Formatter):
    """The console's format: a failure's message without its traceback, which the job's log file keeps."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None}))


class LogStream(io.TextIOBase):
    """A text stream whose lines become log records: for code that reports progress to a file object."""

    def __init__(self, logger: logging.Logger, level: int = logging.INFO) -> None:
        super().__init__()
        self.logger, self.level, self._pending = logger, level, ""

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        for line in lines:
            if line.strip():
                self.logger.log(self.level, line)
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            self.logger.log(self.level, self._pending)
        self._pending = ""
