"""reportgen: offline model-evaluation reports.

Public entry points live in :mod:`reportgen.api`; everything else is private implementation.
"""

__version__ = "0.1.0"
