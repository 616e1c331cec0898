"""Writing the demo's files: COCO JSON, CSV tables, and a small YAML writer that keeps comments and flow style
so the project file reads like a hand-written one."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.demo.common import CLASSES, FAR_DISTANCE, PROJECT_NAME
from reportgen.demo.scenes import _Frame, _Object


# --------------------------------------------------------------------------------------------- writing
def _json_records(records: Sequence[Any]) -> str:
    """A JSON list with one compact record a line."""
    return "[\n" + ",\n".join(json.dumps(r, separators=(",", ":")) for r in records) + "\n]"


def _coco_text(frames: Sequence[_Frame], objects: Sequence[_Object], size: tuple[int, int]) -> str:
    info = {"description": "reportgen demo: Aircraft wings (synthetic aerial views)", "version": "1.0"}
    images = [{"id": f.frame_id, "width": size[0], "height": size[1], "file_name": f"{f.frame_id}.jpg"} for f in frames]
    annotations = [
        {
            "id": i,
            "image_id": frames[o.frame].frame_id,
            "category_id": CLASSES.index(o.cls) + 1,
            "bbox": list(o.box),
            "area": o.area,
            "iscrowd": int(o.crowd),
        }
        for i, o in enumerate(objects, start=1)
    ]
    categories = [{"id": i, "name": c, "supercategory": "aircraft"} for i, c in enumerate(CLASSES, start=1)]
    return (
        "{\n"
        f'"info":{json.dumps(info, separators=(",", ":"))},\n'
        f'"images":{_json_records(images)},\n'
        f'"annotations":{_json_records(annotations)},\n'
        f'"categories":{_json_records(categories)}\n'
        "}\n"
    )


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_frames_table(path: Path, frames: Sequence[_Frame]) -> None:
    header = ("frame_id", "image", "weather", "time_of_day", "distance_m", "source", "labeling_provider", "split")
    rows = [
        (
            f.frame_id,
            f"images/{f.frame_id}.jpg",
            f.conditions.weather,
            f.conditions.time_of_day,
            f"{f.conditions.distance_m:.1f}",
            f.source,
            f.labeler,
            f.split,
        )
        for f in frames
    ]
    _write_csv(path, header, rows)


@dataclass(frozen=True)
class _Commented:
    """A scalar written with a trailing ``# comment``."""

    value: str | float
    comment: str


class _Flow(dict[str, Any]):
    """A mapping written in flow style: ``{owner: perception-team, ticket: AIR-42}``."""


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_ ./()<>=!-]*")


_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _scalar(value: object) -> str:
    """A YAML scalar that every YAML 1.1 / 1.2 reader reads back as the same value (ids stay strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not text.endswith(" "):
        return text
    if '"' in text and "\\" not in text and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def _yaml_lines(value: object, indent: int) -> list[str]:
    """Block-style YAML for mappings and lists of mappings; flow style for lists of scalars."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, _Commented):
                lines.append(f"{pad}{_scalar(key)}: {_scalar(item.value)}  # {item.comment}")
            elif isinstance(item, dict | list) and item and not isinstance(item, _Flow) and not _is_flat_list(item):
                lines.append(f"{pad}{_scalar(key)}:")
                lines.extend(_yaml_lines(item, indent + 2))
            else:
                lines.extend(_wrapped(f"{pad}{_scalar(key)}: ", _flow(item), indent + 2))
        return lines
    assert isinstance(value, list)
    for item in value:
        sub = _yaml_lines(item, indent + 2)
        lines.append(f"{pad}- {sub[0].lstrip()}")
        lines.extend(sub[1:])
    return lines


def _is_flat_list(value: object) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)


def _wrapped(head: str, flow: str, indent: int, width: int = 110) -> list[str]:
    """``head + flow`` broken after commas to keep lines within ``width`` (a flow list of frame ids)."""
    lines = [head]
    for i, part in enumerate(flow.split(", ")):
        piece = part if i == 0 else " " + part
        if i and len(lines[-1]) + len(piece) + 1 > width:
            lines[-1] += ","
            lines.append(" " * indent + part)
        else:
            lines[-1] += ("," if i else "") + piece
    return lines


def _flow(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _write_yaml(path: Path, header: str, document: dict[str, Any]) -> None:
    """``header`` comments, then the top-level keys, a blank line before each block."""
    blocks: list[str] = []
    for key, item in document.items():
        text = "\n".join(_yaml_lines({key: item}, 0))
        if blocks and not isinstance(item, dict | list):  # name and task stay together
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
    path.write_text(header + "\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")


_DISPLAY_NAMES = {
    "forward_swept": "Forward-swept",
    "variable_sweep": "Variable-sweep",
    "rotorcraft": "Rotorcraft (helicopter)",
}


Targets = dict[str, Any]


def _segments(targets: dict[str, Targets], spot_check: tuple[str, str, Sequence[str]]) -> list[dict[str, Any]]:
    """The segments of both demos: every type, every way of listing frames; ``targets`` by segment name."""

    def seg(name: str, kind: str, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "type": kind, **fields}
        if name in targets:
            out["targets"] = targets[name]
        return out

    listed_name, listed_description, listed = spot_check
    return [
        seg("train", "split", query='split == "train"'),
        seg("validation", "split", query='split == "validation"'),
        seg("test", "split", query='split == "test"'),
        seg(
            "Far away planes",
            "regression_test",
            query=f"distance_m > {FAR_DISTANCE:g}",
            description=f"Aircraft more than {FAR_DISTANCE:g} m away, seen as a few pixels.",
            metadata=_Flow(owner="perception-team", ticket="AIR-42"),
        ),
        seg(
            "Night",
            "regression_test",
            query='time_of_day == "night"',
            description="Night frames: dark airframes, bright runway lights.",
            metadata=_Flow(owner="perception-team", ticket="AIR-57"),
        ),
        seg(
            "Delta wings",
            "regression_test",
            frames_file="data/segments/delta-wings.txt",
            description="Every frame with a delta wing; the verdicts use the delta class's numbers.",
            metadata=_Flow(owner="fast-jets", ticket="AIR-61"),
            metric_class="delta",
        ),
        seg(
            "No regression in fog",
            "regression_test",
            query='weather == "fog"',
            description="A release must not lose recall in fog against the deployed model-v1.",
            metadata=_Flow(owner="release", ticket="AIR-73"),
        ),
        seg("Provider X", "scenario", query='source == "Provider X"'),
        seg("Provider Y", "scenario", query='source == "Provider Y"'),
        seg("Rain or fog", "scenario", query='weather in ["rain", "fog"]'),
        seg(listed_name, "scenario", description=listed_description, frames=list(listed)),
    ]


def _project(
    task: str, ground_truth: str, inference_sets: Sequence[tuple[str, str, str]], segments: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": PROJECT_NAME,
        "task": task,
        "dataset": {
            "name": "aircraft-demo" if task == "detection" else "aircraft-crops-demo",
            "ground_truth": ground_truth,
            "frames": "data/frames.csv",
            "frame_id_column": "frame_id",
            "image_column": "image",
        },
        "inference_sets": [{"name": _Commented(name, comment), "path": path} for name, path, comment in inference_sets],
        "classes": {"display_names": dict(_DISPLAY_NAMES)},
        "defaults": {
            "confidence": 0.1,
            "iou": 0.5,
            "iou_grid": _Commented("0.1:0.9:0.1", "the report's IoU presets; COCO's 0.50:0.95 is printed by evaluate"),
        }
        if task == "detection"
        else {"confidence": _Commented(0.5, "below it the classifier abstains: recall drops, precision rises")},
        "segments": segments,
    }


_DETECTION_TARGETS: dict[str, Targets] = {
    "test": {"precision": 0.75, "recall": 0.7, "f1": 0.72},
    "Far away planes": {"precision": 0.8, "recall": 0.8, "f1": 0.7},
    "Night": {"precision": 0.75, "recall": 0.65, "f1": 0.7},
    "Delta wings": {"precision": 0.85, "recall": 0.8},
    "No regression in fog": {"recall": _Flow(baseline="model-v1", max_drop=0.02), "precision": 0.5},
    "Provider Y": {"f1": 0.82},
}
