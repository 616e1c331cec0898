"""Parquet inputs: one file, or a folder of files read as one table (whole, or in chunks of rows).

A folder (a Spark / Dask / pyarrow dataset) is read as one table:

- its ``.parquet`` files (any case), in name order, compared folder by folder (``a/x.parquet`` before
  ``b/y.parquet``), recursing into subfolders;
- names starting with ``_`` or ``.`` are skipped, files and folders alike (``_SUCCESS``, ``_metadata``,
  ``_common_metadata``, ``_delta_log/``, ``.part-0.parquet.crc``); other files (not ``.parquet``) are skipped;
- hive-style folders ``key=value/`` add a column ``key`` holding ``value`` as a string (percent-escapes decoded,
  ``__HIVE_DEFAULT_PARTITION__`` as an empty value), as ``pyarrow.dataset`` does with hive partitioning; every
  file must sit under the same keys;
- every file must have the same columns with the same types (a column of nulls only fits any type); the
  first file that differs from the first file is an error naming both and the column.

Rows are named in messages by their file and their row within that file (0-based): ``part-3.parquet: row 17``.

A file may carry reportgen's own metadata (key ``reportgen`` in the schema metadata, written by
``reportgen convert``): the ground truth's class list and category ids, so that a converted COCO file keeps
classes without objects and the COCO category ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO
from urllib.parse import unquote

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.errors import InputError
from reportgen.io._files import check_regular, is_compressed, open_input
from reportgen.io._location import Location, Url, entries, is_skipped, walk_files
from reportgen.io._where import ParquetWhere, PartsWhere, Where, short

#: The schema-metadata key of reportgen's own metadata (class list and category ids).
METADATA_KEY = b"reportgen"
#: Hive's name for a partition whose value is null.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"

Categories = tuple[tuple[str, ...], tuple[int, ...]]


@dataclass(frozen=True)
class ParquetPart:
    """One file of a Parquet input, with the values of the hive folders above it."""

    path: Location
    partitions: tuple[tuple[str, str | None], ...] = ()

    @property
    def source(self) -> str:
        return str(self.path)


def parquet_files(folder: Location) -> list[ParquetPart]:
    """The ``.parquet`` files under ``folder``, in name order (folder by folder), with their hive values; the
    walk (:func:`reportgen.io._location.walk_files`) is format detection's too, for local folders and URLs."""
    return [
        ParquetPart(path, tuple(kv for name in folders for kv in _hive(name)))
        for path, folders in walk_files(folder, ".parquet")
    ]


def _hive(name: str) -> tuple[tuple[str, str | None], ...]:
    key, sep, value = name.partition("=")
    if not sep or not key:
        return ()
    value = unquote(value)
    return ((unquote(key), None if value == HIVE_NULL else value),)


# ----------------------------------------------------------------------------------------- one input


@dataclass(frozen=True)
class ParquetInput:
    """A Parquet file or folder, checked: its parts, the shared schema (with partition columns) and metadata."""

    source: str
    parts: tuple[ParquetPart, ...]
    folder: bool
    categories: Categories | None

    def where(self, starts: list[int], file_rows: list[int], parts: list[int]) -> Where:
        """Rows of ``parts`` (indices into :attr:`parts`) beginning at ``starts``, the first being ``file_rows``."""
        if not self.folder:
            return ParquetWhere(self.source, file_rows[0] if file_rows else 0)
        return PartsWhere(tuple(self.parts[p].source for p in parts), tuple(starts), tuple(file_rows))


def open_parquet(path: Location, *, part: int | None = None) -> ParquetInput:
    """Check a Parquet file, or list and check a folder of them (schemas, partitions, metadata).

    ``part``: only file ``part`` of a folder, its schema and metadata read from it alone (a Dask read task: the
    caller checked the whole folder once; a worker reads one footer, not every file's)."""
    if not path.is_dir():
        schema = _schema(ParquetPart(path))
        return ParquetInput(str(path), (ParquetPart(path),), False, _categories(str(path), schema))
    parts = parquet_files(path)
    if not parts:
        raise InputError(path, f"expected .parquet files in the folder, found none{_skipped_note(path)}")
    if part is not None:
        return _one_part(path, parts[part])
    first = parts[0]
    first_schema = _schema(first)
    keys = [k for k, _ in first.partitions]
    columns = {c.strip().lower() for c in first_schema.names}
    for key in keys:
        if key.strip().lower() in columns:
            raise InputError(
                first.source, f"expected a column or a partition folder named {key!r}, found both", field=key
            )
    for other in parts[1:]:
        if [k for k, _ in other.partitions] != keys:
            raise InputError(
                other.source,
                f"expected the partition folders of {first.source} ({_keys(keys)}), found {_keys(other.partitions)}",
            )
        _same_schema(first, first_schema, other, _schema(other))
    categories = _categories(first.source, first_schema)
    for other in parts[1:]:
        if _categories(other.source, _schema(other)) != categories:
            raise InputError(
                other.source, f"expected the same reportgen class metadata as {first.source}, found different metadata"
            )
    return ParquetInput(str(path), tuple(parts), True, categories)


def _one_part(folder: Location, part: ParquetPart) -> ParquetInput:
    return ParquetInput(str(folder), (part,), True, _categories(part.source, _schema(part)))


def _keys(partitions: object) -> str:
    keys = [k if isinstance(k, str) else k[0] for k in partitions]  # type: ignore[attr-defined]
    return ", ".join(f"{k}=" for k in keys) if keys else "none"


def _skipped_note(folder: Location) -> str:
    try:
        skipped = [e.name for e in entries(folder) if is_skipped(e.name)]
    except InputError:
        return ""
    return f" (skipped: {', '.join(skipped)})" if skipped else ""


@contextmanager
def _arrow_source(part: ParquetPart) -> Iterator[str | IO[bytes]]:
    """What pyarrow reads: a local file's path (memory-mapped), a URL's fsspec file (read in blocks: the footer,
    then the row groups asked for), or a compressed file's decompressed bytes."""
    if is_compressed(part.path):
        with open_input(part.path) as handle:
            yield handle
    elif isinstance(part.path, Url):
        with part.path.open("rb") as handle:
            yield handle
    else:
        yield str(part.path)


def _schema(part: ParquetPart) -> pa.Schema:
    check_regular(part.path)
    try:
        with _arrow_source(part) as source:
            return pq.read_schema(source)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(part.source, exc) from None


def unreadable(source: str, exc: Exception) -> InputError:
    reason = re.sub(r"^Could not open Parquet input source '.*?': ", "", str(exc))
    return InputError(source, f"expected a Parquet file, found a file pyarrow cannot read ({reason})")


def _same_schema(first: ParquetPart, a: pa.Schema, part: ParquetPart, b: pa.Schema) -> None:
    """Same column names (in order) and types; a column of nulls only fits any type."""
    names_a, names_b = [n.strip() for n in a.names], [n.strip() for n in b.names]
    for name in names_a:
        if name not in names_b:
            raise InputError(part.source, f"expected the columns of {first.source}, found no column {short(name)}")
    for name in names_b:
        if name not in names_a:
            raise InputError(
                part.source, f"expected the columns of {first.source}, found a column {short(name)} that it lacks"
            )
    if names_a != names_b:
        raise InputError(
            part.source, f"expected the columns of {first.source} in its order, found them in another order"
        )
    for field_a, field_b in zip(a, b, strict=True):
        if _kind(field_a.type) != _kind(field_b.type) and not (
            pa.types.is_null(field_a.type) or pa.types.is_null(field_b.type)
        ):
            raise InputError(
                part.source,
                f"expected column {short(field_b.name.strip())} of type {field_a.type} as in {first.source}, "
                f"found {field_b.type}",
            )


def _kind(type_: pa.DataType) -> object:
    """Types that read alike: the string types are one (pandas writes ``large_string``, other tools ``string``)."""
    if pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_string_view(type_):
        return "string"
    return type_


def _categories(source: str, schema: pa.Schema) -> Categories | None:
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        return None
    try:
        meta = orjson.loads(raw)
        classes = tuple(meta["classes"])
        ids = tuple(meta["category_ids"])
        valid = all(isinstance(c, str) for c in classes) and all(type(i) is int for i in ids)
    except (orjson.JSONDecodeError, KeyError, TypeError):
        valid = False
    if not valid or len(classes) != len(ids) or len(set(classes)) != len(classes):
        raise InputError(
            source, "expected reportgen metadata with 'classes' (unique names) and as many 'category_ids'",
            field="reportgen",
        )  # fmt: skip
    return classes, ids


def categories_metadata(classes: tuple[str, ...], category_ids: tuple[int, ...]) -> dict[bytes, bytes]:
    """The schema metadata :func:`open_parquet` reads back as the class list and category ids."""
    return {METADATA_KEY: orjson.dumps({"classes": list(classes), "category_ids": list(category_ids)})}


# ---------------------------------------------------------------------------------------------- reading


def _read_file(part: ParquetPart) -> pa.Table:
    try:
        with _arrow_source(part) as source:
            return pq.read_table(source)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(part.source, exc) from None


def _with_partitions(table: pa.Table, part: ParquetPart) -> pa.Table:
    for key, value in part.partitions:
        table = table.append_column(key, pa.array([value] * table.num_rows, type=pa.string()))
    return table


def read_whole(data: ParquetInput) -> tuple[pa.Table, Where]:
    """Every row of every file, and where each row came from."""
    tables = [_with_partitions(_read_file(part), part) for part in data.parts]
    if not data.folder:
        return tables[0], ParquetWhere(data.source)
    starts = np.cumsum([0] + [t.num_rows for t in tables[:-1]]).tolist()
    where = PartsWhere(tuple(p.source for p in data.parts), tuple(starts), (0,) * len(tables))
    return _concat(tables), where


def _concat(tables: list[pa.Table]) -> pa.Table:
    if len(tables) == 1:
        return tables[0]
    # a column of nulls takes the others' type; string and large_string become one
    return pa.concat_tables(tables, promote_options="permissive")


def iter_chunks(data: ParquetInput, rows: int) -> Iterator[tuple[pa.Table, Where, int]]:
    """Consecutive rows in chunks of ``rows`` (the last may be shorter; one empty chunk for an empty input):
    ``(arrow table, where, position of its first row in the whole input)``. Small files share a chunk."""
    pieces: list[pa.Table] = []
    parts: list[int] = []
    starts: list[int] = []
    file_rows: list[int] = []
    held = 0
    position = 0
    emitted = False
    for index, part in enumerate(data.parts):
        file_row = 0
        for batch in _batches(part, rows):
            while batch.num_rows:
                take = min(rows - held, batch.num_rows)
                piece = _with_partitions(pa.Table.from_batches([batch.slice(0, take)]), part)
                pieces.append(piece)
                parts.append(index)
                starts.append(held)
                file_rows.append(file_row)
                held += take
                file_row += take
                batch = batch.slice(take)
                if held == rows:
                    yield _concat(pieces), data.where(starts, file_rows, parts), position
                    emitted = True
                    position += held
                    pieces, parts, starts, file_rows, held = [], [], [], [], 0
    if held or not emitted:
        if not pieces:  # an empty input: its columns, no rows
            part = data.parts[0]
            pieces = [_with_partitions(_schema(part).empty_table(), part)]
            parts, starts, file_rows = [0], [0], [0]
        yield _concat(pieces), data.where(starts, file_rows, parts), position


def file_rows(part: ParquetPart) -> int:
    """The number of rows of one file, from its metadata."""
    try:
        with _arrow_source(part) as source:
            return int(pq.read_metadata(source).num_rows)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(part.source, exc) from None


def _batches(part: ParquetPart, rows: int) -> Iterator[pa.RecordBatch]:
    try:
        with _arrow_source(part) as source, pq.ParquetFile(source) as reader:
            yield from reader.iter_batches(batch_size=rows)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(part.source, exc) from None
