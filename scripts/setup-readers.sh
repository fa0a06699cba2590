#!/usr/bin/env bash
# Install the readers that scripts/readers.sh needs: pypy3 (Debian package) and
# the four Pyodide versions of tests/readers/package-lock.json (npm ci).
# Idempotent and quick when everything is already present.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readers="$repo/tests/readers"
pyodide_versions=(0.22.1 0.26.4 0.28.3 314.0.7)

# ---- pypy3 ---------------------------------------------------------------------
if command -v pypy3 >/dev/null 2>&1; then
    echo "setup-readers: pypy3 present ($(command -v pypy3))"
elif [ "$(id -u)" = 0 ]; then
    echo "setup-readers: installing pypy3 (apt-get)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y pypy3
    command -v pypy3 >/dev/null 2>&1 || { echo "setup-readers: ERROR: pypy3 still missing after apt-get install" >&2; exit 1; }
else
    echo "setup-readers: ERROR: pypy3 is not on PATH and installing it needs root (apt-get install -y pypy3)" >&2
    exit 1
fi

command -v python3 >/dev/null 2>&1 || { echo "setup-readers: ERROR: python3 (CPython) is not on PATH" >&2; exit 1; }

# ---- node + Pyodide --------------------------------------------------------------
for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup-readers: ERROR: $tool is not on PATH (needed for the Pyodide readers)" >&2
        exit 1
    fi
done

stale=""
lock_mark="$readers/node_modules/.package-lock.json" # written by npm install/ci
if [ ! -f "$lock_mark" ]; then
    stale="node_modules missing"
elif [ "$readers/package-lock.json" -nt "$lock_mark" ] || [ "$readers/package.json" -nt "$lock_mark" ]; then
    stale="package(-lock).json newer than node_modules"
else
    for v in "${pyodide_versions[@]}"; do
        d="$readers/node_modules/pyodide-$v"
        if [ ! -f "$d/pyodide.asm.wasm" ] || ! grep -q "\"version\": *\"$v\"" "$d/package.json" 2>/dev/null; then
            stale="pyodide-$v missing or incomplete"
            break
        fi
    done
fi

if [ -n "$stale" ]; then
    echo "setup-readers: npm ci in tests/readers ($stale)"
    (cd "$readers" && npm ci --no-audit --no-fund)
else
    echo "setup-readers: tests/readers/node_modules up to date"
fi

# The runtimes must be complete locally (they are loaded offline).
for v in "${pyodide_versions[@]}"; do
    d="$readers/node_modules/pyodide-$v"
    for f in package.json pyodide.asm.wasm; do
        [ -f "$d/$f" ] || { echo "setup-readers: ERROR: $d/$f missing after npm ci" >&2; exit 1; }
    done
    if [ ! -f "$d/python_stdlib.zip" ] && [ ! -f "$d/pyodide.asm.data" ]; then
        echo "setup-readers: ERROR: $d has no Python stdlib (python_stdlib.zip, or pyodide.asm.data for 0.22)" >&2
        exit 1
    fi
done
echo "setup-readers: all readers present (python3, pypy3, pyodide ${pyodide_versions[*]})"
