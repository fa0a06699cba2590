#!/usr/bin/env bash
# Runs every test, installing what is missing first (PyPy, the Pyodide
# versions, the engines' venv). Fails, never skips, when a reader or the
# venv cannot be had.
#
#   1. scripts/setup-readers.sh   pypy3 (apt, as root) and Pyodide (npm ci)
#      scripts/setup-engines.sh   dask, distributed, joblib, cloudpickle (pinned)
#      scripts/setup-numpy.sh     numpy (pinned) into target/numpy-venv, the
#                                 array tests' CPython reader (tests/arrays.rs)
#                                 into the venv target/engines-venv
#      scripts/setup-pandas.sh    pandas (pinned) into target/pandas-venv, for
#                                 tests/data_tools.rs (the guide's pandas example)
#      scripts/setup-mypy.sh      mypy 1.15 (pinned) into target/mypy-venv, and
#      scripts/setup-mypy-current.sh  mypy 2.4 (pinned) into
#                                 target/mypy-current-venv, for
#                                 tests/python_package.rs (the generated package)
#   2. cargo fmt --check, cargo clippy -D warnings
#   3. cargo test --all-features  unit tests, UI tests of the derive's errors,
#                                 the corpus on CPython 3.11 (C, pure-Python,
#                                 restricted, optimized, dis) with the cases
#                                 of every optional feature and the serde
#                                 bridge's (tests/support/serde_cases.rs),
#                                 the engine streams (target/tmp/engines),
#                                 the README's and docs/guide's examples
#                                 (tests/guide.rs runs every Python block
#                                 after the Rust step that writes its input;
#                                 the doctests run every Rust block)
#   4. tests/engines/run_engines.py   loaded objects through dask, joblib/loky,
#                                 multiprocessing, cloudpickle (the venv's python)
#      scripts/setup-scanners.sh  picklescan, modelscan, fickling (pinned) into
#                                 target/scanners-venv
#   4b. tests/scanners/scan.py    the strict profile's streams (tests/strict.rs)
#                                 scanned: 0 dangerous (picklescan), 0 HIGH or
#                                 CRITICAL (modelscan), fickling better than
#                                 LIKELY_OVERTLY_MALICIOUS; default's recorded
#   5. cargo doc -D warnings
#   5b. cargo package of the five crates in publishing order (portable-format,
#                                 portable-runtime, portable-macros,
#                                 portable-pickle, portable-pickle-cli), each
#                                 built from its .crate file
#   6. scripts/readers.sh         the same corpus (serde cases included) on
#                                 all seven readers; each
#                                 writes its re-pickles of the write_back cases
#                                 to target/tmp/corpus/back
#   7. cargo test --test corpus_readback   those re-pickles of every reader
#                                 read back into Rust (Rust -> Python -> Rust);
#                                 fails on a missing reader x case x loader x
#                                 protocol file (same features and profile as
#                                 step 3: nothing is rebuilt)
#   8. scripts/readers.sh target/tmp/conformance, then cargo test --test
#                                 conformance with PORTABLE_PICKLE_CONFORMANCE_DIR:
#                                 the conformance matrix (types x write paths x
#                                 read paths, tests/conformance.rs) on the seven
#                                 readers, their re-pickles read back into Rust;
#                                 prints "types x paths = cells, passed,
#                                 refused-as-documented, failed"
#   9. cargo test --release --test depth_walks   walks over a decoded Value
#                                 at the default depth on a 256 KiB thread
#                                 (release builds' frames)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Set only for step 7: step 3 runs before the readers wrote anything.
unset PORTABLE_PICKLE_READBACK_DIR

scripts/setup-readers.sh
scripts/setup-engines.sh
scripts/setup-numpy.sh
scripts/setup-pandas.sh
scripts/setup-mypy.sh
scripts/setup-mypy-current.sh
scripts/setup-scanners.sh
engines_python="${ENGINES_VENV:-target/engines-venv}/bin/python"
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo test --workspace --all-features
"$engines_python" tests/engines/run_engines.py target/tmp/engines
# The strict profile's streams (written by tests/strict.rs in step 3) through
# picklescan, modelscan and fickling: asserted for strict, recorded for default.
"${SCANNERS_VENV:-target/scanners-venv}/bin/python" tests/scanners/scan.py \
    target/tmp/strict target/tmp/strict/scan-report.md
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features
# Every crate as it would be published. One `cargo package` of all five
# resolves their path dependencies against each other (none is on the
# registry yet), so each is verified — built from its .crate file — without
# `--no-verify`; cargo packages them in dependency order, an order they can
# be published in. `--allow-dirty`: the command also runs on work not yet
# committed. Cargo treats the crates it verifies against as registry crates
# (a local overlay registry, one per checkout): it reuses what it unpacked
# into $CARGO_HOME/registry/src/-<hash>/ and what it compiled of them, for
# the same version, without looking at their sources again, so a second run
# would verify against the first run's crates. Both are removed first: the
# unpacked copies of this project's crates, and the verification's own
# target directory.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/portable-{format,runtime,macros,pickle,pickle-cli}-[0-9]*
rm -rf target/package-verify
CARGO_TARGET_DIR=target/package-verify \
    cargo package --allow-dirty -p portable-format -p portable-runtime -p portable-macros \
    -p portable-pickle -p portable-pickle-cli
scripts/readers.sh target/tmp/corpus
PORTABLE_PICKLE_READBACK_DIR="$PWD/target/tmp/corpus" \
    cargo test --workspace --all-features --test corpus_readback -- --nocapture
# The conformance matrix (tests/conformance.rs, written in step 3) on all
# seven readers, then their re-pickles read back and every cell counted.
scripts/readers.sh target/tmp/conformance
PORTABLE_PICKLE_CONFORMANCE_DIR="$PWD/target/tmp/conformance" \
    cargo test --workspace --all-features --test conformance conformance_matrix -- --nocapture
# The walks over a decoded Value at the default depth on a 256 KiB thread,
# which holds for release builds' frames (tests/depth_walks.rs).
cargo test --release --all-features --test depth_walks
