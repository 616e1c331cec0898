"""Threshold grids built from exact decimals.

``0.15`` on a grid is the float nearest to 15/100, never ``3 * 0.05``: grids are built from integers or
decimal strings, so a score written as ``0.15`` in a file equals the grid value ``0.15``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np

from reportgen.errors import InputError
from reportgen.io.containers import FloatArray
from reportgen.limits import MAX_GRID_VALUES

DEFAULT_CONFIDENCE = 0.1
DEFAULT_IOU = 0.5
#: 0.00, 0.05, ..., 0.95
DEFAULT_CONFIDENCE_GRID = "0:0.95:0.05"
#: 0.1 .. 0.9 by 0.1, plus COCO's 0.50:0.05:0.95
DEFAULT_IOU_GRID = "0.1:0.9:0.1,0.5:0.95:0.05"

#: pycocotools' own IoU thresholds (np.linspace, as COCOeval builds them) for the COCO summary only.
COCO_IOU_THRESHOLDS: FloatArray = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
COCO_RECALL_THRESHOLDS: FloatArray = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)


def _excerpt(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}... ({len(text)} characters)"


def _number(value: Decimal) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:40]}... ({len(text)} characters)"


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InputError(None, f"{what}: expected a number, found {text.strip()!r}") from None
    if not value.is_finite():
        raise InputError(None, f"{what}: expected a finite number, found {text.strip()!r}")
    return value


def parse_grid(spec: str, *, what: str = "grid") -> FloatArray:
    """Parse ``"0:0.95:0.05"``, ``"0.5,0.75"`` or a mix (``"0.1:0.9:0.1,0.95"``) into sorted unique floats.

    ``start:stop:step`` includes ``stop`` when it is on the grid. Values must lie in [0, 1]; a grid holds at
    most :data:`~reportgen.limits.MAX_GRID_VALUES` values.
    """
    too_many = f"{what}: expected at most {MAX_GRID_VALUES:,} values, found more in {_excerpt(spec)}"
    if spec.count(",") >= MAX_GRID_VALUES:
        raise InputError(None, too_many)
    values: set[Decimal] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            raise InputError(None, f"{what}: empty entry in {spec!r}")
        pieces = part.split(":")
        if len(pieces) == 1:
            values.add(_decimal(pieces[0], what))
        elif len(pieces) == 3:
            start, stop, step = (_decimal(p, what) for p in pieces)
            if step <= 0:
                raise InputError(None, f"{what}: step must be positive, found {_excerpt(pieces[2])}")
            if stop < start:
                raise InputError(None, f"{what}: range {_excerpt(part)} ends before it starts")
            for bound in (start, stop):
                if bound < 0 or bound > 1:
                    raise InputError(None, f"{what}: values must lie in [0, 1], found {_number(bound)}")
            # stop - start <= 1, so the quotient is below 1 / step: compare before dividing (a tiny step
            # would make the division itself, and then the range, enormous)
            if step * MAX_GRID_VALUES < stop - start:
                raise InputError(None, too_many)
            count = int((stop - start) // step)
            values.update(start + k * step for k in range(count + 1))
            if len(values) > MAX_GRID_VALUES:
                raise InputError(None, too_many)
        else:
            raise InputError(None, f"{what}: expected 'value' or 'start:stop:step', found {part!r}")
    for v in values:
        if v < 0 or v > 1:
            raise InputError(None, f"{what}: values must lie in [0, 1], found {_number(v)}")
    if len(values) > MAX_GRID_VALUES:
        raise InputError(None, too_many)
    return np.array([float(v) for v in sorted(values)], dtype=np.float64)


def parse_threshold(text: str | float, *, what: str) -> float:
    """One threshold in [0, 1], exact decimal."""
    value = _decimal(str(text), what)
    if value < 0 or value > 1:
        raise InputError(None, f"{what}: expected a value in [0, 1], found {text}")
    return float(value)


def with_value(grid: FloatArray, value: float) -> FloatArray:
    """``grid`` with ``value`` added (kept sorted, unique): an off-grid preset is computed exactly."""
    return np.unique(np.append(grid, value))


def index_of(grid: FloatArray, value: float) -> int:
    """Position of ``value`` in ``grid`` (it must be there)."""
    hits = np.flatnonzero(grid == value)
    if hits.size == 0:
        raise KeyError(value)
    return int(hits[0])
