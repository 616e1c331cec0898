"""reportgen: offline model-evaluation reports.

The public API (documented in ``docs/api.md``) is re-exported here from :mod:`reportgen.api`. Names resolve on
first use (PEP 562), so ``import reportgen`` loads nothing heavy and the command line starts fast::

    import reportgen

    ev = reportgen.evaluate("gt.json", {"v1": "dets.json"})
    ev["v1"].at(confidence=0.3, iou=0.5).report
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from reportgen.api import (
        Averages,
        CheckResult,
        Evaluation,
        GroundTruth,
        InferenceSetResult,
        InputError,
        Predictions,
        PresetReport,
        Project,
        Report,
        build_report,
        evaluate,
        load_ground_truth,
        load_predictions,
    )

__all__ = [
    "Averages",
    "CheckResult",
    "Evaluation",
    "GroundTruth",
    "InferenceSetResult",
    "InputError",
    "Predictions",
    "PresetReport",
    "Project",
    "Report",
    "__version__",
    "build_report",
    "evaluate",
    "load_ground_truth",
    "load_predictions",
]


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        from reportgen import api

        value = getattr(api, name)
        globals()[name] = value  # resolved once
        return value
    raise AttributeError(f"module 'reportgen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
