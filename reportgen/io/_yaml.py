"""YAML read safely: alias expansion and nesting are bounded on the parser's events, before anything is built
(docs/limits.md). Used for the project file and a YOLO ``data.yaml`` of class names."""

from __future__ import annotations

from typing import Any

import yaml

from reportgen.errors import InputError
from reportgen.io._location import Location
from reportgen.io._where import short
from reportgen.limits import MAX_YAML_ALIASES, MAX_YAML_DEPTH


def check_yaml_events(path: Location | str, text: str) -> None:
    """Bound YAML alias expansion and nesting before anything is built (a billion-laughs file, a recursive alias
    or a thousand nested lists would hang or exhaust the composer and every walk after it).

    Aliases are counted as expanded: an anchor holding ``k`` aliases and used ``n`` times counts ``n * (k + 1)``.
    """
    stack: list[list[Any]] = []  # [anchor, aliases expanded inside] of each open mapping / list
    inside_anchor: dict[str, int] = {}
    total = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 0])
            if len(stack) > MAX_YAML_DEPTH:
                raise InputError(path, f"expected mappings and lists nested at most {MAX_YAML_DEPTH} deep", line=line)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            if anchor is not None:
                inside_anchor[anchor] = count
            if stack:
                stack[-1][1] += count
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in stack):
                raise InputError(
                    path, f"alias *{short(str(event.anchor))[1:-1]} refers to a mapping or list that contains it "
                    "(a recursive alias)", line=line,
                )  # fmt: skip
            count = 1 + inside_anchor.get(str(event.anchor), 0)
            total += count
            if stack:
                stack[-1][1] += count
            if total > MAX_YAML_ALIASES:
                raise InputError(
                    path, f"expected at most {MAX_YAML_ALIASES:,} YAML aliases once expanded, found more", line=line
                )
