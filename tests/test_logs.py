"""Job logging: records, warnings and an uncaught exception with its traceback all reach the job's log."""

import logging
import re
import subprocess
import sys
import textwrap

from tests.conftest import REPO
from workflow_scripts.logs import CONSOLE, for_console


def test_a_failing_job_leaves_its_traceback_and_warnings_in_its_log(tmp_path):
    log = tmp_path / "logs" / "job.log"
    script = textwrap.dedent(f"""
        import types, warnings
        from workflow_scripts.jobs.shared.job import configure_logging
        job = types.SimpleNamespace(log=[{str(log)!r}], rule="aggregate_pair", output=["out.csv"])
        logger = configure_logging(job)
        logger.info("progress line")
        warnings.warn("agent seed_3 reached no object")
        warnings.warn("agent seed_3 reached no object")
        raise ValueError("results/eval/x.csv: not an evaluation result")
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert run.returncode != 0
    text = log.read_text()
    assert "job aggregate_pair: out.csv" in text and "progress line" in text
    assert text.count("agent seed_3 reached no object") == 2  # every occurrence, not once per place
    assert "Traceback (most recent call last)" in text and "ValueError: results/eval/x.csv" in text
    # The console gets the message once, without the traceback, and where the traceback is.
    assert "progress line" not in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.count("results/eval/x.csv: not an evaluation result") == 1
    assert f"the job failed: results/eval/x.csv: not an evaluation result (traceback in {log})" in run.stderr


def test_the_console_filter_passes_warnings_and_marked_records_only():
    def record(level: int, **extra) -> logging.LogRecord:
        return logging.makeLogRecord({"levelno": level, "levelname": logging.getLevelName(level), "msg": "m", **extra})

    assert for_console(record(logging.WARNING)) and for_console(record(logging.ERROR))
    assert for_console(record(logging.INFO, **CONSOLE))
    assert not for_console(record(logging.INFO)) and not for_console(record(logging.DEBUG))


def test_the_console_shows_marked_progress_lines_as_they_are_and_the_log_holds_every_line(tmp_path):
    """A training job's console: its warnings, and the iteration lines that train() marks, bare, as a console
    line of progress; its log file: all of them, and the unmarked ones, each with time, level and logger."""
    log = tmp_path / "logs" / "train.log"
    script = textwrap.dedent(f"""
        import logging, types
        from workflow_scripts.jobs.shared.job import configure_logging
        from workflow_scripts.logs import CONSOLE
        configure_logging(types.SimpleNamespace(log=[{str(log)!r}], rule="train_agent", output=["final.pth"]))
        trainer = logging.getLogger("workflow_scripts.train")
        trainer.info("[a seed 0] iteration 1/3  t=64", extra=CONSOLE)
        trainer.info("[a seed 0] iteration 2/3  t=128")
        trainer.warning("[a seed 0] starting afresh: removing model_0.pth")
        trainer.info("[a seed 0] iteration 3/3  t=192", extra=CONSOLE)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    console = run.stderr.splitlines()
    assert console[0] == "[a seed 0] iteration 1/3  t=64" and console[2] == "[a seed 0] iteration 3/3  t=192"
    assert re.fullmatch(r"\S+ \S+ WARNING workflow_scripts.train: \[a seed 0\] starting afresh: removing model_0.pth",
                        console[1]) and len(console) == 3
    written = log.read_text()
    for line in ["iteration 1/3  t=64", "iteration 2/3  t=128", "WARNING workflow_scripts.train: [a seed 0] starting",
                 "iteration 3/3  t=192"]:
        assert line in written
    assert re.search(r"INFO workflow_scripts.train: \[a seed 0\] iteration 2/3  t=128", written)
