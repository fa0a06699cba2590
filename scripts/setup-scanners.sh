#!/usr/bin/env bash
# Install the pickle scanners (picklescan, modelscan, fickling;
# tests/scanners/requirements.txt, every version pinned) into a
# virtual environment of the project, target/scanners-venv, made with the
# machine's python3 -m venv. Never touches the system Python.
# Idempotent and quick when the venv is already up to date; fails loudly
# when it cannot create the venv or install the pins.
#
#   scripts/setup-scanners.sh      prints the venv's python on its last line
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SCANNERS_VENV:-$repo/target/scanners-venv}"
reqs="$repo/tests/scanners/requirements.txt"
py="$venv/bin/python"
stamp="$venv/.scanners-requirements"

fail() { echo "setup-scanners: ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || fail "python3 is not on PATH"
[ -f "$reqs" ] || fail "$reqs missing"

# What the venv must match: the pins and the interpreter it was made from.
want="$(sha256sum "$reqs" | cut -d' ' -f1) $(python3 -c 'import sys; print(sys.version.split()[0], sys.executable)')"

if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && "$py" -c 'import picklescan, modelscan, fickling.analysis' >/dev/null 2>&1; then
    echo "setup-scanners: $venv up to date"
    echo "$py"
    exit 0
fi

if [ ! -x "$py" ] || ! "$py" -c 'import sys' >/dev/null 2>&1; then
    echo "setup-scanners: creating $venv (python3 -m venv)"
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv $venv failed (Debian: apt-get install python3-venv)"
fi
[ -x "$py" ] || fail "$py missing after python3 -m venv"

echo "setup-scanners: pip install -r tests/scanners/requirements.txt"
rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check --no-input -q -r "$reqs" \
    || fail "pip install -r $reqs failed"
"$py" -m pip check || fail "pip check found broken requirements in $venv"
"$py" -c 'import picklescan, modelscan, fickling.analysis' \
    || fail "the scanners do not import in $venv"
echo "$want" >"$stamp"
echo "setup-scanners: installed into $venv"
echo "$py"
