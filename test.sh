#!/usr/bin/env bash
# Installs the test tools (pip packages, Debian's Chromium for the browser tests), then runs
# the linters and every test. Usage: ./test.sh [pytest args]
# The tests run in parallel, one worker per core, each test file on one worker (its module's
# server is shared); `./test.sh -n 0 tests/unit` runs a part in one process.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

echo "== installing the pinned Python packages"
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

echo "== ruff"
ruff check .
ruff format --check .

echo "== pytest"
python -m pytest -q -n auto --dist loadfile "$@"
