"""The outputs of a run, checked before any work: never an input, never twice the same file, all writable.

Files are compared as files (``st_dev`` and ``st_ino`` of ``os.stat``), not as strings: a relative or absolute
spelling, a symbolic link or a hard link to an input is that input. An output inside an input *folder* (a YOLO,
Padilla or VOC folder of txt / xml files) is refused too: the next run would read it as data.

Image files a frame table or a COCO file names are inputs as well, but are only known once the data is loaded:
:func:`refuse_input_images` checks them before the report is written.

An input given as an fsspec URL is compared as the local file it names when it is a ``file://`` URL, and not at
all otherwise (``s3://...``): outputs are local files, so a remote input cannot be one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import InputError
from reportgen.io._location import Location
from reportgen.io.project import Project
from reportgen.outputs.atomic import check_writable, target_of


@dataclass(frozen=True)
class Named:
    """A path and how the user knows it (``"--json"``, ``"the ground truth (dataset.ground_truth)"``)."""

    what: str
    path: Location


def project_inputs(project: Project) -> list[Named]:
    """Every file and folder a project file makes the run read, the project file included."""
    src = project.path.name
    inputs = [Named(f"the project file {str(project.path)!r}", project.path)]

    def add(key: str, path: Location | None) -> None:
        if path is not None:
            inputs.append(Named(f"{key} of {src} ({str(path)!r})", path))

    add("dataset.ground_truth", project.ground_truth)
    add("dataset.frames", project.frames_table)
    add("dataset.image_sizes", project.load_options.image_sizes)
    add("dataset.class_names", project.load_options.class_names)
    for i, spec in enumerate(project.inference_sets):
        add(f"inference_sets[{i}].path", spec.path)
    for i, seg in enumerate(project.segments):
        add(f"segments[{i}].frames_file", seg.frames_file)
    return inputs


def option_inputs(
    gt: Location | None, preds: Sequence[tuple[str, Location]], image_sizes: Location | None,
    class_names: Location | None,
) -> list[Named]:
    """The inputs of a run without a project file (``evaluate``, ``build --gt --pred``)."""
    inputs: list[Named] = []
    if gt is not None:
        inputs.append(Named(f"the ground truth --gt {str(gt)!r}", gt))
    inputs.extend(Named(f"the inference set {name!r} (--pred {str(path)!r})", path) for name, path in preds)
    if image_sizes is not None:
        inputs.append(Named(f"--image-sizes {str(image_sizes)!r}", image_sizes))
    if class_names is not None:
        inputs.append(Named(f"--class-names {str(class_names)!r}", class_names))
    return inputs


def _local(path: Location) -> Path | None:
    """The local file a location names: a path, or a ``file://`` URL's path; None for a remote URL."""
    if isinstance(path, Path):
        return path
    return Path(path.path) if path.protocol in ("file", "local") else None


def _stat(path: Location) -> os.stat_result | None:
    local = _local(path)
    if local is None:
        return None
    try:
        return os.stat(local)
    except (OSError, ValueError):
        return None


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _identity(path: Path) -> tuple[object, ...]:
    """What names one file: its device and inode if it exists, else its folder's and its name."""
    target = target_of(path)
    st = _stat(target)
    if st is not None:
        return ("file", st.st_dev, st.st_ino)
    folder = _stat(target.parent if str(target.parent) else Path("."))
    if folder is None:
        return ("path", os.path.abspath(target))
    return ("new", folder.st_dev, folder.st_ino, target.name)


def _folders_above(path: Path) -> Iterable[os.stat_result]:
    """The folders that hold ``path`` (its target, if a link), from its own folder up to the root."""
    folder = Path(os.path.realpath(target_of(path))).parent
    for parent in (folder, *folder.parents):
        st = _stat(parent)
        if st is not None:
            yield st


def check_outputs(outputs: Sequence[Named], inputs: Sequence[Named]) -> None:
    """Raise :class:`InputError` (nothing written, nothing computed) when an output is one of the inputs or lies
    inside an input folder, when two outputs are the same file, or when an output cannot be written."""
    given = [(o, o.path) for o in outputs if isinstance(o.path, Path)]  # outputs are local files
    in_stats = [(i, st) for i in inputs if (st := _stat(i.path)) is not None]
    for out, out_path in given:
        st = _stat(target_of(out_path))
        for inp, in_st in in_stats:
            if st is not None and _same(st, in_st):
                raise InputError(
                    None,
                    f"{out.what} {str(out.path)!r} is {inp.what}, an input of this run: refusing to overwrite it; "
                    "choose another output path",
                )
            if stat.S_ISDIR(in_st.st_mode) and any(_same(f, in_st) for f in _folders_above(out_path)):
                raise InputError(
                    None,
                    f"{out.what} {str(out.path)!r} is inside {inp.what}, an input folder of this run: the next run "
                    "would read it as data; choose another output path",
                )
    seen: dict[tuple[object, ...], Named] = {}
    for out, out_path in given:
        key = _identity(out_path)
        if key in seen:
            first = seen[key]
            raise InputError(
                None,
                f"{first.what} {str(first.path)!r} and {out.what} {str(out.path)!r} are the same file; "
                "give each output its own path",
            )
        seen[key] = out
    for _, out_path in given:
        check_writable(out_path)


def refuse_input_images(output: Path, images: Iterable[Path | None]) -> None:
    """Raise :class:`InputError` when ``output`` is one of the image files the report reads."""
    st = _stat(target_of(output))
    if st is None:
        return  # a file that does not exist yet is no input
    for image in images:
        if image is not None and (img := _stat(image)) is not None and _same(st, img):
            raise InputError(
                None,
                f"--output {str(output)!r} is the image {str(image)!r}, an input of this run: refusing to "
                "overwrite it; choose another output path",
            )
