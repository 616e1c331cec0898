"""The report page's renderer (reportgen/report/render.py): the static default view from the payload, escaping,
determinism, no external URLs, and a gold file of the rendered HTML.

Gold file: ``tests/gold/report_demo.html`` is the demo project's page with the varying parts scrubbed
(generation time, version, SHA-256 digests) and the bulky parts replaced by placeholders (the embedded data,
the inlined scripts and stylesheet, the matplotlib chart). After an intended change of the page, regenerate it
with ``REPORTGEN_UPDATE_GOLD=1 python -m pytest tests/test_render.py -k gold`` and review the diff.

The helpers here (:func:`build_project_report`, :func:`write_synthetic_project`) also serve the browser tests
in ``tests/browser``.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from reportgen.engine.report_parts import MANY_CLASSES
from reportgen.report.model import UNDEFINED_U16, ReportTables, report_tables
from reportgen.report.render import (
    DIV_STOPS,
    JS_FILES,
    _resource_dir,
    div_colour,
    render_report,
    score_text,
    seq_colour,
    threshold_text,
)
from tests.oracles import delta_grid, delta_label

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "gold" / "report_demo.html"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

HOSTILE = (
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "quote \" and ' & <!-- --> ]]>",
)


# ------------------------------------------------------------------------------------------------ helpers
def decode_blob(entry: dict[str, Any]) -> np.ndarray:
    """A payload blob as the page decodes it: base64 -> gzip -> little-endian typed array of ``shape`` (the
    tests read the payload as the page does, to check it against the engine)."""
    raw = gzip.decompress(base64.b64decode(entry["data"]))
    return np.frombuffer(raw, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])


def dense_matrix(blobs: dict[str, np.ndarray], k: int, m: int, s: int, u: int, t: int) -> np.ndarray:
    """The ``(K, K)`` matrix of (m, s) at preset (u, t) from the payload's sparse cells, as the page builds it."""
    start, count = (int(x) for x in blobs["matrix_offsets"][m, s, u])
    out = np.zeros(k * k, dtype=np.int64)
    cells = blobs["matrix_cells"][start : start + count].astype(np.int64)
    out[cells] = blobs["matrix_values"][start : start + count, t]
    return out.reshape(k, k)


def display_text(value: int) -> str:
    """A display integer (score x 10000) as the page shows it (``RG.displayText``); 65535 (undefined) a dash."""
    return "–" if value == UNDEFINED_U16 else f"{value // 10000}.{value % 10000:04d}"


@dataclass
class Report:
    """A built report: the project file, its payload, the HTML text and the file it was written to."""

    project_file: Path
    payload: dict[str, Any]
    html: str
    path: Path
    run: Any = None
    blobs: dict[str, np.ndarray] = field(default_factory=dict)

    def blob(self, name: str) -> np.ndarray:
        if name not in self.blobs:
            self.blobs[name] = decode_blob(self.payload["blobs"][name])
        return self.blobs[name]

    def examples(self) -> dict[str, Any]:
        """The examples JSON blob, decoded."""
        entry = self.payload["examples"]

        def unpack(part: dict[str, Any]) -> Any:
            return json.loads(gzip.decompress(base64.b64decode(part["data"])))

        return {
            "caps": entry["caps"],
            "objects": unpack(entry["objects"]),
            "predictions": [unpack(p) for p in entry["predictions"]],
            "cells": [[table for part in parts for table in unpack(part)] for parts in entry["cells"]],
        }

    @property
    def frame_ids(self) -> dict[int, str]:
        """The payload's frame ids by frame index (the frames it refers to)."""
        from reportgen.report.payload import frame_id_map

        return frame_id_map(self.payload)

    def segment_mask(self, s: int) -> np.ndarray:
        """``(F,)`` whether each frame is in segment s (from the run: the payload lists a capped share)."""
        return np.asarray(self.run.segments[s].mask, dtype=bool)

    def tables(self) -> ReportTables:
        """The report model of the run (the static view's numbers)."""
        return report_tables(self.run)

    def matrix(self, m: int, s: int, u: int, t: int) -> np.ndarray:
        k = len(self.payload["classes"]) + 1
        blobs = {n: self.blob(n) for n in ("matrix_offsets", "matrix_cells", "matrix_values")}
        return dense_matrix(blobs, k, m, s, u, t)


def build_project_report(project_file: Path, output: Path) -> Report:
    """Run the project and build its report with the real pipeline (reportgen.report.build.build_report)."""
    from reportgen.engine.project_run import run_project
    from reportgen.io.project import load_project
    from reportgen.report.build import build_report

    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        project = load_project(project_file)
        run = run_project(project, report=True)
        payload = build_report(project, output, run=run)
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return Report(project_file, payload, output.read_text(encoding="utf-8"), output, run)


def write_synthetic_project(
    directory: Path,
    *,
    classes: list[str],
    frame_ids: list[str],
    models: list[str],
    seed: int = 0,
    project_name: str = "Synthetic",
    dataset_name: str = "synthetic",
    hostile: bool = False,
) -> Path:
    """A small detection project with images, a frame table and segments of every type (and, with
    ``hostile``, names, ids, metadata and file names made of HTML and script fragments)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "images").mkdir(exist_ok=True)
    (directory / "data").mkdir(exist_ok=True)
    w, h = 96, 72
    c = len(classes)
    images, annotations, table = [], [], []
    preds: list[list[dict[str, Any]]] = [[] for _ in models]
    strength = [0.9 - 0.15 * i for i in range(len(models))]
    ann_id = 1
    for f, fid in enumerate(frame_ids):
        image_name = f"img{f:04d}.jpg"
        img = Image.new("RGB", (w, h), tuple(int(x) for x in rng.integers(60, 140, 3)))
        draw = ImageDraw.Draw(img)
        n_obj = int(rng.integers(1, 4))
        for _ in range(n_obj):
            cls = int(rng.integers(0, c))
            bw, bh = float(rng.integers(12, 30)), float(rng.integers(12, 30))
            x, y = float(rng.integers(0, w - int(bw))), float(rng.integers(0, h - int(bh)))
            draw.rectangle((x, y, x + bw, y + bh), fill=tuple(int(v) for v in rng.integers(150, 255, 3)))
            annotations.append({"id": ann_id, "image_id": fid, "category_id": cls + 1, "bbox": [x, y, bw, bh],
                                "area": bw * bh, "iscrowd": 0})  # fmt: skip
            ann_id += 1
            for m in range(len(models)):
                if rng.random() > 0.88:
                    continue  # missed
                good = rng.random() < strength[m]
                pcls = cls if good else int(rng.integers(0, c))
                jit = rng.normal(0, 2.0 if good else 4.0, 4)
                box = [x + jit[0], y + jit[1], max(4.0, bw + jit[2]), max(4.0, bh + jit[3])]
                score = float(np.round(rng.uniform(0.35, 1.0) if good else rng.uniform(0.02, 0.8), 3))
                preds[m].append({"image_id": fid, "category_id": pcls + 1, "bbox": [round(v, 2) for v in box],
                                 "score": score})  # fmt: skip
        for m in range(len(models)):
            if rng.random() < 0.4:
                x, y = float(rng.integers(0, w - 12)), float(rng.integers(0, h - 12))
                cls = int(rng.integers(1, c + 1))
                score = float(np.round(rng.uniform(0.0, 0.6), 3))
                preds[m].append({"image_id": fid, "category_id": cls, "bbox": [x, y, 10.0, 10.0], "score": score})
        img.save(directory / "images" / image_name, quality=70)
        images.append({"id": fid, "width": w, "height": h, "file_name": image_name})
        table.append({
            "frame_id": fid,
            "image": f"images/{image_name}",
            "time_of_day": "night" if f % 3 == 0 else "day",
            "split": "test" if f % 2 else "train",
            "source": HOSTILE[1] if hostile and f % 4 == 0 else "cam",
        })  # fmt: skip
    gt = {"images": images, "annotations": annotations,
          "categories": [{"id": i + 1, "name": n} for i, n in enumerate(classes)]}  # fmt: skip
    (directory / "data" / "gt.json").write_text(json.dumps(gt), encoding="utf-8")
    pred_files = []
    for m in range(len(models)):
        file_name = f"pred-{m}{'<img src=x onerror=alert(9)>' if hostile else ''}.json"
        (directory / "data" / file_name).write_text(json.dumps(preds[m]), encoding="utf-8")
        pred_files.append(file_name)
    import csv

    with (directory / "data" / "frames.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    special = HOSTILE[0] if hostile else "Night"
    listed = HOSTILE[2] if hostile else "Spot check"
    segments: list[dict[str, Any]] = [
        {"name": "test", "type": "split", "query": 'split == "test"',
         "targets": {"precision": 0.6, "recall": 0.6, "f1": 0.6}},
        {"name": special, "type": "regression_test", "query": 'time_of_day == "night"',
         "description": HOSTILE[1] if hostile else "Night frames.",
         "metadata": {HOSTILE[0] if hostile else "owner": HOSTILE[2] if hostile else "team"},
         "targets": {"precision": 0.7, "recall": {"baseline": models[0], "max_drop": 0.05}}},
        {"name": "One class", "type": "regression_test", "frames": frame_ids[: max(4, len(frame_ids) // 3)],
         "metric_class": classes[0], "targets": {"recall": 0.5}},
        {"name": listed, "type": "scenario", "frames": frame_ids[::5], "description": "Listed frames."},
    ]  # fmt: skip
    document = {
        "name": project_name,
        "task": "detection",
        "dataset": {"name": dataset_name, "ground_truth": "data/gt.json", "frames": "data/frames.csv",
                    "frame_id_column": "frame_id", "image_column": "image"},
        "inference_sets": [{"name": n, "path": f"data/{p}"} for n, p in zip(models, pred_files, strict=True)],
        "defaults": {"confidence": 0.1, "iou": 0.5, "iou_grid": "0.3:0.7:0.1"},
        "segments": segments,
    }  # fmt: skip
    path = directory / "project.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def hostile_project(directory: Path) -> Path:
    classes = [HOSTILE[0], HOSTILE[1], HOSTILE[2], "plain"]
    frame_ids = [f"{HOSTILE[i % 3]}#{i}" if i % 2 == 0 else f"frame-{i}" for i in range(16)]
    models = [f"model {HOSTILE[0]}", f"model {HOSTILE[1]}"]
    return write_synthetic_project(directory, classes=classes, frame_ids=frame_ids, models=models, seed=3,
                                   project_name=HOSTILE[0], dataset_name=HOSTILE[1], hostile=True)  # fmt: skip


def many_class_project(directory: Path) -> Path:
    classes = [f"class-{i:02d}" for i in range(30)]
    frame_ids = [f"{i:05d}" for i in range(150)]
    models = ["alpha", "beta", "gamma"]
    return write_synthetic_project(
        directory, classes=classes, frame_ids=frame_ids, models=models, seed=7, project_name="Thirty classes"
    )


class Node:
    """A minimal DOM node for reading the static HTML in tests."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        out = []
        for child in self.children:
            if isinstance(child, Node):
                ok = (tag is None or child.tag == tag) and (cls is None or cls in child.classes())
                ok = ok and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
                if ok:
                    out.append(child)
                out.extend(child.find_all(tag, cls, **attrs))
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "wbr", "source"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def parse_html(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root


def report_json(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert match, "no report-data block"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------------ fixtures
_BUILT: dict[str, Report] = {}


def _demo(d: Path, task: str) -> Path:
    from reportgen.demo import write_demo_project

    return write_demo_project(d, task=task)  # type: ignore[arg-type]


WRITERS = {
    "demo": lambda d: _demo(d, "detection"),
    "classification": lambda d: _demo(d, "classification"),
    "hostile": hostile_project,
    "many": many_class_project,
}


def session_report(name: str, factory: pytest.TempPathFactory) -> Report:
    """Each report is built once per test session (shared by these tests and the browser tests)."""
    if name not in _BUILT:
        d = factory.mktemp(name)
        _BUILT[name] = build_project_report(WRITERS[name](d), d / "report.html")
    return _BUILT[name]


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("demo", tmp_path_factory)


@pytest.fixture(scope="session")
def classification_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("classification", tmp_path_factory)


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("hostile", tmp_path_factory)


@pytest.fixture(scope="session")
def many_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("many", tmp_path_factory)


# ------------------------------------------------------------------------------------------------ numbers
@pytest.mark.parametrize(
    ("score", "threshold", "text"),
    [
        (0.79996, 0.8, "0.79996"),
        (0.799996, 0.8, "0.799996"),
        (0.8, 0.8, "0.8000"),
        (0.80004, 0.8, "0.8000"),
        (0.79996, None, "0.8000"),
        (0.74101, 0.8, "0.7410"),
        (None, 0.8, "–"),
        (float("nan"), None, "–"),
        (0.03125, None, "0.0312"),  # an exact binary tie: Python rounds half to even
    ],
)
def test_score_text_never_shows_a_failing_value_as_meeting_its_target(
    score: float | None, threshold: float | None, text: str
) -> None:
    assert score_text(score, threshold) == text


def test_score_text_agrees_with_the_verdict_tables() -> None:
    from reportgen.engine.verdicts import shown_against

    rng = np.random.default_rng(0)
    for _ in range(2000):
        thr = float(np.round(rng.uniform(0, 1), int(rng.integers(1, 4))))
        score = thr - float(rng.choice([1e-5, 4e-5, 1e-6, 0.0, -3e-5, 0.01]))
        assert score_text(score, thr) == shown_against(score, thr)


@pytest.mark.parametrize(
    ("threshold", "score", "text"),
    [
        (0.8, None, "0.80"),
        (0.75, None, "0.75"),
        (0.725, None, "0.725"),
        (0.0, None, "0.00"),
        (0.6774012, None, "0.6774"),
        (0.6774012, 0.67740, "0.677401"),  # a failing score shown "0.6774" must not read as >= the threshold
        (0.6774012, 0.9, "0.6774"),
    ],
)
def test_threshold_text(threshold: float, score: float | None, text: str) -> None:
    assert threshold_text(threshold, score) == text
    if score is not None and score < threshold:
        assert float(threshold_text(threshold, score)) > float(score_text(score, threshold))


def test_display_text_and_colours() -> None:
    assert display_text(8123) == "0.8123"
    assert display_text(10000) == "1.0000"
    assert display_text(7) == "0.0007"
    assert display_text(65535) == "–"
    assert seq_colour(0.0) == "#f7fbff"
    assert seq_colour(1.0) == "#08306b"
    assert seq_colour(-1) == seq_colour(0)


# ------------------------------------------------------------------------------------------------ B − A matrix
def test_delta_label_is_the_specs_form() -> None:
    assert delta_label("delta", "straight", 2, 12) == "delta - straight + 10 (2 -> 12)"
    assert delta_label("delta", "straight", 12, 2) == "delta - straight - 10 (12 -> 2)"
    assert delta_label("background", "swept", 7, 7) == "background - swept + 0 (7 -> 7)"  # no change: "+ 0"
    assert delta_label("a", "b", 1204, 3) == "a - b - 1,201 (1,204 -> 3)"


def _rgb_of(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def test_delta_grid_constructed_case() -> None:
    """Two classes; rows ground truth (delta, straight, background), columns predicted. The spec's example cell:
    straight objects predicted as delta, 2 for A and 12 for B."""
    names = ["delta", "straight"]
    a = np.array([[8, 1, 1], [2, 15, 3], [4, 2, 0]])
    b = np.array([[9, 1, 0], [12, 6, 2], [1, 5, 0]])
    red, blue = "#b2182b", "#2166ac"
    assert (div_colour(-1.0), div_colour(0.0), div_colour(1.0)) == (red, "#f7f7f7", blue)
    grid = delta_grid(names, a, b)  # Absolute, darkness against the largest change of the row
    spec = grid[1][0]
    assert (spec.value, spec.text, spec.label) == (10, "+10", "delta - straight + 10 (2 -> 12)")
    assert (spec.better, spec.colour, spec.dark) == (False, red, True)  # more confusions: worse, red, darkest
    diag = grid[1][1]  # fewer correct straight: worse
    assert (diag.text, diag.better, diag.colour) == ("−9", False, div_colour(-((9 / 10) ** 0.5)))
    missed = grid[1][2]  # fewer missed straight: better
    assert (missed.text, missed.label, missed.better, missed.colour, missed.dark) == (
        "−1", "background - straight - 1 (3 -> 2)", True, div_colour((1 / 10) ** 0.5), False)  # fmt: skip
    assert grid[0][0].better is True and grid[0][0].colour == blue  # more correct delta: better
    same = grid[0][1]
    assert (same.text, same.label, same.colour, same.better) == ("0", "straight - delta + 0 (1 -> 1)", None, None)
    assert grid[2][0].better is True and grid[2][0].colour == blue  # fewer false positives
    assert grid[2][1].better is False and grid[2][1].colour == red  # more false positives
    assert grid[2][2] is None
    for row in grid:
        for cell in row:
            if cell is not None and cell.colour is not None:
                r, _, bl = _rgb_of(cell.colour)
                assert (bl > r) == cell.better  # blue = better, red = worse
    # Value: against the largest change of the matrix (10)
    assert delta_grid(names, a, b, den="all")[0][0].colour == div_colour((1 / 10) ** 0.5)
    # Column: against the largest change of the column (delta column: +1, +10, -3)
    assert delta_grid(names, a, b, den="col")[2][0].colour == div_colour((3 / 10) ** 0.5)
    # Percentage: B's share minus A's share of the row, in percentage points
    pct = delta_grid(names, a, b, pct=True)
    assert pct[1][0].text == "+50.0" and pct[1][0].label == spec.label
    assert pct[2][0].text == "−50.0"  # false positives of delta: 4 of 6 -> 1 of 6
    assert delta_grid(names, a, b, pct=True, den="col")[1][0].text == f"+{100 * (12 / 22 - 2 / 14):.1f}"


def test_delta_grid_from_the_payload(demo_report: Report) -> None:
    """Every cell of the demo's B − A matrix at the defaults: the spec's hover text from the two decoded
    matrices, the difference as the value, blue where better and red where worse."""
    p = demo_report.payload
    u, t = p["defaults"]["iou_index"], p["defaults"]["confidence_index"]
    c = len(p["classes"])
    labels = [*p["display_names"], "background"]
    mat_a, mat_b = demo_report.matrix(0, 0, u, t), demo_report.matrix(1, 0, u, t)
    grid = delta_grid(p["display_names"], mat_a, mat_b)
    seen = set()
    for g in range(c + 1):
        for q in range(c + 1):
            cell = grid[g][q]
            if g == c and q == c:
                assert cell is None
                continue
            assert cell is not None
            x, y = int(mat_a[g, q]), int(mat_b[g, q])
            assert cell.label == f"{labels[q]} - {labels[g]} {'-' if y < x else '+'} {abs(y - x):,} ({x:,} -> {y:,})"
            assert cell.value == y - x
            if y == x:
                assert cell.colour is None
                continue
            increase_is_better = g == q
            assert cell.better == ((y > x) == increase_is_better)
            r, _, bl = _rgb_of(cell.colour or "")
            assert (bl > r) == cell.better
            seen.add((g == q, y > x))
    # the demo's model-v2 finds more of every class than model-v1 (no correct count drops; the constructed case
    # above covers that kind), and has more and fewer confusions in different cells
    assert seen == {(True, True), (False, True), (False, False)}


def test_delta_palette_is_the_pages() -> None:
    core = (_resource_dir("static") / "js" / "palette.js").read_text(encoding="utf-8")
    block = re.search(r"RG\.DIV = \[(.*?)\];", core, re.S)
    assert block is not None
    stops = [tuple(int(v) for v in m) for m in re.findall(r"\[(\d+), (\d+), (\d+)\]", block.group(1))]
    assert stops == list(DIV_STOPS)


def _contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    def lum(rgb: tuple[int, int, int]) -> float:
        lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_cell_text_contrasts_with_every_palette_colour() -> None:
    """Matrix cells: white or black text, whichever contrasts more, always at least 4.5:1 (WCAG AA)."""
    from reportgen.report.render import wants_white

    for x in np.linspace(-1, 1, 401):
        for colour in (div_colour(float(x)), seq_colour(float((x + 1) / 2))):
            rgb = _rgb_of(colour)
            text = (255, 255, 255) if wants_white(colour) else (0, 0, 0)
            assert _contrast(text, rgb) >= 4.5, colour
            other = (0, 0, 0) if wants_white(colour) else (255, 255, 255)
            assert _contrast(text, rgb) >= _contrast(other, rgb), colour


# ------------------------------------------------------------------------------------------------ resources
def test_every_script_is_inlined_in_a_fixed_order() -> None:
    on_disk = {p.name for p in (_resource_dir("static") / "js").glob("*.js")}
    assert set(JS_FILES) == on_disk
    assert JS_FILES[0] == "dom.js" and JS_FILES[-1] == "app.js"
    assert (_resource_dir("templates") / "report.html.j2").is_file()


# ------------------------------------------------------------------------------------------------ the page
def test_embedded_data_round_trips(demo_report: Report) -> None:
    assert report_json(demo_report.html) == json.loads(json.dumps(demo_report.payload))


def test_static_cards_show_the_payload_numbers(demo_report: Report) -> None:
    """Without JavaScript: every card shows every inference set's scores, verdicts and counts at the defaults,
    the same as ``reportgen check --json`` (the payload's verdicts)."""
    p = demo_report.payload
    doc = parse_html(demo_report.html)
    static = doc.find(id="static-view")
    cards = static.find_all("article", cls="card")
    assert [c.find("h4").text for c in cards] == [s["name"] for s in _grouped(p["segments"])]
    keys = {"precision": "precision", "recall": "recall", "f1": "f1_score"}
    for card in cards:
        s = int(card.attrs["data-segment"] or -1)
        heads = [th.text for th in card.find("thead").find_all("th")][1:-1]
        assert heads == [m["name"] for m in p["inference_sets"]]
        for metric, key in keys.items():
            row = card.find("tr", data_metric=metric)
            cells = row.find_all("td")[:-1]
            for m, td in enumerate(cells):
                v = p["verdicts"][p["inference_sets"][m]["name"]][s]
                assert v["segment_name"] == p["segments"][s]["name"]
                score, thr, ok = v[key]["score"], v[key]["threshold"], v[key]["succeeds"]
                shown = (
                    td.text.replace("✓", "")
                    .replace("✗", "")
                    .replace(" (meets target)", "")
                    .replace(" (misses target)", "")
                )
                assert shown == score_text(score, thr)
                assert td.attrs["data-verdict"] == {None: "none", True: "pass", False: "fail"}[ok]
        counts = card.find("tbody", cls="counts").find_all("tr")
        for m, name in enumerate(p["inference_sets"]):
            v = p["verdicts"][name["name"]][s]
            got = [int(tr.find_all("td")[m].text.replace(",", "")) for tr in counts]
            assert got == [v["false_positives"]["score"], v["false_negatives"]["score"], v["total_confusions"]["score"]]


def _grouped(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {"Split": 0, "Regression Test": 1, "Scenario": 2}
    return sorted(segments, key=lambda s: order[s["type"]])


def test_static_class_report_and_matrix_are_the_decoded_blobs(demo_report: Report) -> None:
    p = demo_report.payload
    d = p["defaults"]
    u, t = d["iou_index"], d["confidence_index"]
    c = len(p["classes"])
    mat = dense_matrix({k: demo_report.blob(k) for k in ("matrix_offsets", "matrix_cells", "matrix_values")},
                       c + 1, 0, 0, u, t)  # fmt: skip
    scores = demo_report.blob("class_scores")[0, 0, u, t]
    static = parse_html(demo_report.html).find(id="static-view")
    rows = static.find("table", cls="report").find_all("tbody")[0].find_all("tr")
    assert [r.find("th").text for r in rows] == p["display_names"]
    for i, r in enumerate(rows):
        cells = [td.text for td in r.find_all("td")]
        assert cells[:3] == [display_text(int(v)) for v in scores[i]]
        assert cells[3:] == [f"{int(mat[i].sum()):,}", f"{mat[i, i]:,}", f"{mat[c, i]:,}", f"{mat[i, c]:,}"]
    grid = static.find("table", cls="matrix").find("tbody").find_all("tr")
    assert len(grid) == c + 1
    for g, tr in enumerate(grid):
        cells = tr.find_all("td")
        for q, td in enumerate(cells):
            if g == c and q == c:
                assert td.text == ""
            else:
                assert int(td.text.replace(",", "")) == mat[g, q]
                total = int(mat[g].sum())
                assert td.attrs["title"] is not None and td.attrs["title"].endswith(f"{mat[g, q]:,} of {total:,} (row)")
    # the micro average equals the All Frames card of the first inference set
    micro = demo_report.blob("averages")[0, 0, u, t, 0]
    card = demo_report.blob("cards")[0, 0, u, t]
    assert [display_text(int(x)) for x in micro] == [f"{x:.4f}" for x in card]


def test_static_view_has_provenance_and_the_chart(demo_report: Report) -> None:
    p = demo_report.payload
    html = demo_report.html
    for item in p["meta"]["inputs"]:
        assert item["sha256"] in html
    assert "reportgen " + p["meta"]["reportgen_version"] in html
    assert p["meta"]["generated_at"] in html
    static = parse_html(html).find(id="static-view")
    assert static.find("figure", cls="chart-box").find_all("svg")


def test_classification_page_has_no_iou(classification_report: Report) -> None:
    static = parse_html(classification_report.html).find(id="static-view")
    assert "IoU" not in static.text
    assert static.find_all("article", cls="card")


def test_many_classes_give_a_pair_table(many_report: Report) -> None:
    p = many_report.payload
    assert len(p["classes"]) > MANY_CLASSES
    static = parse_html(many_report.html).find(id="static-view")
    assert not static.find_all("table", cls="matrix")
    rows = static.find("table", cls="pairs").find("tbody").find_all("tr")
    counts = [int(r.find_all("td")[2].text.replace(",", "")) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


def test_hostile_names_are_text(hostile_report: Report) -> None:
    html = hostile_report.html
    # exactly our two script elements; no markup from the data
    assert len(re.findall(r"<script\b", html, re.I)) == 2
    assert len(re.findall(r"</script", html, re.I)) == 2
    assert "<img src=x" not in html
    doc = parse_html(html)
    # no element and no event-handler attribute came from the data
    every = doc.find_all()
    assert not [n for n in every if n.tag == "img"]
    assert not [n for n in every if any(a.lower().startswith("on") for a in n.attrs)]
    # the escaped text is there, readable
    static = doc.find(id="static-view")
    assert HOSTILE[0] in doc.find("h1").text
    assert HOSTILE[0] in [c.find("h4").text for c in static.find_all("article", cls="card")]
    assert HOSTILE[1] in [r.find("th").text for r in static.find("table", cls="report").find_all("tr")]
    assert report_json(html) == json.loads(json.dumps(hostile_report.payload))


def test_the_json_block_cannot_be_broken_out_of(demo_report: Report) -> None:
    payload = json.loads(json.dumps(demo_report.payload))
    payload["meta"]["project"] = "</script><!--<script>alert(1)</script>&amp;\u2028"
    payload["segments"][0]["description"] = "</SCRIPT ><script>"
    html = render_report(payload, demo_report.tables(), charts={})
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert block is not None
    assert not re.search(r"[<>&]", block.group(1))
    assert json.loads(block.group(1)) == payload


def test_nan_is_refused(demo_report: Report) -> None:
    payload = json.loads(json.dumps(demo_report.payload))
    payload["meta"]["objects"] = math.nan
    with pytest.raises(ValueError):
        render_report(payload, demo_report.tables(), charts={})


def test_same_payload_same_bytes(demo_report: Report) -> None:
    from reportgen.report.build import default_charts

    p, tables = demo_report.payload, demo_report.tables()
    a = render_report(p, tables, charts=default_charts(p, tables))
    b = render_report(json.loads(json.dumps(p)), tables, charts=default_charts(json.loads(json.dumps(p)), tables))
    assert a == b == demo_report.html


def test_no_url_that_could_make_a_request(demo_report: Report, hostile_report: Report) -> None:
    for report in (demo_report, hostile_report):
        html = report.html
        outside = re.sub(r'<script type="application/json" id="report-data">.*?</script>', "", html, flags=re.S)
        assert not re.search(
            r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*[a-z][a-z0-9+.-]*:""", outside, re.I
        )
        assert not re.search(r"url\(\s*['\"]?\s*(?!#)[a-z]", outside, re.I)
        assert "@import" not in outside
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", outside))
        # XML namespace names are identifiers, never fetched
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
        assert "default-src 'none'" in html  # the page's CSP forbids any request but data: images


def _scrub(html: str) -> str:
    html = re.sub(r'(<script type="application/json" id="report-data">).*?(</script>)', r"\1[data]\2", html, flags=re.S)
    html = re.sub(r"(<script>\n).*?(\n</script>)", r"\1[scripts]\2", html, flags=re.S)
    html = re.sub(r"(<style>\n).*?(\n</style>)", r"\1[stylesheet]\2", html, flags=re.S)
    html = re.sub(r"<svg\b.*?</svg>", "<svg>[chart]</svg>", html, flags=re.S)
    html = re.sub(r"\b[0-9a-f]{64}\b", "[sha256]", html)
    html = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[time]", html)
    from reportgen import __version__

    return html.replace(f"reportgen {__version__}", "reportgen [version]")


def test_gold_file(demo_report: Report) -> None:
    got = _scrub(demo_report.html)
    if os.environ.get("REPORTGEN_UPDATE_GOLD"):
        GOLD.parent.mkdir(parents=True, exist_ok=True)
        GOLD.write_text(got, encoding="utf-8")
    assert GOLD.is_file(), "no gold file: run with REPORTGEN_UPDATE_GOLD=1"
    want = GOLD.read_text(encoding="utf-8")
    if got != want:
        import difflib

        diff = "\n".join(
            list(difflib.unified_diff(want.splitlines(), got.splitlines(), "gold", "now", lineterm=""))[:60]
        )
        pytest.fail(f"the rendered page differs from {GOLD.name} (REPORTGEN_UPDATE_GOLD=1 regenerates it):\n{diff}")


def test_payload_thresholds_and_verdicts_equal_check_at_every_preset(demo_report: Report) -> None:
    """The report's verdict blobs are the engine's verdicts (``reportgen check``) at every preset."""
    from reportgen.engine.verdicts import PAYLOAD_KEYS, compute_verdicts, payload

    p = demo_report.payload
    thresholds, verdicts = demo_report.blob("thresholds"), demo_report.blob("verdicts")
    names = [m["name"] for m in p["inference_sets"]]
    for u, iou in enumerate(p["grids"]["iou"]):
        for t, conf in enumerate(p["grids"]["confidence"]):
            engine = payload(compute_verdicts(demo_report.run, iou=iou, confidence=conf))
            for m, name in enumerate(names):
                for s, item in enumerate(engine[name]):
                    for k, metric in enumerate(("precision", "recall", "f1")):
                        entry = item[PAYLOAD_KEYS[metric]]
                        want = {None: -1, True: 1, False: 0}[entry["succeeds"]]
                        assert int(verdicts[m, s, u, t, k]) == want, (name, s, u, t, metric)
                        thr = thresholds[m, s, u, t, k]
                        if entry["threshold"] is None:
                            assert np.isnan(thr)
                        else:
                            assert thr == entry["threshold"]
