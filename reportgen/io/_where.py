"""Where a record came from, so that every error names its file and line (or record).

Loaders keep one ``Where`` per input. Validation works on whole arrays and, on failure, asks the ``Where``
for an :class:`InputError` located at the first bad row.
"""

from __future__ import annotations

import bisect
import csv
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from reportgen.errors import InputError
from reportgen.io._location import Location
from reportgen.io.containers import IntArray
from reportgen.limits import EXCERPT_CHARS

#: The column names a table's frame id may have (case-insensitive), in the order they are looked for.
FRAME_COLUMNS = ("frame_id", "image_id", "frame")


class Where(Protocol):
    """Locates row ``row`` (0-based, in read order) of one input."""

    def error(self, row: int, field: str | None, message: str) -> InputError: ...


@dataclass(frozen=True)
class JsonWhere:
    """Rows of a JSON array: ``annotations[3]`` (or ``[3]`` for a top-level array)."""

    source: str
    array: str = ""

    def error(self, row: int, field: str | None, message: str) -> InputError:
        return InputError(self.source, message, record=f"{self.array}[{row}]", field=field)


@dataclass(frozen=True)
class LineWhere:
    """Rows with a known line number each (JSON Lines)."""

    source: str
    lines: IntArray

    def error(self, row: int, field: str | None, message: str) -> InputError:
        return InputError(self.source, message, line=int(self.lines[row]), field=field)


@dataclass(frozen=True)
class ParquetWhere:
    """Rows of a Parquet file, named ``row N`` (0-based, as pandas and pyarrow number them); ``offset``: the
    file's row of row 0 (a chunk of a file)."""

    source: str
    offset: int = 0

    def error(self, row: int, field: str | None, message: str) -> InputError:
        return InputError(self.source, message, record=f"row {self.offset + row}", field=field)


@dataclass(frozen=True)
class PartsWhere:
    """Rows gathered from several Parquet files (a folder, or a chunk of one): each file's rows are named
    ``row N`` within that file.

    ``sources[i]`` holds rows ``starts[i]`` up to ``starts[i + 1]`` (0-based, in read order); the first of them is
    row ``file_rows[i]`` of its file.
    """

    sources: tuple[str, ...]
    starts: tuple[int, ...]
    file_rows: tuple[int, ...]

    def error(self, row: int, field: str | None, message: str) -> InputError:
        part = max(bisect.bisect_right(self.starts, row) - 1, 0)
        within = self.file_rows[part] + row - self.starts[part]
        return InputError(self.sources[part], message, record=f"row {within}", field=field)


@dataclass(frozen=True)
class RowsWhere:
    """A subset of another input's rows: row ``i`` here is row ``rows[i]`` there."""

    where: Where
    rows: IntArray

    def error(self, row: int, field: str | None, message: str) -> InputError:
        return self.where.error(int(self.rows[row]), field, message)


@dataclass(frozen=True)
class CsvWhere:
    """Rows of a CSV file; the file's line of a row is found by re-reading the file, only on error.

    pandas skips blank lines and lets quoted fields span lines, so the line is not ``row + 2``.
    """

    source: str
    path: Location
    offset: int = 0  # the file's row (0-based, after the header) of row 0: a chunk of the file

    def error(self, row: int, field: str | None, message: str) -> InputError:
        return InputError(self.source, message, line=self.line(self.offset + row), field=field)

    def line(self, row: int) -> int:
        """The line (1-based) where the file's row ``row`` (0-based, counted from the file's first row) starts."""
        from reportgen.io._files import open_input

        with open_input(self.path) as raw, io.TextIOWrapper(
            raw, newline="", encoding="utf-8-sig", errors="replace"
        ) as handle:
            reader = csv.reader(handle)
            end = 0
            seen = -1  # the header is record -1
            for record in reader:
                start, end = end + 1, reader.line_num
                if not record:
                    continue
                if seen == row:
                    return start
                seen += 1
        return end


@dataclass(frozen=True)
class FilesWhere:
    """Rows read from a folder of files: each row has a file and a line (txt) or an object index (xml)."""

    files: tuple[str, ...]
    file_of: IntArray
    position: IntArray
    unit: Literal["line", "object"] = "line"

    def error(self, row: int, field: str | None, message: str) -> InputError:
        source = self.files[int(self.file_of[row])]
        position = int(self.position[row])
        if self.unit == "line":
            return InputError(source, message, line=position, field=field)
        return InputError(source, message, record=f"object[{position}]", field=field)


def describe(value: object) -> str:
    """A value as a message shows it: ``'abc'``, ``3.5``, ``nan``, ``null``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 100 else "an integer of more than 30 digits"
    if isinstance(value, float):
        value = float(value)  # numpy's float64 is a float, with a longer repr
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return short(value) if value else "an empty value"
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    if isinstance(value, dict):
        return "an object"
    if hasattr(value, "item"):  # numpy scalar
        return describe(value.item())
    return repr(value)




def is_text(value: str) -> bool:
    """No control character (C0, DEL, C1) and no lone surrogate: a name every output can show as written."""
    if value.isprintable():
        return True
    return not any(unicodedata.category(c) in ("Cc", "Cs") for c in value)


def short(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` quoted (``repr``: control characters and lone surrogates escaped), cut to ``limit`` characters."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def _listed(name: object) -> str:
    """A name as a list shows it: bare when short and printable, else quoted and cut."""
    if isinstance(name, str):
        return name if name.isprintable() and len(name) <= EXCERPT_CHARS else short(name)
    return str(name)


def listing(names: Sequence[object], limit: int = 8) -> str:
    """``a, b, c`` or ``a, b, ... (80 in all)`` for messages."""
    shown = ", ".join(_listed(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


@dataclass(frozen=True)
class ChunksWhere:
    """Rows of consecutive chunks read one after the other: chunk ``i`` holds rows ``starts[i]`` up to
    ``starts[i + 1]`` and locates them with its own ``wheres[i]``."""

    wheres: tuple[Where, ...]
    starts: tuple[int, ...]

    def error(self, row: int, field: str | None, message: str) -> InputError:
        chunk = max(bisect.bisect_right(self.starts, row) - 1, 0)
        return self.wheres[chunk].error(row - self.starts[chunk], field, message)
