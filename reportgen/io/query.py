"""Segment queries over the frame table, evaluated safely.

A query is parsed with :mod:`ast` and only a closed set of nodes is accepted: column names, literals, lists
of literals, comparisons, ``in`` / ``not in``, ``and`` / ``or`` / ``not``. Nothing reachable from a project
file can access attributes, call functions or index objects. Evaluation is vectorised over pandas columns.

What a query may compare (docs/project-file.md):

- ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``: a column with a column or with one value: a string, a number
  (``-`` allowed) or ``True`` / ``False``.
- ``in`` / ``not in``: a column on the left, a list (or tuple) of such values on the right.
- Anything else (a list compared with ``==``, ``None``, ``...``, bytes, complex numbers, a list inside a list)
  is refused with a message. Nesting is bounded at :data:`reportgen.limits.MAX_QUERY_DEPTH` levels.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from reportgen.errors import printable
from reportgen.io.containers import BoolArray
from reportgen.limits import MAX_QUERY_DEPTH

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
    """A query that does not parse or names an unknown column; the message (one printable line) says which."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


def _rewrite_backticks(text: str) -> tuple[str, dict[str, str]]:
    names: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        key = f"__col{len(names)}__"
        names[key] = m.group(1)
        return key

    return _BACKTICK.sub(sub, text), names


_TOO_DEEP = f"is nested more than {MAX_QUERY_DEPTH} levels deep"


def _depth(tree: ast.AST) -> int:
    """Nesting depth of ``tree``, walked without recursion."""
    deepest = 0
    todo = [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_QUERY_DEPTH:
            break
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _is_value(node: ast.expr) -> bool:
    """A string, a number (optionally negated) or True / False."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
        return isinstance(node, ast.Constant) and type(node.value) in (int, float)
    return isinstance(node, ast.Constant) and type(node.value) in (str, int, float, bool)


def _shown(node: ast.expr) -> str:
    text = ast.unparse(node)
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}..."


def _check_operands(node: ast.Compare) -> None:
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(left, ast.Name) or not isinstance(right, (ast.List, ast.Tuple)):
                raise QueryError("'in' needs a column on the left and a list on the right")
            for element in right.elts:
                if not _is_value(element):
                    raise QueryError(
                        f"a list after 'in' holds strings, numbers or True / False, found {_shown(element)}"
                    )
        else:
            for side in (left, right):
                if not isinstance(side, ast.Name) and not _is_value(side):
                    raise QueryError(
                        f"compares a column with a column, a string, a number or True / False, found {_shown(side)}"
                        + (" (use 'in' for a list)" if isinstance(side, (ast.List, ast.Tuple)) else "")
                    )
        left = right


def parse_query(text: str) -> ast.Expression:
    """Parse and check a query; raises :class:`QueryError` naming what is not allowed."""
    rewritten, _ = _rewrite_backticks(text)
    try:
        tree = ast.parse(rewritten.strip(), mode="eval")
    except SyntaxError as exc:
        if "too many nested parentheses" in str(exc.msg):
            raise QueryError(_TOO_DEEP) from None
        raise QueryError(f"does not parse: {exc.msg} at column {exc.offset}") from None
    except (RecursionError, MemoryError):
        raise QueryError(_TOO_DEEP) from None
    except ValueError as exc:  # a NUL character, a lone surrogate
        raise QueryError(f"does not parse: {str(exc).splitlines()[0]}") from None
    if _depth(tree) > MAX_QUERY_DEPTH:
        raise QueryError(_TOO_DEEP)
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
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            _check_operands(node)
        if isinstance(node, ast.Constant) and type(node.value) not in (str, int, float, bool):
            raise QueryError(f"{_shown(node)} is not a value a query can use (strings, numbers, True, False)")
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
            missing = col.isna().to_numpy()
            return np.array([not m and bool(v) for v, m in zip(col.tolist(), missing, strict=True)], dtype=bool)
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
