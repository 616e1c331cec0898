"""Options shared by every command that reads inputs (``evaluate``, ``build``, ``check``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from reportgen.io._location import Location

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

    ``image_sizes`` and ``class_names``, as every input, are local paths or fsspec URLs.
    """

    gt_format: InputFormat = "auto"
    pred_format: InputFormat = "auto"
    box_format: BoxLayout = "xywh"
    normalized: bool = False
    image_sizes: Location | None = None
    class_names: Location | None = None
    ignore_unknown_frames: bool = False
    round_pixels: bool = False
    task: Literal["auto", "detection", "classification"] = "auto"


FORMATS: tuple[str, ...] = ("auto", "coco", "csv", "parquet", "jsonl", "yolo", "padilla", "voc", "classification")
BOX_LAYOUTS: tuple[str, ...] = ("xywh", "xyxy", "cxcywh")
TASKS: tuple[str, ...] = ("auto", "detection", "classification")


@dataclass(frozen=True)
class InputOption:
    """One option of how inputs are read, as the CLI, the project file and the Python API spell it.

    Attributes:
        key: the project file's key (in ``dataset:``, or at the top for ``task``) and the API's keyword.
        field: the ``LoadOptions`` attribute it sets.
        flag: the CLI option (``--normalized/--absolute`` for a pair of flags).
        kind: ``choice`` (one of ``choices``), ``bool`` or ``path``.
        help: the one help text (CLI ``--help``; the README and docs/project-file.md say the same).
        metavar: how ``--help`` shows its value.
        where: ``dataset`` (the project file's ``dataset:`` section), ``top`` (the project file's top level) or
            ``cli`` (the project file states it elsewhere: ``pred_format`` is each inference set's ``format``).
    """

    key: str
    field: str
    flag: str
    kind: Literal["choice", "bool", "path"]
    help: str
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    where: Literal["dataset", "top", "cli"] = "dataset"


#: The single list of input options: ``reportgen.cli`` builds its options from it, ``reportgen.io.project`` reads the
#: same keys, and a test checks both (and the docs) against it.
INPUT_OPTIONS: tuple[InputOption, ...] = (
    InputOption(
        "format", "gt_format", "--format", "choice",
        "Format of the ground truth (and of the predictions unless --pred-format): " + ", ".join(FORMATS)
        + ". 'auto' detects it from the content.",
        FORMATS, "FORMAT",
    ),
    InputOption(
        "pred_format", "pred_format", "--pred-format", "choice",
        "Format of the predictions when it differs from --format (the project file sets it per inference set).",
        FORMATS, "FORMAT", where="cli",
    ),
    InputOption(
        "box_format", "box_format", "--box-format", "choice",
        "Box layout of table and txt inputs: xywh, xyxy or cxcywh (COCO is always xywh, YOLO always cxcywh).",
        BOX_LAYOUTS, "LAYOUT",
    ),
    InputOption(
        "normalized", "normalized", "--normalized/--absolute", "bool",
        "Table / txt boxes are fractions of the image size (needs image sizes) or absolute pixels.",
    ),
    InputOption(
        "image_sizes", "image_sizes", "--image-sizes", "path",
        "CSV or JSON with frame_id,width,height, for normalized boxes when the ground truth has no sizes.",
        metavar="PATH",
    ),
    InputOption(
        "class_names", "class_names", "--class-names", "path",
        "File with one class name per line; class indices in txt and table inputs refer to it.",
        metavar="PATH",
    ),
    InputOption(
        "ignore_unknown_frames", "ignore_unknown_frames", "--ignore-unknown-frames", "bool",
        "Drop predictions on frames the ground truth does not have (and say how many) instead of failing.",
    ),
    InputOption(
        "round_pixels", "round_pixels", "--round-pixels", "bool",
        "Round normalized boxes, once scaled to pixels, to whole-pixel corners (as Padilla's tools and many YOLO "
        "exporters do).",
    ),
    InputOption(
        "task", "task", "--task", "choice", "auto (decide from the ground truth), detection or classification.",
        TASKS, "TASK", where="top",
    ),
)  # fmt: skip

OPTION: dict[str, InputOption] = {o.key: o for o in INPUT_OPTIONS}


def choice_error(option: InputOption, value: object) -> str | None:
    """The message for a value a choice option does not take, or ``None`` when it takes it."""
    if option.kind != "choice" or value in option.choices:
        return None
    return f"expected one of {', '.join(option.choices)}, found {value!r}"


def load_options_from(values: Mapping[str, Any], *, label: Callable[[InputOption], str]) -> LoadOptions:
    """``LoadOptions`` from input-option values by key (the CLI's options, the API's keywords); ``None`` means
    not given, and the predictions' format defaults to the ground truth's. A value an option does not take is an
    :class:`InputError` naming the option as ``label`` spells it (``--box-format`` on the command line,
    ``box_format`` in Python); an unknown key is a ``TypeError``."""
    from reportgen.errors import InputError

    fields: dict[str, Any] = {}
    for key, value in values.items():
        option = OPTION.get(key)
        if option is None:
            raise TypeError(f"unknown format option {key!r} (known: {', '.join(sorted(OPTION))})")
        if value is None and option.kind != "bool":
            continue
        problem = choice_error(option, value)
        if problem is None and option.kind == "bool" and not isinstance(value, bool):
            problem = f"expected True or False, found {value!r}"
        if problem is not None:
            raise InputError(None, f"{label(option)}: {problem}")
        fields[option.field] = _location(value) if option.kind == "path" else value
    fields.setdefault("pred_format", fields.get("gt_format", "auto"))
    return LoadOptions(**fields)


def _location(value: Any) -> Location:
    from reportgen.io._location import location

    return location(value)
