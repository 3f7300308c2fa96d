"""What the console of a run shows of the logging of its jobs: warnings and errors, and the records that library
code marks with CONSOLE (a training job's progress lines). The set-up of a job's logging, which reads the
`snakemake` object, is the entry scripts' (workflow_scripts/jobs/shared/job.py)."""

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# `extra` of a record that the console shows too, as it is: a line of progress that is worth watching live.
CONSOLE = {"console": True}


def for_console(record: logging.LogRecord) -> bool:
    """Whether the console shows a record: warnings and errors, and records logged with extra=CONSOLE."""
    return record.levelno >= logging.WARNING or getattr(record, "console", False)


class ConsoleFormat(logging.Formatter):
    """The console's format: a progress line as it is; other records with their time, level and logger, and
    a failure's message without its traceback, which the job's log file keeps."""

    def format(self, record: logging.LogRecord) -> str:
        """The record's line on the console."""
        if getattr(record, "console", False):
            return record.getMessage()
        return super().format(logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None}))
