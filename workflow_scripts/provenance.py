"""Results made from files that are gone, found from what Snakemake recorded about the making of each result.

Snakemake does not remake a missing intermediate file while the files made from it exist
(snakemake/snakemake#1978): after a failed job or a deleted file, a run would report success with tables
and figures that no longer match their inputs. The identity record that a job writes beside its result
(identity.py) and, for every other output, Snakemake's file-based metadata (`.snakemake/metadata`, one JSON
record per output, read through snakemake_internals) list the input files of each output;
an output whose recorded input is missing is stale, and so is a missing result whose own identity record
is still there (it was made before). The workflow makes such files again, and through them everything made
from them (workflow_scripts/guard.py).
"""

import os
from collections.abc import Iterable
from pathlib import Path

from workflow_scripts import identity, snakemake_internals
from workflow_scripts.listing import file_sha256, listed_files
from workflow_scripts.snakemake_internals import METADATA_DIR


def recorded_inputs(output: str, metadata_dir: str | os.PathLike[str] = METADATA_DIR) -> list[str] | None:
    """The input files recorded for `output`: by its job's identity record, else by Snakemake; None without a
    readable record."""
    ours = identity.recorded_inputs(output)
    return ours if ours is not None else snakemake_internals.recorded_inputs(output, metadata_dir)


def stale_sources(products: Iterable[str], metadata_dir: str | os.PathLike[str] = METADATA_DIR) -> dict[str, list[str]]:
    """{missing file: [existing products recorded as made from it]} over the given products of the workflow; a
    missing product whose own identity record is there is one too, with the products made from it that the
    records name (maybe none: without Snakemake's records, those without an identity record are unknown).

    Only products' own records are read, and only when some product is missing, so that a complete or a new
    run costs one stat per product."""
    products = list(dict.fromkeys(products))
    exists = {p: os.path.exists(p) for p in products}
    if all(exists.values()):
        return {}
    missing = {p for p, there in exists.items() if not there}
    stale: dict[str, list[str]] = {}
    for product in products:
        if not exists[product]:
            continue
        for source in recorded_inputs(product, metadata_dir) or ():
            if source in missing:
                stale.setdefault(source, []).append(product)
    for product in missing:
        if identity.record_path(product).exists():
            stale.setdefault(product, [])
    return stale


def stale_ancestors(targets: Iterable[str], stale: dict[str, list[str]],
                    metadata_dir: str | os.PathLike[str] = METADATA_DIR) -> set[str]:
    """The stale products (made from a missing file, per `stale`) among the targets and everything they were
    recorded as made from, however far back: a single file asked for is up to date for Snakemake while a
    file it was made from, long before, is stale (snakemake/snakemake#1978)."""
    stale_products = {p for made in stale.values() for p in made}
    found: set[str] = set()
    seen: set[str] = set()
    todo = [os.path.normpath(t) for t in targets]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if path in stale_products:
            found.add(path)
        todo.extend(os.path.normpath(f) for f in recorded_inputs(path, metadata_dir) or ())
    return found


def describe(stale: dict[str, list[str]], shown: int = 10) -> str:
    """A few lines naming the missing files and what was made from them."""
    lines = [f"{source} (used by {made[0]}{f' and {len(made) - 1} more' if len(made) > 1 else ''})" if made
             else f"{source} (made before: its identity record is there)"
             for source, made in sorted(stale.items())[:shown]]
    more = f"\n  ... and {len(stale) - shown} more" if len(stale) > shown else ""
    return "\n  ".join(lines) + more


def listed_but_changed(listing: str | os.PathLike[str]) -> list[str]:
    """Files that a listing (figures/all, workflow_scripts/listing.py) names with a sha256 that is not that of the
    file on disk any more: replaced by hand, or copied over with their old time stamps kept, so that Snakemake
    sees nothing new. Files that are gone are left to Snakemake."""
    try:
        text = Path(listing).read_text()
    except (OSError, UnicodeDecodeError):
        return []
    changed = []
    for path, digest in listed_files(text):
        try:
            if file_sha256(path) != digest:
                changed.append(path)
        except OSError:
            continue
    return changed

# How each kind of figure file starts and ends when whole (a PDF may end in a newline after its marker).
FIGURE_ENDS = {".png": (b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"), ".gif": (b"GIF8", b";"), ".pdf": (b"%PDF-", b"%%EOF")}


def damaged_files(paths: Iterable[str]) -> dict[str, str]:
    """{file: what is wrong} for the existing files among paths that are not whole: empty, or a PNG, GIF or
    PDF without its format's first or last bytes (an interrupted copy, a truncated disk write). Reads only
    each file's ends."""
    damaged = {}
    for path in paths:
        try:
            size = os.path.getsize(path)
        except OSError:
            continue
        if size == 0:
            damaged[path] = "empty"
            continue
        ends = FIGURE_ENDS.get(Path(path).suffix.lower())
        if ends is None:
            continue
        with open(path, "rb") as f:
            head = f.read(len(ends[0]))
            f.seek(max(0, size - 32))
            tail = f.read().rstrip(b"\r\n")
        if head != ends[0] or not tail.endswith(ends[1]):
            damaged[path] = f"not a whole {Path(path).suffix.lower().lstrip('.').upper()} file"
    return damaged
