"""An exclusive lock per file, shared by every process that writes it (internal; POSIX).

A file that is replaced by renames (every file peermatch writes) cannot carry a lock itself:
a process that opens it after a rename sees another file. :class:`FileLock` therefore takes an
exclusive ``flock`` on a sidecar file next to it, ``NAME.lock`` (:func:`lock_path`), which
holds the process id and start time of the holder, for messages. The holder deletes the
sidecar just before it lets go of the lock, so none is left behind; a process that was waiting
on the deleted file notices (its inode is no longer the one at that name) and locks the new
one. The operating system releases the lock when its holder exits, however it exits, so a
crash never leaves a stale lock (only, at worst, the sidecar file, which is harmless).

``flock`` is POSIX (Linux, macOS, the BSDs). On Windows no lock is taken: concurrent writers
are then caught only by the check that a file did not change since it was read. On network
file systems ``flock`` is as reliable as the file system's own locking (NFS v4 supports it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from peermatch._core.commit import NAME_MAX

__all__ = ["FileLock", "LockBusy", "lock_path"]

_SUFFIX = ".lock"


class LockBusy(Exception):
    """Another process held the lock for the whole wait; ``holder`` describes it."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar lock file of ``path`` (symbolic links resolved, so every spelling agrees).

    Examples
    --------
    >>> lock_path("/data/year.json").name
    'year.json.lock'
    >>> len(lock_path("/data/" + "y" * 254).name.encode()) <= 255
    True
    """
    real = Path(os.path.realpath(path))
    name = real.name + _SUFFIX
    if len(os.fsencode(name)) > NAME_MAX:  # a long but legal name: cut it, keep it unique
        digest = hashlib.sha256(os.fsencode(real.name)).hexdigest()[:12]
        room = NAME_MAX - len(_SUFFIX) - len(digest) - 1
        head = os.fsencode(real.name)[:room].decode("utf-8", errors="ignore")
        name = f"{head}.{digest}{_SUFFIX}"
    return real.parent / name


class FileLock:
    """Exclusive lock on ``lock_path(path)``, waiting at most ``wait`` seconds for it.

    Use as a context manager; :class:`LockBusy` if another process holds it throughout.
    """

    def __init__(self, path: str | os.PathLike[str], *, wait: float) -> None:
        self.path = lock_path(path)
        self.wait = wait
        self._fd: int | None = None

    def _holder(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            text = self.path.read_text(encoding="utf-8").split()
            if len(text) >= 2 and text[0].isdigit():
                return f"process {text[0]}, since {text[1]}"
        return "another process"

    def acquire(self) -> None:
        """Take the lock (see the class documentation)."""
        if sys.platform == "win32":
            return
        import fcntl

        deadline = time.monotonic() + self.wait
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise LockBusy(self._holder()) from None
                        time.sleep(0.02)
                try:
                    now = os.stat(self.path)
                except FileNotFoundError:
                    now = None
                mine = os.fstat(fd)
                if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
                    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()} {stamp}\n".encode())
                    self._fd = fd
                    return
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the sidecar was deleted or replaced meanwhile: lock the new one

    def release(self) -> None:
        """Delete the sidecar and give the lock back (closing it releases the lock)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                with contextlib.suppress(OSError):
                    now, mine = os.stat(self.path), os.fstat(fd)
                    if (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
                        os.unlink(self.path)
            finally:
                os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
