"""One small detection dataset, written in every input format the loaders read.

Frames ``1``, ``2``, ``3`` (640x480, 320x240, 800x600), classes ``cat``, ``dog``, ``bird`` (listed in
``names.txt``). Each frame has ground truth; frame 3 has no prediction. Coordinates are whole numbers so
that absolute layouts round-trip exactly; normalized ones agree to float precision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

FRAMES = ("1", "2", "3")
SIZES = {"1": (640, 480), "2": (320, 240), "3": (800, 600)}
CLASSES = ("cat", "dog", "bird")


@dataclass(frozen=True)
class Rows:
    """Objects or predictions: frame id, class name, xywh box, score (predictions) per row."""

    frame: tuple[str, ...]
    cls: tuple[str, ...]
    box: tuple[tuple[float, float, float, float], ...]
    score: tuple[float, ...] = ()

    def xyxy(self) -> list[tuple[float, float, float, float]]:
        return [(x, y, x + w, y + h) for x, y, w, h in self.box]

    def cxcywh_normalized(self) -> list[tuple[float, float, float, float]]:
        out = []
        for frame, (x, y, w, h) in zip(self.frame, self.box, strict=True):
            width, height = SIZES[frame]
            out.append(((x + w / 2) / width, (y + h / 2) / height, w / width, h / height))
        return out

    def xyxy_normalized(self) -> list[tuple[float, float, float, float]]:
        out = []
        for frame, (x1, y1, x2, y2) in zip(self.frame, self.xyxy(), strict=True):
            width, height = SIZES[frame]
            out.append((x1 / width, y1 / height, x2 / width, y2 / height))
        return out


GT = Rows(
    frame=("1", "1", "2", "2", "3"),
    cls=("cat", "dog", "bird", "cat", "dog"),
    box=((10, 20, 100, 50), (300, 200, 40, 60), (5, 5, 30, 30), (100, 100, 120, 90), (0, 0, 800, 600)),
)
PRED = Rows(
    frame=("2", "1", "1", "2"),
    cls=("bird", "cat", "bird", "dog"),
    box=((6, 4, 30, 32), (12, 18, 96, 54), (310, 190, 30, 70), (90, 110, 130, 80)),
    score=(0.9, 0.75, 0.5, 0.25),
)


def names_file(folder: Path) -> Path:
    path = folder / "names.txt"
    path.write_text("\n".join(CLASSES) + "\n")
    return path


def sizes_file(folder: Path) -> Path:
    path = folder / "sizes.csv"
    lines = ["frame_id,width,height", *(f"{f},{w},{h}" for f, (w, h) in SIZES.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def coco_gt(folder: Path, rows: Rows = GT) -> Path:
    path = folder / "gt.json"
    data = {
        "images": [{"id": int(f), "width": w, "height": h, "file_name": f"img{f}.jpg"} for f, (w, h) in SIZES.items()],
        "categories": [{"id": 10 + i, "name": c} for i, c in enumerate(CLASSES)],
        "annotations": [
            {
                "id": i,
                "image_id": int(f),
                "category_id": 10 + CLASSES.index(c),
                "bbox": list(b),
                "area": b[2] * b[3],
                "iscrowd": 0,
            }
            for i, (f, c, b) in enumerate(zip(rows.frame, rows.cls, rows.box, strict=True))
        ],
    }
    path.write_text(json.dumps(data))
    return path


def coco_results(folder: Path, rows: Rows = PRED) -> Path:
    path = folder / "results.json"
    data = [
        {"image_id": int(f), "category_id": 10 + CLASSES.index(c), "bbox": list(b), "score": s}
        for f, c, b, s in zip(rows.frame, rows.cls, rows.box, rows.score, strict=True)
    ]
    path.write_text(json.dumps(data))
    return path


def frame_table(rows: Rows, layout: str) -> pd.DataFrame:
    """A table of ``rows`` in ``layout``: ``xywh``, ``xyxy``, ``xyxy_normalized``, ``cxcywh_normalized``."""
    columns = {
        "xywh": ("x", "y", "w", "h"),
        "xyxy": ("x1", "y1", "x2", "y2"),
        "xyxy_normalized": ("x1", "y1", "x2", "y2"),
        "cxcywh_normalized": ("cx", "cy", "w", "h"),
    }[layout]
    boxes = {
        "xywh": list(rows.box),
        "xyxy": rows.xyxy(),
        "xyxy_normalized": rows.xyxy_normalized(),
        "cxcywh_normalized": rows.cxcywh_normalized(),
    }[layout]
    table = pd.DataFrame({"frame_id": list(rows.frame), "class": list(rows.cls)})
    for index, column in enumerate(columns):
        table[column] = [b[index] for b in boxes]
    if rows.score:
        table["score"] = list(rows.score)
    return table


def write_table(table: pd.DataFrame, path: Path) -> Path:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table.to_csv(path, index=False)
    elif suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in table.to_dict("records")))
    return path


def yolo_folder(folder: Path, rows: Rows, frames: tuple[str, ...] = FRAMES) -> Path:
    """``class cx cy w h [conf]`` normalized; the confidence comes last."""
    folder.mkdir(parents=True)
    lines: dict[str, list[str]] = {f: [] for f in frames}
    for index, (f, c, b) in enumerate(zip(rows.frame, rows.cls, rows.cxcywh_normalized(), strict=True)):
        values = [str(CLASSES.index(c)), *(repr(v) for v in b)]
        if rows.score:
            values.append(repr(rows.score[index]))
        lines[f].append(" ".join(values))
    for frame, text in lines.items():
        (folder / f"{frame}.txt").write_text("\n".join(text) + ("\n" if text else ""))
    return folder


def padilla_folder(folder: Path, rows: Rows, layout: str, *, class_ids: bool = False) -> Path:
    """``class [conf] a b c d``: the confidence comes second; ``layout`` as in :func:`frame_table`."""
    folder.mkdir(parents=True)
    boxes = {"xywh": list(rows.box), "xyxy": rows.xyxy(), "cxcywh_normalized": rows.cxcywh_normalized()}[layout]
    lines: dict[str, list[str]] = {f: [] for f in FRAMES}
    for index, (f, c, b) in enumerate(zip(rows.frame, rows.cls, boxes, strict=True)):
        values = [str(CLASSES.index(c)) if class_ids else c]
        if rows.score:
            values.append(repr(rows.score[index]))
        values.extend(repr(float(v)) if layout.endswith("normalized") else f"{v:g}" for v in b)
        lines[f].append("\t".join(values) if index % 2 else " ".join(values))
    for frame, text in lines.items():
        (folder / f"{frame}.txt").write_text("\n".join(text) + "\n")
    return folder


def voc_folder(folder: Path, rows: Rows = GT, difficult: tuple[int, ...] = ()) -> Path:
    folder.mkdir(parents=True)
    for frame in FRAMES:
        width, height = SIZES[frame]
        objects = []
        for index, (f, c, (x1, y1, x2, y2)) in enumerate(zip(rows.frame, rows.cls, rows.xyxy(), strict=True)):
            if f != frame:
                continue
            flag = 1 if index in difficult else 0
            objects.append(
                f"<object><name>{c}</name><difficult>{flag}</difficult><bndbox><xmin>{x1:g}</xmin>"
                f"<ymin>{y1:g}</ymin><xmax>{x2:g}</xmax><ymax>{y2:g}</ymax></bndbox></object>"
            )
        (folder / f"{frame}.xml").write_text(
            f"<annotation><filename>img{frame}.jpg</filename><size><width>{width}</width>"
            f"<height>{height}</height><depth>3</depth></size>{''.join(objects)}</annotation>\n"
        )
    return folder


def expected_gt_arrays(rows: Rows = GT) -> dict[str, np.ndarray]:
    return {
        "frame": np.array([FRAMES.index(f) for f in rows.frame]),
        "cls": np.array([CLASSES.index(c) for c in rows.cls]),
        "box": np.array(rows.box, dtype=np.float64),
    }
