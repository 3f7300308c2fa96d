"""A Zenodo record on disk: its files fetched with zenodo-get, checked against the record's md5 checksums,
and its archives unpacked.

The record's checksum list is fetched once and kept (published records do not change), so a rerun only
fetches what is missing or damaged, and needs no network once every file is there.
"""

import glob
import hashlib
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import TextIO

import httpx2
import zenodo_get


LISTING = "record.md5"  # every file of the record with its md5, as zenodo-get -m writes it
UNPACKED_SUFFIX = ".unpacked"  # an archive's contents go to a folder of its name with this suffix
MAX_NESTING = 3  # archives inside archives are unpacked down to this depth


class DownloadError(RuntimeError):
    """The record could not be fetched or its files do not match their checksums."""


def md5sum(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_checksums(path: Path) -> dict[str, str]:
    """{file name: md5} from an `md5  name` listing."""
    entries = (line.split("  ", 1) for line in path.read_text().splitlines() if line.strip())
    return {name: md5 for md5, name in entries}


def _zenodo(record: str, folder: Path, **options) -> None:
    """One zenodo-get call, with the network's failures turned into a message a person can act on."""
    try:
        zenodo_get.download(record=record, output_dir=folder, exceptions_on_failure=True, **options)
    except (ConnectionError, httpx2.RequestError, httpx2.HTTPStatusError, ValueError) as err:
        raise DownloadError(
            f"could not fetch Zenodo record {record}: {err}\nIs the network reachable (a proxy is taken from "
            f"HTTPS_PROXY)? Without one, fetch the files on another machine (`zenodo_get {record} -m` lists "
            f"their checksums in md5sums.txt) and copy them into {folder}, with md5sums.txt renamed to "
            f"{LISTING}: they are checked and used as they are.") from None


def record_checksums(record: str, folder: Path, timeout: float) -> dict[str, str]:
    """{file name: md5} of every file of the record, from its metadata, fetched once and kept in folder."""
    listing = folder / LISTING
    if not listing.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _zenodo(record, folder, md5=True, timeout=timeout)
        (folder / "md5sums.txt").replace(listing)
    checksums = read_checksums(listing)
    if not checksums:
        raise DownloadError(f"Zenodo record {record} lists no files")
    return checksums


def select(checksums: dict[str, str], patterns: Sequence[str], record: str) -> dict[str, str]:
    """The files that match any of the glob patterns; an error naming the record's files when none does."""
    chosen = {name: md5 for name, md5 in checksums.items() if any(fnmatch(name, p) for p in patterns)}
    if not chosen:
        raise DownloadError(f"no file of Zenodo record {record} matches {list(patterns)}; "
                            f"its files: {', '.join(sorted(checksums))}")
    return chosen


def fetch(record: str, folder: str | Path, patterns: Sequence[str] = ("*",), retries: int = 3,
          pause: float = 10.0, timeout: float = 60.0, progress: TextIO | None = None) -> dict[str, str]:
    """Downloads the record's files that match the patterns into folder and checks each against the
    record's md5; files already there and correct are kept. Returns {name: md5} of the chosen files."""
    folder = Path(folder)
    wanted = select(record_checksums(record, folder, timeout), patterns, record)
    missing = [name for name, md5 in wanted.items()
               if not (folder / name).is_file() or md5sum(folder / name) != md5]
    if progress is not None:
        print(f"record {record}: {len(wanted) - len(missing)} of {len(wanted)} files already here", file=progress)
    if missing:
        _zenodo(record, folder, file_glob=tuple(glob.escape(name) for name in missing), retry_attempts=retries,
                retry_pause=pause, timeout=timeout)
    damaged = [name for name in missing if not (folder / name).is_file() or md5sum(folder / name) != wanted[name]]
    if damaged:
        raise DownloadError(f"Zenodo record {record}: these files are missing or do not match the record's "
                            f"md5 after downloading: {', '.join(damaged)}; run again to retry")
    return wanted


def _archive_kind(path: Path) -> str | None:
    # Tar first: a tar that holds a zip near its end passes is_zipfile, whose signature may lie anywhere.
    if tarfile.is_tarfile(path):
        return "tar"
    if zipfile.is_zipfile(path):
        return "zip"
    return None


def _unpack(archive: Path, kind: str, target: Path) -> None:
    """Unpacks into a temporary folder beside target and renames it, so target exists only when whole."""
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        if kind == "zip":
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)  # zipfile drops absolute paths and '..' from member names
        else:
            with tarfile.open(archive) as t:
                t.extractall(tmp, filter="data")  # refuses links and paths that leave tmp
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def unpack_all(folder: str | Path, names: Iterable[str], progress: TextIO | None = None) -> list[Path]:
    """Unpacks each named zip or tar archive in folder into `<name>.unpacked/` beside it, and archives found
    inside those, down to MAX_NESTING levels. An archive already unpacked is skipped. Returns the folders."""
    folder = Path(folder)
    level = [folder / name for name in names]
    unpacked = []
    for _ in range(MAX_NESTING):
        found = []
        for archive in level:
            kind = _archive_kind(archive)
            if kind is None:
                continue
            target = archive.with_name(archive.name + UNPACKED_SUFFIX)
            if not target.exists():
                if progress is not None:
                    print(f"unpacking {archive}", file=progress, flush=True)
                _unpack(archive, kind, target)
            unpacked.append(target)
            found += [p for p in sorted(target.rglob("*")) if p.is_file()]
        level = found
    return unpacked
