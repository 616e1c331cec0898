"""Static charts for the no-JavaScript view, drawn with matplotlib's object API (no pyplot global state).

SVG output is deterministic: fixed ``svg.hashsalt``, no date metadata, ids scoped by a prefix.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# Okabe-Ito: distinguishable for colour-blind readers
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
#: marker of each series' current point, the page's shapes (circle, square, diamond, triangle: RG.marker)
SERIES_MARKERS = ("o", "s", "D", "^")
SERIES_DASHES = ("-", (0, (6, 3)), (0, (1, 2)), (0, (6, 2, 1, 2)))


def pr_curve_svg(
    series: Sequence[tuple[str, np.ndarray, np.ndarray, tuple[float, float] | None]],
    *,
    precision_target: float | None,
    recall_target: float | None,
    title: str,
    id_prefix: str = "pr",
) -> str:
    """A PR curve chart as inline SVG.

    Args:
        series: ``(label, recall, precision, operating_point)`` per inference set; NaN points are skipped;
            ``operating_point`` is ``(recall, precision)`` at the current confidence.
        precision_target / recall_target: drawn as dotted lines when set.
    """
    # text.parse_math off: names are shown as written ("$x$" is no formula, a lone "$" no parse error)
    with mpl.rc_context({"svg.hashsalt": id_prefix, "svg.fonttype": "none", "font.size": 9, "text.parse_math": False}):
        fig = Figure(figsize=(4.2, 3.4), dpi=100)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        for n, (label, recall, precision, point) in enumerate(series):
            colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
            marker = SERIES_MARKERS[n % len(SERIES_MARKERS)]
            ok = ~(np.isnan(recall) | np.isnan(precision))
            # the legend shows the line and the marker of the current point: colour is not the only signal
            dashes = SERIES_DASHES[n % len(SERIES_DASHES)]
            ax.plot(recall[ok], precision[ok], color=colour, linewidth=1.6, linestyle=dashes, marker=marker,
                    markevery=[], label=label, gid=f"series-{n}")  # fmt: skip
            if point is not None and not any(np.isnan(point)):
                ax.plot([point[0]], [point[1]], marker, color=colour, markersize=6, markeredgecolor="white",
                        gid=f"point-{n}")  # fmt: skip
        if precision_target is not None:
            ax.axhline(precision_target, color="#555555", linestyle=":", linewidth=1.2, label="precision target")
        if recall_target is not None:
            ax.axvline(recall_target, color="#555555", linestyle="--", linewidth=1.0, label="recall target")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title(title, fontsize=9)
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.legend(loc="lower left", fontsize=8, frameon=False)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    # matplotlib's "*{...}" style would reach the whole page once inlined
    text = re.sub(r"\s*<style[^>]*>.*?</style>", "", text, flags=re.S)
    # scope generated ids so several charts can share one page
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{id_prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{id_prefix}-{m.group(1)})", text)
    # one pass for both spellings: a second pass for plain href would match inside xlink:href and prefix twice
    text = re.sub(r'(?<![\w:-])((?:xlink:)?href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{id_prefix}-{m.group(2)}"',
                  text)  # fmt: skip
    return text.replace('<svg ', '<svg role="img" aria-label="Precision-recall curve" ', 1)
