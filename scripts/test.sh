#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs ruff, mypy and pytest.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null
  else
    sudo apt-get update -q >/dev/null && sudo apt-get install -y -q chromium >/dev/null
  fi
fi

# A project virtual environment with the package and its test-only dependencies (oracles, linters).
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"

echo "== ruff"
.venv/bin/ruff check reportgen tests benchmarks
echo "== mypy (strict, package; and the API example as a user's code)"
.venv/bin/mypy
.venv/bin/mypy --strict tests/api_example.py
echo "== pytest"
.venv/bin/python -m pytest -n 2 "$@"
