"""Demo data: "Aircraft wings", aerial views of aircraft classed by wing shape.

:func:`write_demo_project` writes a small, complete project (images, ground truth, a frame table with
metadata, inference sets, segments with targets and a ``project.yaml``) that reads like the spec's examples:
a "Far away planes" regression test where the baseline confuses delta with straight wings on small, distant
aircraft, and a candidate that fixes that but sees runway lights as aircraft at night and in fog.

Everything is drawn from one seeded numpy generator (separate streams for the scene and for each model, so
that tuning one model does not move the others): the same seed gives the same bytes.

Detection layout (``task="detection"``)::

    project.yaml
    images/000000.jpg ...                 160 x 120 JPEG, one per frame
    data/gt.json                          COCO ground truth (string image ids "000123", iscrowd clusters)
    data/frames.csv                       frame_id, image, weather, time_of_day, distance_m, source, ...
    data/model-v1.json ... model-v3.json  COCO results lists
    data/segments/delta-wings.txt         frame ids, one a line

Classification layout (``task="classification"``)::

    project.yaml
    images/000000.jpg ...                 64 x 64 JPEG crops, one aircraft each
    data/labels.csv                       frame_id,label
    data/frames.csv                       frame metadata and image paths
    data/model-v1.csv                     frame_id,label,score (top-1)
    data/model-v2.csv                     frame_id,<one score column per class> (softmax, sums to 1)
    data/segments/delta-wings.txt
"""


from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from reportgen.demo.classification import _write_classification
from reportgen.demo.common import CLASSES
from reportgen.demo.detection import _write_detection

__all__ = ["CLASSES", "DEMO_OUTPUTS", "MANIFEST", "demo_files", "foreign_files", "manifest_entry", "write_demo_project"]


# ----------------------------------------------------------------------------------------------- public
def write_demo_project(
    directory: Path, *, task: Literal["detection", "classification"] = "detection", seed: int = 0
) -> Path:
    """Write the demo project into ``directory`` (created if needed) and return its ``project.yaml``.

    Args:
        directory: where to write; existing files of the same names are replaced.
        task: ``"detection"`` (COCO boxes, three inference sets) or ``"classification"`` (one aircraft per
            image, labels and scores as CSV, two inference sets).
        seed: the same seed gives the same bytes.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if task == "detection":
        return _write_detection(directory, seed)
    if task == "classification":
        return _write_classification(directory, seed)
    raise ValueError(f"task must be 'detection' or 'classification', found {task!r}")


# ----------------------------------------------------------------------------------------------- manifest
MANIFEST = ".reportgen-demo.json"


"""The file in which ``reportgen demo`` lists what it wrote into its folder (with each file's SHA-256), so that
a later ``reportgen demo`` replaces those files, and only those, without ``--force``."""


DEMO_OUTPUTS = ("check.txt", "payload.json", "junit.xml", "summary.md", "report.html")


"""What ``reportgen demo`` writes beside the project, after checking it."""


def demo_files(*, task: Literal["detection", "classification"], seed: int) -> dict[str, bytes]:
    """The demo project's files, as ``{relative POSIX path: bytes}``, generated in a temporary folder (removed
    afterwards, also on an interrupt) so that nothing is written where the caller has not yet decided to."""
    with tempfile.TemporaryDirectory(prefix="reportgen-demo-") as tmp:
        root = Path(tmp)
        write_demo_project(root, task=task, seed=seed)
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(directory: Path) -> dict[str, str] | None:
    """``{relative path: SHA-256}`` of what an earlier ``reportgen demo`` wrote into ``directory``: ``{}`` when it
    has no manifest, None when the file of that name is not one (then it is someone else's file)."""
    path = directory / MANIFEST
    if not os.path.lexists(path):
        return {}
    try:
        files = json.loads(path.read_bytes())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    return files


def foreign_files(directory: Path, names: Iterable[str], new: Mapping[str, bytes]) -> list[str]:
    """Which of ``names`` (paths relative to ``directory`` that the demo is about to write) would replace
    something an earlier ``reportgen demo`` did not write: a file that is neither listed with its current
    content in the manifest nor identical to what the demo writes now (``new``), a folder, or a file where the
    demo needs a folder. The manifest itself counts as foreign when it is not a valid manifest."""
    manifest = read_manifest(directory)
    known = manifest or {}
    foreign: list[str] = []
    for rel in names:
        parts = rel.split("/")
        blocked = next(
            (
                "/".join(parts[:i])
                for i in range(1, len(parts))
                if os.path.lexists(directory.joinpath(*parts[:i])) and not directory.joinpath(*parts[:i]).is_dir()
            ),
            None,
        )
        if blocked is not None:
            if blocked not in foreign:
                foreign.append(blocked)
            continue
        dest = directory.joinpath(*parts)
        if not os.path.lexists(dest):
            continue
        if rel == MANIFEST:
            if manifest is None:
                foreign.append(rel)
            continue
        if not dest.is_file():
            foreign.append(rel + ("/" if dest.is_dir() else ""))
            continue
        digest = _sha256(dest.read_bytes())
        if known.get(rel) == digest or (rel in new and _sha256(new[rel]) == digest):
            continue
        foreign.append(rel)
    return foreign


def manifest_entry(directory: Path, written: Mapping[str, bytes]) -> tuple[Path, bytes]:
    """The manifest to write beside ``written`` (relative paths and the bytes written there): the earlier
    manifest's entries plus these."""
    files = dict(read_manifest(directory) or {})
    files.update({rel: _sha256(data) for rel, data in written.items()})
    document = {
        "written_by": "reportgen demo",
        "about": "Files reportgen demo wrote into this folder, with their SHA-256. A later reportgen demo replaces "
        "these files (when unchanged) and refuses to replace any other file without --force.",
        "files": dict(sorted(files.items())),
    }
    return directory / MANIFEST, (json.dumps(document, indent=1) + "\n").encode("utf-8")
