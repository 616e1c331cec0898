"""The one error type users see.

Library code raises :class:`InputError` for anything wrong with what the user gave (files, options, the
project file). The CLI prints its message as ``Error: ...`` and exits with code 2. Any other exception is a
bug and keeps its traceback.
"""

from __future__ import annotations

import os


class ReportgenError(Exception):
    """Base class of reportgen's user-facing errors."""


class InputError(ReportgenError):
    """Bad user input, located as precisely as possible.

    ``InputError(path, "expected a number, found 'abc'", line=12, field="score")`` renders as
    ``preds.csv: line 12: field 'score': expected a number, found 'abc'``.
    ``record`` is used for records that have no line number (an index in a JSON array:
    ``record="annotations[3]"``). Characters that are not printable are escaped (:func:`printable`).
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | None,
        message: str,
        *,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.source = str(source) if source is not None else None
        self.line = line
        self.record = record
        self.field = field
        self.detail = message
        parts: list[str] = []
        if self.source:
            parts.append(self.source)
        if line is not None:
            parts.append(f"line {line}")
        if record is not None:
            parts.append(record)
        if field is not None:
            parts.append(f"field '{field}'")
        parts.append(message)
        super().__init__(printable(": ".join(parts)))

    def __reduce__(self) -> tuple[object, ...]:
        # an error raised on a Dask worker reaches the command line whole (pickled with its location)
        return (_input_error, (self.source, self.detail, self.line, self.record, self.field))


def _input_error(
    source: str | None, message: str, line: int | None, record: str | None, field: str | None
) -> InputError:
    return InputError(source, message, line=line, record=record, field=field)


def printable(text: str) -> str:
    """``text`` with every non-printable character (ESC, CR, a newline, a lone surrogate, ...) written as its
    Python escape, so that an error is one line that a terminal shows as is, whatever the input held."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
