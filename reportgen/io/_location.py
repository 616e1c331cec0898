"""Where an input lives: a local path (:class:`pathlib.Path`) or an fsspec URL (:class:`Url`).

Every place that takes a data path takes a URL too (``s3://bucket/preds/``, ``gs://...``, ``file:///data/gt.json``,
``memory://...``): :func:`location` turns the text the user gave into a :class:`~pathlib.Path` or a :class:`Url`,
never ``Path("s3://b/k")``, which pathlib would read as the local path ``s3:/b/k``. A :class:`Url` offers the part
of ``Path``'s interface the readers use (``name``, ``stem``, ``suffix``, ``parent``, ``/``, ``exists``,
``is_dir``, ``is_file``, ``iterdir``, ``open``, ``read_bytes``), so a reader handles both; the few places that
need the operating system (``os.stat``, ``os.scandir``, pyarrow's memory map) branch on the type here, in
:func:`kind_of`, :func:`entries` and :func:`open_binary`.

fsspec is imported only when a URL is used: local paths never need it. A URL whose protocol needs a package that
is missing (``s3://`` without ``s3fs``), or any URL without fsspec, is an :class:`~reportgen.errors.InputError`
naming the URL and the package to install. Credentials are fsspec's business (its config files and each
filesystem's usual environment variables); reportgen passes none.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, TypeAlias

from reportgen.errors import InputError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

#: ``protocol://`` (``s3://``, ``file://``), or a chain (``simplecache::s3://``). Two letters at least, so that a
#: Windows drive (``C:``) is never a protocol.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+(?:::[A-Za-z][A-Za-z0-9+.\-]+)*://")


def is_url(text: str) -> bool:
    """``text`` starts with ``protocol://``."""
    return _URL.match(text) is not None


class Url(os.PathLike[str]):
    """An input addressed by an fsspec URL, opened through fsspec by whoever reads it (a Dask worker included).

    ``str(url)`` is the URL as given (without a trailing ``/``). ``os.fspath(url)`` raises :class:`ValueError`: a URL
    is no local path, so code that would treat it as one (``Path(url)``, ``os.stat(url)``) fails instead of
    reading ``s3:/b/k`` on the local disk; functions that test a path and expect ``ValueError`` for a bad one
    (``os.path.isdir``, ``os.path.relpath``) take a URL as "no such local file".
    """

    __slots__ = ("_fs", "_path", "url")

    def __init__(self, url: str) -> None:
        stripped = url.rstrip("/")
        self.url = stripped if not stripped.endswith(":") else url
        self._fs: AbstractFileSystem | None = None
        self._path = ""

    # --- identity
    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"Url({self.url!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Url) and other.url == self.url

    def __hash__(self) -> int:
        return hash(("url", self.url))

    def __reduce__(self) -> tuple[Any, ...]:  # the filesystem object is made again where the URL is read
        return (Url, (self.url,))

    def __fspath__(self) -> str:
        raise ValueError(f"{self.url} is a URL, not a local path")

    # --- pure parts, as PurePosixPath spells them
    @property
    def protocol(self) -> str:
        return self.url.partition("://")[0].rpartition("::")[2]

    @property
    def _tail(self) -> str:
        return self.url.partition("://")[2]

    @property
    def name(self) -> str:
        return self._tail.rstrip("/").rpartition("/")[2]

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem if self.name else ""

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix if self.name else ""

    @property
    def parent(self) -> Url:
        head, sep, _ = self._tail.rpartition("/")
        if not sep:
            return self
        return Url(self.url[: len(self.url) - len(self._tail)] + head)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(p for p in self._tail.split("/") if p)

    def __truediv__(self, name: str) -> Url:
        return Url(f"{self.url}/{name}")

    def resolve(self) -> Url:
        return self

    # --- the filesystem
    @property
    def fs(self) -> AbstractFileSystem:
        if self._fs is None:
            self._fs, self._path = _filesystem(self.url)
        return self._fs

    @property
    def path(self) -> str:
        """The path within :attr:`fs` (``bucket/key`` for S3)."""
        self.fs  # noqa: B018 (sets _path)
        return self._path

    def info(self) -> dict[str, Any] | None:
        """fsspec's ``info`` (``type``, ``size``, checksums), or None when nothing is at the URL."""
        try:
            return dict(self.fs.info(self.path))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputError(self.url, f"expected a readable file, found an error ({_reason(exc)})") from None

    def exists(self) -> bool:
        return self.info() is not None

    def is_dir(self) -> bool:
        info = self.info()
        return info is not None and info.get("type") == "directory"

    def is_file(self) -> bool:
        info = self.info()
        return info is not None and info.get("type") == "file"

    def iterdir(self) -> Iterator[Location]:
        return (e.location for e in entries(self))

    def open(self, mode: str = "rb") -> IO[bytes]:
        if mode != "rb":
            raise ValueError(f"a URL input is opened for reading (rb), not {mode!r}")
        return self.fs.open(self.path, "rb")  # type: ignore[no-any-return]

    def read_bytes(self) -> bytes:
        if self.is_dir():
            raise IsADirectoryError(self.url)
        return bytes(self.fs.cat_file(self.path))


Location: TypeAlias = Path | Url


def location(value: str | os.PathLike[str] | Location) -> Location:
    """The input the user named: a :class:`Url` for ``protocol://...`` text, else a local :class:`Path`."""
    if isinstance(value, (Path, Url)):
        return value
    text = os.fspath(value)
    return Url(text) if is_url(text) else Path(text)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _filesystem(url: str) -> tuple[AbstractFileSystem, str]:
    """fsspec's filesystem and path for ``url``; a missing package or unknown protocol is an InputError."""
    protocol = url.partition("://")[0]
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise InputError(
            url, f"expected fsspec to read {protocol}:// URLs, found it missing (pip install fsspec)"
        ) from None
    try:
        fs, path = url_to_fs(url)
    except ImportError as exc:
        raise InputError(
            url, f"expected the filesystem package for {protocol}:// URLs, found it missing "
            f"(pip install {_package_for(protocol, exc)})",
        ) from None  # fmt: skip
    except ValueError as exc:
        if "Protocol not known" in str(exc):
            raise InputError(url, f"expected a URL of a protocol fsspec knows, found {protocol}://") from None
        raise InputError(url, f"expected a URL fsspec can open, found an error ({exc})") from None
    return fs, str(path)


def _package_for(protocol: str, exc: ImportError) -> str:
    """The package to install for ``protocol``: the module fsspec's registry names for it (``s3fs``), or for
    fsspec's own implementations the module the import missed (``aiohttp``)."""
    from fsspec.registry import known_implementations

    last = protocol.rpartition("::")[2]
    known = known_implementations.get(last, {})
    top = str(known.get("class", "")).partition(".")[0]
    if top and top != "fsspec":
        return top
    return exc.name or known.get("err") or str(exc)


# -------------------------------------------------------------------------------------- what is there


def kind_of(loc: Location) -> str | None:
    """``file``, ``directory``, another kind (``a named pipe (FIFO)``...), or None when nothing is there. Local
    paths follow links (``os.stat``); an unreadable one is an InputError."""
    if isinstance(loc, Url):
        info = loc.info()
        if info is None:
            return None
        kind = str(info.get("type", "other"))
        return kind if kind in ("file", "directory") else "a special file"
    try:
        mode = os.stat(loc).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(loc, f"expected a readable file, found an error ({exc.strerror})") from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    return (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a character device" if stat.S_ISCHR(mode)
        else "a block device" if stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a special file"
    )  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One item of a folder: its name, whether it is a folder or a regular file (links followed), where it is."""

    name: str
    is_dir: bool
    is_file: bool
    location: Location


def entries(folder: Location) -> list[Entry]:
    """The items of ``folder`` in name order; an unreadable folder is an InputError."""
    found: list[Entry] = []
    if isinstance(folder, Url):
        try:
            listed = folder.fs.ls(folder.path, detail=True)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InputError(folder, f"expected a readable folder, found an error ({_reason(exc)})") from None
        own = folder.path.rstrip("/")
        for info in listed:
            full = str(info["name"]).rstrip("/")
            if full == own:  # some object stores list a folder's own placeholder
                continue
            name = posixpath.basename(full)
            kind = info.get("type")
            found.append(Entry(name, kind == "directory", kind == "file", folder / name))
    else:
        try:
            with os.scandir(folder) as scan:
                for e in scan:
                    found.append(Entry(e.name, e.is_dir(), e.is_file(), Path(e.path)))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InputError(folder, f"expected a readable folder, found an error ({exc.strerror})") from None
    return sorted(found, key=lambda e: e.name)


def is_skipped(name: str) -> bool:
    """Names a dataset reader skips: ``_SUCCESS``, ``_metadata``, ``_common_metadata``, ``.crc`` files..."""
    return name.startswith(("_", "."))


def walk_files(folder: Location, suffix: str) -> Iterator[tuple[Location, tuple[str, ...]]]:
    """The files under ``folder`` (any depth) whose name ends in ``suffix`` (any case), with the names of the
    folders between ``folder`` and each: in name order, folder by folder (``a/x`` before ``b/y``), names
    starting with ``_`` or ``.`` skipped (files and folders alike). Lazy: a caller may stop at the first."""
    for entry in entries(folder):
        if is_skipped(entry.name):
            continue
        if entry.is_dir:
            for found, folders in walk_files(entry.location, suffix):
                yield found, (entry.name, *folders)
        elif entry.name.lower().endswith(suffix):
            yield entry.location, ()


def open_binary(loc: Location) -> IO[bytes]:
    """The file's raw bytes as a stream (a URL: fsspec's buffered file, read in blocks as it is consumed)."""
    return loc.open("rb")


# ------------------------------------------------------------------------------------------- provenance


#: fsspec ``info`` keys holding a checksum of the content, as filesystems name them (S3 and most object stores:
#: the ETag; GCS: md5Hash / crc32c; Azure: content_settings.content_md5 is not flattened, so not read)
_CHECKSUM_KEYS = ("ETag", "etag", "md5Hash", "md5", "crc32c", "checksum")


def remote_fingerprint(url: Url) -> dict[str, Any]:
    """What the filesystem says about ``url`` without reading it: ``size`` (bytes; a folder: the sum of the
    files it holds, skipped names included) and ``checksum`` (``KEY:VALUE`` from the filesystem's metadata, a
    folder's as the files' joined in name order), None where the filesystem keeps none."""
    info = url.info()
    if info is None:
        return {"size": None, "checksum": None}
    if info.get("type") != "directory":
        return {"size": _int(info.get("size")), "checksum": _checksum(info)}
    try:
        listed = url.fs.find(url.path, detail=True)
    except OSError:
        return {"size": None, "checksum": None}
    files = [listed[k] for k in sorted(listed)]
    sizes = [_int(f.get("size")) for f in files]
    sums = [_checksum(f) for f in files]
    total = None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)
    checksum = None if not sums or any(c is None for c in sums) else ",".join(c for c in sums if c is not None)
    if checksum is not None and len(checksum) > 200:  # many files: a digest of the list
        import hashlib

        checksum = "sha256-of-checksums:" + hashlib.sha256(checksum.encode()).hexdigest()
    return {"size": total, "checksum": checksum}


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _checksum(info: dict[str, Any]) -> str | None:
    for key in _CHECKSUM_KEYS:
        value = info.get(key)
        if isinstance(value, str) and value:
            return f"{key.lower()}:{value.strip(chr(34))}"
    return None
