"""Render the report page: one self-contained HTML file from the report payload (docs/report-payload.md).

The page works without JavaScript: the Jinja template shows the default view in full (header, provenance,
Scenarios cards, the classification report and confusion matrix of "All Frames", the PR curve as inline SVG).
Its numbers are taken from the payload itself (blobs decoded here with numpy), so the static view and the
interactive one show the same bytes of data. JavaScript then replaces the static view with the controls.

Resources: ``templates/report.html.j2``, ``static/report.css`` and ``static/js/*.js`` in a checkout, or
``reportgen/_templates`` and ``reportgen/_static`` in an installed wheel. The scripts are inlined in the order
of :data:`JS_FILES`; each adds to the one namespace object ``window.RG``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import numpy.typing as npt
from markupsafe import Markup

from reportgen.display import score_text, threshold_text
from reportgen.engine.report_parts import MANY_CLASSES
from reportgen.io.project import SEGMENT_GROUPS
from reportgen.report.model import ReportTables

__all__ = ["JS_FILES", "div_colour", "render_report", "score_text", "threshold_text"]

#: the page's scripts, inlined in this order (each file only uses what the files before it define, except
#: inside functions called after load)
JS_FILES: tuple[str, ...] = (
    "dom.js",  # RG namespace, DOM and SVG builders
    "format.js",  # number formatting (the display rule, reportgen.display), sorting, YAML strings
    "palette.js",  # colour palettes
    "data.js",  # payload parsing, blob decoding, typed accessors over the blobs
    "state.js",  # view state <-> location.hash
    "controls.js",  # header: inference sets, swap, sliders, tabs
    "scenarios.js",  # Scenarios tab: segment cards
    "details.js",  # Segment details: metric strips, target try-out, frames
    "prcurve.js",  # PR curve SVG
    "classreport.js",  # classification report table
    "matrix.js",  # confusion matrix grid / table and its modes
    "examples.js",  # examples behind highlighted cells
    "viewer.js",  # the frame viewer: a whole frame with every box of A and B
    "compare.js",  # B against A: what flipped, examples of a change, bootstrap intervals
    "metrics.js",  # Metrics tab layout
    "app.js",  # start-up and rendering loop
)

METRICS: tuple[tuple[str, str], ...] = (("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"))
#: the static view lists at most this many confusion pairs in many-class mode
STATIC_PAIRS = 100
#: sequential palette for shares (light -> dark), the same stops as static/js/palette.js
SEQ_STOPS: tuple[tuple[int, int, int], ...] = (
    (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
    (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
)  # fmt: skip

#: diverging palette for changes (strongly worse = red ... neutral ... strongly better = blue), the same stops
#: as RG.DIV in static/js/palette.js (ColorBrewer RdBu, colour-blind safe)
DIV_STOPS: tuple[tuple[int, int, int], ...] = (
    (178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (247, 247, 247),
    (209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172),
)  # fmt: skip

FloatArray = npt.NDArray[np.float64]


# ------------------------------------------------------------------------------------------- resources
def _resource_dir(name: str) -> Path:
    """``reportgen/_<name>`` when installed from a wheel, else the checkout's top-level ``<name>``."""
    try:
        packaged = Path(str(resources.files("reportgen") / f"_{name}"))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - reportgen is always importable here
        packaged = Path(__file__).resolve().parents[1] / f"_{name}"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"reportgen resources not found: neither {packaged} nor {checkout} exists")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_resource_dir("templates"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["int"] = int_text
    env.filters["grid"] = threshold_text
    return env


def _static_text(relative: str) -> str:
    return (_resource_dir("static") / relative).read_text(encoding="utf-8")


def _inline_assets() -> tuple[str, str]:
    css = _static_text("report.css")
    parts = []
    for name in JS_FILES:
        parts.append(f"/* ---- {name} ---- */\n{_static_text('js/' + name)}")
    # Chrome's explicit compile hint (136+; other browsers read a comment): the whole script is compiled while it
    # is loaded instead of each function on its first call, so the first use of a view spends no time compiling it
    # (COCO scale: the first Metrics visit takes 45-52 instead of 58-61 ms of script, style and layout; same load time).
    js = "//# allFunctionsCalledOnLoad\n" + "\n".join(parts)
    if "</style" in css.lower():
        raise ValueError("report.css must not contain '</style'")
    if "</script" in js.lower() or "<!--" in js:
        raise ValueError("the page's scripts must not contain '</script' or '<!--'")
    return css, js


# ------------------------------------------------------------------------------------------- numbers
def int_text(value: int) -> str:
    """Counts with thousands separators: 1,204."""
    return f"{int(value):,}"


def _ramp(stops: Sequence[tuple[int, int, int]], x: float) -> str:
    x = min(max(x, 0.0), 1.0)
    pos = x * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    f = pos - i
    a, b = stops[i], stops[i + 1]
    rgb = [math.floor(a[j] + (b[j] - a[j]) * f + 0.5) for j in range(3)]  # as JS Math.round
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def seq_colour(share: float) -> str:
    """The sequential palette at ``share`` in [0, 1] (darker = larger), as #rrggbb."""
    return _ramp(SEQ_STOPS, share)


def wants_white(colour: str) -> bool:
    """Whether text on background ``#rrggbb`` is white (else black): the one of the two with the higher
    contrast, always at least 4.58:1. White wins below a relative luminance of 0.1791. Same as
    ``RG.wantsWhite``."""

    def lin(i: int) -> float:
        c = int(colour[i : i + 2], 16) / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    lum = 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5)
    return (lum + 0.05) * (lum + 0.05) < 0.0525


def div_colour(x: float) -> str:
    """The diverging palette at ``x`` in [-1, 1]: -1 strongly worse (red), 0 neutral, 1 strongly better (blue).
    Same as ``RG.divColour``."""
    return _ramp(DIV_STOPS, (x + 1) / 2)


# ------------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class MetricView:
    label: str
    text: str
    threshold: str | None  # None: no target
    verdict: str  # "pass" | "fail" | "none"


@dataclass(frozen=True)
class ModelCard:
    name: str
    metrics: tuple[MetricView, ...]
    fp: int
    fn: int
    confusions: int


@dataclass(frozen=True)
class CardView:
    index: int
    name: str
    type: str
    frame_count: int
    description: str
    metric_class: str | None
    models: tuple[ModelCard, ...]
    targets: tuple[tuple[str, str | None] | None, ...]  # per metric: ("≥ 0.80", basis of a relative target)


_VERDICT_WORDS = {1: "pass", 0: "fail", -1: "none"}


def _cards(payload: dict[str, Any], tables: ReportTables, u: int, t: int) -> list[CardView]:
    """The Scenarios cards at preset (u, t): scores, thresholds and verdicts as the report model has them."""
    names = [m["name"] for m in payload["inference_sets"]]
    cards, counts = tables.cards, tables.card_counts
    out = []
    for s, seg in enumerate(payload["segments"]):
        targets = seg["targets"]
        models = []
        for m, name in enumerate(names):
            metrics = []
            for k, (key, label) in enumerate(METRICS):
                score = _number(cards[m, s, u, t, k])
                target = targets.get(key)
                thr = _number(tables.thresholds[m, s, u, t, k])
                verdict = _VERDICT_WORDS[int(tables.verdicts[m, s, u, t, k])]
                exact = target is not None and "baseline" not in target
                metrics.append(MetricView(label, score_text(score, thr, exact=exact), None if target is None else
                                          threshold_text(thr, score, exact=exact), verdict))  # fmt: skip
            fp, fn, conf = (int(x) for x in counts[m, s, u, t])
            models.append(ModelCard(name, tuple(metrics), fp, fn, conf))
        target_texts: list[tuple[str, str | None] | None] = []
        for k, (key, _) in enumerate(METRICS):
            target = targets.get(key)
            if target is None or not names:
                target_texts.append(None)
                continue
            thr = _number(tables.thresholds[0, s, u, t, k])  # a target's threshold is the same for every set
            # as many decimals as the most demanding failing score needs
            exact = "baseline" not in target
            texts = [threshold_text(thr, _number(x), exact=exact) for x in cards[:, s, u, t, k]]
            text = max(texts, key=len) if texts else threshold_text(thr)
            basis = None
            if "baseline" in target:
                basis = f"{names[int(target['baseline'])]} − {threshold_text(float(target['max_drop']))}"
            target_texts.append((f"≥ {text}", basis))
        mc = seg.get("metric_class")
        out.append(
            CardView(
                s, seg["name"], seg["type"], int(seg["frame_count"]), seg.get("description", ""),
                None if mc is None else payload["display_names"][mc], tuple(models), tuple(target_texts),
            )
        )  # fmt: skip
    return out


def _number(value: Any) -> float | None:
    v = float(value)
    return None if math.isnan(v) else v


def _score4(value: Any) -> str:
    """A score as the page shows it: 4 decimals; a dash when undefined."""
    v = float(value)
    return "–" if math.isnan(v) else f"{v:.4f}"


@dataclass(frozen=True)
class ReportRow:
    name: str
    cells: tuple[str, ...]  # precision, recall, f1, support, tp, fp, fn


def _class_report(payload: dict[str, Any], tables: ReportTables, matrix: npt.NDArray[np.int64],
                  m: int, s: int, u: int, t: int) -> tuple[list[ReportRow], list[ReportRow]]:  # fmt: skip
    c = len(payload["classes"])
    scores = tables.class_scores[m, s, u, t]
    rows = []
    for i in range(c):
        support = int(matrix[i].sum())
        p, r, f = (_score4(v) for v in scores[i])
        tp, fp, fn = int(matrix[i, i]), int(matrix[c, i]), int(matrix[i, c])
        rows.append(ReportRow(payload["display_names"][i], (p, r, f, int_text(support), int_text(tp),
                                                             int_text(fp), int_text(fn))))  # fmt: skip
    averages = tables.averages[m, s, u, t]
    total = int(matrix[:c].sum())
    tp_all = int(np.trace(matrix[:c, :c]))
    fp_all = int(matrix[c, :c].sum())
    fn_all = int(matrix[:c, c].sum())
    avg_rows = []
    for a, label in enumerate(("micro avg", "macro avg", "weighted avg")):
        p, r, f = (_score4(v) for v in averages[a])
        counts = (int_text(tp_all), int_text(fp_all), int_text(fn_all)) if a == 0 else ("", "", "")
        avg_rows.append(ReportRow(label, (p, r, f, int_text(total), *counts)))
    return rows, avg_rows


@dataclass(frozen=True)
class MatrixCell:
    text: str
    title: str
    colour: str | None
    dark: bool
    kind: str  # "diag" | "confusion" | "fp" | "fn" | "empty"


def _matrix_grid(names: Sequence[str], matrix: npt.NDArray[np.int64]) -> list[list[MatrixCell]]:
    """Rows of cells with the count, colour by share of the row (the page's default)."""
    k = matrix.shape[0]
    c = k - 1
    labels = [*names, "background"]
    rows = []
    for g in range(k):
        row_total = int(matrix[g].sum())
        cells = []
        for p in range(k):
            if g == c and p == c:
                cells.append(MatrixCell("", "", None, False, "empty"))
                continue
            value = int(matrix[g, p])
            share = value / row_total if row_total else 0.0
            kind = "fp" if g == c else "fn" if p == c else "diag" if g == p else "confusion"
            title = f"{labels[g]} → {labels[p]}: {value:,} of {row_total:,} (row)"
            colour = seq_colour(share) if value else None
            cells.append(MatrixCell(int_text(value), title, colour, colour is not None and wants_white(colour), kind))
        rows.append(cells)
    return rows


def _matrix_pairs(names: Sequence[str], matrix: npt.NDArray[np.int64]) -> tuple[list[tuple[str, str, str, str]], int]:
    """Non-zero error pairs (confusions, false positives, false negatives; not the correct cells, which the
    class report's TP column lists) by descending count, the page's default: (gt, predicted, count, share of
    row); and how many there are."""
    k = matrix.shape[0]
    labels = [*names, "background"]
    row_totals = matrix.sum(axis=1)
    errors = matrix.copy()
    np.fill_diagonal(errors[: k - 1, : k - 1], 0)
    flat = errors.ravel()
    nz = np.flatnonzero(flat)
    order = nz[np.argsort(-flat[nz], kind="stable")]
    pairs = []
    for cell in order[:STATIC_PAIRS]:
        g, p = divmod(int(cell), k)
        share = flat[cell] / row_totals[g]
        pairs.append((labels[g], labels[p], int_text(int(flat[cell])), f"{100 * share:.1f}%"))
    return pairs, int(nz.size)


# ------------------------------------------------------------------------------------------- page
def _json_for_html(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, allow_nan=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_report(payload: dict[str, Any], tables: ReportTables, *, charts: dict[str, str]) -> str:
    """The complete HTML page for ``payload`` (docs/report-payload.md).

    Args:
        payload: the report data; embedded as JSON; its names and segments label the static default view.
        tables: the report model the payload encodes (:mod:`reportgen.report.model`): the static view's numbers.
        charts: pre-rendered inline SVG by name (``"pr_curve"``: the default view's PR curve); inserted as is.

    The same payload, tables and charts give the same bytes.
    """
    defaults = payload["defaults"]
    u, t = int(defaults["iou_index"]), int(defaults["confidence_index"])
    names = list(payload["display_names"])
    k = len(names) + 1
    matrix = tables.matrix(0, 0, u, t) if payload["inference_sets"] else np.zeros((k, k), np.int64)
    cards = _cards(payload, tables, u, t)
    groups = [(label, [cv for cv in cards if cv.type == kind]) for kind, label in SEGMENT_GROUPS]
    groups = [(label, members) for label, members in groups if members]
    has_sets = bool(payload["inference_sets"])
    report_rows, avg_rows = _class_report(payload, tables, matrix, 0, 0, u, t) if has_sets else ([], [])
    many = len(names) > MANY_CLASSES
    pairs, pair_count = _matrix_pairs(names, matrix) if many else ([], 0)
    meta = payload["meta"]
    thumbs = meta.get("thumbnails")
    css, js = _inline_assets()
    template = _environment().get_template("report.html.j2")
    return template.render(
        p=payload,
        meta=meta,
        task=meta.get("task", "detection"),
        classes=names,
        k=k,
        groups=groups,
        metrics=METRICS,
        report_rows=report_rows,
        avg_rows=avg_rows,
        many=many,
        grid=[] if many else _matrix_grid(names, matrix),
        pairs=pairs,
        pair_count=pair_count,
        static_pairs=STATIC_PAIRS,
        first_model=payload["inference_sets"][0]["name"] if payload["inference_sets"] else "",
        conf_text=f"{float(defaults['confidence']):.2f}",
        iou_text=f"{float(defaults['iou']):.2f}",
        thumbs=thumbs,
        pr_curve=Markup(charts["pr_curve"]) if charts.get("pr_curve") else None,  # generated SVG, not user text
        css=Markup(css),
        js=Markup(js),
        data_json=Markup(_json_for_html(payload)),  # <, >, & escaped
    )
