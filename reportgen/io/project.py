"""The project file (docs/project-file.md): parsed and validated into frozen dataclasses.

Every error is an :class:`InputError` naming the file, the key path (``segments[2].targets.recall``), what
was expected and what was found. Unknown keys are errors.

Hostile files are bounded (docs/limits.md): YAML aliases (expanded) and nesting depth are counted on the
parser's events before anything is built; text holding control characters or lone surrogates is refused;
local paths must stay inside the project's folder or a folder allowed with ``--allow-path``.

Data paths (``dataset.ground_truth``, ``image_sizes``, ``class_names``, ``inference_sets[].path``) may be fsspec
URLs (``s3://bucket/gt.parquet``). A URL is a location outside the project's folder, so the same rule applies: it
must lie under a URL prefix allowed with ``--allow-path`` (``--allow-path s3://bucket/eval`` allows
``s3://bucket/eval/gt.parquet``, not ``s3://bucket/evaluation/...``; a URL holding ``.`` or ``..`` segments is
never inside a prefix). A ``file://`` URL names a local path and is checked as one (links followed). The frame
table and segment frame files are read as local files only.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from reportgen.engine.grids import (
    DEFAULT_CONFIDENCE,
    DEFAULT_CONFIDENCE_GRID,
    DEFAULT_IOU,
    DEFAULT_IOU_GRID,
    parse_grid,
)
from reportgen.errors import InputError
from reportgen.io._files import check_regular
from reportgen.io._location import Location, Url, is_url, location
from reportgen.io._where import describe, short
from reportgen.io._yaml import check_yaml_events
from reportgen.io.options import FORMATS, INPUT_OPTIONS, OPTION, LoadOptions, choice_error

SegmentType = Literal["Split", "Regression Test", "Scenario"]
#: The one segment type whose targets gate ``reportgen check``'s exit code; targets on the others are informational.
GATING_TYPE: SegmentType = "Regression Test"
#: The segment types in the order the report groups them, with each group's heading.
SEGMENT_GROUPS: tuple[tuple[SegmentType, str], ...] = (
    ("Split", "Splits"), ("Regression Test", "Regression Tests"), ("Scenario", "Scenarios"),
)
SEGMENT_TYPES: dict[str, SegmentType] = {
    "split": "Split",
    "regression_test": "Regression Test",
    "scenario": "Scenario",
}
ALL_FRAMES = "All Frames"
METRICS = ("precision", "recall", "f1")


@dataclass(frozen=True)
class Target:
    """A threshold for one metric: absolute, or relative to a baseline inference set."""

    threshold: float | None = None
    baseline: str | None = None
    max_drop: float | None = None


@dataclass(frozen=True)
class Segment:
    name: str
    type: SegmentType
    query: str | None = None
    frames: tuple[str, ...] | None = None
    frames_file: Path | None = None
    description: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    metric_class: str | None = None
    targets: tuple[tuple[str, Target], ...] = ()

    def target(self, metric: str) -> Target | None:
        return dict(self.targets).get(metric)


@dataclass(frozen=True)
class InferenceSetSpec:
    name: str
    path: Location
    format: str = "auto"


@dataclass(frozen=True)
class ClassesSpec:
    display_names: tuple[tuple[str, str], ...] = ()
    ignore: tuple[str, ...] = ()
    rename: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Project:
    path: Path
    name: str
    task: str
    dataset_name: str
    ground_truth: Location
    load_options: LoadOptions
    frames_table: Path | None
    frame_id_column: str
    image_column: str | None
    inference_sets: tuple[InferenceSetSpec, ...]
    classes: ClassesSpec
    confidence: float
    iou: float
    confidence_grid: str
    iou_grid: str
    segments: tuple[Segment, ...]
    #: folders that local paths (and image paths) may lead into, resolved, and URL prefixes that URLs may lead
    #: into; None: no restriction (inputs given on the command line)
    path_roots: tuple[Location, ...] | None = None
    #: ``dask:``: the Dask cluster that matches the partitions of ``check`` and ``build`` (docs/scale.md), or None
    dask: str | None = None

    def options_for(self, spec: InferenceSetSpec) -> LoadOptions:
        fmt = spec.format if spec.format != "auto" else self.load_options.pred_format
        return LoadOptions(
            gt_format=self.load_options.gt_format,
            pred_format=fmt,  # type: ignore[arg-type]
            box_format=self.load_options.box_format,
            normalized=self.load_options.normalized,
            image_sizes=self.load_options.image_sizes,
            class_names=self.load_options.class_names,
            ignore_unknown_frames=self.load_options.ignore_unknown_frames,
            round_pixels=self.load_options.round_pixels,
            task=self.load_options.task,
        )


class _Reader:
    """Typed access to a YAML mapping with key-path error messages."""

    def __init__(self, source: Path, data: Any, path: str, roots: tuple[Location, ...] | None = None) -> None:
        self.source = source
        self.data = data
        self.path = path
        self.roots = roots

    def item(self, index: int, data: Any, key: str) -> _Reader:
        return _Reader(self.source, data, f"{key}[{index}]", self.roots)

    def fail(self, key: str | None, message: str) -> InputError:
        where = f"{self.path}.{key}" if key and self.path else (key or self.path or "top level")
        return InputError(self.source, message, field=where)

    def mapping(self, allowed: set[str], required: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
        if not isinstance(self.data, dict):
            raise self.fail(None, f"expected a mapping, found {_kind(self.data)}")
        for key in self.data:
            if key not in allowed:
                raise self.fail(str(key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")
        for key in sorted(required):
            if key not in self.data:
                raise self.fail(key, "required key is missing")
        return self.data

    def child(self, key: str) -> _Reader:
        data = self.data.get(key) if isinstance(self.data, dict) else None
        return _Reader(self.source, data, f"{self.path}.{key}" if self.path else key, self.roots)

    def str_(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default) if isinstance(self.data, dict) else default
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(key, f"expected a string, found {_kind(value)}")
        return str(value)

    def bool_(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, found {_kind(value)}")
        return value

    def unit(self, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number in [0, 1], found {_kind(value)}")
        if not 0 <= value <= 1:  # no float(): a huge integer would overflow
            raise self.fail(key, f"expected a number in [0, 1], found {describe(value)}")
        return float(value)

    def path_(self, key: str, base: Path) -> Path | None:
        """A local path (frame tables): a URL is an error."""
        text = self.str_(key)
        if text is not None and is_url(text.strip()):
            raise self.fail(key, f"expected a local path, found the URL {short(text.strip())} (read from local files "
                            "only)")  # fmt: skip
        target = self.location_(key, base)
        assert target is None or isinstance(target, Path)
        return target

    def location_(self, key: str, base: Path) -> Location | None:
        """A data path: relative to ``base``, or an fsspec URL, inside the allowed folders and prefixes."""
        text = self.str_(key)
        if text is None:
            return None
        if not text.strip():
            raise self.fail(key, "expected a path, found an empty value")
        target = location(text.strip()) if is_url(text.strip()) else base / text
        if self.roots is not None and not inside(target, self.roots):
            raise self.fail(key, outside_message(text, target))
        return target


def inside(target: Location, roots: Sequence[Location]) -> bool:
    """``target``, links followed, lies in one of ``roots`` (resolved folders, or URL prefixes). A ``file://``
    URL is its local path; a remote URL lies under a URL prefix (whole segments, none of them ``.`` or ``..``)."""
    if isinstance(target, Url):
        if target.protocol in ("file", "local"):
            return inside(Path(target.path), roots)
        if any(part in (".", "..") for part in target.parts):
            return False
        return any(isinstance(r, Url) and (target.url == r.url or target.url.startswith(r.url + "/")) for r in roots)
    resolved = target.resolve()
    return any(isinstance(root, Path) and resolved.is_relative_to(root) for root in roots)


def outside_message(text: str, target: Location) -> str:
    if isinstance(target, Url):
        return (
            f"expected a path inside the project's folder, found the URL {short(text)} (a location outside it); "
            "allow it, or a URL prefix of it, with --allow-path URL"
        )
    how = "an absolute path" if Path(text).is_absolute() else "a path leading outside it"
    if ".." not in Path(text).parts and not Path(text).is_absolute():
        how = "a path leading outside it through a link"
    return (
        f"expected a path inside the project's folder, found {short(text)} ({how}); "
        "allow its folder with --allow-path DIR"
    )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({describe(value)})"
    if isinstance(value, str):
        return f"a string ({short(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _duplicate_key(node: yaml.Node | None, path: str = "", done: set[int] | None = None) -> tuple[str, int, int] | None:
    """The first key given twice in one mapping, as ``(key path, line, first line)``; YAML itself would keep the
    last value silently. A node reached again through an alias is not walked twice."""
    done = set() if done is None else done
    if id(node) in done:
        return None
    done.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = f"{path}.{key}" if path else key
            if key in seen:
                return here, key_node.start_mark.line + 1, seen[key]
            seen[key] = key_node.start_mark.line + 1
            found = _duplicate_key(value_node, here, done)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found = _duplicate_key(item, f"{path}[{i}]", done)
            if found:
                return found
    return None


def _check_text(path: Path, data: Any, where: str = "", seen: set[int] | None = None) -> None:
    """Every string of the file (keys and values) is text that every output can show as written: no lone
    surrogate (YAML ``\\ud83d`` alone) and no control character (ESC, CR, ...; tab and newline are allowed)."""
    seen = set() if seen is None else seen
    if isinstance(data, (dict, list)):
        if id(data) in seen:  # an alias: checked where its anchor is
            return
        seen.add(id(data))
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for key, value in items:
            here = f"{where}[{key}]" if isinstance(data, list) else (f"{where}.{key}" if where else str(key))
            if isinstance(key, str):
                _check_string(path, key, here, "a key")
            _check_text(path, value, here, seen)
    elif isinstance(data, str):
        _check_string(path, data, where, "a value")


def _check_string(path: Path, text: str, where: str, what: str) -> None:
    for position, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            raise InputError(
                path, f"expected text, found {what} holding a lone surrogate {char!r} at character {position + 1} "
                "(not a character; a \\u escape of half a pair?)", field=where or None,
            )  # fmt: skip
        if char not in "\t\n" and unicodedata.category(char) == "Cc":
            raise InputError(
                path, f"expected text without control characters, found {what} {short(text)} "
                f"(character {position + 1} is {char!r})", field=where or None,
            )  # fmt: skip


def load_project(path: Path, *, allow_paths: Sequence[str | os.PathLike[str]] = ()) -> Project:
    """Read and validate a project file.

    Local paths in the file (and image paths of its frame table) must lead into the file's folder or one of
    ``allow_paths`` (``--allow-path``), links followed; URLs must lie under a URL prefix of ``allow_paths``.
    """
    if not path.exists():
        raise InputError(path, "project file not found")
    check_regular(path)
    if path.is_dir():
        raise InputError(path, "expected a project file (YAML), found a folder")
    allowed = [location(p) for p in allow_paths]
    for folder in allowed:
        if isinstance(folder, Url) and folder.protocol in ("file", "local"):
            folder = Path(folder.path)
        if isinstance(folder, Path) and not folder.is_dir():
            raise InputError(folder, "expected an existing folder", field="--allow-path")
    local = [Path(p.path) if isinstance(p, Url) and p.protocol in ("file", "local") else p for p in allowed]
    roots = tuple(dict.fromkeys(p.resolve() for p in (path.parent, *local)))
    try:
        text = path.read_text(encoding="utf-8")
        check_yaml_events(path, text)
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
        twice = _duplicate_key(tree)
        if twice is not None:
            raise InputError(path, f"key given twice (first on line {twice[2]})", line=twice[1], field=twice[0])
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"malformed YAML: {getattr(exc, 'problem', None) or exc}", line=line) from None
    except UnicodeDecodeError:
        raise InputError(path, "expected UTF-8 text") from None
    if data is None:
        raise InputError(path, "the file is empty")
    _check_text(path, data)
    base = path.parent
    top = _Reader(path, data, "", roots)
    top.mapping(
        {"name", "task", "dataset", "inference_sets", "classes", "defaults", "segments", "dask"},
        {"name", "dataset", "inference_sets"},
    )
    dask = top.str_("dask")
    if dask is not None:
        from reportgen.engine.cluster import parse_address

        try:
            parse_address(dask)
        except InputError as exc:
            raise top.fail("dask", exc.detail) from None
    name = top.str_("name") or ""
    task = top.str_("task", "auto") or "auto"
    if choice_error(OPTION["task"], task) is not None:
        raise top.fail("task", f"expected auto, detection or classification, found {task!r}")

    ds = top.child("dataset")
    dataset_options = [o for o in INPUT_OPTIONS if o.where == "dataset"]
    ds.mapping(
        {"name", "ground_truth", "frames", "frame_id_column", "image_column"} | {o.key for o in dataset_options},
        {"ground_truth"},
    )
    values: dict[str, Any] = {"pred_format": "auto", "task": task}
    for option in dataset_options:
        if option.kind == "bool":
            values[option.field] = ds.bool_(option.key, False)
        elif option.kind == "path":
            values[option.field] = ds.location_(option.key, base)
        else:
            value = ds.str_(option.key, option.choices[0]) or option.choices[0]
            problem = choice_error(option, value)
            if problem is not None:
                raise ds.fail(option.key, problem)
            values[option.field] = value
    options = LoadOptions(**values)
    gt_path = ds.location_("ground_truth", base)
    assert gt_path is not None
    _must_exist(ds, "ground_truth", gt_path)

    sets_reader = top.child("inference_sets")
    if not isinstance(sets_reader.data, list) or not sets_reader.data:
        raise top.fail("inference_sets", f"expected a non-empty list, found {_kind(sets_reader.data)}")
    inference_sets: list[InferenceSetSpec] = []
    for i, item in enumerate(sets_reader.data):
        r = top.item(i, item, "inference_sets")
        r.mapping({"name", "path", "format"}, {"name", "path"})
        set_name = r.str_("name") or ""
        if not set_name.strip():
            found = "nothing (null)" if r.data.get("name") is None else "an empty value"
            raise r.fail("name", f"expected a non-empty name, found {found}")
        if any(s.name == set_name for s in inference_sets):
            raise r.fail("name", f"two inference sets are named {set_name!r}")
        set_fmt = r.str_("format", "auto") or "auto"
        if set_fmt not in FORMATS:
            raise r.fail("format", f"expected one of {', '.join(FORMATS)}, found {set_fmt!r}")
        set_path = r.location_("path", base)
        assert set_path is not None
        _must_exist(r, "path", set_path)
        inference_sets.append(InferenceSetSpec(set_name, set_path, set_fmt))
    set_names = {s.name for s in inference_sets}

    classes = _classes(top.child("classes"))
    conf, iou, conf_grid, iou_grid = _defaults(top.child("defaults"))
    segments = _segments(top.child("segments"), base, set_names, _frame_texts(tree))
    return Project(
        path=path,
        name=name,
        task=task,
        dataset_name=ds.str_("name", name) or name,
        ground_truth=gt_path,
        load_options=options,
        frames_table=ds.path_("frames", base),
        frame_id_column=ds.str_("frame_id_column", "frame_id") or "frame_id",
        image_column=ds.str_("image_column"),
        inference_sets=tuple(inference_sets),
        classes=classes,
        confidence=conf,
        iou=iou,
        confidence_grid=conf_grid,
        iou_grid=iou_grid,
        segments=segments,
        path_roots=roots,
        dask=dask,
    )


def _must_exist(r: _Reader, key: str, path: Location) -> None:
    if not path.exists():
        raise r.fail(key, f"expected an existing file or folder, found nothing at {str(path)!r}")


def _str_map(r: _Reader, key: str) -> tuple[tuple[str, str], ...]:
    value = r.data.get(key) if isinstance(r.data, dict) else None
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise r.fail(key, f"expected a mapping, found {_kind(value)}")
    return tuple((str(k), str(v)) for k, v in value.items())


def _classes(r: _Reader) -> ClassesSpec:
    if r.data is None:
        return ClassesSpec()
    r.mapping({"display_names", "ignore", "rename"})
    ignore = r.data.get("ignore") or []
    if not isinstance(ignore, list):
        raise r.fail("ignore", f"expected a list of class names, found {_kind(ignore)}")
    return ClassesSpec(_str_map(r, "display_names"), tuple(str(x) for x in ignore), _str_map(r, "rename"))


def _defaults(r: _Reader) -> tuple[float, float, str, str]:
    if r.data is None:
        return DEFAULT_CONFIDENCE, DEFAULT_IOU, DEFAULT_CONFIDENCE_GRID, DEFAULT_IOU_GRID
    r.mapping({"confidence", "iou", "confidence_grid", "iou_grid"})
    conf = r.unit("confidence", r.data.get("confidence", DEFAULT_CONFIDENCE))
    iou = r.unit("iou", r.data.get("iou", DEFAULT_IOU))
    grids = []
    for key, default in (("confidence_grid", DEFAULT_CONFIDENCE_GRID), ("iou_grid", DEFAULT_IOU_GRID)):
        text = r.str_(key, default) or default
        try:
            parse_grid(text, what=key)
        except InputError as exc:
            raise r.fail(key, exc.detail.removeprefix(f"{key}: ")) from None
        grids.append(text)
    return conf, iou, grids[0], grids[1]


def _frame_texts(tree: yaml.Node | None) -> dict[int, list[str]]:
    """The frame ids of each segment's ``frames:`` list as written: YAML would read ``000044`` as the number 36
    and ``1e3`` as 1000.0, while frame ids are strings."""
    out: dict[int, list[str]] = {}
    if not isinstance(tree, yaml.MappingNode):
        return out
    for key, value in tree.value:
        if key.value != "segments" or not isinstance(value, yaml.SequenceNode):
            continue
        for i, seg in enumerate(value.value):
            if not isinstance(seg, yaml.MappingNode):
                continue
            for k, v in seg.value:
                is_list = k.value == "frames" and isinstance(v, yaml.SequenceNode)
                if is_list and all(isinstance(item, yaml.ScalarNode) for item in v.value):
                    out[i] = [str(item.value) for item in v.value]
    return out


def _segments(
    r: _Reader, base: Path, set_names: set[str], frame_texts: dict[int, list[str]]
) -> tuple[Segment, ...]:
    if r.data is None:
        return ()
    if not isinstance(r.data, list):
        raise r.fail(None, f"expected a list, found {_kind(r.data)}")
    out: list[Segment] = []
    for i, item in enumerate(r.data):
        s = r.item(i, item, "segments")
        s.mapping(
            {"name", "type", "query", "frames", "frames_file", "description", "metadata", "metric_class", "targets"},
            {"name", "type"},
        )
        name = s.str_("name") or ""
        if not name.strip():
            raise s.fail("name", "expected a non-empty name")
        kind = s.str_("type") or ""
        if kind not in SEGMENT_TYPES:
            raise s.fail("type", f"expected split, regression_test or scenario, found {kind!r}")
        if any(seg.name == name for seg in out) or (name == ALL_FRAMES and kind != "split"):
            raise s.fail("name", f"two segments are named {name!r}")
        members = [k for k in ("query", "frames", "frames_file") if k in item]
        if len(members) != 1 and name != ALL_FRAMES:
            raise s.fail(None, f"expected exactly one of query, frames, frames_file; found {len(members)}")
        frames = item.get("frames")
        if frames is not None and (not isinstance(frames, list) or any(isinstance(f, (list, dict)) for f in frames)):
            raise s.fail("frames", f"expected a list of frame ids, found {_kind(frames)}")
        metadata = item.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise s.fail("metadata", f"expected a mapping, found {_kind(metadata)}")
        targets = _targets(s.child("targets"), set_names)
        if SEGMENT_TYPES[kind] == "Regression Test" and not targets:
            raise s.fail(
                "targets", "expected a target for precision, recall or f1 (a regression test without one would "
                "always pass), found none",
            )  # fmt: skip
        out.append(
            Segment(
                name=name,
                type=SEGMENT_TYPES[kind],
                query=s.str_("query"),
                frames=tuple(frame_texts.get(i, [str(f) for f in frames])) if frames is not None else None,
                frames_file=s.path_("frames_file", base),
                description=s.str_("description", "") or "",
                metadata=tuple((str(k), "" if v is None else str(v)) for k, v in metadata.items()),
                metric_class=s.str_("metric_class"),
                targets=targets,
            )
        )
    return tuple(out)


def _targets(r: _Reader, set_names: set[str]) -> tuple[tuple[str, Target], ...]:
    if r.data is None:
        return ()
    r.mapping(set(METRICS))
    out: list[tuple[str, Target]] = []
    for metric in METRICS:
        if metric not in r.data or r.data[metric] is None:
            continue
        value = r.data[metric]
        if isinstance(value, dict):
            t = r.child(metric)
            t.mapping({"baseline", "max_drop"}, {"baseline"})
            baseline = t.str_("baseline") or ""
            if baseline not in set_names:
                raise t.fail("baseline", f"unknown inference set {baseline!r} (known: {', '.join(sorted(set_names))})")
            out.append((metric, Target(baseline=baseline, max_drop=t.unit("max_drop", value.get("max_drop", 0.0)))))
        else:
            out.append((metric, Target(threshold=r.unit(metric, value))))
    return tuple(out)
