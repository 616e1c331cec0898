"""Pascal VOC xml ground truth: a folder of ``.xml`` files (any case), one per image.

- Frame id: the xml file's stem (``2007_000549.xml`` -> ``2007_000549``), as the VOC devkit names images
  by their annotation file; ``<filename>`` becomes the frame's image path, ``<size>`` its image size.
- Boxes: ``<bndbox>`` ``xmin ymin xmax ymax`` -> ``[xmin, ymin, xmax - xmin, ymax - ymin]``. The devkit's
  pixel-inclusive ``+ 1`` is a matcher option, not applied here.
- ``<difficult>1</difficult>`` objects are loaded as crowd (``crowd=True``): the devkit ignores them
  (neither true positive nor missed), which is what crowd means to the engine. A file with no object is a
  frame without objects.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers.expat import ErrorString

import numpy as np

from reportgen.errors import InputError
from reportgen.io._files import files_in, read_bytes
from reportgen.io._location import Location
from reportgen.io._records import FrameInfo, RawBoxes
from reportgen.io._where import FilesWhere, describe
from reportgen.limits import MAX_COORDINATE, size_expected

_BOX_FIELDS = ("bndbox/xmin", "bndbox/ymin", "bndbox/xmax", "bndbox/ymax")


class _Objects:
    """What the xml files hold, accumulated file by file."""

    def __init__(self) -> None:
        self.file_of: list[int] = []
        self.index_in_file: list[int] = []
        self.names: list[str] = []
        self.coords: list[list[float]] = []
        self.difficult: list[bool] = []
        self.sizes: list[tuple[float, float]] = []
        self.paths: list[str] = []

    def read(self, index: int, path: Location) -> None:
        root = _parse(path)
        self.paths.append((root.findtext("filename") or "").strip())
        self.sizes.append(_size(path, root))
        for position, obj in enumerate(root.iter("object")):
            self.file_of.append(index)
            self.index_in_file.append(position)
            self.names.append(_text(path, position, obj, "name"))
            self.difficult.append(_flag(path, position, obj))
            self.coords.append([_number(path, position, obj, f) for f in _BOX_FIELDS])


def read_voc_folder(folder: Location) -> RawBoxes:
    if not folder.is_dir():
        raise InputError(folder, "expected a folder of VOC .xml files, found no such folder")
    files = files_in(folder, ".xml")
    if not files:
        raise InputError(folder, "expected VOC .xml files (one per image), found none")
    objects = _Objects()
    for index, path in enumerate(files):
        objects.read(index, path)
    stems = tuple(p.stem for p in files)
    return RawBoxes(
        source=str(folder),
        where=FilesWhere(
            tuple(str(p) for p in files),
            np.asarray(objects.file_of, dtype=np.int64),
            np.asarray(objects.index_in_file, dtype=np.int64),
            unit="object",
        ),
        frame_keys=[stems[i] for i in objects.file_of],
        frame_field="file name",
        class_keys=objects.names,
        class_field="name",
        coords=np.asarray(objects.coords, dtype=np.float64).reshape(-1, 4),
        coord_fields=_BOX_FIELDS,
        layout="xyxy",
        normalized=False,
        crowd=np.asarray(objects.difficult, dtype=np.bool_),
        frames=FrameInfo(stems, np.asarray(objects.sizes, dtype=np.float64).reshape(-1, 2), tuple(objects.paths)),
    )


def _parse(path: Location) -> ET.Element:
    data = read_bytes(path, "a VOC annotation (xml)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(
            path, f"expected well-formed XML, found {ErrorString(exc.code)} at column {column + 1}", line=line
        ) from None
    if root.tag != "annotation":
        raise InputError(path, f"expected an <annotation> root element, found <{root.tag}>")
    return root


def _size(path: Location, root: ET.Element) -> tuple[float, float]:
    """``<size>`` width and height; NaN when absent (0 is VOC's "unknown" too)."""
    size = root.find("size")
    values = []
    for key in ("width", "height"):
        text = size.findtext(key) if size is not None else None
        try:
            value = float(text) if text is not None and text.strip() else np.nan
        except ValueError:
            raise InputError(path, f"expected a number, found {describe(text)}", field=f"size/{key}") from None
        if value > MAX_COORDINATE:
            raise InputError(path, f"expected {size_expected(value)}, found {describe(value)}", field=f"size/{key}")
        values.append(value if value > 0 else np.nan)
    return values[0], values[1]


def _text(path: Location, position: int, obj: ET.Element, key: str) -> str:
    text = (obj.findtext(key) or "").strip()
    if not text:
        raise InputError(
            path, f"expected a class name, found {describe(text)}", record=f"object[{position}]", field=key
        )
    return text


def _flag(path: Location, position: int, obj: ET.Element) -> bool:
    text = (obj.findtext("difficult") or "0").strip()
    if text not in ("0", "1"):
        raise InputError(
            path, f"expected 0 or 1, found {describe(text)}", record=f"object[{position}]", field="difficult"
        )
    return text == "1"


def _number(path: Location, position: int, obj: ET.Element, field: str) -> float:
    text = obj.findtext(field)
    if text is None:
        raise InputError(path, "expected a number, found no such element", record=f"object[{position}]", field=field)
    try:
        return float(text)
    except ValueError:
        raise InputError(
            path, f"expected a number, found {describe(text.strip())}", record=f"object[{position}]", field=field
        ) from None
