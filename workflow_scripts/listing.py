"""The line format of figures/all, written by its rule (jobs/all_figures.py) and read back by the stale-results
guard while the workflow is parsed (provenance.listed_but_changed): kept here, light, so that both agree and
the guard imports nothing heavy.

A `<sha256>  <path>` line per figure, by path, then a `# left out  <path>  <reason>` line per figure that could
not be made, by path, then a `# kept  <path>  <what differs>` line per result that the figures were drawn
from although another identity made it (kept with `snakemake --touch`, workflow_scripts/guard.py).
"""

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

SEPARATOR = "  "
LEFT_OUT = "# left out"
KEPT = "# kept"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The hex sha256 of a file's content."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def listing_text(files: Iterable[tuple[str, str]], left_out: Mapping[str, str],
                 kept: Mapping[str, str] | None = None) -> str:
    """The listing of (path, sha256) files, of {figure: reason} left out and of {result: what differs} kept."""
    lines = [f"{digest}{SEPARATOR}{path}\n" for path, digest in sorted(files)]
    lines += [f"{LEFT_OUT}{SEPARATOR}{path}{SEPARATOR}{reason}\n" for path, reason in sorted(left_out.items())]
    lines += [f"{KEPT}{SEPARATOR}{path}{SEPARATOR}{why}\n" for path, why in sorted((kept or {}).items())]
    return "".join(lines)


def listed_files(text: str) -> list[tuple[str, str]]:
    """(path, sha256) of each file line of a listing, in order; the left-out lines are not files."""
    files = []
    for line in text.splitlines():
        digest, sep, path = line.partition(SEPARATOR)
        if sep and not line.startswith("#"):
            files.append((path, digest))
    return files
