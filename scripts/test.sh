#!/usr/bin/env bash
# Runs every test, installing what is missing first (PyPy, the Pyodide
# versions, the engines' venv). Fails, never skips, when a reader or the
# venv cannot be had.
#
#   1. scripts/setup-readers.sh   pypy3 (apt, as root) and Pyodide (npm ci)
#      scripts/setup-engines.sh   dask, distributed, joblib, cloudpickle (pinned)
#                                 into the venv target/engines-venv
#   2. cargo fmt --check, cargo clippy -D warnings
#   3. cargo test                 unit tests, UI tests of the derive's errors,
#                                 the corpus on CPython 3.11 (C, pure-Python,
#                                 restricted, optimized, dis), the engine
#                                 streams (target/tmp/engines)
#   4. tests/engines/run_engines.py   loaded objects through dask, joblib/loky,
#                                 multiprocessing, cloudpickle (the venv's python)
#   5. cargo doc -D warnings
#   6. scripts/readers.sh         the same corpus on all seven readers
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-readers.sh
scripts/setup-engines.sh
engines_python="${ENGINES_VENV:-target/engines-venv}/bin/python"
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo test --workspace --all-features
"$engines_python" tests/engines/run_engines.py target/tmp/engines
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features
scripts/readers.sh target/tmp/corpus
