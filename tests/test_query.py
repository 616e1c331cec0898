from __future__ import annotations

import pandas as pd
import pytest

from reportgen.io.query import QueryError, evaluate_query

TABLE = pd.DataFrame(
    {
        "distance_m": [50, 150, 300, None],
        "weather": ["rain", "clear", "rain", "fog"],
        "labeling provider": ["X", "Y", "X", "Y"],
        "night": [True, False, True, False],
    }
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("distance_m > 100", [False, True, True, False]),
        ('distance_m > 100 and weather == "rain"', [False, False, True, False]),
        ('weather in ["rain", "fog"]', [True, False, True, True]),
        ('weather not in ["rain"]', [False, True, False, True]),
        ("not (distance_m > 100)", [True, False, False, True]),
        ('`labeling provider` == "X" or night', [True, False, True, False]),
        ("100 < distance_m <= 300", [False, True, True, False]),
        ("distance_m >= -1", [True, True, True, False]),
    ],
)
def test_queries(query, expected):
    assert evaluate_query(query, TABLE).tolist() == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("speed > 3", "unknown column 'speed'"),
        ("distance_m >", "does not parse"),
        ("__import__('os').system('x')", "Call is not allowed"),
        ("weather.upper() == 'RAIN'", "Call is not allowed"),
        ("distance_m + 1 > 3", "BinOp is not allowed"),
        ("weather[0] == 'r'", "Subscript is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
    ],
)
def test_rejected_queries(query, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate_query(query, TABLE)
