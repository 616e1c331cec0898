"""Folders of txt files, one per image: YOLO (Ultralytics) and Padilla / VOC-devkit.

The frame id of a file is its stem (``00001.txt`` -> ``00001``); files are read in name order, and a
ground-truth file with no lines is a frame without objects. Values are separated by any whitespace.

- YOLO: ``class cx cy w h`` (ground truth) and ``class cx cy w h conf`` (predictions: the confidence comes
  LAST), coordinates normalized to the image size; the class is an index into ``--class-names``.
- Padilla: ``class left top width height`` (ground truth) and ``class conf left top width height``
  (predictions: the confidence comes SECOND); the layout is ``--box-format`` (``xyxy``: ``left top right
  bottom``; ``cxcywh``, usually with ``--normalized``: ``cx cy w h``). The class is a name, or an index
  into ``--class-names``.
"""

from __future__ import annotations

from typing import Literal, NoReturn

import numpy as np

from reportgen.errors import InputError
from reportgen.io._detect import labels_folder
from reportgen.io._files import files_in, read_text
from reportgen.io._location import Location
from reportgen.io._records import FrameInfo, RawBoxes
from reportgen.io._where import FilesWhere, describe
from reportgen.io.containers import FloatArray
from reportgen.io.options import BoxLayout

TxtFlavour = Literal["yolo", "padilla"]
_PADILLA_FIELDS: dict[BoxLayout, tuple[str, str, str, str]] = {
    "xywh": ("left", "top", "width", "height"),
    "xyxy": ("left", "top", "right", "bottom"),
    "cxcywh": ("x_center", "y_center", "width", "height"),
}


def txt_files(folder: Location, flavour: TxtFlavour) -> list[Location]:
    """The ``.txt`` files (any case) of ``folder``, in name order; a YOLO root is read from ``labels/``."""
    if not folder.is_dir():
        raise InputError(folder, "expected a folder of .txt files, found no such folder")
    files = files_in(folder, ".txt")
    if not files and flavour == "yolo":
        labels = labels_folder(folder)
        if labels is not None:
            return txt_files(labels, flavour)
    if not files:
        raise InputError(folder, "expected .txt files (one per image), found none")
    return files


def read_txt_folder(
    folder: Location, flavour: TxtFlavour, role: Literal["gt", "pred"], layout: BoxLayout, normalized: bool
) -> RawBoxes:
    """Every line of every file, as :class:`RawBoxes` (YOLO forces ``cxcywh`` and normalized)."""
    if flavour == "yolo":
        layout, normalized = "cxcywh", True
        fields = _PADILLA_FIELDS["cxcywh"]
    else:
        fields = _PADILLA_FIELDS[layout]
    files = txt_files(folder, flavour)
    lines = _Lines(flavour, role, fields)
    for index, path in enumerate(files):
        lines.read(index, path)
    where = FilesWhere(
        tuple(str(p) for p in files),
        np.asarray(lines.file_of, dtype=np.int64),
        np.asarray(lines.line_of, dtype=np.int64),
    )
    coords, score = lines.numbers(where)
    stems = tuple(p.stem for p in files)
    return RawBoxes(
        source=str(folder),
        where=where,
        frame_keys=[stems[i] for i in lines.file_of],
        frame_field="file name",
        class_keys=lines.classes,
        class_field="class",
        coords=coords,
        coord_fields=fields,
        layout=layout,
        normalized=normalized,
        score=score,
        score_field="confidence",
        frames=FrameInfo(stems, np.full((len(stems), 2), np.nan), ("",) * len(stems)),
    )


class _Lines:
    """Tokens of every line read so far; numbers are parsed at the end, all at once."""

    def __init__(self, flavour: TxtFlavour, role: Literal["gt", "pred"], fields: tuple[str, ...]) -> None:
        self.flavour, self.role = flavour, role
        self.names = ["class", *fields] if role == "gt" else self._pred_names(fields)
        self.file_of: list[int] = []
        self.line_of: list[int] = []
        self.classes: list[str] = []
        self.values: list[list[str]] = []  # coordinates, then the confidence (predictions)

    def _pred_names(self, fields: tuple[str, ...]) -> list[str]:
        if self.flavour == "yolo":
            return ["class", *fields, "confidence"]
        return ["class", "confidence", *fields]

    def read(self, index: int, path: Location) -> None:
        text = read_text(path, "a txt file", allow_empty=True)
        for number, line in enumerate(text.splitlines(), start=1):
            tokens = line.split()
            if not tokens:
                continue
            if len(tokens) != len(self.names):
                raise InputError(path, self._count_message(len(tokens)), line=number)
            self.file_of.append(index)
            self.line_of.append(number)
            self.classes.append(tokens[0])
            if self.role == "pred" and self.flavour == "padilla":
                tokens = [tokens[0], *tokens[2:], tokens[1]]
            self.values.append(tokens[1:])

    def _count_message(self, found: int) -> str:
        message = f"expected {len(self.names)} values ({' '.join(self.names)}), found {found}"
        if self.flavour == "yolo" and self.role == "pred" and found == len(self.names) - 1:
            message += " (predictions need the confidence last: Ultralytics save_conf=True)"
        return message

    def numbers(self, where: FilesWhere) -> tuple[FloatArray, FloatArray | None]:
        """``(N, 4)`` coordinates in the file's layout and ``(N,)`` confidences (None for ground truth)."""
        width = 4 if self.role == "gt" else 5
        try:
            values = np.array(self.values, dtype=np.float64).reshape(-1, width)
        except ValueError:
            values = self._locate_bad_number(where)
        if self.role == "gt":
            return values, None
        return values[:, :4], values[:, 4]

    def _locate_bad_number(self, where: FilesWhere) -> NoReturn:
        names = [n for n in self.names[1:] if n != "confidence"]
        if self.role == "pred":
            names.append("confidence")
        for row, tokens in enumerate(self.values):
            for name, token in zip(names, tokens, strict=True):
                try:
                    float(token)
                except ValueError:
                    raise where.error(row, name, f"expected a number, found {describe(token)}") from None
        raise AssertionError("a txt value failed to parse but every value is a number")
