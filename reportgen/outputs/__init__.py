"""Outputs: where a run may write (never over an input), all-or-nothing writes, ``evaluate --json`` and the
printed report. (The outputs of ``check`` are written from :mod:`reportgen.engine.verdicts`.)"""
