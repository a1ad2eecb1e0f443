#!/usr/bin/env bash
# Runs the whole test suite, installing first if needed (the install step is a no-op when done):
# lint (ruff), format (ruff format), types (mypy, pyproject.toml's files and settings), then
# pytest. Any failing step fails the run; the checks all run first, so one run names them all.
#   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-render  # brings ruff and mypy too (the test extra)

failed=()
.venv/bin/ruff check . || failed+=("ruff check")
.venv/bin/ruff format --check . || failed+=("ruff format --check")
.venv/bin/mypy || failed+=("mypy")
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: failed: ${failed[*]} (pytest not run)" >&2
  exit 1
fi
# -n auto: one worker per core (pytest-xdist); loadgroup: the tests of one scene case share
# one worker, which runs each scene once for all of them (tests/scene_runs.py)
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
