"""Property-based fuzzing (hypothesis) of every loader, the project file and the query parser.

The property, for any input: the call returns, or raises :class:`InputError` (``QueryError`` for a bare
query) whose message is one line naming the input file. Any other exception, a warning (pytest turns them
into errors) or a multi-line message fails the test. There is no timing assertion (``deadline=None``).

Size: ``REPORTGEN_FUZZ_EXAMPLES`` examples per test (default 40, a few seconds in all, as CI runs it). The
longer run documented in docs/limits.md sets it higher:

    REPORTGEN_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.engine.project_run import run_project
from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth, load_predictions
from reportgen.io.project import load_project
from reportgen.io.query import QueryError, evaluate_query, parse_query

EXAMPLES = int(os.environ.get("REPORTGEN_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    derandomize=EXAMPLES <= 40,  # CI: the same examples every run; longer runs explore
)

GT = {
    "images": [{"id": i, "width": 100, "height": 80, "file_name": f"{i}.jpg"} for i in (1, 2, 3)],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [5, 5, 20, 10], "area": 200, "iscrowd": 0},
    ],
}

# --------------------------------------------------------------------------------------------- values

clean_texts = st.text(alphabet=st.sampled_from([*"abc019 .,-_:/'[]{}#$", "\u00e9"]), max_size=12)
dirty_texts = st.text(
    alphabet=st.sampled_from([*"abc019 .,-_:/\\\"'[]{}#\t\n\r\x1b\x00$", "\u00e9", "\u2028", "\ud83d"]), max_size=12
)
texts = st.one_of(clean_texts, clean_texts, clean_texts, dirty_texts)
numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1e12, 1e13, 1e308, -1e308, 2**63, 10**400]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


def field_value(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value (nine times in ten), sometimes anything."""
    return st.integers(0, 9).flatmap(lambda i: json_values if i == 0 else good)


boxes = st.lists(numbers, min_size=0, max_size=5) | st.tuples(*[st.integers(0, 50)] * 2, *[st.integers(1, 30)] * 2).map(
    list
)
ids = st.one_of(st.integers(0, 4), st.sampled_from(["1", "2", "x", ""]))


def record(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={k: field_value(v) for k, v in fields.items()}).map(dict)


coco_images = st.lists(
    record({"id": ids, "width": st.integers(1, 200), "height": st.integers(1, 200), "file_name": texts}), max_size=4
)
coco_categories = st.lists(record({"id": st.integers(0, 3), "name": texts}), max_size=3)
coco_annotations = st.lists(
    record(
        {
            "id": st.integers(0, 6),
            "image_id": ids,
            "category_id": st.integers(0, 3),
            "bbox": boxes,
            "area": numbers,
            "iscrowd": st.sampled_from([0, 1, True, False, "1", 2]),
        }
    ),
    max_size=6,
)
coco_results = st.lists(
    record({"image_id": ids, "category_id": st.integers(0, 3), "bbox": boxes, "score": st.floats(-1, 2)}), max_size=6
)


# -------------------------------------------------------------------------------------------- helpers


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz") as name:
        yield Path(name)


def one_line_error(call: Callable[[], object], where: Path) -> None:
    """``call()`` returns, or raises an InputError of one line naming a path under ``where``."""
    try:
        call()
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith(str(where)), message
        assert message.isprintable(), message


def write(path: Path, data: bytes, packed: bool) -> Path:
    if packed:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def dump(value: object) -> bytes:
    return json.dumps(value, allow_nan=True, default=str).encode("utf-8", "surrogatepass")


# -------------------------------------------------------------------------------------------- loaders


@FUZZ
@given(
    images=coco_images,
    categories=coco_categories,
    annotations=coco_annotations,
    packed=st.booleans(),
    junk=st.booleans(),
)
def test_coco_ground_truth(
    images: list[Any], categories: list[Any], annotations: list[Any], packed: bool, junk: bool
) -> None:
    doc = {"images": images, "categories": categories, "annotations": annotations}
    with folder() as tmp:
        data = dump(doc)[: len(dump(doc)) // 2] if junk else dump(doc)
        path = write(tmp / "gt.json", data, packed)
        one_line_error(lambda: load_ground_truth(path, LoadOptions()), tmp)


@FUZZ
@given(results=coco_results, as_dataset=st.booleans(), ignore=st.booleans())
def test_coco_predictions(results: list[Any], as_dataset: bool, ignore: bool) -> None:
    with folder() as tmp:
        (tmp / "gt.json").write_text(json.dumps(GT))
        gt = load_ground_truth(tmp / "gt.json", LoadOptions())
        path = write(tmp / "p.json", dump({"annotations": results} if as_dataset else results), False)
        options = LoadOptions(ignore_unknown_frames=ignore)
        one_line_error(lambda: load_predictions(path, gt, options, name="m"), tmp)


COLUMNS = ["frame_id", "class", "x", "y", "w", "h", "score", "iscrowd", "area", "X", " x", "label", "width", "cx"]
cells = st.one_of(
    st.integers(-5, 300).map(str), st.sampled_from(["", "1e308", "nan", "True", "cat", "dog", '"q"', "1.5"]), texts
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[Any]]]:
    base = ["frame_id", "class", "x", "y", "w", "h", "score"]
    header = draw(st.one_of(st.just(base), st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8)))
    row = st.lists(cells, min_size=len(header), max_size=len(header))
    rows = draw(st.lists(st.one_of(row, st.lists(cells, max_size=len(header) + 1)), max_size=5))
    return header, rows


def csv_text(header: list[str], rows: list[list[Any]]) -> bytes:
    lines = [",".join(header), *(",".join(map(str, r)) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@FUZZ
@given(table=tables(), role=st.sampled_from(["gt", "pred"]), layout=st.sampled_from(["xywh", "xyxy", "cxcywh"]))
def test_csv_tables(table: tuple[list[str], list[list[Any]]], role: str, layout: str) -> None:
    with folder() as tmp:
        path = write(tmp / "t.csv", csv_text(*table), False)
        options = LoadOptions(box_format=layout)  # type: ignore[arg-type]
        if role == "gt":
            one_line_error(lambda: load_ground_truth(path, options), tmp)
        else:
            (tmp / "gt.json").write_text(json.dumps(GT))
            gt = load_ground_truth(tmp / "gt.json", LoadOptions())
            one_line_error(lambda: load_predictions(path, gt, options, name="m"), tmp)


jsonl_records = st.lists(
    record(
        {
            "frame_id": ids,
            "class": st.sampled_from(["cat", "dog", "1"]),
            "x": st.integers(0, 50),
            "y": st.integers(0, 50),
            "w": st.integers(1, 20),
            "h": st.integers(1, 20),
            "score": st.floats(0, 1),
            "iscrowd": st.sampled_from([0, 1, True, False]),
        }
    ),
    min_size=1,
    max_size=5,
)


@FUZZ
@given(records=jsonl_records, role=st.sampled_from(["gt", "pred"]), packed=st.booleans())
def test_jsonl_tables(records: list[dict[str, Any]], role: str, packed: bool) -> None:
    with folder() as tmp:
        data = b"".join(dump(r) + b"\n" for r in records)
        path = write(tmp / "t.jsonl", data, packed)
        options = LoadOptions(gt_format="jsonl", pred_format="jsonl")
        if role == "gt":
            one_line_error(lambda: load_ground_truth(path, options), tmp)
        else:
            (tmp / "gt.json").write_text(json.dumps(GT))
            gt = load_ground_truth(tmp / "gt.json", LoadOptions())
            one_line_error(lambda: load_predictions(path, gt, options, name="m"), tmp)


parquet_columns = st.sampled_from(["int", "float", "bool", "str", "datetime", "null"])


def _parquet_column(kind: str, n: int, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    if kind == "int":
        return rng.integers(-3, 60, n)
    if kind == "float":
        return rng.choice([0.0, 1.5, 30.0, np.nan, np.inf, 1e308], n)
    if kind == "bool":
        return rng.integers(0, 2, n).astype(bool)
    if kind == "str":
        return rng.choice(["1", "cat", "dog", "", "10"], n)
    if kind == "datetime":
        return pd.to_datetime(rng.integers(0, 10**9, n), unit="s")
    return [None] * n


@FUZZ
@given(kinds=st.lists(parquet_columns, min_size=7, max_size=7), rows=st.integers(0, 4), seed=st.integers(0, 99))
def test_parquet_tables(kinds: list[str], rows: int, seed: int) -> None:
    names = ["frame_id", "class", "x", "y", "w", "h", "score"]
    frame = pd.DataFrame(
        {n: _parquet_column(k, rows, seed + i) for i, (n, k) in enumerate(zip(names, kinds, strict=True))}
    )
    with folder() as tmp:
        (tmp / "gt.json").write_text(json.dumps(GT))
        gt = load_ground_truth(tmp / "gt.json", LoadOptions())
        path = tmp / "p.parquet"
        frame.to_parquet(path)
        one_line_error(lambda: load_predictions(path, gt, LoadOptions(), name="m"), tmp)
        one_line_error(lambda: load_ground_truth(path, LoadOptions()), tmp)


@FUZZ
@given(
    kinds=st.lists(st.lists(parquet_columns, min_size=7, max_size=7), min_size=1, max_size=3),
    rows=st.integers(0, 4),
    seed=st.integers(0, 99),
    chunk=st.integers(1, 5),
)
def test_parquet_folders(kinds: list[list[str]], rows: int, seed: int, chunk: int) -> None:
    """A folder of Parquet files whose columns may differ in type, read whole and in chunks."""
    from reportgen.io import iter_raw_prediction_chunks
    from reportgen.io._records import build_predictions

    names = ["frame_id", "class", "x", "y", "w", "h", "score"]
    with folder() as tmp:
        (tmp / "gt.json").write_text(json.dumps(GT))
        gt = load_ground_truth(tmp / "gt.json", LoadOptions())
        parts = tmp / "preds" / "day=1"
        parts.mkdir(parents=True)
        for f, file_kinds in enumerate(kinds):
            pairs = enumerate(zip(names, file_kinds, strict=True))
            columns = {n: _parquet_column(k, rows, seed + f + i) for i, (n, k) in pairs}
            pd.DataFrame(columns).to_parquet(parts / f"part-{f}.parquet")
        (tmp / "preds" / "_SUCCESS").write_text("")
        path = tmp / "preds"

        def chunked() -> None:
            for raw in iter_raw_prediction_chunks(path, LoadOptions(), rows=chunk):
                build_predictions(raw, gt, name="m", names=None, sizes=None, ignore_unknown_frames=False)

        one_line_error(lambda: load_predictions(path, gt, LoadOptions(), name="m"), tmp)
        one_line_error(chunked, tmp)
        one_line_error(lambda: load_ground_truth(path, LoadOptions()), tmp)


tokens = st.one_of(
    st.sampled_from(["0", "1", "cat", "0.5", "0.25", "-1", "1e308", "nan", "x"]), texts.filter(str.strip)
)
txt_lines = st.lists(st.lists(tokens, max_size=7).map(" ".join), max_size=4).map("\n".join)


@FUZZ
@given(
    files=st.lists(txt_lines, min_size=1, max_size=3),
    flavour=st.sampled_from(["yolo", "padilla"]),
    role=st.sampled_from(["gt", "pred"]),
)
def test_txt_folders(files: list[str], flavour: str, role: str) -> None:
    with folder() as tmp:
        labels = tmp / "labels"
        labels.mkdir()
        for i, text in enumerate(files, start=1):
            (labels / f"{i}.txt").write_bytes(text.encode("utf-8", "surrogatepass"))
        names = tmp / "names.txt"
        names.write_text("cat\ndog\n")
        options = LoadOptions(
            gt_format=flavour,  # type: ignore[arg-type]
            pred_format=flavour,  # type: ignore[arg-type]
            class_names=names,
            image_sizes=None,
            normalized=flavour == "yolo",
        )
        if role == "gt":
            one_line_error(lambda: load_ground_truth(labels, options), tmp)
        else:
            (tmp / "gt.json").write_text(json.dumps(GT))
            gt = load_ground_truth(tmp / "gt.json", LoadOptions())
            one_line_error(lambda: load_predictions(labels, gt, options, name="m"), tmp)


voc_text = st.one_of(tokens, st.sampled_from(["", " 10 ", "&amp;", "<b/>", "&#13;"]))


@st.composite
def voc_files(draw: st.DrawFn) -> str:
    objects = []
    for _ in range(draw(st.integers(0, 3))):
        parts = [f"<name>{draw(voc_text)}</name>"]
        if draw(st.booleans()):
            parts.append(f"<difficult>{draw(voc_text)}</difficult>")
        box = "".join(f"<{k}>{draw(voc_text)}</{k}>" for k in ("xmin", "ymin", "xmax", "ymax") if draw(st.booleans()))
        parts.append(f"<bndbox>{box}</bndbox>")
        objects.append("<object>" + "".join(parts) + "</object>")
    size = f"<size><width>{draw(voc_text)}</width><height>{draw(voc_text)}</height></size>"
    root = draw(st.sampled_from(["annotation", "annotation", "other"]))
    return f"<{root}><filename>{draw(voc_text)}</filename>{size}{''.join(objects)}</{root}>"


@FUZZ
@given(files=st.lists(voc_files(), min_size=1, max_size=3))
def test_voc_folders(files: list[str]) -> None:
    with folder() as tmp:
        xml = tmp / "xml"
        xml.mkdir()
        for i, text in enumerate(files, start=1):
            (xml / f"{i}.xml").write_bytes(text.encode("utf-8", "surrogatepass"))
        one_line_error(lambda: load_ground_truth(xml, LoadOptions(gt_format="voc")), tmp)


# ---------------------------------------------------------------------------------------- project file

segment_values = {
    "name": st.one_of(texts, st.sampled_from(["s", "All Frames", "t"])),
    "type": st.sampled_from(["split", "scenario", "regression_test", "x"]),
    "query": st.sampled_from(["weather == 'fog'", "distance > 5", "weather in ['fog']", "x ==", "weather == [1]"]),
    "frames": st.lists(st.sampled_from([1, 2, 3, "9", "1"]), max_size=3),
    "frames_file": st.sampled_from(["ids.txt", "../ids.txt", "/etc/hostname", "nothing.txt", ""]),
    "metric_class": st.sampled_from(["cat", "zebra"]),
    "targets": st.fixed_dictionaries(
        {}, optional={"precision": st.one_of(st.floats(0, 1), st.none()), "recall": field_value(st.floats(0, 1))}
    ),
    "description": texts,
}
good_segments = st.fixed_dictionaries(
    {"name": st.sampled_from(["s", "t", "u", "All Frames"]), "type": st.sampled_from(["split", "scenario"])},
    optional={"description": clean_texts, "metric_class": st.sampled_from(["cat", "dog"])},
).flatmap(
    lambda seg: st.sampled_from(["query", "frames", "frames_file"]).flatmap(
        lambda key: (
            st.just(seg | {key: None})
            .map(lambda s: s)
            .flatmap(lambda s: segment_values[key].map(lambda v: s | {key: v}))
        )
    )
)
project_docs = st.fixed_dictionaries(
    {
        "name": field_value(st.just("P")),
        "dataset": field_value(
            st.fixed_dictionaries(
                {"ground_truth": st.sampled_from(["gt.json"] * 6 + ["../gt.json", "missing.json"])},
                optional={"frames": st.sampled_from(["frames.csv", "frames.csv.gz"])},
            )
        ),
        "inference_sets": field_value(
            st.lists(
                st.fixed_dictionaries(
                    {"name": field_value(st.sampled_from(["m", "n", "o", "p"])), "path": st.just("p.json")}
                ),
                min_size=1,
                max_size=2,
            )
        ),
    },
    optional={
        "segments": st.lists(
            st.one_of(good_segments, good_segments, good_segments, record(segment_values)), max_size=3
        ),
        "defaults": st.fixed_dictionaries(
            {},
            optional={
                "confidence_grid": st.sampled_from(["0:1:0.1", "0:1:1e-9", "a", "0.5"]),
                "iou": st.one_of(st.floats(0, 1), st.floats(0, 1), numbers),
            },
        ),
        "classes": st.fixed_dictionaries(
            {}, optional={"display_names": st.dictionaries(st.sampled_from(["cat", "cow"]), texts, max_size=2)}
        ),
    },
)


def yaml_text(doc: dict[str, Any], anchors: int) -> str:
    """The document as YAML; with ``anchors``, a segment whose metadata holds a chain of aliases (each anchor
    used three times by the next: 3**anchors expansions, past the limit from 7 on)."""
    if anchors and isinstance(doc.get("segments"), list):
        doc = dict(
            doc, segments=[*doc["segments"], {"name": "chain", "type": "scenario", "frames": [1], "metadata": "CHAIN"}]
        )
    text = yaml.safe_dump(doc, allow_unicode=False)
    chain = ["a0: &a0 [x, y]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 3)}]" for i in range(1, anchors)]
    return text.replace("metadata: CHAIN", "metadata: {" + ", ".join(chain) + "}")


@FUZZ
@given(doc=project_docs, anchors=st.integers(0, 9).map(lambda n: n if n > 6 else n % 3))
def test_project_files(doc: dict[str, Any], anchors: int) -> None:
    with folder() as tmp:
        (tmp / "gt.json").write_text(json.dumps(GT))
        (tmp / "p.json").write_text(
            json.dumps([{"image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 10], "score": 0.5}])
        )
        frames = b"frame_id,weather,distance\n1,fog,3\n2,clear,10\n"
        (tmp / "frames.csv").write_bytes(frames)
        (tmp / "frames.csv.gz").write_bytes(gzip.compress(frames, mtime=0))
        (tmp / "ids.txt").write_text("1\n2\n")
        project = tmp / "project.yaml"
        project.write_text(yaml_text(doc, anchors))

        def run() -> None:
            run_project(load_project(project))

        one_line_error(run, tmp)


# ---------------------------------------------------------------------------------------------- queries

atoms = st.one_of(
    st.sampled_from(["weather", "distance", "`odd name`", "flag", "nothing"]),
    st.sampled_from(["'fog'", "3", "-2", "2.5", "True", "None", "...", "[1, 2]", "('fog',)", "b'x'", "1j", "-'a'"]),
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"])
    return st.one_of(
        st.tuples(inner, ops, inner).map(" ".join),
        inner.map(lambda q: f"not {q}"),
        inner.map(lambda q: f"({q})"),
        st.tuples(inner, st.sampled_from(["[", ")", ".x", "()", "[0]", "lambda: 1", "if"])).map("".join),
    )


queries = st.one_of(st.recursive(atoms, _combine, max_leaves=8), texts)
FRAME_TABLE = pd.DataFrame(
    {
        "weather": ["fog", "clear", None],
        "distance": [3.0, np.nan, 40.0],
        "odd name": [1, 2, 3],
        "flag": [True, False, True],
    }
)


@FUZZ
@given(query=queries)
def test_queries(query: str) -> None:
    try:
        parse_query(query)
        mask = evaluate_query(query, FRAME_TABLE)
    except QueryError as exc:
        assert "\n" not in str(exc) and str(exc).isprintable(), str(exc)
    else:
        assert mask.dtype == np.bool_ and mask.shape == (len(FRAME_TABLE),)
