"""Segment queries over the frame table, evaluated safely.

A query is parsed with :mod:`ast` and only a closed set of nodes is accepted: column names, literals, lists
of literals, comparisons, ``in`` / ``not in``, ``and`` / ``or`` / ``not``. Nothing reachable from a project
file can access attributes, call functions or index objects. Evaluation is vectorised over pandas columns.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from reportgen.io.containers import BoolArray

_BACKTICK = re.compile(r"`([^`]*)`")

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


class QueryError(ValueError):
    """A query that does not parse or names an unknown column; the message says which."""


def _rewrite_backticks(text: str) -> tuple[str, dict[str, str]]:
    names: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        key = f"__col{len(names)}__"
        names[key] = m.group(1)
        return key

    return _BACKTICK.sub(sub, text), names


def parse_query(text: str) -> ast.Expression:
    """Parse and check a query; raises :class:`QueryError` naming what is not allowed."""
    rewritten, _ = _rewrite_backticks(text)
    try:
        tree = ast.parse(rewritten.strip(), mode="eval")
    except SyntaxError as exc:
        raise QueryError(f"does not parse: {exc.msg} at column {exc.offset}") from None
    for node in ast.walk(tree):
        allowed = (
            ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare,
            ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple, ast.In, ast.NotIn, *_COMPARE,
        )  # fmt: skip
        if not isinstance(node, allowed):
            raise QueryError(
                f"{type(node).__name__} is not allowed (only columns, literals, comparisons, "
                "in / not in, and / or / not)"
            )
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and not isinstance(node.operand, ast.Constant)
        ):
            raise QueryError("'-' applies to number literals only")
    return tree


def query_columns(text: str) -> set[str]:
    """Column names a query refers to."""
    _, names = _rewrite_backticks(text)
    tree = parse_query(text)
    return {names.get(n.id, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name)}


def evaluate_query(text: str, table: pd.DataFrame) -> BoolArray:
    """Rows of ``table`` that satisfy the query, as a boolean array."""
    _, names = _rewrite_backticks(text)
    tree = parse_query(text)
    unknown = sorted(c for c in query_columns(text) if c not in table.columns)
    if unknown:
        raise QueryError(
            f"unknown column {unknown[0]!r} (the frame table has: {', '.join(map(str, table.columns)) or 'no columns'})"
        )

    def literal(node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            operand = node.operand.value
            if isinstance(operand, bool) or not isinstance(operand, (int, float)):
                raise QueryError(f"'-' applies to numbers, found {ast.unparse(node)!r}")
            return -operand
        if isinstance(node, (ast.List, ast.Tuple)):
            return [literal(e) for e in node.elts]
        raise QueryError(f"expected a literal, found {ast.unparse(node)!r}")

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            return table[names.get(node.id, node.id)]
        return literal(node)

    def mask(node: ast.expr) -> BoolArray:
        if isinstance(node, ast.BoolOp):
            parts = [mask(v) for v in node.values]
            out = parts[0]
            for p in parts[1:]:
                out = (out & p) if isinstance(node.op, ast.And) else (out | p)
            return out
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ~mask(node.operand)
        if isinstance(node, ast.Compare):
            out = np.ones(len(table), dtype=bool)
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                out &= compare(op, value(left), value(right))
                left = right
            return out
        if isinstance(node, ast.Name):
            col = table[names.get(node.id, node.id)]
            return np.asarray(col.fillna(False).astype(bool), dtype=bool)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return np.full(len(table), node.value, dtype=bool)
        raise QueryError(f"expected a condition, found {ast.unparse(node)!r}")

    def compare(op: ast.cmpop, a: Any, b: Any) -> BoolArray:
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(a, pd.Series) or not isinstance(b, list):
                raise QueryError("'in' needs a column on the left and a list on the right")
            hit = np.asarray(a.isin(b), dtype=bool)
            return hit if isinstance(op, ast.In) else (~hit & np.asarray(a.notna(), dtype=bool))
        try:
            res = _COMPARE[type(op)](a, b)
        except TypeError as exc:
            raise QueryError(f"cannot compare: {exc}") from None
        if isinstance(res, pd.Series):
            return np.asarray(res.fillna(False), dtype=bool)
        return np.full(len(table), bool(res), dtype=bool)

    return mask(tree.body)
