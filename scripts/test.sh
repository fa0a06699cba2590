#!/usr/bin/env bash
# Runs every test, installing what is missing first (PyPy, the Pyodide
# versions). Fails, never skips, when a reader cannot be had.
#
#   1. scripts/setup-readers.sh   pypy3 (apt, as root) and Pyodide (npm ci)
#   2. cargo fmt --check, cargo clippy -D warnings
#   3. cargo test                 unit tests, UI tests of the derive's errors,
#                                 the corpus on CPython 3.11 (C, pure-Python,
#                                 restricted, optimized, dis)
#   4. cargo doc -D warnings
#   5. scripts/readers.sh         the same corpus on all seven readers
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-readers.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo test --workspace --all-features
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features
scripts/readers.sh target/tmp/corpus
