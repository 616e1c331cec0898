from __future__ import annotations

import pytest

from reportgen.engine.grids import DEFAULT_CONFIDENCE_GRID, DEFAULT_IOU_GRID, parse_grid, parse_threshold
from reportgen.errors import InputError


def test_default_grids_are_exact_decimals():
    conf = parse_grid(DEFAULT_CONFIDENCE_GRID)
    assert len(conf) == 20
    assert conf[3] == 0.15 == float("0.15")
    assert conf[-1] == 0.95
    iou = parse_grid(DEFAULT_IOU_GRID)
    assert iou.tolist() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]


def test_off_grid_threshold_is_exact():
    assert parse_threshold("0.33", what="--confidence") == 0.33


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0:1.5:0.5", "values must lie in [0, 1], found 1.5"),
        ("a", "expected a number, found 'a'"),
        ("0:1:0", "step must be positive"),
        ("0.1:0.2", "expected 'value' or 'start:stop:step'"),
    ],
)
def test_bad_grids(spec, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_grid(spec, what="--iou-grid")
