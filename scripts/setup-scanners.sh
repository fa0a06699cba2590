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
# shellcheck source=scripts/lib/pinned-venv.sh
. "$repo/scripts/lib/pinned-venv.sh"
pinned_venv scanners "${SCANNERS_VENV:-$repo/target/scanners-venv}" "$repo/tests/scanners/requirements.txt" \
    "picklescan, modelscan, fickling.analysis"
