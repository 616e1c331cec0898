"""Hostile and careless inputs (issue 9): each is refused with one ``Error: ...`` line and exit 2, never a
traceback, a hang or a quiet wrong answer. Every limit asserted here is documented in docs/limits.md.

Cases that hung before their fix run the CLI in a subprocess with a generous timeout: the timeout is only a
guard against a hang, never a speed assertion.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import zstandard
from PIL import Image

from reportgen.engine.grids import parse_grid
from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth, load_predictions
from reportgen.io.query import QueryError, parse_query
from tests.test_project_file import FRAMES, GT, HEAD, PREDS, Run, assert_error

GUARD_SECONDS = 300  # a hang guard only


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "gt.json").write_text(json.dumps(GT))
    (tmp_path / "preds.json").write_text(json.dumps(PREDS))
    (tmp_path / "frames.csv").write_text(FRAMES)
    return tmp_path


def check(folder: Path, text: str, *args: str | Path) -> Run:
    project = folder / "project.yaml"
    project.write_text(text, encoding="utf-8", errors="surrogatepass")
    return Run(["check", project, "-q", *args])


def error_of(run: Run) -> str:
    """The one error line (exit 2, nothing on stdout, no traceback)."""
    return assert_error(run)


def cli(*args: str | Path, timeout: float = GUARD_SECONDS) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a subprocess (for inputs that used to hang)."""
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


# ------------------------------------------------------------------------------------- resource bombs


def test_yaml_alias_bomb_is_refused_at_1000_expanded_aliases(folder: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    project = folder / "project.yaml"
    project.write_text("\n".join(lines) + "\n" + HEAD)
    line = one_line_error(cli("check", project, "-q"))
    # a1..a3 expand to 9 + 90 + 819 = 918 aliases; a4's 10th alias would pass 1,000
    assert line == f"Error: {project}: line 5: expected at most 1,000 YAML aliases once expanded, found more"


def test_yaml_aliases_below_the_limit_are_read(folder: Path) -> None:
    text = HEAD + (
        "segments:\n"
        "  - {name: a, type: scenario, frames: &f [1, 2], metadata: &md {owner: me}}\n"
        "  - {name: b, type: scenario, frames: *f, metadata: *md}\n"
    )
    run = check(folder, text, "--json", folder / "out.json")
    assert run.code == 0, run.stderr
    items = json.loads((folder / "out.json").read_text())["m"]
    assert [(i["segment_name"], i["frame_count"]) for i in items] == [("All Frames", 3), ("a", 2), ("b", 2)]


def test_recursive_yaml_alias_is_refused(folder: Path) -> None:
    project = folder / "project.yaml"
    project.write_text(HEAD + "segments: &s\n  - name: loop\n    type: scenario\n    frames: *s\n")
    line = one_line_error(cli("check", project, "-q"))
    assert line == (
        f"Error: {project}: line 7: alias *s refers to a mapping or list that contains it (a recursive alias)"
    )


def test_yaml_nested_deeper_than_100_is_refused(folder: Path) -> None:
    text = HEAD + "segments: " + "[" * 150 + "]" * 150 + "\n"
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: line 4: expected mappings and lists nested at most 100 deep"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_ground_truth_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "gt.json"
    os.mkfifo(fifo)
    (tmp_path / "preds.json").write_text(json.dumps(PREDS))
    line = one_line_error(cli("evaluate", "--gt", fifo, "--pred", tmp_path / "preds.json", "-q"))
    assert line == f"Error: {fifo}: expected a regular file, found a named pipe (FIFO) (special files are not read)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_project_file_or_frames_file_is_refused(folder: Path) -> None:
    fifo = folder / "project.yaml"
    os.mkfifo(fifo)
    line = one_line_error(cli("check", fifo, "-q"))
    assert line == f"Error: {fifo}: expected a regular file, found a named pipe (FIFO) (special files are not read)"
    pipe = folder / "ids.txt"
    os.mkfifo(pipe)
    project = folder / "p.yaml"
    project.write_text(HEAD + "segments: [{name: s, type: scenario, frames_file: ids.txt}]\n")
    line = one_line_error(cli("check", project, "-q"))
    assert line == f"Error: {pipe}: expected a regular file, found a named pipe (FIFO) (special files are not read)"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_as_predictions_is_refused(folder: Path) -> None:
    line = one_line_error(cli("evaluate", "--gt", folder / "gt.json", "--pred", "z=/dev/zero", "-q"))
    assert line == "Error: /dev/zero: expected a regular file, found a character device (special files are not read)"


def test_preset_grids_are_bounded_at_10000_values(folder: Path) -> None:
    line = one_line_error(
        cli("evaluate", "--gt", folder / "gt.json", "--pred", folder / "preds.json", "--confidence-grid", "0:1:1e-9")
    )
    assert line == "Error: --confidence-grid: expected at most 10,000 values, found more in '0:1:1e-9'"
    text = HEAD + "defaults: {iou_grid: '0:1:0.00001'}\n"
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'defaults.iou_grid': expected at most 10,000 values, "
        "found more in '0:1:0.00001'"
    )


def test_a_grid_of_10000_values_is_read() -> None:
    assert parse_grid("0:0.9999:0.0001").size == 10_000
    with pytest.raises(InputError) as info:
        parse_grid("0:1:0.0001")  # 10,001 values
    assert str(info.value) == "grid: expected at most 10,000 values, found more in '0:1:0.0001'"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (",".join(["0.5"] * 10_001), "grid: expected at most 10,000 values, found more in '0.5,0.5,0.5"),
        ("0:1e999999999:1", "grid: values must lie in [0, 1], found 1E+999999999"),
        ("0:1:1e-999999999", "grid: expected at most 10,000 values, found more in '0:1:1e-999999999'"),
    ],
)
def test_bad_grids_fail_fast(spec: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_grid(spec)
    assert str(info.value).startswith(message)


def test_query_nested_deeper_than_100_is_refused(folder: Path) -> None:
    query = "not (" * 150 + "weather == 'fog'" + ")" * 150
    line = error_of(check(folder, HEAD + f'segments: [{{name: s, type: scenario, query: "{query}"}}]\n'))
    assert line == (
        f"Error: {folder / 'project.yaml'}: field 'segments[0].query': query {'not (' * 8!r}... (916 characters): "
        "is nested more than 100 levels deep"
    )
    shallow = "not (" * 40 + "weather == 'fog'" + ")" * 40
    assert check(folder, HEAD + f'segments: [{{name: s, type: scenario, query: "{shallow}"}}]\n').code == 0


@pytest.mark.parametrize("query", ["not " * 100_000 + "a", "(" * 1000 + "a" + ")" * 1000, "- " * 100_000 + "1 == a"])
def test_deep_queries_are_query_errors(query: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert str(info.value) == "is nested more than 100 levels deep"


def _image_project(folder: Path, image: str) -> Path:
    (folder / "frames.csv").write_text(f"frame_id,weather,image\n1,fog,{image}\n2,clear,\n3,fog,\n")
    project = folder / "project.yaml"
    project.write_text(
        "name: Small\n"
        "dataset: {ground_truth: gt.json, frames: frames.csv, image_column: image}\n"
        "inference_sets: [{name: m, path: preds.json}]\n"
    )
    return project


def test_decompression_bomb_image_is_refused_at_100_megapixels(folder: Path) -> None:
    Image.new("1", (12_000, 9_000)).save(folder / "big.png")
    project = _image_project(folder, "big.png")
    run = Run(["build", project, "-o", folder / "r.html", "-q"])
    assert error_of(run) == (
        f"Error: {folder / 'big.png'}: expected an image of at most 100 megapixels, found 12000 x 9000 pixels "
        "(108 megapixels)"
    )
    assert not (folder / "r.html").exists()


def test_pil_decompression_bomb_error_is_our_limit(folder: Path) -> None:
    Image.new("1", (20_000, 10_000)).save(folder / "huge.png")  # 200 Mpx: PIL itself refuses to open it
    project = _image_project(folder, "huge.png")
    assert error_of(Run(["build", project, "-o", folder / "r.html", "-q"])) == (
        f"Error: {folder / 'huge.png'}: expected an image of at most 100 megapixels, found a larger one"
    )


# ----------------------------------------------------------------------------------- compressed inputs


def _compress(kind: str, data: bytes) -> bytes:
    if kind == "gz":
        return gzip.compress(data, mtime=0)
    if kind == "bz2":
        return bz2.compress(data)
    if kind == "xz":
        return lzma.compress(data)
    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zst"])
def test_compressed_inputs_are_read_directly(folder: Path, kind: str) -> None:
    gt = folder / f"gt.json.{kind}"
    gt.write_bytes(_compress(kind, json.dumps(GT).encode()))
    csv = "frame_id,class,x,y,w,h,score\n1,cat,0,0,10,10,0.9\n2,cat,0,0,10,10,0.8\n3,bird,50,50,10,10,0.3\n"
    preds = folder / f"preds.csv.{kind}"
    preds.write_bytes(_compress(kind, csv.encode()))
    plain = Run(["evaluate", "--gt", folder / "gt.json", "--pred", "m=" + str(folder / "preds.json"), "-q"])
    packed = Run(["evaluate", "--gt", gt, "--pred", f"m={preds}", "-q"])
    assert (plain.code, packed.code) == (0, 0), packed.stderr
    assert packed.stdout == plain.stdout


@pytest.mark.parametrize("kind", ["gz", "xz"])
def test_compressed_tables_and_frame_tables(folder: Path, kind: str) -> None:
    (folder / f"frames.csv.{kind}").write_bytes(_compress(kind, FRAMES.encode()))
    rows = [{"frame_id": 1, "class": "cat", "x": 0, "y": 0, "w": 10, "h": 10, "score": 0.9}]
    (folder / f"p.jsonl.{kind}").write_bytes(_compress(kind, "".join(json.dumps(r) + "\n" for r in rows).encode()))
    text = (
        "name: Small\n"
        f"dataset: {{ground_truth: gt.json, frames: frames.csv.{kind}}}\n"
        f"inference_sets: [{{name: m, path: p.jsonl.{kind}}}]\n"
        "segments: [{name: fog, type: scenario, query: \"weather == 'fog'\"}]\n"
    )
    run = check(folder, text, "--json", folder / "out.json")
    assert run.code == 0, run.stderr
    items = json.loads((folder / "out.json").read_text())["m"]
    assert [(i["segment_name"], i["frame_count"]) for i in items] == [("All Frames", 3), ("fog", 2)]


def test_a_damaged_compressed_file_is_an_input_error(folder: Path) -> None:
    damaged = folder / "gt.json.gz"
    damaged.write_bytes(gzip.compress(json.dumps(GT).encode())[:40])
    line = error_of(Run(["evaluate", "--gt", damaged, "--pred", folder / "preds.json", "-q"]))
    assert line.startswith(f"Error: {damaged}: expected a complete gzip stream, found a damaged one (")


# ------------------------------------------------------------------------------------------ queries


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "weather == ['rain', 'fog']",
            "compares a column with a column, a string, a number or True / False, found \"['rain', 'fog']\" "
            "(use 'in' for a list)",
        ),
        (
            "weather == ('rain', 'fog', 'x')",
            "compares a column with a column, a string, a number or True / False, found \"('rain', 'fog', 'x')\" "
            "(use 'in' for a list)",
        ),
        ("weather == ...", "compares a column with a column, a string, a number or True / False, found '...'"),
        ("weather == None", "compares a column with a column, a string, a number or True / False, found 'None'"),
        ("weather == b'fog'", "compares a column with a column, a string, a number or True / False, found \"b'fog'\""),
        ("distance < 1j", "compares a column with a column, a string, a number or True / False, found '1j'"),
        ("weather in [['fog']]", "a list after 'in' holds strings, numbers or True / False, found \"['fog']\""),
        ("weather in [...]", "a list after 'in' holds strings, numbers or True / False, found '...'"),
        ("...", "'...' is not a value a query can use (strings, numbers, True, False)"),
        ("'fog' in weather", "'in' needs a column on the left and a list on the right"),
    ],
)
def test_queries_compare_with_values_only(query: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert str(info.value) == message


def test_list_as_long_as_the_table_is_refused_not_compared_elementwise(folder: Path) -> None:
    """Three frames, three values: pandas would compare row by row and match every frame."""
    text = HEAD + "segments: [{name: s, type: scenario, query: \"weather == ['fog', 'clear', 'fog']\"}]\n"
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'segments[0].query': query \"weather == ['fog', 'clear', "
        "'fog']\": compares a column with a column, a string, a number or True / False, found \"['fog', "
        "'clear', 'fog']\" (use 'in' for a list)"
    )


def test_allowed_comparisons_still_work(folder: Path) -> None:
    text = HEAD + (
        "segments:\n"
        "  - {name: a, type: scenario, query: \"weather in ('fog', 'rain') and distance >= -1\"}\n"
        "  - {name: b, type: scenario, query: \"not weather == 'fog'\"}\n"
    )
    run = check(folder, text, "--json", folder / "out.json")
    assert run.code == 0, run.stderr
    items = json.loads((folder / "out.json").read_text())["m"]
    assert [(i["segment_name"], i["frame_count"]) for i in items] == [("All Frames", 3), ("a", 1), ("b", 1)]


# ----------------------------------------------------------------------------------- text, not text


@pytest.mark.parametrize(
    ("name", "shown", "char"),
    [
        ('"\\e[31mred"', "'\\x1b[31mred'", "'\\x1b'"),
        ('"a\\rb"', "'a\\rb'", "'\\r'"),
        ('"bell\\a"', "'bell\\x07'", "'\\x07'"),
        ('"c1\\x85"', "'c1\\x85'", "'\\x85'"),
    ],
)
def test_control_characters_in_project_names_are_refused(folder: Path, name: str, shown: str, char: str) -> None:
    text = HEAD + f"segments: [{{name: {name}, type: scenario, frames: [1]}}]\n"
    position = {"'\\x1b'": 1, "'\\r'": 2, "'\\x07'": 5, "'\\x85'": 3}[char]
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'segments[0].name': expected text without control characters, "
        f"found a value {shown} (character {position} is {char})"
    )


def test_lone_surrogate_in_a_project_name_is_refused(folder: Path) -> None:
    text = HEAD.replace("{name: n,", '{name: "x\\ud83d",')
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'inference_sets[1].name': expected text, found a value holding "
        "a lone surrogate '\\ud83d' at character 2 (not a character; a \\u escape of half a pair?)"
    )


def test_control_characters_in_keys_are_refused(folder: Path) -> None:
    text = HEAD + 'classes: {display_names: {"\\e": x}}\n'
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'classes.display_names.\\x1b': expected text without control "
        "characters, found a key '\\x1b' (character 1 is '\\x1b')"
    )


def test_tab_and_newline_in_descriptions_are_text(folder: Path) -> None:
    text = HEAD + 'segments: [{name: s, type: scenario, frames: [1], description: "two\\nlines\\tand a tab"}]\n'
    assert check(folder, text).code == 0


def test_control_character_in_a_coco_category_name_is_refused(folder: Path) -> None:
    gt = dict(GT, categories=[{"id": 1, "name": "cat\u001b[2J"}, *GT["categories"][1:]])
    (folder / "gt.json").write_text(json.dumps(gt))
    with pytest.raises(InputError) as info:
        load_ground_truth(folder / "gt.json", LoadOptions())
    assert str(info.value) == (
        f"{folder / 'gt.json'}: categories[0]: field 'name': expected a class name without control characters, "
        "found 'cat\\x1b[2J'"
    )


def test_control_character_in_a_table_class_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gt.csv"
    path.write_text("frame_id,class,x,y,w,h\n1,cat,0,0,5,5\n2,\x1bdog,0,0,5,5\n")
    with pytest.raises(InputError) as info:
        load_ground_truth(path, LoadOptions())
    assert str(info.value) == (
        f"{path}: line 3: field 'class': expected a class name without control characters, found '\\x1bdog'"
    )


def test_tex_names_are_drawn_literally(folder: Path) -> None:
    text = HEAD.replace("{name: m,", "{name: '$x^2$ model',").replace("{name: n,", "{name: 'a $ b',")
    project = folder / "project.yaml"
    project.write_text(text)
    run = Run(["build", project, "-o", folder / "r.html", "-q"])
    assert run.code == 0, run.stderr
    html = (folder / "r.html").read_text()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert ">$x^2$ model<" in svg
    assert ">a $ b<" in svg


# ------------------------------------------------------------------------------ numbers, not numbers


def _coco(folder: Path, **ann: Any) -> Path:
    base = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}
    data = dict(GT, annotations=[base | ann])
    path = folder / "g.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"bbox": ["10", 10, 20, 20]},
            "field 'bbox': expected a list of 4 numbers [x, y, width, height], found a list of 4 values",
        ),
        (
            {"bbox": [True, 10, 20, 20]},
            "field 'bbox': expected a list of 4 numbers [x, y, width, height], found a list of 4 values",
        ),
        ({"area": "100"}, "field 'area': expected a number, found '100'"),
        ({"iscrowd": "1"}, "field 'iscrowd': expected 0 or 1, found '1'"),
        ({"bbox": [1e308, 0, 1e308, 10]}, "field 'bbox[0]': expected a number between -1e12 and 1e12, found 1e+308"),
        ({"area": 1e300}, "field 'area': expected a non-negative number at most 1e24, found 1e+300"),
    ],
)
def test_coco_numbers_must_be_numbers(folder: Path, fields: dict[str, Any], message: str) -> None:
    path = _coco(folder, **fields)
    with pytest.raises(InputError) as info:
        load_ground_truth(path, LoadOptions())
    assert str(info.value) == f"{path}: annotations[0]: {message}"


def test_coco_iscrowd_true_false_mean_1_0(folder: Path) -> None:
    gt = load_ground_truth(_coco(folder, iscrowd=True), LoadOptions())
    assert gt.crowd.tolist() == [True]
    gt = load_ground_truth(_coco(folder, iscrowd=False), LoadOptions())
    assert gt.crowd.tolist() == [False]


def test_coco_image_size_bound(folder: Path) -> None:
    path = folder / "g.json"
    path.write_text(json.dumps(dict(GT, images=[{"id": 1, "width": 1e300, "height": 10}, *GT["images"][1:]])))
    with pytest.raises(InputError) as info:
        load_ground_truth(path, LoadOptions())
    assert str(info.value) == f"{path}: images[0]: field 'width': expected a positive number at most 1e12, found 1e+300"


def _pred_table(folder: Path, frame: pd.DataFrame, name: str) -> Path:
    path = folder / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")))
    return path


@pytest.mark.parametrize(
    ("column", "values", "found"),
    [
        ("x", [True, False, True], "true"),
        ("w", pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]), "a date or time (2020-01-01 00:00:00)"),
        ("y", ["0", "0", "0"], "the string '0'"),
        ("score", ["0.9", "0.8", "0.3"], "the string '0.9'"),
    ],
)
def test_parquet_numeric_columns_hold_numbers(folder: Path, column: str, values: Any, found: str) -> None:
    gt = load_ground_truth(folder / "gt.json", LoadOptions())
    frame = pd.DataFrame(
        {"frame_id": [1, 2, 3], "class": ["cat", "cat", "bird"], "x": [0.0, 0, 50], "y": [0.0, 0, 50],
         "w": [10.0, 10, 10], "h": [10.0, 10, 10], "score": [0.9, 0.8, 0.3]}
    )  # fmt: skip
    frame[column] = values
    path = _pred_table(folder, frame, "p.parquet")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, LoadOptions(), name="m")
    assert str(info.value) == f"{path}: row 0: field '{column}': expected a number, found {found}"


@pytest.mark.parametrize(
    ("record", "field", "found"),
    [
        ({"x": "10"}, "x", "the string '10'"),
        ({"h": True}, "h", "true"),
        ({"score": "0.5"}, "score", "the string '0.5'"),
    ],
)
def test_jsonl_numeric_fields_hold_numbers(folder: Path, record: dict[str, Any], field: str, found: str) -> None:
    gt = load_ground_truth(folder / "gt.json", LoadOptions())
    rows = [
        {"frame_id": 1, "class": "cat", "x": 0, "y": 0, "w": 10, "h": 10, "score": 0.9},
        {"frame_id": 2, "class": "cat", "x": 0, "y": 0, "w": 10, "h": 10, "score": 0.8} | record,
    ]
    path = folder / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, LoadOptions(), name="m")
    assert str(info.value) == f"{path}: line 2: field '{field}': expected a number, found {found}"


def test_jsonl_iscrowd_true_false_mean_1_0(tmp_path: Path) -> None:
    rows = [
        {"frame_id": 1, "class": "cat", "x": 0, "y": 0, "w": 10, "h": 10, "iscrowd": True},
        {"frame_id": 2, "class": "cat", "x": 0, "y": 0, "w": 10, "h": 10, "iscrowd": False},
        {"frame_id": 3, "class": "cat", "x": 0, "y": 0, "w": 10, "h": 10},
    ]
    path = tmp_path / "gt.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert load_ground_truth(path, LoadOptions()).crowd.tolist() == [True, False, False]


def test_csv_true_false_boxes_are_refused(folder: Path) -> None:
    gt = load_ground_truth(folder / "gt.json", LoadOptions())
    path = folder / "p.csv"
    path.write_text("frame_id,class,x,y,w,h,score\n1,cat,True,0,10,10,0.9\n2,cat,False,0,10,10,0.8\n")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, LoadOptions(), name="m")
    assert str(info.value) == f"{path}: line 2: field 'x': expected a number, found true"


def test_huge_boxes_in_tables_are_refused_and_large_ones_build(folder: Path) -> None:
    gt = load_ground_truth(folder / "gt.json", LoadOptions())
    path = folder / "p.csv"
    path.write_text("frame_id,class,x,y,w,h,score\n1,cat,0,0,1e308,1e308,0.9\n")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, LoadOptions(), name="m")
    assert str(info.value) == f"{path}: line 2: field 'w': expected a number between -1e12 and 1e12, found 1e+308"
    # at the bound, areas and IoU stay finite and the report builds
    preds = [dict(p, bbox=[0, 0, 1e12, 1e12]) for p in PREDS]
    (folder / "preds.json").write_text(json.dumps(preds))
    run = Run(["build", "--gt", folder / "gt.json", "--pred", folder / "preds.json", "-o", folder / "r.html", "-q"])
    assert run.code == 0, run.stderr


def test_normalized_boxes_scaled_past_the_bound_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "gt.csv"
    path.write_text("frame_id,class,cx,cy,w,h,image_width,image_height\n1,cat,0.5,0.5,0.5,0.5,1e12,1e12\n")
    assert load_ground_truth(path, LoadOptions(box_format="cxcywh", normalized=True)).box.shape == (1, 4)
    path.write_text("frame_id,class,cx,cy,w,h,image_width,image_height\n1,cat,0.5,0.5,5,5,1e12,1e12\n")
    with pytest.raises(InputError) as info:
        load_ground_truth(path, LoadOptions(box_format="cxcywh", normalized=True))
    assert str(info.value) == (
        f"{path}: line 2: field 'cx': expected a coordinate between -1e12 and 1e12 once scaled by the image size, "
        "found -2000000000000.0"
    )


# ------------------------------------------------------------------------------- quiet wrong answers


def test_regression_test_with_only_null_targets_is_refused(folder: Path) -> None:
    for targets in ("{precision: null, recall: null}", "{}"):
        text = HEAD + f"segments: [{{name: s, type: regression_test, frames: [1], targets: {targets}}}]\n"
        assert error_of(check(folder, text)) == (
            f"Error: {folder / 'project.yaml'}: field 'segments[0].targets': expected a target for precision, "
            "recall or f1 (a regression test without one would always pass), found none"
        )


@pytest.mark.parametrize(
    ("name", "found"),
    [("null", "nothing (null)"), ("''", "an empty value"), ("'  '", "an empty value"), ("~", "nothing (null)")],
)
def test_inference_set_without_a_name_is_refused(folder: Path, name: str, found: str) -> None:
    text = HEAD.replace("{name: n,", f"{{name: {name},")
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'inference_sets[1].name': expected a non-empty name, found {found}"
    )


def test_duplicate_category_names_are_refused(folder: Path) -> None:
    gt = dict(GT, categories=[*GT["categories"], {"id": 4, "name": "dog"}])
    (folder / "gt.json").write_text(json.dumps(gt))
    line = error_of(Run(["evaluate", "--gt", folder / "gt.json", "--pred", folder / "preds.json", "-q"]))
    assert line == (
        f"Error: {folder / 'gt.json'}: categories[3]: field 'name': expected a unique category name, found 'dog' "
        "again (first at categories[1]); classes are known by name"
    )


def test_display_names_for_unknown_classes_are_refused(folder: Path) -> None:
    text = HEAD + "classes: {display_names: {cat: Cat, dgo: Dog}}\n"
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'classes.display_names': expected a class of the ground truth "
        "(cat, dog, bird), found 'dgo'"
    )


@pytest.mark.parametrize("header", ["frame_id,class,x,y,w,h,score,x", "frame_id,class,x,y,w,h,score,X "])
def test_duplicate_csv_columns_are_refused(folder: Path, header: str) -> None:
    path = folder / "p.csv"
    path.write_text(f"{header}\n1,cat,0,0,10,10,0.9,50\n")
    line = error_of(Run(["evaluate", "--gt", folder / "gt.json", "--pred", path, "-q"]))
    name = header.rsplit(",", 1)[1].strip()
    assert line == (
        f"Error: {path}: expected unique column names, found '{name}' twice (columns 3 and 8; names are compared "
        "without case and spaces)"
    )


def test_duplicate_frame_table_columns_are_refused(folder: Path) -> None:
    (folder / "frames.csv").write_text("frame_id,weather,weather\n1,fog,clear\n2,clear,fog\n3,fog,fog\n")
    text = HEAD + "segments: [{name: s, type: scenario, query: \"weather == 'fog'\"}]\n"
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'frames.csv'}: expected unique column names, found 'weather' twice (columns 2 and 3)"
    )


# ------------------------------------------------------------------------------------ --allow-path


def test_frames_file_outside_the_project_needs_allow_path(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    secret = outside / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash-and-then-a-lot-more-text-on-this-line\n")
    rel = os.path.relpath(secret, folder)
    text = HEAD + f"segments: [{{name: s, type: scenario, frames_file: '{rel}'}}]\n"
    line = error_of(check(folder, text))
    assert line == (
        f"Error: {folder / 'project.yaml'}: field 'segments[0].frames_file': expected a path inside the project's "
        f"folder, found {rel[:40]!r}{'...' if len(rel) > 40 else ''}"
        f"{f' ({len(rel)} characters)' if len(rel) > 40 else ''} (a path leading outside it); allow its folder with "
        "--allow-path DIR"
    )
    # allowed: the file is read, and the error quotes only a short excerpt of its line
    line = error_of(check(folder, text, "--allow-path", outside))
    assert line == (
        f"Error: {folder / rel}: line 1: field 'frame id': segment 's' names frame "
        "'root:x:0:0:root:/root:/bin/bash-and-then'... (69 characters), which is not in the ground truth"
    )


def test_absolute_paths_and_links_leaving_the_project_need_allow_path(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("data")
    (outside / "preds.json").write_text(json.dumps(PREDS))
    text = HEAD.replace("path: preds.json}]", f"path: '{outside / 'preds.json'}'}}]")
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'inference_sets[1].path': expected a path inside the project's "
        f"folder, found {str(outside / 'preds.json')[:40]!r}... ({len(str(outside / 'preds.json'))} characters) "
        "(an absolute path); allow its folder with --allow-path DIR"
    )
    assert check(folder, text, "--allow-path", outside).code == 0
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    text = HEAD.replace("path: preds.json}]", "path: linked/preds.json}]")
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'inference_sets[1].path': expected a path inside the project's "
        "folder, found 'linked/preds.json' (a path leading outside it through a link); allow its folder with "
        "--allow-path DIR"
    )
    assert check(folder, text, "--allow-path", outside).code == 0


def test_allow_path_must_be_a_folder(folder: Path) -> None:
    assert error_of(check(folder, HEAD, "--allow-path", folder / "nowhere")) == (
        f"Error: {folder / 'nowhere'}: field '--allow-path': expected an existing folder"
    )


def test_images_outside_the_project_need_allow_path(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("pictures")
    Image.new("RGB", (100, 100), "red").save(outside / "one.png")
    rel = os.path.relpath(outside / "one.png", folder)
    project = _image_project(folder, rel)
    run = Run(["build", project, "-o", folder / "r.html", "-q"])
    shown = repr(rel) if len(rel) <= 40 else f"{rel[:40]!r}... ({len(rel)} characters)"
    assert error_of(run) == (
        f"Error: {folder / 'frames.csv'}: frame '1': field 'image': expected a path inside the project's folder, "
        f"found {shown} (a path leading outside it); allow its folder with --allow-path DIR"
    )
    run = Run(["build", project, "-o", folder / "r.html", "-q", "--allow-path", outside])
    assert run.code == 0, run.stderr
    assert "data:image/webp;base64," in (folder / "r.html").read_text()  # the image is embedded (thumbnails: WebP)


def test_coco_file_names_outside_the_project_need_allow_path(folder: Path) -> None:
    gt = dict(GT, images=[dict(GT["images"][0], file_name="/etc/hostname"), *GT["images"][1:]])
    (folder / "gt.json").write_text(json.dumps(gt))
    project = folder / "project.yaml"
    project.write_text(HEAD)
    assert error_of(Run(["build", project, "-o", folder / "r.html", "-q"])) == (
        f"Error: {folder / 'gt.json'}: frame '1': field 'file_name': expected a path inside the project's folder, "
        "found '/etc/hostname' (an absolute path); allow its folder with --allow-path DIR"
    )


def test_values_are_cut_in_messages() -> None:
    with pytest.raises(QueryError) as info:
        parse_query("weather == [" + ", ".join(["'abcdefgh'"] * 50) + "]")
    assert str(info.value).endswith("found \"['abcdefgh', 'abcdefgh', 'abcdefgh', 'ab\"... (use 'in' for a list)")


def test_no_quoted_value_carries_a_whole_long_line(folder: Path) -> None:
    long_id = "z" * 500
    preds = [dict(PREDS[0], image_id=long_id)]
    (folder / "preds.json").write_text(json.dumps(preds))
    line = error_of(Run(["evaluate", "--gt", folder / "gt.json", "--pred", folder / "preds.json", "-q"]))
    assert long_id not in line
    assert f"found {'z' * 40!r}... (500 characters)" in line


def test_yaml_alias_bomb_in_class_names_is_refused(folder: Path) -> None:
    names = folder / "data.yaml"
    chain = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    chain += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    names.write_text("\n".join(chain) + "\nnames: *a9\n")
    (folder / "gt.csv").write_text("frame_id,class,x,y,w,h\n1,0,0,0,5,5\n")
    done = cli("evaluate", "--gt", folder / "gt.csv", "--pred", folder / "preds.json", "--class-names", names, "-q")
    assert one_line_error(done) == (
        f"Error: {names}: line 5: expected at most 1,000 YAML aliases once expanded, found more"
    )


def test_deeply_nested_json_with_nan_is_a_syntax_error(tmp_path: Path) -> None:
    """orjson stops at 1024 levels; the NaN fallback (Python's json) must not overflow the stack."""
    path = tmp_path / "gt.json"
    path.write_text("[" * 100_000 + "NaN" + "]" * 100_000)
    with pytest.raises(InputError) as info:
        load_ground_truth(path, LoadOptions(gt_format="coco"))
    assert str(info.value) == (
        f"{path}: line 1: expected valid JSON, found a syntax error at column 1026 (depth limit exceeded)"
    )


def test_a_huge_integer_threshold_is_refused(folder: Path) -> None:
    text = HEAD + f"defaults: {{iou: {10**400}}}\n"
    assert error_of(check(folder, text)) == (
        f"Error: {folder / 'project.yaml'}: field 'defaults.iou': expected a number in [0, 1], "
        "found an integer of more than 30 digits"
    )


def test_control_characters_in_a_pred_name_are_refused(folder: Path) -> None:
    run = Run(["evaluate", "--gt", folder / "gt.json", "--pred", f"\x1b[2Jm={folder / 'preds.json'}", "-q"])
    assert error_of(run) == (
        "Error: field '--pred': expected a name without control characters, found '\\x1b[2Jm' (name it with NAME=PATH)"
    )


def test_zstd_without_the_zstandard_package_names_it(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gt = folder / "gt.json.zst"
    gt.write_bytes(zstandard.ZstdCompressor().compress(json.dumps(GT).encode()))
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import zstandard now raises ImportError
    with pytest.raises(InputError) as info:
        load_ground_truth(gt, LoadOptions())
    assert str(info.value) == (
        f"{gt}: reading a zstd-compressed file needs the Python package 'zstandard' (pip install zstandard)"
    )


def test_allow_path_without_a_project_file_is_refused(folder: Path) -> None:
    run = Run(["build", "--gt", folder / "gt.json", "--pred", folder / "preds.json", "--allow-path", folder, "-q"])
    assert error_of(run) == "Error: --allow-path applies to the paths of a project file; --gt and --pred need none"
