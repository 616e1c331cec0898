"""How a value is shown against its target: the one display rule of every output (the report's static view, the
page's ``RG.scoreText`` / ``RG.thresholdText`` mirror it, and the text outputs of ``check``).

A failing score never reads as meeting its threshold, a passing one never as below it: where the usual 4 decimals
would say otherwise, more are shown (0.79996 against 0.8 shows "0.79996").
"""

from __future__ import annotations

import math

#: what an undefined value shows as in the report (the text outputs use "-")
DASH = "–"


def score_text(
    score: float | None, threshold: float | None = None, digits: int = 4, *, exact: bool = False, dash: str = DASH
) -> str:
    """A score with ``digits`` decimals, more where score and threshold would otherwise read wrongly: a failing
    score never reads as meeting its threshold (0.79996 against 0.8 shows "0.79996"), a passing one never reads
    as below the threshold as shown (0.72223 against an ``exact`` 0.72223 shows "0.72223"). ``None``
    (undefined) is a dash.

    The same rule as ``RG.scoreText`` in static/js/format.js; the text outputs of ``check`` use it too.
    """
    if score is None or math.isnan(score):
        return dash
    text = f"{score:.{digits}f}"
    if threshold is not None and not math.isnan(threshold):
        if score < threshold:
            while float(text) >= threshold and digits < 17:
                digits += 1
                text = f"{score:.{digits}f}"
        else:
            shown = float(threshold_text(threshold, None, exact=exact))
            while float(text) < shown and digits < 17:
                digits += 1
                text = f"{score:.{digits}f}"
    return text


def threshold_text(
    threshold: float | None, score: float | None = None, *, exact: bool = False, dash: str = DASH
) -> str:
    """A threshold with the fewest decimals (2 to 4) that show it exactly, else 4; ``exact`` (an absolute
    target, written by a person): the fewest decimals from 2 up that show it exactly (0.72223). When ``score``
    fails it, more decimals until the shown threshold is above the shown score. Same rule as
    ``RG.thresholdText``."""
    if threshold is None or math.isnan(threshold):
        return dash
    text = f"{threshold:.4f}"
    for digits in range(2, 18 if exact else 5):
        candidate = f"{threshold:.{digits}f}"
        if float(candidate) == threshold:
            text = candidate
            break
    if score is not None and not math.isnan(score) and score < threshold:
        shown = float(score_text(score, threshold))
        digits = len(text.split(".")[1])
        while float(text) <= shown and digits < 17:
            digits += 1
            text = f"{threshold:.{digits}f}"
    return text
