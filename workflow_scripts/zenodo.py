"""A Zenodo record on disk: its files fetched with zenodo-get, checked against the record's md5 checksums,
and its archives unpacked.

The record's checksum list is fetched once and kept (published records do not change), so a rerun only
fetches what is missing or damaged, and needs no network once every file is there.
"""

import glob
import hashlib
import json
import logging
import os
import shutil
import tarfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatch
from pathlib import Path

import httpx2
import zenodo_get

from workflow_scripts.locks import holder, try_lock

LISTING = "record.md5"  # every file of the record with its md5, as zenodo-get -m writes it
UNPACKED_SUFFIX = ".unpacked"  # an archive's contents go to a folder of its name with this suffix
MAX_NESTING = 3  # archives inside archives are unpacked down to this depth
# Inside the record's archives, only files named as archives are: a checkpoint (.pth) is a zip too, and raw
# tensor files can pass for tars.
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")

logger = logging.getLogger(__name__)
UNPACK_LOCK = ".unpack.lock"


class DownloadError(RuntimeError):
    """The record could not be fetched or its files do not match their checksums."""


def md5sum(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# In the record's folder: {name: [size, mtime_ns, inode, ctime_ns, md5]} of its files. The inode and the change
# time tell a file replaced under its old size and modification time (a restore, `cp -p`, rsync --times) from
# the file that was read: a new file has a new inode, one rewritten in place a new change time.
MD5_CACHE = ".md5-cache.json"


def current_checksums(folder: str | Path, names: Iterable[str]) -> dict[str, str]:
    """{name: md5} of the named files as they are now ('missing' for an absent one). A file is read only when
    its size, time stamps or inode differ from the cache's (folder/MD5_CACHE, rewritten when it changed), so
    the record's gigabytes are not read on every run, and a touched, copied or replaced file is known for
    what it holds."""
    folder = Path(folder)
    try:
        cache = json.loads((folder / MD5_CACHE).read_text())
    except (OSError, ValueError):
        cache = {}
    found, updated = {}, {}
    for name in names:
        try:
            stat = (folder / name).stat()
        except OSError:
            found[name] = "missing"
            continue
        key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
        cached = cache.get(name) or []
        md5 = cached[-1] if cached[:-1] == key else md5sum(folder / name)
        found[name] = md5
        updated[name] = [*key, md5]
    if updated != {n: cache.get(n) for n in updated} and folder.is_dir():
        tmp = folder / f".{MD5_CACHE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({**cache, **updated}))
        tmp.replace(folder / MD5_CACHE)
    return found


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


def record_checksums(record: str, folder: Path, timeout: float, retries: int = 0, pause: float = 0.5) -> dict[str, str]:
    """{file name: md5} of every file of the record, from its metadata, fetched once and kept in folder."""
    listing = folder / LISTING
    if not listing.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _zenodo(record, folder, md5=True, timeout=timeout, retry_attempts=retries, retry_pause=pause)
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
          pause: float = 10.0, timeout: float = 60.0) -> dict[str, str]:
    """Downloads the record's files that match the patterns into folder and checks each against the
    record's md5; files already there and correct are kept. Returns {name: md5} of the chosen files."""
    folder = Path(folder)
    wanted = select(record_checksums(record, folder, timeout, retries, pause), patterns, record)
    missing = [name for name, md5 in wanted.items()
               if not (folder / name).is_file() or md5sum(folder / name) != md5]
    logger.info(f"record {record}: {len(wanted) - len(missing)} of {len(wanted)} files already here")
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


SOURCE_MARK = ".source.md5"  # inside an unpacked folder: the md5 of the archive it was unpacked from


def _unpack(archive: Path, kind: str, target: Path, md5: str) -> None:
    """Unpacks into a temporary folder beside target and renames it, so target exists only when whole, with
    the archive's md5 inside (SOURCE_MARK). The temporary folder has a fixed name: what a killed unpack left
    there is removed by the next one."""
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        if kind == "zip":
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)  # zipfile drops absolute paths and '..' from member names
        else:
            with tarfile.open(archive) as t:
                t.extractall(tmp, filter="data")  # refuses links and paths that leave tmp
        (tmp / SOURCE_MARK).write_text(md5 + "\n")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _unpacked_from(target: Path) -> str | None:
    """The md5 of the archive that target was unpacked from; None for a folder without the mark."""
    try:
        return (target / SOURCE_MARK).read_text().strip()
    except OSError:
        return None


def unpack_all(folder: str | Path, names: Iterable[str], checksums: Mapping[str, str] | None = None) -> list[Path]:
    """Unpacks each named zip or tar archive in folder into `<name>.unpacked/` beside it, and archives found
    inside those (by their names: ARCHIVE_SUFFIXES), down to MAX_NESTING levels. An archive already unpacked
    from the same content is skipped; one whose content changed (a corrected file) is unpacked again, with
    what it holds. `checksums` gives the md5 of named files already computed (check_against_listing's), which
    are then not read again. One unpack at a time per folder: a second one (a run started while an
    interrupted one is still stopping) is refused, naming the first. Returns the folders."""
    folder = Path(folder)
    lock = try_lock(folder / UNPACK_LOCK)
    if lock is None:
        raise DownloadError(f"another process is unpacking the record in {folder} "
                            f"({holder(folder / UNPACK_LOCK)}); wait for it to end, then run again")
    with lock:
        return _unpack_level_by_level(folder, [folder / name for name in names], checksums or {})


def _unpack_level_by_level(folder: Path, level: list[Path], checksums: Mapping[str, str]) -> list[Path]:
    """unpack_all's work, once it holds the folder's lock."""
    known = {folder / name: md5 for name, md5 in checksums.items()}
    unpacked = []
    for depth in range(MAX_NESTING):
        found = []
        for archive in level:
            kind = _archive_kind(archive) if depth == 0 or archive.name.endswith(ARCHIVE_SUFFIXES) else None
            if kind is None:
                continue
            target = archive.with_name(archive.name + UNPACKED_SUFFIX)
            md5 = known.get(archive) or md5sum(archive)
            if _unpacked_from(target) != md5:
                again = " again: its content changed" if target.exists() else ""
                logger.info(f"unpacking {archive}{again}")
                _unpack(archive, kind, target, md5)
            unpacked.append(target)
            found += [p for p in sorted(target.rglob("*")) if p.is_file() and p.name != SOURCE_MARK]
        level = found
    return unpacked


def check_against_listing(folder: str | Path, names: Iterable[str]) -> dict[str, str]:
    """{name: md5} of the named files, each of which must match the record's checksum list (LISTING): a file
    replaced by hand is used only if the list was updated with it. An error names each file that does not."""
    folder = Path(folder)
    listed = read_checksums(folder / LISTING)
    found = current_checksums(folder, names)
    wrong = [name for name, md5 in found.items() if listed.get(name) != md5]
    if wrong:
        raise DownloadError(f"{', '.join(wrong)} in {folder} no longer match the record's checksums in "
                            f"{folder / LISTING}: put the record's files back, or, for a corrected file, its md5 "
                            f"into {LISTING}")
    return found
