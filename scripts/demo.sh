#!/usr/bin/env bash
# Build the demo: install reportgen into .venv, write the demo project into ./demo, check it and build its report.
# Usage: bash scripts/demo.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-demo}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
.venv/bin/reportgen demo "$dir"
