#!/usr/bin/env bash
# Runs the whole test suite, installing first if needed (the install step is a no-op when done).
#   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-render
exec .venv/bin/python -m pytest -n auto "$@"  # -n auto: one worker per core (pytest-xdist)
