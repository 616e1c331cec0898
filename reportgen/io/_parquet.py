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

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.errors import InputError
from reportgen.io._detect import is_skipped
from reportgen.io._files import check_regular, is_compressed, open_input
from reportgen.io._where import ParquetWhere, PartsWhere, Where, short

#: The schema-metadata key of reportgen's own metadata (class list and category ids).
METADATA_KEY = b"reportgen"
#: Hive's name for a partition whose value is null.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"

Categories = tuple[tuple[str, ...], tuple[int, ...]]


@dataclass(frozen=True)
class ParquetPart:
    """One file of a Parquet input, with the values of the hive folders above it."""

    path: Path
    partitions: tuple[tuple[str, str | None], ...] = ()

    @property
    def source(self) -> str:
        return str(self.path)


def parquet_files(folder: Path) -> list[ParquetPart]:
    """The ``.parquet`` files under ``folder``, in name order (folder by folder), with their hive values."""
    found: list[ParquetPart] = []

    def walk(directory: Path, partitions: tuple[tuple[str, str | None], ...]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise InputError(directory, f"expected a readable folder, found an error ({exc.strerror})") from None
        for entry in entries:
            if is_skipped(entry.name):
                continue
            if entry.is_dir():
                walk(Path(entry.path), partitions + _hive(entry.name))
            elif entry.name.lower().endswith(".parquet"):
                found.append(ParquetPart(Path(entry.path), partitions))

    walk(folder, ())
    return found


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


def open_parquet(path: Path) -> ParquetInput:
    """Check a Parquet file, or list and check a folder of them (schemas, partitions, metadata)."""
    if not path.is_dir():
        schema = _schema(ParquetPart(path))
        return ParquetInput(str(path), (ParquetPart(path),), False, _categories(str(path), schema))
    parts = parquet_files(path)
    if not parts:
        raise InputError(path, f"expected .parquet files in the folder, found none{_skipped_note(path)}")
    first = parts[0]
    first_schema = _schema(first)
    keys = [k for k, _ in first.partitions]
    columns = {c.strip().lower() for c in first_schema.names}
    for key in keys:
        if key.strip().lower() in columns:
            raise InputError(
                first.source, f"expected a column or a partition folder named {key!r}, found both", field=key
            )
    for part in parts[1:]:
        if [k for k, _ in part.partitions] != keys:
            raise InputError(
                part.source,
                f"expected the partition folders of {first.source} ({_keys(keys)}), found {_keys(part.partitions)}",
            )
        _same_schema(first, first_schema, part, _schema(part))
    categories = _categories(first.source, first_schema)
    for part in parts[1:]:
        other = _categories(part.source, _schema(part))
        if other != categories:
            raise InputError(
                part.source, f"expected the same reportgen class metadata as {first.source}, found different metadata"
            )
    return ParquetInput(str(path), tuple(parts), True, categories)


def _keys(partitions: object) -> str:
    keys = [k if isinstance(k, str) else k[0] for k in partitions]  # type: ignore[attr-defined]
    return ", ".join(f"{k}=" for k in keys) if keys else "none"


def _skipped_note(folder: Path) -> str:
    try:
        skipped = sorted(p.name for p in folder.iterdir() if is_skipped(p.name))
    except OSError:
        return ""
    return f" (skipped: {', '.join(skipped)})" if skipped else ""


def _schema(part: ParquetPart) -> pa.Schema:
    check_regular(part.path)
    try:
        if is_compressed(part.path):
            with open_input(part.path) as handle:
                return pq.read_schema(handle)
        return pq.read_schema(part.path)
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
        if is_compressed(part.path):
            with open_input(part.path) as handle:
                return pq.read_table(handle)
        return pq.read_table(part.path)  # memory-mapped by pyarrow
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
        if is_compressed(part.path):
            with open_input(part.path) as handle:
                return int(pq.ParquetFile(handle).metadata.num_rows)
        return int(pq.read_metadata(part.path).num_rows)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(part.source, exc) from None


def _batches(part: ParquetPart, rows: int) -> Iterator[pa.RecordBatch]:
    try:
        if is_compressed(part.path):
            with open_input(part.path) as handle:
                yield from pq.ParquetFile(handle).iter_batches(batch_size=rows)
        else:
            with pq.ParquetFile(part.path) as reader:
                yield from reader.iter_batches(batch_size=rows)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(part.source, exc) from None
