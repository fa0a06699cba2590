#!/usr/bin/env bash
# Install the Python load benchmark's dependency (msgpack, pinned in
# benches/requirements.txt) into a virtual environment of the project,
# target/bench-venv, made with the machine's python3 -m venv. Never touches
# the system Python. Idempotent and quick when the venv is up to date.
#
#   scripts/setup-bench.sh      prints the venv's python on its last line
#
# benches/python_load.py runs with the stock python3 and starts the venv's
# python (the same CPython, venv made from it) only for the msgpack timings.
# PyPy: BENCH_VENV=target/bench-venv-pypy BENCH_PYTHON=pypy3 scripts/setup-bench.sh
# (msgpack's pure-Python fallback on PyPy).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/pinned-venv.sh
. "$repo/scripts/lib/pinned-venv.sh"
pinned_venv bench "${BENCH_VENV:-$repo/target/bench-venv}" "$repo/benches/requirements.txt" msgpack \
    "${BENCH_PYTHON:-python3}"
