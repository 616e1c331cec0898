"""Reading CSV, Parquet and JSON Lines into one :class:`Table`, with typed column access.

Column names are matched case-insensitively after stripping spaces; each role accepts a few aliases
(``frame_id`` / ``image_id`` / ``frame``). Frame ids and class names are read as strings, never as
numbers, so ``00001`` stays ``00001``.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from reportgen.errors import InputError
from reportgen.io._files import open_input
from reportgen.io._location import Location
from reportgen.io._parquet import Categories
from reportgen.io._where import FRAME_COLUMNS, CsvWhere, LineWhere, ParquetWhere, Where, describe, listing, short
from reportgen.io.containers import BoolArray, FloatArray

TableFormat = Literal["csv", "parquet", "jsonl"]

CLASS_COLUMNS = ("class", "label", "category", "class_name", "category_id", "class_id")
SCORE_COLUMNS = ("score", "confidence", "conf")
_KEY_COLUMNS = frozenset(FRAME_COLUMNS + CLASS_COLUMNS)


def _norm(name: object) -> str:
    return str(name).strip().lower()


@dataclass(frozen=True)
class Table:
    """A table as read: ``frame`` holds the columns (names stripped), ``where`` locates its rows.

    ``missing`` holds, for columns whose storage cannot show an empty cell as such (Parquet nulls, JSON
    nulls or absent keys), which rows have no value. CSV cells stay strings when empty.

    ``typed``: the storage has its own types (Parquet, JSON Lines), so a numeric field must hold a number:
    the string ``"10"``, a boolean or a date is refused. In a CSV file every cell is text; ``True`` / ``False``
    cells (which pandas reads as booleans) are refused there too.

    ``start``: the position (0-based, in read order over the whole input) of row 0, for a chunk of a bigger
    input (:func:`iter_table_chunks`); ``where`` names the rows as the whole input's reader does.
    ``categories``: the class list and category ids a Parquet file written by ``reportgen convert`` carries.
    """

    source: str
    frame: pd.DataFrame
    where: Where
    missing: Mapping[str, BoolArray] = field(default_factory=dict)
    typed: bool = False
    start: int = 0
    categories: Categories | None = None

    @property
    def num_rows(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def find(self, aliases: Sequence[str]) -> str | None:
        """The first column (in alias order) whose name is one of ``aliases``."""
        by_name: dict[str, str] = {}
        for column in self.columns:
            by_name.setdefault(_norm(column), column)
        for alias in aliases:
            if alias in by_name:
                return by_name[alias]
        return None

    def require(self, aliases: Sequence[str], what: str) -> str:
        column = self.find(aliases)
        if column is None:
            names = " or ".join(repr(a) for a in aliases)
            raise InputError(
                self.source,
                f"expected a column for the {what} (named {names}), found columns {listing(self.columns)}",
                field=aliases[0],
            )
        return column

    def keys(self, column: str, what: str) -> list[str]:
        """Column ``column`` as stripped strings (ids, names); whole floats lose their ``.0``."""
        series = self.frame[column]
        if not len(series):
            return []
        if pd.api.types.is_bool_dtype(series):
            raise self.where.error(0, column, f"expected a {what}, found {describe(bool(series.iloc[0]))}")
        if pd.api.types.is_integer_dtype(series):
            return [str(v) for v in series.tolist()]
        if pd.api.types.is_string_dtype(series) and series.dtype != object:
            # each distinct value once (ids and names repeat: one string object per value, not per row)
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            stripped = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
            found = stripped[codes]  # code -1 (missing) reads the "" at the end
            empty = found == ""
            if not empty.any():
                return list(found.tolist())
            row = int(np.flatnonzero(empty)[0])
            raise self.where.error(row, column, f"expected a {what}, found an empty value")
        values = series.tolist()
        keys = [_key(v) for v in values]
        if None in keys:
            row = keys.index(None)
            raise self.where.error(row, column, f"expected a {what}, found {describe(_shown(values[row]))}")
        return keys  # type: ignore[return-value]

    def numbers(self, column: str) -> FloatArray:
        """A required numeric column; an empty cell is an error (NaN stays NaN, for the finite check)."""
        values, missing = self.optional_numbers(column)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise self.where.error(row, column, "expected a number, found an empty value")
        return values

    def optional_numbers(self, column: str) -> tuple[FloatArray, BoolArray]:
        """A numeric column where empty cells are allowed: ``(values with NaN there, which are empty)``."""
        series = self.frame[column]
        missing = self.missing.get(column, np.zeros(len(series), dtype=np.bool_))
        if pd.api.types.is_bool_dtype(series) or not (
            pd.api.types.is_numeric_dtype(series) or series.dtype == object or pd.api.types.is_string_dtype(series)
        ):
            self._refuse_non_number(column, series, missing)
        if pd.api.types.is_numeric_dtype(series):
            return series.to_numpy(dtype=np.float64, na_value=np.nan), missing
        if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in _NUMERIC_KINDS:
            return series.to_numpy(dtype=np.float64, na_value=np.nan), missing | series.isna().to_numpy()
        if self.typed or pd.api.types.infer_dtype(series, skipna=True) in ("boolean", "mixed"):
            self._refuse_non_number(column, series, missing)
        return self._parse_numbers(column, series, missing)

    def _refuse_non_number(self, column: str, series: pd.Series, missing: BoolArray) -> None:
        """Raise at the first present value that is not a number (a typed file's string, a boolean, a date)."""
        for row, value in enumerate(series.tolist()):
            if missing[row] or value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if isinstance(value, str) and not self.typed:
                continue
            if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
                continue
            raise self.where.error(row, column, f"expected a number, found {value_kind(value)}")

    def _parse_numbers(self, column: str, series: pd.Series, missing: BoolArray) -> tuple[FloatArray, BoolArray]:
        text = series.map(lambda v: v.strip() if isinstance(v, str) else v)
        empty = missing | text.isna().to_numpy() | (text == "").to_numpy()
        values = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        failed = np.isnan(values) & ~empty
        if failed.any():
            is_nan_text = text[failed].map(lambda v: isinstance(v, str) and v.lower() == "nan")
            failed[np.flatnonzero(failed)[is_nan_text.to_numpy(dtype=bool)]] = False
        if failed.any():
            row = int(np.flatnonzero(failed)[0])
            raise self.where.error(row, column, f"expected a number, found {describe(text.iloc[row])}")
        return values, empty


def value_kind(value: object) -> str:
    """A non-numeric value as a message names it: ``true``, ``the string '10'``, ``a date-time (...)``."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {describe(value)}"
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return f"a date or time ({value})"
    if isinstance(value, pd.Timedelta | np.timedelta64):
        return f"a duration ({value})"
    return describe(value)


_NUMERIC_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "decimal"})


def _key(value: object) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | np.integer):
        return str(value)
    if isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return None


def _shown(value: object) -> object:
    """NaN read from an empty cell is shown as an empty value."""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return value


def read_table(path: Location, fmt: TableFormat) -> Table:
    """Read a CSV, Parquet or JSON Lines file; user errors become :class:`InputError`."""
    if fmt == "csv":
        return _read_csv(path)
    if fmt == "parquet":
        return _read_parquet(path)
    return _read_jsonl(path)


def table_from_dataframe(data: pd.DataFrame, source: str) -> Table:
    """A pandas DataFrame given in memory (the Python API), read as a Parquet file would be: its rows are named
    ``row N`` (0-based positions) in messages, null cells are missing values."""
    frame = data.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = {str(c): frame[c].isna().to_numpy() for c in frame.columns if frame[c].isna().any()}
    return Table(source, frame, ParquetWhere(source), missing)


#: How pandas reads a CSV input. index_col=False: a row with one field too many is an error, not silently shifted
#: into an index.
_CSV_OPTIONS: dict[str, object] = {
    "encoding": "utf-8-sig", "skipinitialspace": True, "na_filter": False, "index_col": False,
}  # fmt: skip


def _read_csv(path: Location) -> Table:
    return _only(_csv_chunks(path, None))


def _only(tables: Iterator[Table]) -> Table:
    (table,) = tables  # runs the generator to its end, so that the file is closed
    return table


def _csv_chunks(path: Location, rows: int | None) -> Iterator[Table]:
    """The whole file (``rows`` None) or chunks of ``rows`` rows; at least one table (an empty one for a header)."""
    source = str(path)
    header: Sequence[object] = ()
    try:
        with open_input(path) as handle:
            check_columns(source, _csv_header(handle))
            handle.seek(0)
            header = pd.read_csv(handle, nrows=0, **_CSV_OPTIONS).columns  # type: ignore[call-overload]
            as_text = {c: str for c in header if _norm(c) in _KEY_COLUMNS}
            handle.seek(0)
            start, emitted = 0, False
            for frame in _csv_frames(handle, as_text, rows):
                if emitted and not len(frame):
                    continue
                frame.columns = [str(c).strip() for c in frame.columns]
                yield Table(source, frame, CsvWhere(source, path, start), start=start)
                start += len(frame)
                emitted = True
            if not emitted:  # a header only: pandas' chunked reader yields nothing
                empty = pd.DataFrame({str(c).strip(): pd.Series([], dtype=object) for c in header})
                yield Table(source, empty, CsvWhere(source, path))
    except pd.errors.ParserWarning:
        raise _field_count_error(source, path, len(header)) from None
    except pd.errors.EmptyDataError:
        raise InputError(source, "expected a CSV header line, found an empty file") from None
    except pd.errors.ParserError as exc:
        raise _csv_error(source, str(exc)) from None
    except UnicodeDecodeError as exc:
        raise InputError(source, f"expected UTF-8 text, found byte {exc.object[exc.start]:#04x}") from None


def _csv_frames(handle: BinaryIO, as_text: Mapping[object, type[str]], rows: int | None) -> Iterator[pd.DataFrame]:
    """pandas' frames of the file, a ParserWarning (a line with a field too many) raised as an error. The warning
    filter is set around each read only, not while the caller holds a chunk."""

    def strict(read: Callable[[], Any]) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return read()

    if rows is None:
        yield strict(lambda: pd.read_csv(handle, dtype=as_text, **_CSV_OPTIONS))  # type: ignore[call-overload]
        return
    reader = strict(lambda: pd.read_csv(handle, dtype=as_text, chunksize=rows, **_CSV_OPTIONS))  # type: ignore[call-overload]
    with reader:
        while (frame := strict(lambda: next(reader, None))) is not None:
            yield frame


def _csv_header(handle: BinaryIO) -> list[str]:
    """The column names of the first non-blank line, as written (pandas renames a repeated ``x`` to ``x.1``)."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        for row in csv.reader(text):
            if row:
                return row
        return []
    finally:
        text.detach()


def check_columns(source: str, names: Sequence[object]) -> None:
    """Column names must differ once stripped and lower-cased: reportgen finds columns that way."""
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _norm(name)
        if key in seen:
            raise InputError(
                source,
                f"expected unique column names, found {short(str(name).strip())} twice "
                f"(columns {seen[key] + 1} and {index + 1}; names are compared without case and spaces)",
            )
        seen[key] = index


def _field_count_error(source: str, path: Location, expected: int) -> InputError:
    """The first line whose number of fields differs from the header's."""
    with open_input(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            if row and len(row) != expected:
                return InputError(source, f"expected {expected} fields, found {len(row)}", line=number)
    return InputError(source, f"expected {expected} fields on every line")


def _csv_error(source: str, message: str) -> InputError:
    """pandas' tokenizer messages carry a line (1-based) or a row (0-based, header = row 0)."""
    text = message.strip().removeprefix("Error tokenizing data. C error: ")
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if fields:
        want, line, saw = fields.groups()
        return InputError(source, f"expected {want} fields, found {saw}", line=int(line))
    quote = re.search(r"EOF inside string starting at row (\d+)", text)
    if quote:
        return InputError(source, "expected a closing quote, found the end of the file", line=int(quote.group(1)) + 1)
    return InputError(source, f"expected valid CSV, found an error: {text}")


def _read_parquet(path: Location) -> Table:
    from reportgen.io._parquet import open_parquet, read_whole

    data = open_parquet(path)
    arrow, where = read_whole(data)
    return _table_from_arrow(data.source, arrow, where, 0, data.categories)


def _table_from_arrow(
    source: str, arrow: pa.Table, where: Where, start: int, categories: Categories | None
) -> Table:
    check_columns(source, arrow.column_names)
    missing = {
        name.strip(): np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)
        for name, column in zip(arrow.column_names, arrow.columns, strict=True)
        if column.null_count
    }
    frame = arrow.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    return Table(source, frame, where, missing, typed=True, start=start, categories=categories)


def _read_jsonl(path: Location) -> Table:
    return _only(_jsonl_chunks(path, None))


def _jsonl_chunks(path: Location, rows: int | None) -> Iterator[Table]:
    """The whole file (``rows`` None) or chunks of ``rows`` records. A chunk has every column an earlier chunk had
    (missing where its records lack the key), so that a column does not vanish from one chunk to the next."""
    source = str(path)
    records: list[dict[str, object]] = []
    lines: list[int] = []
    columns: dict[str, None] = {}
    start = 0
    emitted = False
    with open_input(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise InputError(
                    source, f"expected a JSON object, found invalid JSON ({exc.msg})", line=number
                ) from None
            if not isinstance(record, dict):
                raise InputError(source, f"expected a JSON object, found {describe(record)}", line=number)
            records.append(record)
            lines.append(number)
            if rows is not None and len(records) == rows:
                yield _jsonl_table(source, records, lines, columns, start)
                start += len(records)
                records, lines, emitted = [], [], True
    if not records and not emitted:
        raise InputError(source, "expected JSON Lines records, found an empty file")
    if records:
        yield _jsonl_table(source, records, lines, columns, start)


def _jsonl_table(
    source: str, records: list[dict[str, object]], lines: list[int], columns: dict[str, None], start: int
) -> Table:
    frame = pd.DataFrame.from_records(records)
    check_columns(source, list(frame.columns))
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    columns.update(dict.fromkeys(frame.columns))
    missing = {str(c): frame[c].isna().to_numpy() for c in frame.columns if frame[c].isna().any()}
    where = LineWhere(source, np.asarray(lines, dtype=np.int64))
    return Table(source, frame, where, missing, typed=True, start=start)


# ----------------------------------------------------------------------------------------------- chunks

#: Rows per chunk of :func:`iter_table_chunks` unless told.
CHUNK_ROWS = 1_000_000


def iter_table_chunks(
    path: Location, fmt: TableFormat, *, rows: int = CHUNK_ROWS, part: int | None = None
) -> Iterator[Table]:
    """The table at ``path`` (CSV, JSON Lines, a Parquet file or folder) as consecutive chunks of ``rows`` rows.

    Guarantees: the chunks, in order, hold the rows of :func:`read_table` in its order (the last chunk may be
    shorter; a Parquet folder's small files share chunks); every chunk's ``where`` names a row by the same file
    and line or row as the whole table's, and its ``start`` is its first row's position in the whole table;
    at least one chunk is yielded (an empty table for a header-only CSV or rowless Parquet input). Memory holds
    one chunk (and, for Parquet, one record batch of a row group) at a time.

    Differences from the whole read: an error is raised when its chunk is read, so of several errors the first in
    file order is raised, which the whole read may not do when it checks a whole column at a time; pandas infers a
    CSV column's type per chunk (the values read are the same); a JSON Lines key that first appears after the
    first chunk is absent from the chunks before it.

    ``part``: only file ``part`` of a Parquet folder (its rows named as in the whole folder, positions counted
    from its first row).
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, found {rows}")
    if fmt == "csv":
        yield from _csv_chunks(path, rows)
    elif fmt == "jsonl":
        yield from _jsonl_chunks(path, rows)
    else:
        from reportgen.io._parquet import iter_chunks, open_parquet

        data = open_parquet(path, part=part)
        for arrow, where, start in iter_chunks(data, rows):
            yield _table_from_arrow(data.source, arrow, where, start, data.categories)
