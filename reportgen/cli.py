"""Command line: a thin layer that parses options, calls the library, and turns user errors into exit 2."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from reportgen import __version__
from reportgen.errors import ReportgenError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="reportgen",
    help="Offline model-evaluation reports: every metric, for every segment, inference set and preset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reportgen {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """reportgen: evaluate detection and classification models and write one self-contained HTML report."""


def stderr(message: str) -> None:
    typer.echo(message, err=True)


# ----------------------------------------------------------------------------------------------- options
GtOpt = Annotated[
    Path,
    typer.Option(
        "--gt",
        help="Ground truth: COCO JSON, CSV / Parquet / JSONL table, "
        "YOLO or Padilla txt folder, or Pascal VOC xml folder.",
    ),
]
PredOpt = Annotated[
    list[str],
    typer.Option(
        "--pred",
        help="An inference set as [NAME=]PATH (any prediction "
        "format); repeat for several. NAME defaults to the file stem.",
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="Format of the ground truth and predictions: auto, coco, "
        "csv, parquet, jsonl, yolo, padilla, voc, classification. 'auto' "
        "detects it from the content.",
    ),
]
PredFormatOpt = Annotated[
    str | None, typer.Option("--pred-format", help="Format of the predictions when it differs from --format.")
]
BoxOpt = Annotated[
    str,
    typer.Option(
        "--box-format",
        help="Box layout of table and txt inputs: xywh, xyxy or cxcywh (COCO is always xywh, YOLO always cxcywh).",
    ),
]
NormOpt = Annotated[
    bool,
    typer.Option(
        "--normalized/--absolute",
        help="Table / txt boxes are fractions of the image size (needs image sizes) or absolute pixels.",
    ),
]
SizesOpt = Annotated[
    Path | None,
    typer.Option(
        "--image-sizes",
        help="CSV or JSON with frame_id,width,height, for normalized boxes when the ground truth has no sizes.",
    ),
]
NamesOpt = Annotated[
    Path | None,
    typer.Option(
        "--class-names", help="File with one class name per line; class indices in txt and table inputs refer to it."
    ),
]
UnknownOpt = Annotated[
    bool,
    typer.Option(
        "--ignore-unknown-frames",
        help="Drop predictions on frames the ground truth does not have (and say how many) instead of failing.",
    ),
]
RoundOpt = Annotated[
    bool,
    typer.Option(
        "--round-pixels",
        help="Round normalized boxes, once scaled to pixels, to whole-pixel corners (as Padilla's tools and many "
        "YOLO exporters do).",
    ),
]
TaskOpt = Annotated[str, typer.Option("--task", help="auto, detection or classification.")]
AllowPathOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-path",
        metavar="DIR",
        help="A folder outside the project file's own that its paths (and image paths) may lead into; repeatable. "
        "Without it, a path leaving the project's folder ('..', absolute, through a link) is an error.",
    ),
]


def load_options(
    fmt: str,
    pred_format: str | None,
    box_format: str,
    normalized: bool,
    image_sizes: Path | None,
    class_names: Path | None,
    ignore_unknown_frames: bool,
    task: str,
    round_pixels: bool = False,
) -> Any:
    from reportgen.errors import InputError
    from reportgen.io.options import LoadOptions

    formats = ("auto", "coco", "csv", "parquet", "jsonl", "yolo", "padilla", "voc", "classification")
    for name, value in (("--format", fmt), ("--pred-format", pred_format or fmt)):
        if value not in formats:
            raise InputError(None, f"{name}: expected one of {', '.join(formats)}, found {value!r}")
    if box_format not in ("xywh", "xyxy", "cxcywh"):
        raise InputError(None, f"--box-format: expected xywh, xyxy or cxcywh, found {box_format!r}")
    if task not in ("auto", "detection", "classification"):
        raise InputError(None, f"--task: expected auto, detection or classification, found {task!r}")
    return LoadOptions(
        gt_format=fmt,  # type: ignore[arg-type]
        pred_format=(pred_format or fmt),  # type: ignore[arg-type]
        box_format=box_format,  # type: ignore[arg-type]
        normalized=normalized,
        image_sizes=image_sizes,
        class_names=class_names,
        ignore_unknown_frames=ignore_unknown_frames,
        round_pixels=round_pixels,
        task=task,  # type: ignore[arg-type]
    )


def run_guarded(fn: Callable[[], int]) -> None:
    """Run a command body: user errors print ``Error: ...`` and exit 2; anything else is a bug."""
    try:
        code = fn()
    except ReportgenError as exc:
        stderr(f"Error: {exc}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


class StageProgress:
    """A one-line progress display on stderr: step count, elapsed time and the current stage (only on a
    terminal, so CI logs stay clean)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.last = 0
        self.steps = 0
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        self.steps += 1
        if self.enabled:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            text = f"  [{self.steps:>3}] {time.monotonic() - self.start:6.1f}s  {message}"[:width]
            sys.stderr.write("\r" + text.ljust(self.last))
            sys.stderr.flush()
            self.last = len(text)

    def done(self) -> None:
        if self.enabled and self.last:
            sys.stderr.write("\r" + " " * self.last + "\r")
            sys.stderr.flush()


# ----------------------------------------------------------------------------------------------- evaluate
@app.command()
def evaluate(
    gt: GtOpt,
    pred: PredOpt,
    iou: Annotated[str, typer.Option("--iou", help="IoU threshold of the printed report (default 0.5).")] = "0.5",
    confidence: Annotated[
        str,
        typer.Option(
            "--confidence",
            help="Confidence threshold of the printed report (default 0.1). Off-grid values are computed exactly.",
        ),
    ] = "0.1",
    iou_grid: Annotated[
        str, typer.Option("--iou-grid", help="IoU presets: 'start:stop:step' and values, comma separated.")
    ] = "0.1:0.9:0.1,0.5:0.95:0.05",
    confidence_grid: Annotated[
        str, typer.Option("--confidence-grid", help="Confidence presets, same syntax.")
    ] = "0:0.95:0.05",
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write every number at every preset to this file (schema in docs/json-schema.md)."),
    ] = None,
    voc: Annotated[
        bool,
        typer.Option(
            "--voc",
            help="Also compute Pascal VOC AP (all-point and 11-point) "
            "with VOC matching at every IoU of the grid, and print it.",
        ),
    ] = False,
    pixel_inclusive: Annotated[
        bool,
        typer.Option("--pixel-inclusive", help="VOC IoU with the devkit's +1 pixel convention (width = x2 - x1 + 1)."),
    ] = False,
    fmt: FormatOpt = "auto",
    pred_format: PredFormatOpt = None,
    box_format: BoxOpt = "xywh",
    normalized: NormOpt = False,
    image_sizes: SizesOpt = None,
    class_names: NamesOpt = None,
    ignore_unknown_frames: UnknownOpt = False,
    round_pixels: RoundOpt = False,
    task: TaskOpt = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Evaluate inference sets: the COCO summary (pycocotools' 12 lines) and a classification report.

    Prints, for each --pred, the COCO summary exactly as pycocotools' summarize() prints it (detection), then
    the classification report at --iou and --confidence. --json writes every metric at every preset.
    """

    def body() -> int:
        from reportgen.atomic import check_writable, write_atomic
        from reportgen.evaluate import EvalConfig, evaluate_model
        from reportgen.grids import parse_grid, parse_threshold
        from reportgen.io import load_ground_truth, load_predictions, parse_pred_argument
        from reportgen.jsonout import dumps, evaluation_document
        from reportgen.textreport import classification_report, curve_lines, voc_lines

        if json_path is not None:
            check_writable(json_path)
        options = load_options(
            fmt,
            pred_format,
            box_format,
            normalized,
            image_sizes,
            class_names,
            ignore_unknown_frames,
            task,
            round_pixels,
        )
        config = EvalConfig(
            iou_grid=parse_grid(iou_grid, what="--iou-grid"),
            confidence_grid=parse_grid(confidence_grid, what="--confidence-grid"),
            iou=parse_threshold(iou, what="--iou"),
            confidence=parse_threshold(confidence, what="--confidence"),
            voc=voc,
            pixel_inclusive=pixel_inclusive,
        ).normalized()
        if not pred:
            from reportgen.errors import InputError

            raise InputError(None, "--pred: at least one inference set is required")
        progress = StageProgress(not quiet)
        progress(f"loading {gt}")
        truth = load_ground_truth(gt, options)
        named = [parse_pred_argument(p) for p in pred]
        _check_unique([n for n, _ in named])
        results = []
        for name, path in named:
            progress(f"loading {path}")
            preds = load_predictions(path, truth, options, name=name)
            if preds.dropped_unknown_frames:
                progress.done()
                stderr(
                    f"{path}: ignored {preds.dropped_unknown_frames} predictions on frames the ground truth "
                    "does not have (--ignore-unknown-frames)"
                )
            results.append(evaluate_model(truth, preds, config, progress=progress))
        if json_path is not None:
            progress(f"writing {json_path}")
            doc = evaluation_document(truth, results, config, gt_path=gt, pred_paths=[p for _, p in named])
            write_atomic(json_path, dumps(doc))
        progress.done()
        out: list[str] = []
        for result in results:
            if len(results) > 1:
                out.append(f"== {result.name} ==")
            if result.coco is not None:
                out.extend(result.coco.lines())
                out.append("")
            out.extend(classification_report(truth, result, config.iou, config.confidence))
            out.append("")
            out.extend(curve_lines(truth, result, config.iou))
            if result.voc is not None:
                out.append("")
                out.extend(voc_lines(truth, result.voc, [config.iou]))
            out.append("")
        typer.echo("\n".join(out).rstrip("\n"))
        if json_path is not None:
            stderr(f"wrote {json_path}")
        return 0

    run_guarded(body)


# ----------------------------------------------------------------------------------------------- check
@app.command()
def check(
    project_file: Annotated[Path, typer.Argument(metavar="PROJECT.yaml", help="The project file.")],
    inference: Annotated[
        list[str] | None,
        typer.Option("--inference", help="Check only this inference set (repeatable). Default: all of them."),
    ] = None,
    confidence: Annotated[
        str | None, typer.Option("--confidence", help="Confidence threshold of the verdicts (default: the file's).")
    ] = None,
    iou: Annotated[
        str | None, typer.Option("--iou", help="IoU threshold of the verdicts (default: the file's).")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the pass/fail payload (docs/payload.md) to this file.")
    ] = None,
    junit: Annotated[
        Path | None,
        typer.Option("--junit", help="Write JUnit XML: a test case per inference set x regression test x metric."),
    ] = None,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="Write a Markdown summary (CI step summary, PR comment).")
    ] = None,
    allow_path: AllowPathOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Check every inference set against the project's segments and targets.

    Exit code 0 when every regression test of the checked inference sets passes, 1 when any fails, 2 on bad
    input.
    """

    def body() -> int:
        from reportgen.atomic import check_writable, write_atomic
        from reportgen.errors import InputError
        from reportgen.grids import parse_threshold
        from reportgen.jsonout import dumps
        from reportgen.project import load_project
        from reportgen.projectrun import run_project
        from reportgen.verdicts import compute_verdicts, junit_xml, markdown, payload, text_table

        for out_path in (json_path, junit, markdown_path):
            if out_path is not None:
                check_writable(out_path)
        project = load_project(project_file, allow_paths=allow_path or ())
        names = [s.name for s in project.inference_sets]
        chosen = list(dict.fromkeys(inference or []))  # named twice: checked once
        for name in chosen:
            if name not in names:
                raise InputError(None, f"--inference: unknown inference set {name!r} (known: {', '.join(names)})")
        conf = parse_threshold(confidence, what="--confidence") if confidence is not None else project.confidence
        iou_v = parse_threshold(iou, what="--iou") if iou is not None else project.iou
        progress = StageProgress(not quiet)
        run = run_project(project, progress=progress, extra_confidence=conf, extra_iou=iou_v)
        progress.done()
        verdicts = compute_verdicts(run, iou=iou_v, confidence=conf, inference_sets=chosen or None)
        typer.echo("\n".join(text_table(verdicts, iou=iou_v, confidence=conf)))
        if json_path is not None:
            write_atomic(json_path, dumps(payload(verdicts)))
        if junit is not None:
            write_atomic(junit, junit_xml(verdicts, iou=iou_v, confidence=conf))
        if markdown_path is not None:
            write_atomic(markdown_path, markdown(verdicts, iou=iou_v, confidence=conf, project=project.name))
        failed = [v for v in verdicts if v.segment.type == "Regression Test" and not v.passes]
        regress = [v for v in verdicts if v.segment.type == "Regression Test"]
        typer.echo(f"\n{len(regress) - len(failed)} of {len(regress)} regression tests pass")
        return 1 if failed else 0

    run_guarded(body)


# ----------------------------------------------------------------------------------------------- build
@app.command()
def build(
    project_file: Annotated[
        Path | None, typer.Argument(metavar="[PROJECT.yaml]", help="The project file (or use --gt and --pred).")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("report.html"),
    gt: Annotated[
        Path | None, typer.Option("--gt", help="Ground truth, without a project file (All Frames only).")
    ] = None,
    pred: Annotated[
        list[str] | None,
        typer.Option("--pred", help="[NAME=]PATH of an inference set, without a project file; repeat for several."),
    ] = None,
    bootstrap_at: Annotated[
        list[str] | None,
        typer.Option(
            "--bootstrap-at",
            help="CONFIDENCE:IOU, a preset (besides the project's default) at which to compute the paired-bootstrap "
            "intervals of the differences between inference sets; repeatable.",
        ),
    ] = None,
    thumbnail_budget: Annotated[
        int,
        typer.Option(
            "--thumbnail-budget",
            help="Bytes of embedded example thumbnails at most; examples beyond it are listed without a picture.",
        ),
    ] = 600_000,
    fmt: FormatOpt = "auto",
    pred_format: PredFormatOpt = None,
    box_format: BoxOpt = "xywh",
    normalized: NormOpt = False,
    image_sizes: SizesOpt = None,
    class_names: NamesOpt = None,
    ignore_unknown_frames: UnknownOpt = False,
    round_pixels: RoundOpt = False,
    task: TaskOpt = "auto",
    allow_path: AllowPathOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Build the self-contained HTML report (Scenarios and Metrics tabs) from a project file or --gt/--pred.

    The file opens from disk, makes no network request, and shows the default view even without JavaScript.
    """

    def body() -> int:
        from reportgen.atomic import check_writable
        from reportgen.build import build_report, project_from_inputs
        from reportgen.errors import InputError
        from reportgen.io import parse_pred_argument
        from reportgen.project import load_project

        check_writable(output)
        if thumbnail_budget < 0:
            raise InputError(None, f"--thumbnail-budget: expected a number of bytes >= 0, found {thumbnail_budget}")
        if project_file is not None:
            if gt is not None or pred:
                raise InputError(None, "give either PROJECT.yaml or --gt/--pred, not both")
            project = load_project(project_file, allow_paths=allow_path or ())
        else:
            if gt is None or not pred:
                raise InputError(None, "give PROJECT.yaml, or --gt and at least one --pred")
            if allow_path:
                raise InputError(None, "--allow-path applies to the paths of a project file; --gt and --pred need none")
            options = load_options(
                fmt,
                pred_format,
                box_format,
                normalized,
                image_sizes,
                class_names,
                ignore_unknown_frames,
                task,
                round_pixels,
            )
            named = [parse_pred_argument(p) for p in pred]
            _check_unique([n for n, _ in named])
            project = project_from_inputs(gt, named, options)
        presets = [_preset(text) for text in bootstrap_at or []]
        progress = StageProgress(not quiet)
        build_report(project, output, thumbnail_budget=thumbnail_budget, progress=progress, bootstrap_presets=presets)
        progress.done()
        size = output.stat().st_size
        typer.echo(f"wrote {output} ({size / 1e6:.2f} MB)")
        return 0

    run_guarded(body)


# ----------------------------------------------------------------------------------------------- demo
@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the demo project into.")],
    task: Annotated[
        str,
        typer.Option(
            "--task", help="detection (aircraft seen from above, by wing shape) or classification (aircraft crops)."
        ),
    ] = "detection",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the generated data.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Write a complete demo project (data, images, project.yaml) into DIR, check it and build its report.

    Writes DIR/report.html, DIR/check.txt, DIR/payload.json, DIR/junit.xml and DIR/summary.md beside the
    project.
    """

    def body() -> int:
        from reportgen.atomic import write_atomic
        from reportgen.build import build_report
        from reportgen.demo import write_demo_project
        from reportgen.errors import InputError
        from reportgen.jsonout import dumps
        from reportgen.project import load_project
        from reportgen.projectrun import run_project
        from reportgen.verdicts import compute_verdicts, junit_xml, markdown, payload, text_table

        if task not in ("detection", "classification"):
            raise InputError(None, f"--task: expected detection or classification, found {task!r}")
        if directory.exists() and not directory.is_dir():
            raise InputError(directory, "exists and is not a folder")
        directory.mkdir(parents=True, exist_ok=True)
        progress = StageProgress(not quiet)
        progress(f"writing the demo project into {directory}")
        project_file = write_demo_project(directory, task=task, seed=seed)  # type: ignore[arg-type]
        project = load_project(project_file)
        run = run_project(project, progress=progress)
        progress.done()
        iou, conf = project.iou, project.confidence
        verdicts = compute_verdicts(run, iou=iou, confidence=conf)
        table = "\n".join(text_table(verdicts, iou=iou, confidence=conf))
        write_atomic(directory / "check.txt", table + "\n")
        write_atomic(directory / "payload.json", dumps(payload(verdicts)))
        write_atomic(directory / "junit.xml", junit_xml(verdicts, iou=iou, confidence=conf))
        write_atomic(directory / "summary.md", markdown(verdicts, iou=iou, confidence=conf, project=project.name))
        typer.echo(table)
        report = directory / "report.html"
        build_report(project, report, progress=progress, run=run)
        progress.done()
        typer.echo(
            f"\nwrote {project_file}, {report} and the check results (check.txt, payload.json, junit.xml, summary.md)"
        )
        return 0

    run_guarded(body)


def _preset(text: str) -> tuple[float, float]:
    from reportgen.errors import InputError
    from reportgen.grids import parse_threshold

    parts = text.split(":")
    if len(parts) != 2:
        raise InputError(None, f"--bootstrap-at: expected CONFIDENCE:IOU such as 0.3:0.5, found {text!r}")
    return parse_threshold(parts[0], what="--bootstrap-at confidence"), parse_threshold(
        parts[1], what="--bootstrap-at IoU"
    )


def _check_unique(names: list[str]) -> None:
    from reportgen.errors import InputError

    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(None, f"--pred: two inference sets are named {name!r}; name them with NAME=PATH")
        seen.add(name)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
