"""Exclusive lock files that name their holder: the kernel frees the lock when the holder ends, however it
ends (even kill -9), so a lock is never left stale. Torch-free."""

import fcntl
import os
import socket
from pathlib import Path
from typing import IO


def try_lock(path: str | os.PathLike[str]) -> IO[str] | None:
    """`path` opened and locked, with this process's PID and host written into it; None when another process
    holds it. The lock lasts until the returned file is closed."""
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()} {socket.gethostname()}\n")
    handle.flush()
    return handle


def holder(path: str | os.PathLike[str]) -> str:
    """Who holds a lock file, as `PID <pid> on host <host>`."""
    fields = Path(path).read_text().split()
    return f"PID {' on host '.join(fields)}" if fields else "a process that has not yet written its PID"
