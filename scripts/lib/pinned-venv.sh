# Sourced by the scripts/setup-*.sh that install pinned Python packages
# into a virtual environment of the project under target/ (the machine's
# python3 stays bare: "nothing installed on the reading side" is what the
# tests prove).
#
#   pinned_venv NAME VENV REQUIREMENTS IMPORTS [BASE_PYTHON]
#
# Makes VENV with BASE_PYTHON -m venv (default python3), installs
# REQUIREMENTS (every version pinned) and checks that `import IMPORTS`
# works. Idempotent and quick when the venv matches the pins and the
# interpreter it was made from; fails loudly otherwise. Progress goes to
# stderr; the venv's python is printed on stdout, last.

pinned_venv() {
    local name="$1" venv="$2" reqs="$3" imports="$4" base="${5:-python3}"
    local py="$venv/bin/python" stamp="$venv/.$name-requirements" want
    fail() { echo "setup-$name: ERROR: $*" >&2; exit 1; }

    command -v "$base" >/dev/null 2>&1 || fail "$base is not on PATH"
    [ -f "$reqs" ] || fail "$reqs missing"
    # What the venv must match: the pins and the interpreter it was made from.
    want="$(sha256sum "$reqs" | cut -d' ' -f1) $("$base" -c 'import sys; print(sys.version.split()[0], sys.executable)')"

    if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
        && "$py" -c "import $imports" >/dev/null 2>&1; then
        echo "setup-$name: $venv up to date" >&2
        echo "$py"
        return 0
    fi
    if [ ! -x "$py" ] || ! "$py" -c 'import sys' >/dev/null 2>&1; then
        echo "setup-$name: creating $venv ($base -m venv)" >&2
        rm -rf "$venv"
        "$base" -m venv "$venv" || fail "$base -m venv $venv failed (Debian: apt-get install python3-venv)"
    fi
    [ -x "$py" ] || fail "$py missing after $base -m venv"

    echo "setup-$name: pip install -r $reqs" >&2
    rm -f "$stamp"
    "$py" -m pip install --disable-pip-version-check --no-input -q -r "$reqs" >&2 \
        || fail "pip install -r $reqs failed"
    "$py" -m pip check >&2 || fail "pip check found broken requirements in $venv"
    "$py" -c "import $imports" || fail "$imports do not import in $venv"
    echo "$want" >"$stamp"
    echo "setup-$name: installed into $venv" >&2
    echo "$py"
}
