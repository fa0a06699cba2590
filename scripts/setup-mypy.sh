#!/usr/bin/env bash
# Install the type checker of the generated Python package's check (mypy;
# tests/mypy/requirements.txt, every version pinned) into a
# virtual environment of the project, target/mypy-venv, made with the
# machine's python3 -m venv. Never touches the system Python.
# Idempotent and quick when the venv is already up to date; fails loudly
# when it cannot create the venv or install the pins.
#
#   scripts/setup-mypy.sh      prints the venv's python on its last line
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/pinned-venv.sh
. "$repo/scripts/lib/pinned-venv.sh"
pinned_venv mypy "${MYPY_VENV:-$repo/target/mypy-venv}" "$repo/tests/mypy/requirements.txt" mypy
