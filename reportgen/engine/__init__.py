"""The engine: matching (one pass per IoU), counts at every preset, the COCO summary, curves, VOC AP,
comparisons and verdicts. Numpy in, typed dataclasses out; no I/O, no formatting."""
