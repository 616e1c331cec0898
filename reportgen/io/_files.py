"""Opening input files: missing paths, empty files and malformed JSON become :class:`InputError`.

Every input file is opened through :func:`open_input`: it refuses what is not a regular file (a named pipe
or a device would block or never end, see docs/limits.md) and reads gzip, bzip2, xz and Zstandard files
directly, recognised by their first bytes whatever their name. A path may be a local :class:`~pathlib.Path` or
an fsspec :class:`~reportgen.io._location.Url` (see :mod:`reportgen.io._location`): the same rules apply to both.
"""

from __future__ import annotations

import bz2
import gc
import gzip
import io
import json
import lzma
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import orjson

from reportgen.errors import InputError
from reportgen.io._location import Location, Url, entries, kind_of, open_binary

#: first bytes of each compressed container read directly -> its name in messages
_COMPRESSED: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_MAGIC_BYTES = 6
_STREAMS: dict[str, Callable[[BinaryIO], io.BufferedIOBase]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw),
    "bzip2": bz2.BZ2File,
    "xz": lzma.LZMAFile,
}


def check_regular(path: Location) -> None:
    """Refuse a path that is neither a regular file nor a folder (a FIFO or device would hang or never end)."""
    kind = kind_of(path)
    if kind is None:
        raise InputError(path, "expected an existing file, found nothing at this path")
    if kind in ("file", "directory"):
        return
    raise InputError(path, f"expected a regular file, found {kind} (special files are not read)")


def compression_of(head: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz`` or ``zstd`` when ``head`` starts one of those streams, else None."""
    for magic, name in _COMPRESSED:
        if head.startswith(magic):
            return name
    return None


def _raw_bytes(path: Location) -> bytes:
    check_regular(path)
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise
    except FileNotFoundError:
        raise InputError(path, "expected an existing file, found nothing at this path") from None
    except PermissionError:
        raise InputError(path, "expected a readable file, found no permission to read it") from None
    except OSError as exc:
        if not isinstance(path, Url):
            raise
        raise InputError(path, f"expected a readable file, found an error ({exc})") from None


def decompress(path: Location, data: bytes) -> bytes:
    """``data`` decompressed when it is a gzip, bzip2, xz or zstd stream, else as is."""
    kind = compression_of(data[:_MAGIC_BYTES])
    if kind is None:
        return data
    try:
        if kind == "gzip":
            return gzip.decompress(data)
        if kind == "bzip2":
            return bz2.decompress(data)
        if kind == "xz":
            return lzma.decompress(data)
        return _zstd_decompress(path, data)
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise InputError(path, f"expected a complete {kind} stream, found a damaged one ({exc})") from None


def _zstd_decompress(path: Location, data: bytes) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise InputError(
            path, "reading a zstd-compressed file needs the Python package 'zstandard' (pip install zstandard)"
        ) from None
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            return reader.read()
    except zstandard.ZstdError as exc:
        raise ValueError(str(exc)) from None


def input_bytes(path: Location) -> bytes:
    """The whole (decompressed) content of a regular file."""
    return decompress(path, _raw_bytes(path))


def is_compressed(path: Location) -> bool:
    """The regular file ``path`` starts a gzip, bzip2, xz or zstd stream."""
    check_regular(path)
    with open_binary(path) as handle:
        return compression_of(handle.read(_MAGIC_BYTES)) is not None


def open_input(path: Location) -> BinaryIO:
    """A binary stream of the file's (decompressed) content; see :func:`input_bytes`."""
    check_regular(path)
    with open_binary(path) as handle:
        head = handle.read(_MAGIC_BYTES)
    if compression_of(head) is None:
        return open_binary(path)  # type: ignore[return-value]
    return io.BytesIO(input_bytes(path))


def read_head(path: Location, size: int) -> bytes:
    """The first ``size`` bytes of the (decompressed) content, without reading the rest of the file."""
    check_regular(path)
    with open_binary(path) as handle:
        head = handle.read(size)
        kind = compression_of(head[:_MAGIC_BYTES])
        if kind is None:
            return head
        handle.seek(0)
        try:
            if kind == "zstd":
                return _zstd_decompress(path, handle.read())[:size]
            with _STREAMS[kind](handle) as stream:  # type: ignore[arg-type]
                return stream.read(size)
        except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
            raise InputError(path, f"expected a complete {kind} stream, found a damaged one ({exc})") from None


def files_in(folder: Location, suffix: str) -> list[Location]:
    """The files of ``folder`` ending in ``suffix`` (any case), in name order; [] for a missing folder."""
    if not folder.is_dir():
        return []
    return [e.location for e in entries(folder) if e.is_file and e.location.suffix.lower() == suffix]


def read_bytes(path: Location, what: str) -> bytes:
    """The file's bytes; an empty (or blank) file is an error naming ``what`` was expected."""
    try:
        data = input_bytes(path)
    except FileNotFoundError:
        raise InputError(path, "expected an existing file, found nothing at this path") from None
    except IsADirectoryError:
        raise InputError(path, f"expected {what}, found a folder") from None
    if not data.strip():
        raise InputError(path, f"expected {what}, found an empty file")
    return data


def read_text(path: Location, what: str, *, allow_empty: bool = False) -> str:
    """The file as UTF-8 text (a byte-order mark is dropped); empty is an error unless ``allow_empty``."""
    try:
        data = input_bytes(path) if allow_empty else read_bytes(path, what)
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "expected an existing file, found nothing at this path") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"expected UTF-8 text, found byte {exc.object[exc.start]:#04x}") from None


def read_json(path: Location, what: str) -> object:
    """Parse a JSON file with orjson; a syntax error names its line and column."""
    data = read_bytes(path, what)
    try:
        with paused_gc():
            return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        # Python's json module writes NaN / Infinity, which orjson rejects: read those with the standard
        # library so that validation can name the record and field holding the non-finite value
        if b"NaN" in data or b"Infinity" in data:
            try:
                return json.loads(data)
            except (ValueError, RecursionError):  # RecursionError: nested deeper than the interpreter's stack
                pass
        return _raise_json_error(path, exc)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small objects are created.

    Parsing builds no reference cycles, but each allocation burst triggers collections that walk every
    young object again: pausing halves the time of a 500,000-annotation COCO file.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _raise_json_error(path: Location, exc: orjson.JSONDecodeError) -> object:
    raise InputError(
        path, f"expected valid JSON, found a syntax error at column {exc.colno} ({exc.msg})", line=exc.lineno
    ) from None
