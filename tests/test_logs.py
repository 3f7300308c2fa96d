"""Job logging: records, warnings and an uncaught exception with its traceback all reach the job's log."""

import subprocess
import sys
import textwrap

from tests.conftest import REPO


def test_a_failing_job_leaves_its_traceback_and_warnings_in_its_log(tmp_path):
    log = tmp_path / "logs" / "job.log"
    script = textwrap.dedent(f"""
        import types, warnings
        from workflow_scripts.logs import configure_logging
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
