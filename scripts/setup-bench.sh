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
base="${BENCH_PYTHON:-python3}"
venv="${BENCH_VENV:-$repo/target/bench-venv}"
reqs="$repo/benches/requirements.txt"
py="$venv/bin/python"
stamp="$venv/.bench-requirements"

fail() { echo "setup-bench: ERROR: $*" >&2; exit 1; }

command -v "$base" >/dev/null 2>&1 || fail "$base is not on PATH"
[ -f "$reqs" ] || fail "$reqs missing"

want="$(sha256sum "$reqs" | cut -d' ' -f1) $("$base" -c 'import sys; print(sys.version.split()[0], sys.executable)')"

if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && "$py" -c 'import msgpack' >/dev/null 2>&1; then
    echo "setup-bench: $venv up to date" >&2
    echo "$py"
    exit 0
fi

if [ ! -x "$py" ] || ! "$py" -c 'import sys' >/dev/null 2>&1; then
    echo "setup-bench: creating $venv ($base -m venv)" >&2
    rm -rf "$venv"
    "$base" -m venv "$venv" || fail "$base -m venv $venv failed (Debian: apt-get install python3-venv)"
fi
[ -x "$py" ] || fail "$py missing after $base -m venv"

echo "setup-bench: pip install -r benches/requirements.txt" >&2
rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check --no-input -q -r "$reqs" >&2 \
    || fail "pip install -r $reqs failed"
"$py" -c 'import msgpack' || fail "msgpack does not import in $venv"
echo "$want" >"$stamp"
echo "setup-bench: installed into $venv" >&2
echo "$py"
