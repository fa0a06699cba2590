#!/usr/bin/env bash
# Install the pinned numpy of the array tests (tests/numpy/requirements.txt)
# into target/numpy-venv, made with the machine's python3 -m venv (the
# machine's python3 stays bare). Idempotent; fails loudly.
#
#   scripts/setup-numpy.sh      prints the venv's python on its last line
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${NUMPY_VENV:-$repo/target/numpy-venv}"
reqs="$repo/tests/numpy/requirements.txt"
py="$venv/bin/python"
stamp="$venv/.numpy-requirements"

fail() { echo "setup-numpy: ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || fail "python3 is not on PATH"
want="$(sha256sum "$reqs" | cut -d' ' -f1) $(python3 -c 'import sys; print(sys.version.split()[0], sys.executable)')"

if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$py" -c 'import numpy' >/dev/null 2>&1; then
    echo "setup-numpy: $venv up to date"
    echo "$py"
    exit 0
fi
if [ ! -x "$py" ] || ! "$py" -c 'import sys' >/dev/null 2>&1; then
    echo "setup-numpy: creating $venv (python3 -m venv)"
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv $venv failed (Debian: apt-get install python3-venv)"
fi
rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check --no-input -q -r "$reqs" || fail "pip install -r $reqs failed"
"$py" -c 'import numpy' || fail "numpy does not import in $venv"
echo "$want" >"$stamp"
echo "setup-numpy: installed into $venv"
echo "$py"
