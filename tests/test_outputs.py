"""Outputs (issue 9): an output is never an input, however spelled; two outputs are never one file; every
destination is checked before the work; a run's outputs are written all or nothing; a symbolic link is written
through, never replaced; a pipe or device is written directly; a full disk is one line, exit 2, no partial file.

Every refusal is asserted whole (exit code, the one ``Error:`` line) and with the inputs' bytes unchanged and no
file added (no temporary file left behind).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from PIL import Image

import reportgen.outputs.atomic
from tests.cli import Run
from tests.io import writers as w

GT = {
    "images": [{"id": i, "width": 100, "height": 100, "file_name": f"{i}.jpg"} for i in (1, 2, 3)],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 3, "image_id": 3, "category_id": 2, "bbox": [50, 50, 10, 10], "area": 100, "iscrowd": 0},
    ],
}
PREDS = [
    {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
    {"image_id": 2, "category_id": 2, "bbox": [1, 0, 10, 10], "score": 0.8},
    {"image_id": 3, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.2},
]
INPUTS = ("project.yaml", "gt.json", "preds.json", "frames.csv", "segments/night.txt")
KEYS = {
    "gt.json": "dataset.ground_truth",
    "preds.json": "inference_sets[0].path",
    "frames.csv": "dataset.frames",
    "segments/night.txt": "segments[0].frames_file",
}


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, a link's target, a folder's marker."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = "special"
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


def write_project(tmp_path: Path) -> Path:
    """A project reading five files: itself, a COCO ground truth, predictions, a frame table, a frames file;
    its one regression test fails (``check`` exits 1)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "gt.json").write_text(json.dumps(GT))
    (tmp_path / "preds.json").write_text(json.dumps(PREDS))
    (tmp_path / "frames.csv").write_text("frame_id,weather\n1,fog\n2,clear\n3,fog\n")
    (tmp_path / "segments").mkdir()
    (tmp_path / "segments" / "night.txt").write_text("1\n3\n")
    spec = {
        "name": "Small",
        "dataset": {"ground_truth": "gt.json", "frames": "frames.csv"},
        "inference_sets": [{"name": "m", "path": "preds.json"}],
        "segments": [
            {"name": "night", "type": "regression_test", "frames_file": "segments/night.txt",
             "targets": {"precision": 0.99}},
        ],
    }  # fmt: skip
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return tmp_path / "project.yaml"


def what(rel: str, folder: Path) -> str:
    """How an error names the input ``rel`` of the project fixture."""
    if rel == "project.yaml":
        return f"the project file {str(folder / rel)!r}"
    return f"{KEYS[rel]} of project.yaml ({str(folder / rel)!r})"


def spelled(folder: Path, rel: str, spelling: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The input ``rel`` spelled another way: relative to the working folder, with ``..``, or through a symbolic
    or a hard link (made in a separate ``out`` folder)."""
    target = folder / rel
    out = folder / "out"
    out.mkdir(exist_ok=True)
    if spelling == "relative":
        monkeypatch.chdir(folder)
        return Path(rel)
    if spelling == "dotdot":
        return folder / "segments" / ".." / rel
    link = out / ("link-" + target.name)
    if spelling == "symlink":
        link.symlink_to(os.path.relpath(target, out))
    else:
        os.link(target, link)
    return link


# ------------------------------------------------------------------------------- an output that is an input
SPELLINGS = ["relative", "dotdot", "symlink", "hardlink"]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("rel", INPUTS)
@pytest.mark.parametrize("option", ["--json", "--junit", "--markdown"])
def test_check_refuses_to_overwrite_an_input(
    project: Path, rel: str, spelling: str, option: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project.parent
    out = spelled(folder, rel, spelling, monkeypatch)
    before = snapshot(folder)
    run = Run(["check", project, option, out, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"Error: {option} {str(out)!r} is {what(rel, folder)}, an input of this run: refusing to overwrite it; "
        "choose another output path\n"
    )
    assert snapshot(folder) == before


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("rel", INPUTS)
def test_build_refuses_to_overwrite_an_input(
    project: Path, rel: str, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project.parent
    out = spelled(folder, rel, spelling, monkeypatch)
    before = snapshot(folder)
    run = Run(["build", project, "-o", out, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"Error: --output {str(out)!r} is {what(rel, folder)}, an input of this run: refusing to overwrite it; "
        "choose another output path\n"
    )
    assert snapshot(folder) == before


def quick_inputs(folder: Path) -> dict[str, Path]:
    return {
        "gt": w.coco_gt(folder),
        "pred": w.coco_results(folder),
        "sizes": w.sizes_file(folder),
        "names": w.names_file(folder),
    }


QUICK = {
    "gt": "the ground truth --gt {path!r}",
    "pred": "the inference set 'preds' (--pred {path!r})",
    "sizes": "--image-sizes {path!r}",
    "names": "--class-names {path!r}",
}


@pytest.mark.parametrize("spelling", ["symlink", "hardlink"])
@pytest.mark.parametrize("role", list(QUICK))
@pytest.mark.parametrize("command", ["evaluate", "build"])
def test_quick_mode_refuses_to_overwrite_an_input(
    tmp_path: Path, command: str, role: str, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = quick_inputs(tmp_path)
    out = spelled(tmp_path, paths[role].name, spelling, monkeypatch)
    before = snapshot(tmp_path)
    option = "--json" if command == "evaluate" else "--output"
    args: list[str | Path] = [command, "--gt", paths["gt"], "--pred", f"preds={paths['pred']}", option, out]
    args += ["--image-sizes", paths["sizes"], "--class-names", paths["names"], "-q"]
    run = Run(args)
    assert (run.code, run.stdout) == (2, "")
    described = QUICK[role].format(path=str(paths[role]))
    assert run.stderr == (
        f"Error: {option} {str(out)!r} is {described}, an input of this run: refusing to overwrite it; "
        "choose another output path\n"
    )
    assert snapshot(tmp_path) == before


def test_an_output_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    """A YOLO folder is read whole: a file written into it would be read as data by the next run."""
    gt = w.yolo_folder(tmp_path / "labels", w.GT)
    preds = w.yolo_folder(tmp_path / "preds", w.PRED)
    sizes, names = w.sizes_file(tmp_path), w.names_file(tmp_path)
    before = snapshot(tmp_path)
    out = tmp_path / "preds" / "metrics.json"
    run = Run(
        ["evaluate", "--gt", gt, "--pred", preds, "--json", out, "--image-sizes", sizes, "--class-names", names, "-q"]
    )
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"Error: --json {str(out)!r} is inside the inference set 'preds' (--pred {str(preds)!r}), an input folder "
        "of this run: the next run would read it as data; choose another output path\n"
    )
    assert snapshot(tmp_path) == before
    # the same run writing beside the folders works
    ok = Run(
        ["evaluate", "--gt", gt, "--pred", preds, "--json", tmp_path / "m.json", "--image-sizes", sizes,
         "--class-names", names, "-q"]
    )  # fmt: skip
    assert ok.code == 0, ok.stderr
    assert json.loads((tmp_path / "m.json").read_bytes())["ground_truth"]


def test_build_refuses_to_overwrite_an_image_the_report_reads(project: Path) -> None:
    """Images named by the COCO file's ``file_name`` are inputs too (known once the data is loaded): the report
    is not written over one. An output elsewhere in the images' folder is fine."""
    folder = project.parent
    for i in (1, 2, 3):
        Image.new("RGB", (100, 100), (i * 40, 0, 0)).save(folder / f"{i}.jpg")
    before = snapshot(folder)
    run = Run(["build", project, "-o", folder / "2.jpg", "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"Error: --output {str(folder / '2.jpg')!r} is the image {str(folder / '2.jpg')!r}, an input of this run: "
        "refusing to overwrite it; choose another output path\n"
    )
    assert snapshot(folder) == before
    assert Run(["build", project, "-o", folder / "report.html", "-q"]).code == 0


# ------------------------------------------------------------------------------- two outputs, one file
@pytest.mark.parametrize("spelling", ["same", "dotdot", "symlink", "hardlink", "dangling-symlink"])
def test_two_outputs_of_one_run_that_are_one_file(project: Path, spelling: str) -> None:
    folder = project.parent
    first = folder / "out.json"
    if spelling == "same":
        second = first
    elif spelling == "dotdot":
        second = folder / "segments" / ".." / "out.json"
    elif spelling == "symlink":
        first.write_text("old")
        second = folder / "link.xml"
        second.symlink_to(first)
    elif spelling == "hardlink":
        first.write_text("old")
        second = folder / "hard.xml"
        os.link(first, second)
    else:  # a link to a file that does not exist yet: both would create it
        second = folder / "link.xml"
        second.symlink_to(first)
    before = snapshot(folder)
    run = Run(["check", project, "--json", first, "--junit", second, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"Error: --json {str(first)!r} and --junit {str(second)!r} are the same file; give each output its own path\n"
    )
    assert snapshot(folder) == before


# ------------------------------------------------------------------------------- destinations checked first
def test_missing_folder(project: Path) -> None:
    folder = project.parent
    before = snapshot(folder)
    out = folder / "missing" / "summary.md"
    run = Run(["check", project, "--json", folder / "p.json", "--markdown", out, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: {out}: cannot write: folder {str(folder / 'missing')!r} does not exist\n"
    assert snapshot(folder) == before


def test_a_file_where_the_folder_should_be(project: Path) -> None:
    folder = project.parent
    before = snapshot(folder)
    out = folder / "gt.json" / "report.html"
    run = Run(["build", project, "-o", out, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: {out}: cannot write: folder {str(folder / 'gt.json')!r} is not a folder\n"
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", ["check", "build", "evaluate"])
def test_a_folder_as_output(project: Path, command: str) -> None:
    folder = project.parent
    (folder / "out").mkdir()
    before = snapshot(folder)
    args: dict[str, list[str | Path]] = {
        "check": ["check", project, "--junit", folder / "out"],
        "build": ["build", project, "-o", folder / "out"],
        "evaluate": ["evaluate", "--gt", folder / "gt.json", "--pred", folder / "preds.json", "--json", folder / "out"],
    }
    run = Run([*args[command], "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: {folder / 'out'}: cannot write: this is a folder, expected a file path\n"
    assert snapshot(folder) == before


def _chattr(flag: str, path: Path) -> bool:
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    return subprocess.run([chattr, flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def locked() -> Iterator[Callable[[Path], str]]:
    """Make a file or folder unwritable and return the reason the system gives: as root, permission bits do
    not stop a write, so the immutable attribute (``chattr +i``) does; otherwise ``chmod a-w``."""
    undo: list[Callable[[], None]] = []

    def lock(path: Path) -> str:
        if os.geteuid() == 0:
            if not _chattr("+i", path):
                pytest.fail(f"running as root and cannot make {path} immutable (chattr +i): no way to test")
            undo.append(lambda: _chattr("-i", path) and None)
            return os.strerror(errno.EPERM)
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        undo.append(lambda: path.chmod(mode))
        return os.strerror(errno.EACCES)

    yield lock
    for step in reversed(undo):
        step()


def test_read_only_folder(project: Path, locked: Callable[[Path], str]) -> None:
    """``check --json a --junit b`` with ``b``'s folder read-only: refused before the work, and no ``a``."""
    folder = project.parent
    (folder / "ro").mkdir()
    reason = locked(folder / "ro")
    before = snapshot(folder)
    out = folder / "ro" / "junit.xml"
    run = Run(["check", project, "--json", folder / "payload.json", "--junit", out, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: {out}: cannot write into folder {str(folder / 'ro')!r}: {reason}\n"
    assert snapshot(folder) == before


def test_read_only_file(project: Path, locked: Callable[[Path], str]) -> None:
    folder = project.parent
    out = folder / "report.html"
    out.write_text("kept")
    locked(out)
    before = snapshot(folder)
    run = Run(["build", project, "-o", out, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: {out}: cannot write: the file is read-only\n"
    assert snapshot(folder) == before


# ------------------------------------------------------------------------------- all or nothing
def test_a_write_failing_midway_leaves_no_output(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the second of three outputs is written: none is written (a file that existed keeps
    its bytes), no temporary file is left, exit 2 with one line naming the file."""
    folder = project.parent
    (folder / "payload.json").write_text("old payload")
    real = reportgen.outputs.atomic._write_all
    calls: list[int] = []

    def full_disk(fd: int, payload: bytes) -> None:
        calls.append(fd)
        if len(calls) == 2:
            os.write(fd, payload[: len(payload) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, payload)

    monkeypatch.setattr(reportgen.outputs.atomic, "_write_all", full_disk)
    before = snapshot(folder)
    out = [folder / "payload.json", folder / "junit.xml", folder / "summary.md"]
    run = Run(["check", project, "--json", out[0], "--junit", out[1], "--markdown", out[2], "-q"])
    assert len(calls) == 2
    assert run.code == 2
    assert run.stderr == f"Error: {out[1]}: cannot write: No space left on device; no output was written\n"
    assert snapshot(folder) == before


def test_a_full_device_is_one_line(project: Path) -> None:
    """``/dev/full`` (through a link, so that a regression replaces the link, not the device) fails every
    write with ENOSPC."""
    if not Path("/dev/full").exists():
        pytest.fail("/dev/full is missing: this test needs a Linux system")
    folder = project.parent
    (folder / "full.json").symlink_to("/dev/full")
    before = snapshot(folder)
    run = Run(["check", project, "--json", folder / "full.json", "-q"])
    assert run.code == 2
    assert run.stderr == f"Error: {folder / 'full.json'}: cannot write: No space left on device\n"
    assert snapshot(folder) == before


# ------------------------------------------------------------------------------- links, pipes
def test_an_output_that_is_a_link_writes_the_target(project: Path) -> None:
    """The link stays a link; its target (in another folder) gets the payload; no temporary file anywhere."""
    folder = project.parent
    (folder / "store").mkdir()
    target = folder / "store" / "payload.json"
    target.write_text("old")
    target.chmod(0o640)
    link = folder / "payload.json"
    link.symlink_to(os.path.join("store", "payload.json"))
    dangling = folder / "junit.xml"
    dangling.symlink_to(os.path.join("store", "junit.xml"))
    run = Run(["check", project, "--json", link, "--junit", dangling, "-q"])
    assert run.code == 1, run.stderr  # the regression test fails: the run is complete
    assert os.readlink(link) == os.path.join("store", "payload.json")
    assert os.readlink(dangling) == os.path.join("store", "junit.xml")
    assert list(json.loads(target.read_bytes())) == ["m"]
    assert (target.stat().st_mode & 0o777) == 0o640  # the replaced file keeps its mode
    assert (folder / "store" / "junit.xml").read_text().startswith("<?xml")
    assert sorted(p.name for p in (folder / "store").iterdir()) == ["junit.xml", "payload.json"]


def test_an_output_that_is_a_pipe_is_written_directly(project: Path) -> None:
    """A FIFO (and a link to one) cannot be renamed onto: it is written, and stays a FIFO."""
    folder = project.parent
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    link = folder / "pipe-link"
    link.symlink_to("pipe")
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    run = Run(["check", project, "--markdown", link, "-q"])
    reader.join(timeout=60)
    assert run.code == 1, run.stderr
    assert received and received[0].decode().startswith("## ")
    assert fifo.is_fifo() and link.is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*INPUTS[:4], "segments", "pipe", "pipe-link"])


def test_dev_stdout_is_written_directly(project: Path) -> None:
    """``--markdown /dev/stdout`` with standard output a pipe: ``/dev/stdout`` resolves to no path a file could
    be renamed onto (``/proc/PID/fd/pipe:[N]``), so it is written in place, after the verdict table."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "reportgen", "check", str(project), "--markdown", "/dev/stdout", "-q"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("Verdicts at confidence 0.1, IoU 0.5")
    assert done.stdout.count("\n## ") == 1
    assert done.stdout.count("| m | night |") == 1  # the Markdown table's row, written once


@pytest.mark.parametrize("command", ["check", "build"])
def test_outputs_are_checked_before_the_data_is_read(project: Path, command: str) -> None:
    """The ground truth is broken, so any work would fail on it: the output's refusal comes first."""
    folder = project.parent
    (folder / "gt.json").write_text("{ not json")
    before = snapshot(folder)
    option = "--json" if command == "check" else "-o"
    run = Run([command, project, option, folder / "frames.csv", "-q"])
    assert (run.code, run.stdout) == (2, "")
    named = "--output" if command == "build" else "--json"
    assert run.stderr == (
        f"Error: {named} {str(folder / 'frames.csv')!r} is {what('frames.csv', folder)}, an input of this run: "
        "refusing to overwrite it; choose another output path\n"
    )
    missing = folder / "missing" / "out"
    run = Run([command, project, option, missing, "-q"])
    assert run.stderr == f"Error: {missing}: cannot write: folder {str(missing.parent)!r} does not exist\n"
    assert snapshot(folder) == before


def test_a_loop_of_links_is_refused(project: Path) -> None:
    folder = project.parent
    (folder / "a.json").symlink_to("b.json")
    (folder / "b.json").symlink_to("a.json")
    before = snapshot(folder)
    run = Run(["check", project, "--json", folder / "a.json", "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: {folder / 'a.json'}: cannot write: a loop of symbolic links\n"
    assert snapshot(folder) == before
