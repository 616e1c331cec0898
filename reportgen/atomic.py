"""Atomic output: write to a temporary file beside the target, then rename.

A failed run never leaves a partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reportgen.errors import InputError


def check_writable(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` can be written as a file (checked before any output is made,
    so that a run that fails on its last output leaves none of the others behind)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(path, "cannot write: this is a folder, expected a file path")
    if not folder.is_dir():
        raise InputError(path, f"cannot write: folder {str(folder)!r} does not exist")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    check_writable(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        # mkstemp creates the file 0600; give it the mode a plain open() would (0666 less the umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
