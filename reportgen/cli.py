"""Command line: a thin layer that parses options, calls the library, and turns user errors into exit 2."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand

from reportgen import __version__
from reportgen.errors import ReportgenError
from reportgen.io._location import location as as_location
from reportgen.io.options import OPTION

#: A data path option's value: a ``Path`` or a ``Url`` (``as_location`` makes it). Typer takes no Union type, so the
#: annotation Typer reads is this alias.
Location = Any

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_CODES_HELP = (
    "Exit codes: 0 success (check: every regression test passes); 1 a regression test failed (check only: build "
    "and evaluate exit 0 whatever the verdicts); 2 bad input or usage, nothing written; 3 internal error, a bug "
    "in reportgen (please report it with the traceback); 130 / 143 interrupted by Ctrl-C / SIGTERM, no partial "
    "file left; 141 standard output closed early (a pipe into head)."
)

class PlainCommand(TyperCommand):
    """A command whose help reads like any Unix tool's: ``PROJECT.yaml`` / ``[PROJECT.yaml]`` in the usage line,
    arguments and options shown with their metavar only (no ``<path>`` / ``<str>`` type labels)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                usage = name if param.required else f"[{name}]"
                param._usage_display_name = lambda usage=usage: usage  # type: ignore[method-assign,misc]
                param.display_type = lambda ctx: ""  # type: ignore[method-assign]


app = typer.Typer(
    name="reportgen",
    help="Offline model-evaluation reports: every metric, for every segment, inference set and preset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: no rich import at start-up, output that pipes and greps cleanly
    epilog=EXIT_CODES_HELP,
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
    Location,
    typer.Option(
        "--gt",
        metavar="PATH",
        parser=as_location,
        help="Ground truth: COCO JSON, CSV / Parquet / JSONL table, "
        "YOLO or Padilla txt folder, or Pascal VOC xml folder; a local path or a URL (s3://..., any fsspec URL).",
    ),
]
PredOpt = Annotated[
    list[str],
    typer.Option(
        "--pred",
        metavar="[NAME=]PATH",
        help="An inference set as [NAME=]PATH (any prediction "
        "format; PATH may be a URL); repeat for several. NAME defaults to the file stem.",
    ),
]


def _input_option(key: str) -> Any:
    """The typer option of one input option, from the single table ``reportgen.io.options.INPUT_OPTIONS``."""
    o = OPTION[key]
    parser = as_location if o.kind == "path" else None  # a URL stays a URL: Path("s3://b/k") would be s3:/b/k
    return typer.Option(o.flag, help=o.help, metavar=o.metavar, show_default=o.kind == "choice", parser=parser)


FormatOpt = Annotated[str, _input_option("format")]
PredFormatOpt = Annotated[str | None, _input_option("pred_format")]
BoxOpt = Annotated[str, _input_option("box_format")]
NormOpt = Annotated[bool, _input_option("normalized")]
SizesOpt = Annotated[Location, _input_option("image_sizes")]
NamesOpt = Annotated[Location, _input_option("class_names")]
UnknownOpt = Annotated[bool, _input_option("ignore_unknown_frames")]
RoundOpt = Annotated[bool, _input_option("round_pixels")]
TaskOpt = Annotated[str, _input_option("task")]
DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        help="Match the partitions of the frames on a Dask cluster: 'local' (a worker process per core), 'local:N' "
        "(N workers) or a scheduler address (tcp://host:8786). Same numbers as without. Needs the dask extra.",
    ),
]
AllowPathOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-path",
        metavar="DIR",
        help="A folder outside the project file's own that its paths (and image paths) may lead into, or a URL "
        "prefix its URLs may lie under (s3://bucket/eval); repeatable. Without it, a path leaving the project's "
        "folder ('..', absolute, through a link) or a URL is an error.",
    ),
]


def load_options(
    fmt: str,
    pred_format: str | None,
    box_format: str,
    normalized: bool,
    image_sizes: Location | None,
    class_names: Location | None,
    ignore_unknown_frames: bool,
    task: str,
    round_pixels: bool = False,
) -> Any:
    from reportgen.io.options import load_options_from

    values = {"format": fmt, "pred_format": pred_format, "box_format": box_format, "normalized": normalized,
              "image_sizes": image_sizes, "class_names": class_names, "ignore_unknown_frames": ignore_unknown_frames,
              "task": task, "round_pixels": round_pixels}  # fmt: skip
    return load_options_from(values, label=lambda option: option.flag)


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that temporary files are removed on the way out."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _internal_error() -> None:
    """Say, on stderr, that the exception being handled is a bug, then print its traceback."""
    import traceback

    stderr(
        f"reportgen {__version__}: internal error (a bug in reportgen, not a problem with your input); please "
        "report it with the command line and this traceback:"
    )
    stderr(traceback.format_exc().rstrip("\n"))


def run_guarded(fn: Callable[[], int]) -> None:
    """Run a command body with the exit-code contract (``EXIT_CODES_HELP``): user errors print ``Error: ...`` and
    exit 2; any other exception is a bug: one line saying so, its traceback, exit 3. Ctrl-C and SIGTERM unwind
    (removing temporary files) and exit 130 and 143."""
    import signal

    try:
        previous: Any = signal.signal(signal.SIGTERM, _on_sigterm)
        installed = True
    except ValueError:  # not the main thread (an embedding application): leave its signals alone
        installed = False
    try:
        code = fn()
    except ReportgenError as exc:
        stderr(f"Error: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        stderr("Interrupted (no partial output is left behind).")
        raise typer.Exit(130) from None
    except Terminated:
        stderr("Terminated (no partial output is left behind).")
        raise typer.Exit(143) from None
    except BrokenPipeError:  # the reader of standard output went away (`reportgen check ... | head`): not a bug
        # nothing more to flush at exit; standard output may be no file (an embedding application, a test runner)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except Exception:
        _internal_error()
        raise typer.Exit(EXIT_INTERNAL) from None
    finally:
        if installed:
            signal.signal(signal.SIGTERM, previous)
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
@app.command(cls=PlainCommand, epilog=EXIT_CODES_HELP)
def evaluate(
    gt: GtOpt,
    pred: PredOpt,
    iou: Annotated[str, typer.Option("--iou", metavar="IOU", help="IoU threshold of the printed report.")] = "0.5",
    confidence: Annotated[
        str,
        typer.Option(
            "--confidence",
            metavar="CONF",
            help="Confidence threshold of the printed report. Off-grid values are computed exactly.",
        ),
    ] = "0.1",
    iou_grid: Annotated[
        str,
        typer.Option("--iou-grid", metavar="GRID", help="IoU presets: 'start:stop:step' and values, comma separated."),
    ] = "0.1:0.9:0.1,0.5:0.95:0.05",
    confidence_grid: Annotated[
        str, typer.Option("--confidence-grid", metavar="GRID", help="Confidence presets, same syntax.")
    ] = "0:0.95:0.05",
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="PATH",
            help="Write every number at every preset to this file (schema in docs/json-schema.md).",
        ),
    ] = None,
    voc: Annotated[
        bool,
        typer.Option(
            "--voc",
            help="Also compute Pascal VOC AP (all-point and 11-point, VOC matching): printed at --iou, written "
            "to --json at every IoU of the grid.",
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
    dask: DaskOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Evaluate inference sets: the COCO summary (pycocotools' 12 lines) and a classification report.

    Prints, for each --pred, the COCO summary exactly as pycocotools' summarize() prints it (detection), then
    the classification report at --iou and --confidence. --json writes every metric at every preset.
    """

    def body() -> int:
        import numpy as np

        from reportgen.api import evaluate_with
        from reportgen.engine.evaluation import EvalConfig
        from reportgen.engine.grids import parse_grid, parse_threshold
        from reportgen.io import parse_pred_argument
        from reportgen.outputs.atomic import write_atomic
        from reportgen.outputs.destinations import Named, check_outputs, option_inputs
        from reportgen.outputs.metrics_json import dumps
        from reportgen.outputs.text import classification_report, curve_lines, voc_lines

        if json_path is not None:
            inputs = option_inputs(gt, [parse_pred_argument(p) for p in pred], image_sizes, class_names)
            check_outputs([Named("--json", json_path)], inputs)
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
        if json_path is None:
            # the printed report needs the operating point only (the COCO summary keeps its own 10 IoUs): match
            # at one IoU instead of the whole grid. The grids are still parsed above, so a bad one is an error.
            config = EvalConfig(
                np.array([config.iou]), np.array([config.confidence]), config.iou, config.confidence,
                voc=voc, pixel_inclusive=pixel_inclusive,
            )  # fmt: skip
        if not pred:
            from reportgen.errors import InputError

            raise InputError(None, "--pred: at least one inference set is required")
        named = [parse_pred_argument(p) for p in pred]
        _check_unique([n for n, _ in named])
        progress = StageProgress(not quiet)

        def warn(message: str) -> None:
            progress.done()
            stderr(message)

        _check_dask(dask)
        ev = evaluate_with(gt, dict(named), options=options, config=config, progress=progress, warn=warn, dask=dask,
                           keep_matching=False)  # fmt: skip
        truth, results = ev.gt, [r.result for r in ev.values()]
        if json_path is not None:
            progress(f"writing {json_path}")
            write_atomic(json_path, dumps(ev.to_dict()))
        progress.done()
        out: list[str] = []
        for result in results:
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
@app.command(cls=PlainCommand, epilog=EXIT_CODES_HELP)
def check(
    project_file: Annotated[Path, typer.Argument(metavar="PROJECT.yaml", help="The project file.")],
    inference: Annotated[
        list[str] | None,
        typer.Option(
            "--inference", metavar="NAME", help="Check only this inference set (repeatable). Default: all of them."
        ),
    ] = None,
    confidence: Annotated[
        str | None,
        typer.Option(
            "--confidence", metavar="CONF", help="Confidence threshold of the verdicts (default: the project file's)."
        ),
    ] = None,
    iou: Annotated[
        str | None,
        typer.Option("--iou", metavar="IOU", help="IoU threshold of the verdicts (default: the project file's)."),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", metavar="PATH", help="Write the pass/fail payload (docs/payload.md) to this file."),
    ] = None,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit", metavar="PATH", help="Write JUnit XML: a test case per inference set x regression test x metric."
        ),
    ] = None,
    markdown_path: Annotated[
        Path | None,
        typer.Option("--markdown", metavar="PATH", help="Write a Markdown summary (CI step summary, PR comment)."),
    ] = None,
    allow_path: AllowPathOpt = None,
    dask: DaskOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Check every inference set against the project's segments and targets.

    Exit code 0 when every regression test of the checked inference sets passes, 1 when any fails, 2 on bad
    input.
    """

    def body() -> int:
        from reportgen.api import Project
        from reportgen.engine.grids import parse_threshold
        from reportgen.errors import InputError
        from reportgen.outputs.atomic import write_together
        from reportgen.outputs.destinations import Named, check_outputs, project_inputs
        from reportgen.outputs.metrics_json import dumps

        project = Project.load(project_file, allow_paths=allow_path or ())
        outputs = [("--json", json_path), ("--junit", junit), ("--markdown", markdown_path)]
        check_outputs([Named(o, p) for o, p in outputs if p is not None], project_inputs(project.spec))
        names = project.inference_sets
        chosen = list(dict.fromkeys(inference or []))  # named twice: checked once
        for name in chosen:
            if name not in names:
                raise InputError(None, f"--inference: unknown inference set {name!r} (known: {', '.join(names)})")
        conf = parse_threshold(confidence, what="--confidence") if confidence is not None else None
        iou_v = parse_threshold(iou, what="--iou") if iou is not None else None
        progress = StageProgress(not quiet)
        _check_dask(dask)
        result = project.check(chosen or None, conf, iou_v, progress=progress, dask=dask)
        progress.done()
        typer.echo(result.text())
        written: list[tuple[Path, bytes | str]] = []  # all or none of them
        if json_path is not None:
            written.append((json_path, dumps(result.payload())))
        if junit is not None:
            written.append((junit, result.junit()))
        if markdown_path is not None:
            written.append((markdown_path, result.markdown()))
        write_together(written)
        for path, _ in written:
            stderr(f"wrote {path}")
        return 0 if result.passed else 1

    run_guarded(body)


# ----------------------------------------------------------------------------------------------- build
@app.command(cls=PlainCommand, epilog=EXIT_CODES_HELP)
def build(
    project_file: Annotated[
        Path | None, typer.Argument(metavar="PROJECT.yaml", help="The project file (or use --gt and --pred).")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PATH", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    gt: Annotated[
        Location,
        typer.Option("--gt", metavar="PATH", parser=as_location,
                     help="Ground truth, without a project file (All Frames only); a path or a URL."),
    ] = None,
    pred: Annotated[
        list[str] | None,
        typer.Option(
            "--pred", metavar="[NAME=]PATH", help="An inference set, without a project file; repeat for several."
        ),
    ] = None,
    bootstrap_at: Annotated[
        list[str] | None,
        typer.Option(
            "--bootstrap-at",
            metavar="CONF:IOU",
            help="CONFIDENCE:IOU, a preset (besides the project's default) at which to compute the paired-bootstrap "
            "intervals of the differences between inference sets; repeatable.",
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            metavar="TEXT",
            help="The report's title when building from --gt/--pred (default: the ground truth file's stem); a "
            "project file's report takes its name.",
        ),
    ] = None,
    thumbnail_budget: Annotated[
        int,
        typer.Option(
            "--thumbnail-budget",
            metavar="BYTES",
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
    dask: DaskOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Build the self-contained HTML report (Scenarios and Metrics tabs) from a project file or --gt/--pred.

    The file opens from disk, makes no network request, and shows the default view even without JavaScript.
    """

    def body() -> int:
        from reportgen.api import Project, build_report
        from reportgen.errors import InputError
        from reportgen.io import parse_pred_argument
        from reportgen.io.project import load_project
        from reportgen.outputs.destinations import Named, check_outputs, option_inputs, project_inputs
        from reportgen.report.build import project_from_inputs
        from reportgen.report.payload import source_date_epoch

        if thumbnail_budget < 0:
            raise InputError(None, f"--thumbnail-budget: expected a number of bytes >= 0, found {thumbnail_budget}")
        if project_file is not None:
            if gt is not None or pred:
                raise InputError(None, "give either PROJECT.yaml or --gt/--pred, not both")
            if title is not None:
                raise InputError(None, "--title: a project file's report takes the project's name (its 'name:' key)")
            project = load_project(project_file, allow_paths=allow_path or ())
            inputs = project_inputs(project)
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
            if title is not None and not title.strip():
                raise InputError(None, "--title: expected a non-empty title")
            project = project_from_inputs(gt, named, options, title=title)
            inputs = option_inputs(gt, named, image_sizes, class_names)
        check_outputs([Named("--output", output)], inputs)
        source_date_epoch()  # a malformed value fails now, not after the computation
        presets = [_preset(text) for text in bootstrap_at or []]
        if presets and len(project.inference_sets) < 2:
            stderr(
                "warning: --bootstrap-at: the intervals compare two inference sets and this report has one, "
                "so none are computed"
            )
        _check_dask(dask)
        progress = StageProgress(not quiet)
        build_report(Project(project), output, thumbnail_budget=thumbnail_budget, bootstrap_at=presets,
                     progress=progress, dask=dask)  # fmt: skip
        progress.done()
        size = output.stat().st_size
        typer.echo(f"wrote {output} ({size / 1e6:.2f} MB)")
        return 0

    run_guarded(body)


# ----------------------------------------------------------------------------------------------- convert
@app.command(cls=PlainCommand, epilog=EXIT_CODES_HELP)
def convert(
    input_path: Annotated[
        Location,
        typer.Argument(
            metavar="INPUT",
            parser=as_location,
            help="Ground truth or predictions in any input format (COCO JSON, CSV / Parquet / JSONL table, YOLO or "
            "Padilla txt folder, Pascal VOC xml folder); a local path or a URL (s3://..., any fsspec URL).",
        ),
    ],
    output: Annotated[
        Path,
        typer.Argument(
            metavar="OUTPUT", help="The Parquet file to write (with --rows-per-file: a new or empty folder)."
        ),
    ],
    role: Annotated[
        str,
        typer.Option(
            "--role", metavar="ROLE", help="gt: INPUT is ground truth; pred: INPUT is predictions (needs --gt).",
            show_default=True,
        ),
    ] = "gt",
    gt: Annotated[
        Location,
        typer.Option(
            "--gt",
            metavar="PATH",
            parser=as_location,
            help="With --role pred: the ground truth the predictions are for (any format, detected); their frames, "
            "classes and image sizes are resolved against it.",
        ),
    ] = None,
    rows_per_file: Annotated[
        int | None,
        typer.Option(
            "--rows-per-file",
            metavar="N",
            help="Write OUTPUT as a folder of Parquet files of at most N rows each (part-00000.parquet, ...), "
            "read back as one table.",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", metavar="FORMAT", show_default=True,
            help="Format of INPUT: auto, coco, csv, parquet, jsonl, yolo, padilla or voc. 'auto' detects it from the "
            "content.",
        ),
    ] = "auto",
    box_format: BoxOpt = "xywh",
    normalized: NormOpt = False,
    image_sizes: SizesOpt = None,
    class_names: NamesOpt = None,
    ignore_unknown_frames: UnknownOpt = False,
    round_pixels: RoundOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Convert detection ground truth or predictions to Parquet in reportgen's table layout.

    Evaluating the converted files gives the same numbers as the originals. Tables stream in chunks when
    evaluated, COCO JSON does not: convert big COCO or txt data once, then evaluate the Parquet file or folder.
    """

    def body() -> int:
        from reportgen.errors import InputError
        from reportgen.io import load_ground_truth, load_predictions
        from reportgen.io._convert import (
            check_folder_output,
            ground_truth_table,
            predictions_table,
            write_parquet,
        )
        from reportgen.io.options import load_options_from
        from reportgen.outputs.destinations import Named, check_outputs

        if role not in ("gt", "pred"):
            raise InputError(None, f"--role: expected gt or pred, found {role!r}")
        if fmt == "classification":
            raise InputError(
                None, "--format: convert reads detection inputs; a classification table is a table already"
            )
        if rows_per_file is not None and rows_per_file < 1:
            raise InputError(None, f"--rows-per-file: expected a number of rows >= 1, found {rows_per_file}")
        if role == "pred" and gt is None:
            raise InputError(None, "--gt: --role pred needs the ground truth the predictions are for")
        if role == "gt" and gt is not None:
            raise InputError(None, "--gt: give it with --role pred only (with --role gt, INPUT is the ground truth)")
        values = {"format": "auto" if role == "pred" else fmt, "pred_format": fmt, "box_format": box_format,
                  "normalized": normalized, "image_sizes": image_sizes, "class_names": class_names,
                  "ignore_unknown_frames": ignore_unknown_frames, "round_pixels": round_pixels,
                  "task": "detection"}  # fmt: skip
        options = load_options_from(values, label=lambda option: option.flag)
        inputs = [Named(f"the input {str(input_path)!r}", input_path)]
        inputs += [Named(f"--{key} {str(path)!r}", path) for key, path in (
            ("gt", gt), ("image-sizes", image_sizes), ("class-names", class_names)) if path is not None]  # fmt: skip
        created = False
        if rows_per_file is None:
            check_outputs([Named("OUTPUT", output)], inputs)
        else:
            created = check_folder_output(output)
        progress = StageProgress(not quiet)
        try:
            if rows_per_file is not None:  # the folder exists now, so that its files can be checked as outputs
                check_outputs([Named("OUTPUT", output / "part-00000.parquet")], inputs)
            progress(f"reading {gt if role == 'pred' else input_path}")
            if role == "gt":
                table = ground_truth_table(load_ground_truth(input_path, options))
                boxes = table.num_rows - int(table.column("class").null_count)
            else:
                assert gt is not None
                truth = load_ground_truth(gt, options)
                progress(f"reading {input_path}")
                preds = load_predictions(input_path, truth, options, name="converted")
                table = predictions_table(preds, truth)
                boxes = table.num_rows
                if preds.dropped_unknown_frames:
                    progress.done()
                    stderr(f"dropped {preds.dropped_unknown_frames} predictions on frames the ground truth lacks")
            progress(f"writing {output}")
            files = write_parquet(table, output, rows_per_file=rows_per_file)
        except BaseException:
            if created and output.is_dir() and not any(output.iterdir()):
                output.rmdir()  # nothing written: leave nothing behind
            raise
        progress.done()
        what = "objects" if role == "gt" else "predictions"
        where = str(output) if len(files) == 1 and rows_per_file is None else f"{output} ({len(files)} files)"
        typer.echo(f"wrote {where}: {table.num_rows} rows, {boxes} {what}")
        return 0

    run_guarded(body)


# ----------------------------------------------------------------------------------------------- demo
@app.command(cls=PlainCommand, epilog=EXIT_CODES_HELP)
def demo(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the demo project into.")],
    task: Annotated[
        str,
        typer.Option(
            "--task",
            metavar="TASK",
            help="detection (aircraft seen from above, by wing shape) or classification (aircraft crops).",
        ),
    ] = "detection",
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed of the generated data.")] = 0,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace files in DIR that an earlier 'reportgen demo' did not write (without it, such files make "
            "the command refuse, exit 2).",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Write a complete demo project (data, images, project.yaml) into DIR, check it and build its report.

    Writes DIR/report.html, DIR/check.txt, DIR/payload.json, DIR/junit.xml and DIR/summary.md beside the
    project, and lists what it wrote in DIR/.reportgen-demo.json: a later run replaces those files (if unchanged)
    and refuses to replace any other file unless --force is given.
    """

    def body() -> int:
        from reportgen.demo import DEMO_OUTPUTS, MANIFEST, demo_files, foreign_files, manifest_entry
        from reportgen.engine.project_run import run_project
        from reportgen.engine.verdicts import compute_verdicts, junit_xml, markdown, payload, text_table
        from reportgen.errors import InputError
        from reportgen.io.project import load_project
        from reportgen.outputs.atomic import check_writable, write_together
        from reportgen.outputs.metrics_json import dumps
        from reportgen.report.build import build_report
        from reportgen.report.payload import source_date_epoch

        if task not in ("detection", "classification"):
            raise InputError(None, f"--task: expected detection or classification, found {task!r}")
        if os.path.lexists(directory) and not directory.is_dir():
            raise InputError(directory, "exists and is not a folder")
        source_date_epoch()  # a malformed value fails now, not after the computation
        progress = StageProgress(not quiet)
        progress("generating the demo project")
        files = demo_files(task=task, seed=seed)  # type: ignore[arg-type]
        foreign = foreign_files(directory, [*files, *DEMO_OUTPUTS, MANIFEST], files)
        if foreign and not force:
            progress.done()
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise InputError(
                directory,
                f"would replace {len(foreign)} file(s) that an earlier 'reportgen demo' did not write ({shown}); "
                "choose an empty folder, or give --force to replace them",
            )
        try:
            for folder in sorted({(directory / rel).parent for rel in files}):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(directory, f"cannot create the folder: {exc.strerror or exc}") from None
        for rel in DEMO_OUTPUTS:
            check_writable(directory / rel)
        progress(f"writing the demo project into {directory}")
        write_together([(directory / rel, data) for rel, data in files.items()] + [manifest_entry(directory, files)])
        project_file = directory / "project.yaml"
        project = load_project(project_file)
        run = run_project(project, progress=progress, report=True)
        progress.done()
        iou, conf = project.iou, project.confidence
        verdicts = compute_verdicts(run, iou=iou, confidence=conf)
        table = "\n".join(text_table(verdicts, iou=iou, confidence=conf))
        outputs = {
            "check.txt": (table + "\n").encode("utf-8"),
            "payload.json": dumps(payload(verdicts)),
            "junit.xml": junit_xml(verdicts, iou=iou, confidence=conf).encode("utf-8"),
            "summary.md": markdown(verdicts, iou=iou, confidence=conf, project=project.name).encode("utf-8"),
        }
        write_together(
            [(directory / rel, data) for rel, data in outputs.items()] + [manifest_entry(directory, outputs)]
        )
        typer.echo(table)
        report = directory / "report.html"
        build_report(project, report, progress=progress, run=run)
        if report.resolve().is_file():
            write_together([manifest_entry(directory, {"report.html": report.read_bytes()})])
        progress.done()
        typer.echo(
            f"\nwrote {project_file}, {report} and the check results (check.txt, payload.json, junit.xml, summary.md)"
        )
        return 0

    run_guarded(body)


def _preset(text: str) -> tuple[float, float]:
    from reportgen.engine.grids import parse_threshold
    from reportgen.errors import InputError

    parts = text.split(":")
    if len(parts) != 2:
        raise InputError(None, f"--bootstrap-at: expected CONFIDENCE:IOU such as 0.3:0.5, found {text!r}")
    return parse_threshold(parts[0], what="--bootstrap-at confidence"), parse_threshold(
        parts[1], what="--bootstrap-at IoU"
    )


def _check_dask(address: str | None) -> None:
    """A --dask value that names a cluster, with Dask installed (before any work)."""
    if address is not None:
        from reportgen.engine.cluster import parse_address, require_dask

        parse_address(address)
        require_dask()


def _check_unique(names: list[str]) -> None:
    from reportgen.errors import InputError

    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(None, f"--pred: two inference sets are named {name!r}; name them with NAME=PATH")
        seen.add(name)


class _SkipNumbaBlasProbe:
    """An import hook of the CLI process only: numba's first kernel load imports SciPy's BLAS
    (``numba.np.linalg.ensure_blas``) to learn whether ``np.dot`` may be used in jitted code. reportgen's kernels
    use no BLAS, and that import costs about 0.4 s of every run where SciPy is installed, so the import fails when
    (and only when) it comes from that probe: numba then records "no BLAS" for jitted code. Any other import of
    SciPy in the process is untouched."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "scipy" or name.startswith("scipy."):
            probe = os.path.join("numba", "np", "linalg.py")
            frame = sys._getframe(1)
            while frame is not None:
                code = frame.f_code
                if code.co_name == "ensure_blas" and code.co_filename.endswith(probe):
                    raise ImportError(f"{name}: not imported by reportgen's command line (see reportgen.cli)")
                frame = frame.f_back  # type: ignore[assignment]
        return None


def main() -> None:
    sys.meta_path.insert(0, _SkipNumbaBlasProbe())
    try:
        app()
    except Exception:  # raised outside a command body (run_guarded): still a bug, still exit 3
        _internal_error()
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
