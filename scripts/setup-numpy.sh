#!/usr/bin/env bash
# Install the pinned numpy of the array tests (tests/numpy/requirements.txt)
# into target/numpy-venv, made with the machine's python3 -m venv (the
# machine's python3 stays bare). Idempotent; fails loudly.
#
#   scripts/setup-numpy.sh      prints the venv's python on its last line
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/pinned-venv.sh
. "$repo/scripts/lib/pinned-venv.sh"
pinned_venv numpy "${NUMPY_VENV:-$repo/target/numpy-venv}" "$repo/tests/numpy/requirements.txt" numpy
