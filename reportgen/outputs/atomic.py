"""Atomic output: write to a temporary file beside the target, then rename.

A failed or interrupted run never leaves a partial file behind, and the outputs of one run are written as one
unit: :func:`write_together` stages every file first and renames them only when all of them are written, so
``check --json a --junit b`` with ``b`` unwritable leaves no ``a``.

An output path that is a symbolic link is not replaced: the link's target is written (atomically, through a
temporary file beside the target). A target that is not a regular file (a pipe, ``/dev/stdout``) is written
directly, as it cannot be renamed onto.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from reportgen.errors import InputError


def writes_directly(path: Path) -> bool:
    """True when ``path`` is written in place rather than replaced: an existing pipe or device (also through a
    link), or anything under ``/dev`` or ``/proc`` (``/dev/stdout`` is a link to ``/proc/self/fd/1``, which
    names the process's standard output whatever it is)."""
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def target_of(path: Path) -> Path:
    """The file that writing ``path`` changes: ``path`` itself, or the end of its chain of symbolic links (which
    may not exist yet: a dangling link's target is created). A pipe or device is its own target."""
    if not os.path.islink(path) or writes_directly(path):
        return path
    return Path(os.path.realpath(path))


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def check_writable(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` can be written as a file.

    Called before any work, so that a run never computes for minutes and then fails on its output. The folder is
    probed by creating (and removing) a temporary file in it: that is the test that counts (a read-only file
    system, an immutable folder, ACLs), where permission bits can say yes.
    """
    target = target_of(path)
    shown = str(path) if target == path else f"{path} (a link to {target})"
    if os.path.islink(path) and os.path.islink(target) and not writes_directly(path):
        raise InputError(path, "cannot write: a loop of symbolic links")  # realpath stops inside a loop only
    if target.is_dir():
        raise InputError(shown, "cannot write: this is a folder, expected a file path")
    if writes_directly(target):
        if not os.path.exists(target):
            raise InputError(shown, "cannot write: expected an existing pipe or device, found nothing")
        if not os.access(target, os.W_OK):
            raise InputError(shown, "cannot write: permission denied")
        return
    folder = _folder(target)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(shown, f"cannot write: folder {str(folder)!r} {what}")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(shown, "cannot write: the file is read-only")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(shown, f"cannot write into folder {str(folder)!r}: {exc.strerror or exc}") from None
    try:
        os.close(fd)
    finally:
        os.unlink(probe)


def _mode_for(target: Path) -> int:
    """The mode of the file being replaced, else the one a plain ``open()`` would give (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_together(items: Sequence[tuple[Path, bytes | str]]) -> None:
    """Write every ``(path, data)`` or none of them.

    Each regular file is first written in full to a temporary file beside its target (and synced, so that a full
    disk shows here and not later); the temporary files are renamed onto their targets only once all of them are
    written. On any failure while staging, or an interrupt (Ctrl-C, SIGTERM: see ``reportgen.cli``), the
    temporary files are removed and no target changes. A write error (full disk, read-only file system) raises
    :class:`InputError` naming the file. (A rename needs no space and is not expected to fail once every file is
    staged beside its target; if one did, the targets renamed before it would keep their new content.)

    Pipes and devices (``/dev/stdout``: see :func:`writes_directly`) cannot be renamed onto: they are written
    directly, after every regular file is staged.
    """
    for path, _ in items:
        check_writable(path)
    staged: list[tuple[str, Path]] = []
    direct: list[tuple[Path, Path, bytes]] = []
    current = Path()
    committing = False
    try:
        for path, data in items:
            current = path
            payload = data.encode("utf-8") if isinstance(data, str) else data
            target = target_of(path)
            if writes_directly(target):
                direct.append((path, target, payload))
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=_folder(target))
            staged.append((tmp, target))
            try:
                _write_all(fd, payload)
                os.fsync(fd)
                os.fchmod(fd, _mode_for(target))
            finally:
                os.close(fd)
        committing = True
        for path, target, payload in direct:
            current = path
            with open(target, "wb") as fh:
                fh.write(payload)
        for tmp, target in staged:
            current = target
            os.replace(tmp, target)
    except BrokenPipeError:  # a pipe's reader went away: the caller's concern (reportgen.cli exits 141)
        _remove(staged)
        raise
    except OSError as exc:
        _remove(staged)
        reason = exc.strerror or str(exc)
        if committing:  # every regular file was staged in full; a pipe or a rename failed
            raise InputError(current, f"cannot write: {reason}") from None
        raise InputError(current, f"cannot write: {reason}; no output was written") from None
    except BaseException:
        _remove(staged)
        raise


def _remove(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        Path(tmp).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` (or, if ``path`` is a link, to its target) via a temporary file beside it."""
    write_together([(path, data)])
