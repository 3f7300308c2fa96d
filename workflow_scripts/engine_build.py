"""Building the maze engine: the compiler call, and what identifies a build (compiler, gym3's libenv.h).
Light enough for the workflow to import while it is parsed."""

import importlib.util
import shlex
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path


def libenv_header() -> Path:
    """gym3's libenv.h, which it ships beside its modules; found without importing gym3."""
    spec = importlib.util.find_spec("gym3")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the gym3 package is not installed (bash envs/setup.sh installs it)")
    return Path(spec.origin).parent / "libenv.h"


@lru_cache(maxsize=None)
def compiler_identity(cxx: str) -> str:
    """The first line of `cxx --version` (e.g. 'g++ (Debian 14.2.0-19) 14.2.0'), or a note that it cannot run:
    a different compiler rebuilds the engine."""
    try:
        run = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        return f"{cxx}: not runnable ({type(err).__name__})"
    return (run.stdout.splitlines() or [f"{cxx}: no version"])[0]


def compile_engine(cxx: str, flags: Sequence[str], sources: Sequence[str], output: Path) -> str:
    """Compiles the sources into the shared library `output` (written whole or not at all); returns the
    compiler's command line and messages. Raises RuntimeError with them when it fails."""
    output = Path(output)
    tmp = output.with_name(output.name + ".tmp")
    command = [cxx, *flags, "-I", str(libenv_header().parent), *sources, "-o", str(tmp)]
    run = subprocess.run(command, capture_output=True, text=True)
    report = f"{shlex.join(command)}\n{run.stdout}{run.stderr}"
    if run.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"compiling the engine failed (exit {run.returncode}):\n{report}")
    tmp.replace(output)
    return report
