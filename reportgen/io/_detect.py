"""Which format a path holds, from its content (extensions only tell folders' files apart, in any case).

Rules, in order:

- A folder of ``.xml`` files is Pascal VOC (``voc``).
- A folder of ``.txt`` files is YOLO (``yolo``) when it sits in a YOLO dataset layout: the folder or its
  parent is named ``labels`` (Ultralytics writes ``labels/val2017/*.txt`` and
  ``runs/detect/predict/labels/*.txt``), or the folder has no ``.txt`` of its own but a ``labels/``
  subfolder that has. Any other ``.txt`` folder is Padilla (``padilla``). The two are not told apart by
  content: Padilla's relative layout ``class conf cx cy w h`` and YOLO's ``class cx cy w h conf`` hold the
  same kinds of numbers.
- A folder holding ``.parquet`` files (at any depth, outside names starting with ``_`` or ``.``) is one Parquet
  table (``parquet``, see :mod:`reportgen.io._parquet`), unless it also holds ``.txt`` or ``.xml`` files or a
  YOLO ``labels/`` folder: such a mix is an error, as the folder is neither one table nor one file per image.
- A file starting with ``PAR1`` is Parquet.
- A file whose first non-blank byte is ``[`` is COCO (a results list). One starting with ``{`` is COCO
  when it is a single JSON document, JSON Lines when its first line is a whole object without COCO keys
  (``images``, ``annotations``, ``categories``).
- Any other file is CSV.

A gzip, bzip2, xz or zstd file is decompressed first (see :func:`reportgen.io._files.open_input`); what it
holds is detected by the same rules.
"""

from __future__ import annotations

from typing import Literal

import orjson

from reportgen.errors import InputError
from reportgen.io._files import read_head
from reportgen.io._location import Location, entries, is_skipped, walk_files

Role = Literal["gt", "pred"]
_COCO_KEYS = frozenset({"images", "annotations", "categories"})
_SNIFF_BYTES = 1 << 16


def detect_format(path: Location, *, role: Literal["gt", "pred"]) -> str:
    """Return ``coco``, ``csv``, ``parquet``, ``jsonl``, ``yolo``, ``padilla`` or ``voc`` for ``path``."""
    what = "ground truth" if role == "gt" else "predictions"
    if path.is_dir():
        return _folder_format(path, what)
    if not path.exists():
        raise InputError(path, f"expected a file or folder of {what}, found nothing at this path")
    head = read_head(path, _SNIFF_BYTES)
    return _file_format(path, head, what)


def _folder_format(path: Location, what: str) -> str:
    suffixes = {e.location.suffix.lower() for e in entries(path) if e.is_file and not is_skipped(e.name)}
    parquet = has_parquet_files(path)
    if parquet and (".txt" in suffixes or ".xml" in suffixes or labels_folder(path) is not None):
        found = ".txt" if ".txt" in suffixes else ".xml" if ".xml" in suffixes else "a YOLO labels/ folder"
        raise InputError(
            path,
            f"expected a folder of .parquet files (one table) or of .txt / .xml files (one per image), found "
            f".parquet files and {found} ({what})",
        )
    if parquet:
        return "parquet"
    if ".txt" in suffixes and ".xml" in suffixes:
        raise InputError(path, f"expected a folder of .txt or of .xml files, found both ({what})")
    if ".xml" in suffixes:
        return "voc"
    if ".txt" in suffixes:
        return "yolo" if is_yolo_layout(path) else "padilla"
    if labels_folder(path) is not None:
        return "yolo"
    raise InputError(path, f"expected a folder of .txt, .xml or .parquet files of {what}, found none{_skipped(path)}")


def _skipped(path: Location) -> str:
    names = [e.name for e in entries(path) if is_skipped(e.name)]
    return f" (skipped: {', '.join(names)})" if names else ""


def has_parquet_files(folder: Location) -> bool:
    """Whether ``folder`` holds (at any depth, outside skipped names) a ``.parquet`` file."""
    return next(walk_files(folder, ".parquet"), None) is not None


def is_yolo_layout(path: Location) -> bool:
    """The folder, or its parent, is named ``labels``."""
    folder = path.resolve()
    return "labels" in (folder.name.lower(), folder.parent.name.lower())


def labels_folder(path: Location) -> Location | None:
    """``path/labels`` when it exists and holds ``.txt`` files (a YOLO dataset root)."""
    for child in entries(path):
        if (
            child.is_dir
            and child.name.lower() == "labels"
            and any(e.location.suffix.lower() == ".txt" for e in entries(child.location))
        ):
            return child.location
    return None


def _file_format(path: Location, head: bytes, what: str) -> str:
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise InputError(path, f"expected a file of {what}, found an empty file")
    if text.startswith(b"["):
        return "coco"
    if text.startswith(b"{"):
        return "jsonl" if _is_jsonl(text) else "coco"
    return "csv"


def _is_jsonl(text: bytes) -> bool:
    first = text.partition(b"\n")[0]
    try:
        record = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(record, dict) and not (_COCO_KEYS & record.keys())
