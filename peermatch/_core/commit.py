"""Writing several files as one step: staged, renamed together, nothing half-written (internal).

Every file peermatch writes goes through :func:`write_files`. It works in two phases:

1. **Stage.** Each output is written to a temporary file next to its target (a short name,
   ``.pm-<8 hex digits>.tmp``, so that a target name of up to 255 bytes still works) and
   flushed to disk with ``fsync``. A failure here (disk full, folder not writable, a name
   over 255 bytes) removes every temporary file: nothing was written.
2. **Commit.** The temporary files are renamed over their targets in the order given — a run
   history first, then the outputs that report on it — while SIGINT and SIGTERM are held
   back, so an interruption cannot fall between two renames (a held signal is delivered as
   soon as the renames are done). If a rename fails, the targets already replaced are
   restored from hard-link backups made just before.

A target that cannot be renamed over is written in place after the commit: a descriptor name
(``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``) is written to that descriptor, which appends
to a redirected file (``>> log``) and works on a pipe; an existing pipe or device is opened
and written, never replaced by a regular file. A symbolic link is followed: the file it
points to is replaced and the link stays.

An :class:`OSError` raised by :func:`write_files` names the target (as given), never a
temporary file.

Test hook (for the test suite only): with the environment variable ``PEERMATCH_TEST_PAUSE``
set to ``POINT:MARKER``, :func:`pause` creates the file ``MARKER`` at the named point and waits
until it is removed (at most a minute), so that a test can send a signal at that exact moment.
Points: ``staged`` (every temporary file written, nothing renamed), ``renamed`` (the first
target renamed, signals held) and the command-line points named where :func:`pause` is
called.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

__all__ = [
    "NAME_MAX",
    "create_exclusive",
    "held_signals",
    "name_problem",
    "pause",
    "stream_descriptor",
    "write_files",
    "written_before",
]

#: The longest file or folder name (bytes) the usual file systems accept.
NAME_MAX = 255

_STREAM = re.compile(r"/dev/(stdout|stderr)|/dev/fd/(\d+)|/proc/self/fd/(\d+)")
_HELD = (signal.SIGINT, signal.SIGTERM)

#: The environment variable of the test hook (see the module documentation).
PAUSE_VARIABLE = "PEERMATCH_TEST_PAUSE"
_WRITTEN = "peermatch_written"


def pause(point: str) -> None:
    """Test hook: wait at ``point`` while the marker file of ``PEERMATCH_TEST_PAUSE`` exists."""
    spec = os.environ.get(PAUSE_VARIABLE)
    if not spec:
        return
    name, _, marker = spec.partition(":")
    if name != point or not marker:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 60
    while os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.01)


def stream_descriptor(path: str | os.PathLike[str]) -> int | None:
    """The descriptor a name such as ``/dev/stdout`` or ``/dev/fd/3`` stands for, else None.

    Examples
    --------
    >>> stream_descriptor("/dev/stdout"), stream_descriptor("/dev/fd/3"), stream_descriptor("a")
    (1, 3, None)
    """
    m = _STREAM.fullmatch(os.fspath(path))
    if m is None:
        return None
    if m.group(1):
        return 1 if m.group(1) == "stdout" else 2
    return int(m.group(2) or m.group(3))


def name_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be a file name on the usual file systems (a part over 255 bytes).

    Examples
    --------
    >>> name_problem("a" * 255) is None
    True
    >>> name_problem("x/" + "a" * 256)
    'a file name may have at most 255 bytes; this one has 256'
    """
    for part in Path(path).parts:
        n = len(os.fsencode(part))
        if n > NAME_MAX:
            return f"a file name may have at most {NAME_MAX} bytes; this one has {n}"
    return None


# -- signals ------------------------------------------------------------------------------------


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back inside the block; deliver them when it ends.

    Only the main thread can change signal handlers; elsewhere the block runs unprotected
    (Python delivers signals to the main thread only, so a commit in another thread is not
    interrupted by them anyway).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous: dict[int, Callable[[int, FrameType | None], object] | int] = {}
    for sig in _HELD:
        handler = signal.getsignal(sig)
        if handler is None or handler == signal.SIG_IGN:
            continue  # installed outside Python (cannot be restored) or ignored anyway
        previous[sig] = handler
        signal.signal(sig, hold)
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)


# -- staging --------------------------------------------------------------------------------


@dataclass
class _Staged:
    label: str  # the name as given, for messages
    data: bytes
    target: Path | None = None  # the regular file to replace
    temp: Path | None = None  # its staged content
    fd: int | None = None  # or a descriptor to write to
    special: Path | None = None  # or a pipe or device written in place


def _failure(exc: OSError, label: str) -> OSError:
    """The same error, naming the target instead of a temporary file."""
    out = OSError(exc.errno, exc.strerror or str(exc), label)
    out.__cause__ = None
    return out


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _check_writable(fd: int) -> None:
    """Refuse a descriptor that is not open for writing before anything is written."""
    os.fstat(fd)  # EBADF when it is not open
    if sys.platform != "win32":
        import fcntl

        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "the descriptor is open for reading only")


def _stage(label: str, data: bytes) -> _Staged:
    fd = stream_descriptor(label)
    if fd is not None:
        _check_writable(fd)
        return _Staged(label, data, fd=fd)
    problem = name_problem(label)
    if problem is not None:
        raise OSError(errno.ENAMETOOLONG, problem, label)
    target = Path(label)
    if target.is_symlink() or target.exists():
        target = Path(os.path.realpath(target))
        if target.exists() and not target.is_file():
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder", label)
            return _Staged(label, data, special=target)
    directory = target.parent if str(target.parent) else Path(".")
    staged = _Staged(label, data, target=target)
    with held_signals():  # no interruption between creating the file and knowing its name
        while True:
            temp = directory / f".pm-{secrets.token_hex(4)}.tmp"
            try:
                out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            staged.temp = temp
            break
    try:
        try:
            _write_all(out, data)
            os.fsync(out)
        finally:
            os.close(out)
    except BaseException:
        _discard([staged])
        raise
    return staged


def _discard(staged: Sequence[_Staged]) -> None:
    for s in staged:
        if s.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(s.temp)
            s.temp = None


def _sync_folders(staged: Sequence[_Staged]) -> None:
    folders = {s.target.parent for s in staged if s.target is not None}
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _backup(target: Path) -> tuple[bool, Path | None]:
    """Whether ``target`` exists, and a hard link to it (None if none could be made)."""
    if not target.exists():
        return False, None
    while True:
        link = target.parent / f".pm-{secrets.token_hex(4)}.bak"
        try:
            os.link(target, link)
        except FileExistsError:
            continue
        except OSError:
            return True, None  # no hard links here: it cannot be restored after a failure
        return True, link


def _rename_all(staged: Sequence[_Staged]) -> None:
    """Rename every staged file over its target; on failure, put the replaced ones back."""
    regular = [s for s in staged if s.temp is not None]
    done: list[tuple[_Staged, bool, Path | None]] = []
    try:
        for k, s in enumerate(regular):
            assert s.target is not None and s.temp is not None
            existed, backup = _backup(s.target) if len(regular) > 1 else (True, None)
            try:
                os.replace(s.temp, s.target)
            except OSError as exc:
                if backup is not None:
                    os.unlink(backup)
                raise _failure(exc, s.label) from None
            s.temp = None
            done.append((s, existed, backup))
            if k == 0:
                pause("renamed")
    except BaseException as exc:
        lost = []
        for s, existed, backup in reversed(done):
            assert s.target is not None
            try:
                if backup is not None:
                    os.replace(backup, s.target)
                elif not existed:
                    os.unlink(s.target)
                else:
                    lost.append(s.label)
            except OSError:
                lost.append(s.label)
        if lost and isinstance(exc, OSError):
            exc.add_note(f"already replaced and not restored: {', '.join(lost)}")
        _discard(staged)
        raise
    for _, _, backup in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                os.unlink(backup)


def _write_in_place(s: _Staged) -> None:
    try:
        if s.fd is not None:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    if stream.fileno() == s.fd:
                        stream.flush()
            _write_all(s.fd, s.data)
            return
        assert s.special is not None
        fd = os.open(s.special, os.O_WRONLY)
        try:
            _write_all(fd, s.data)
        finally:
            os.close(fd)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _failure(exc, s.label) from None


def write_files(outputs: Sequence[tuple[str | os.PathLike[str], str | bytes]]) -> None:
    """Write every ``(path, content)`` pair, all or none (see the module documentation).

    Text is written as UTF-8. Files are renamed in the order given, so the first one (a run
    history) is never behind the others.

    Raises
    ------
    OSError
        Naming the target that failed. No target was changed, unless a note says otherwise
        or the failure came after the renames (writing to a descriptor, pipe or device):
        :func:`written_before` then names the files that were written.
    KeyboardInterrupt
        A signal held during the renames is delivered after them: everything was written.
    """
    staged: list[_Staged] = []
    try:
        for path, content in outputs:
            label = os.fspath(path)
            data = content.encode("utf-8") if isinstance(content, str) else content
            try:
                staged.append(_stage(label, data))
            except OSError as exc:
                raise _failure(exc, label) from None
        pause("staged")
    except BaseException:
        _discard(staged)
        raise
    renamed = False
    try:
        with held_signals():
            _rename_all(staged)
            renamed = True
            _sync_folders(staged)
    except KeyboardInterrupt as exc:
        if renamed:
            done = tuple(s.label for s in staged if s.target is not None)
            setattr(exc, _WRITTEN, done)
        raise
    try:
        for s in staged:
            if s.fd is not None or s.special is not None:
                _write_in_place(s)
    except OSError as exc:  # the renamed files stay: say which they are
        setattr(exc, _WRITTEN, tuple(s.label for s in staged if s.target is not None))
        raise


def create_exclusive(path: str | os.PathLike[str], content: str | bytes) -> bool:
    """Create ``path`` with ``content`` unless it exists; say whether this call created it.

    The file appears whole or not at all, readable and writable by its owner only: the content
    is staged in a temporary file and hard-linked to ``path``, which fails if ``path`` exists
    (where hard links are not supported, ``O_CREAT | O_EXCL`` creates it and then writes it).
    Of several processes doing this at once, exactly one creates the file.

    Raises
    ------
    OSError
        If the file cannot be created (naming ``path``); nothing is left behind.
    """
    label = os.fspath(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    problem = name_problem(label)
    if problem is not None:
        raise OSError(errno.ENAMETOOLONG, problem, label)
    staged = None
    try:
        staged = _stage(label, data) if not os.path.lexists(label) else None
        if staged is None or staged.temp is None or staged.target is None:
            return False
        try:
            os.link(staged.temp, staged.target)
            return True
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system
            pass
        try:
            fd = os.open(staged.target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        try:
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(staged.target)
            raise
        return True
    except OSError as exc:
        raise _failure(exc, label) from None
    finally:
        if staged is not None:
            _discard([staged])


def written_before(exc: BaseException) -> tuple[str, ...]:
    """The files :func:`write_files` had written when the interruption or error ``exc`` came."""
    done: tuple[str, ...] = getattr(exc, _WRITTEN, ())
    return done
