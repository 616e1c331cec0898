"""``reportgen demo DIR`` replaces only what an earlier ``reportgen demo`` wrote there (listed, with SHA-256, in
``DIR/.reportgen-demo.json``); any other file in its way makes it refuse (exit 2) unless ``--force``; files it
does not write are never touched; a rerun works (README: ``bash scripts/demo.sh`` is rerunnable)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reportgen.demo import DEMO_OUTPUTS, MANIFEST, foreign_files, manifest_entry
from tests.test_outputs import Run, snapshot

NEW = {"project.yaml": b"name: demo\n", "data/gt.json": b"{}", "images/1.jpg": b"\xff\xd8"}
NAMES = [*NEW, *DEMO_OUTPUTS, MANIFEST]


def write_manifest(folder: Path, written: dict[str, bytes]) -> None:
    path, data = manifest_entry(folder, written)
    path.write_bytes(data)


def test_an_empty_or_missing_folder_has_nothing_foreign(tmp_path: Path) -> None:
    assert foreign_files(tmp_path / "new", NAMES, NEW) == []
    assert foreign_files(tmp_path, NAMES, NEW) == []


def test_files_in_the_way(tmp_path: Path) -> None:
    """A user's file where the demo writes one, a folder where it writes a file, a file where it needs a folder;
    a file with exactly the bytes the demo writes now is not in the way; a file the demo does not write is
    ignored."""
    (tmp_path / "project.yaml").write_text("name: mine\n")
    (tmp_path / "report.html").mkdir()
    (tmp_path / "images").write_text("not a folder")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "gt.json").write_bytes(NEW["data/gt.json"])
    (tmp_path / "notes.txt").write_text("mine")
    assert foreign_files(tmp_path, NAMES, NEW) == ["project.yaml", "images", "report.html/"]


def test_the_manifest_names_what_the_demo_may_replace(tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text("name: an earlier demo\n")
    (tmp_path / "check.txt").write_text("an earlier table\n")
    write_manifest(tmp_path, {"project.yaml": b"name: an earlier demo\n", "check.txt": b"an earlier table\n"})
    listed = json.loads((tmp_path / MANIFEST).read_bytes())["files"]
    assert listed == {
        "check.txt": hashlib.sha256(b"an earlier table\n").hexdigest(),
        "project.yaml": hashlib.sha256(b"name: an earlier demo\n").hexdigest(),
    }
    assert foreign_files(tmp_path, NAMES, NEW) == []
    # edited since the demo wrote it: no longer the demo's to replace
    (tmp_path / "check.txt").write_text("my notes on the table\n")
    assert foreign_files(tmp_path, NAMES, NEW) == ["check.txt"]


def test_a_later_manifest_keeps_the_earlier_entries(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"project.yaml": b"a"})
    write_manifest(tmp_path, {"report.html": b"b"})
    assert sorted(json.loads((tmp_path / MANIFEST).read_bytes())["files"]) == ["project.yaml", "report.html"]


@pytest.mark.parametrize("text", ["not json", "[]", '{"files": ["a"]}', '{"files": {"a": 1}}'])
def test_a_file_named_like_the_manifest_that_is_not_one_is_foreign(tmp_path: Path, text: str) -> None:
    (tmp_path / MANIFEST).write_text(text)
    assert foreign_files(tmp_path, NAMES, NEW) == [MANIFEST]


def test_demo_refuses_to_replace_a_users_files(tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text("name: my project\n")
    (tmp_path / "summary.md").write_text("my summary\n")
    (tmp_path / "notes.txt").write_text("mine\n")
    before = snapshot(tmp_path)
    run = Run(["demo", tmp_path, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"Error: {tmp_path}: would replace 2 file(s) that an earlier 'reportgen demo' did not write (project.yaml, "
        "summary.md); choose an empty folder, or give --force to replace them\n"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_demo_reruns_and_force(tmp_path: Path) -> None:
    """Three runs: a rerun replaces the demo's own files; an edited data file stops the next run; --force
    replaces it. A file the demo does not write is never touched."""
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    first = Run(["demo", folder, "-q"])
    assert first.code == 0, first.stderr
    listed = json.loads((folder / MANIFEST).read_bytes())["files"]
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert written - set(listed) == {MANIFEST, "notes.txt"}
    assert all(hashlib.sha256((folder / rel).read_bytes()).hexdigest() == h for rel, h in listed.items())

    again = Run(["demo", folder, "-q"])
    assert again.code == 0, again.stderr

    gt = folder / "data" / "gt.json"
    gt.write_text('{"images": []}')
    before = snapshot(folder)
    refused = Run(["demo", folder, "-q"])
    assert (refused.code, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"Error: {folder}: would replace 1 file(s) that an earlier 'reportgen demo' did not write (data/gt.json); "
        "choose an empty folder, or give --force to replace them\n"
    )
    assert snapshot(folder) == before

    forced = Run(["demo", folder, "--force", "-q"])
    assert forced.code == 0, forced.stderr
    assert json.loads(gt.read_bytes())["images"]
    assert (folder / "notes.txt").read_text() == "mine\n"
    assert not [p for p in folder.rglob("*.tmp")]
