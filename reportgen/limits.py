"""Every bound reportgen puts on its inputs, in one place (documented, with its message, in docs/limits.md).

Each is far above what a real project reaches; an input beyond one is refused with an error naming the
limit, instead of a hang, an exhausted memory or a silent overflow.
"""

from __future__ import annotations

#: coordinates, box sizes and image sizes (pixels) are at most this large in magnitude: products and sums of
#: such values stay far from float64 overflow (areas, IoU), and no real image comes near
MAX_COORDINATE = 1e12
#: a given ``area`` is at most the square of that
MAX_AREA = MAX_COORDINATE * MAX_COORDINATE
#: YAML aliases in a project file, counted as expanded (an alias inside an anchor used twice counts twice)
MAX_YAML_ALIASES = 1_000
#: nesting of mappings and lists in a project file
MAX_YAML_DEPTH = 100
#: nesting of a segment query (parentheses, not, and / or, comparisons)
MAX_QUERY_DEPTH = 100
#: values of one threshold grid (confidence or IoU)
MAX_GRID_VALUES = 10_000
#: pixels of one image read for a thumbnail (PIL's own decompression-bomb guard starts near 89 million)
MAX_IMAGE_PIXELS = 100_000_000
#: characters of a value quoted in an error message at most; longer values are cut, so a message never
#: echoes a whole line of a file that a project pointed at
EXCERPT_CHARS = 40


def size_expected(value: float, noun: str = "number") -> str:
    """What an image size must be, as an error message says it for ``value``."""
    return f"a positive {noun} at most 1e12" if value > MAX_COORDINATE else f"a positive {noun}"
