"""Options shared by every command that reads inputs (``evaluate``, ``build``, ``check``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

InputFormat = Literal["auto", "coco", "csv", "parquet", "jsonl", "yolo", "padilla", "voc", "classification"]
BoxLayout = Literal["xywh", "xyxy", "cxcywh"]


@dataclass(frozen=True)
class LoadOptions:
    """How to read ground truth and predictions.

    Attributes:
        gt_format / pred_format: ``auto`` detects the format from the content.
        box_format: layout of table and txt boxes (COCO files are always xywh; YOLO is always cxcywh).
        normalized: table / txt boxes are fractions of the image size (needs image sizes).
        image_sizes: a CSV/JSON file with ``frame_id,width,height`` (for normalized boxes without COCO
            images or VOC xml sizes).
        class_names: a file with one class name per line (``voc.names``, YOLO's names); indices in txt and
            table files refer to it.
        ignore_unknown_frames: drop predictions on frames the ground truth lacks (counted and reported)
            instead of failing.
        round_pixels: round normalized boxes, once scaled to pixels, to whole-pixel corners (Padilla's tools and
            many YOLO exporters do; needed to reproduce their numbers on normalized files).
        task: ``auto`` decides detection / classification from the ground truth's columns.
    """

    gt_format: InputFormat = "auto"
    pred_format: InputFormat = "auto"
    box_format: BoxLayout = "xywh"
    normalized: bool = False
    image_sizes: Path | None = None
    class_names: Path | None = None
    ignore_unknown_frames: bool = False
    round_pixels: bool = False
    task: Literal["auto", "detection", "classification"] = "auto"
