#!/usr/bin/env bash
# Install the current mypy release (tests/mypy/requirements-current.txt,
# every version pinned) into target/mypy-current-venv, beside the older
# pinned one of scripts/setup-mypy.sh: the generated package is checked
# with both (tests/python_package.rs). Never touches the system Python.
#
#   scripts/setup-mypy-current.sh      prints the venv's python on its last line
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/pinned-venv.sh
. "$repo/scripts/lib/pinned-venv.sh"
pinned_venv mypy-current "${MYPY_CURRENT_VENV:-$repo/target/mypy-current-venv}" \
    "$repo/tests/mypy/requirements-current.txt" mypy
