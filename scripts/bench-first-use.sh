#!/usr/bin/env bash
# The first-use benchmark (issue 27; docs/PERFORMANCE.md, "First use in a
# process"): examples/first_use.rs in N fresh processes per value, the
# values interleaved, medians of the first and the second `to_vec`. The
# value `event_after_point` is a data enum written first in a process that
# has already written a `Point`: the type's own first use, its code warm.
# The value `bound` writes no stream: a copy of the header and 512 bytes
# into a new `Vec`, the floor a fresh process's first call cannot go under.
#
#   scripts/bench-first-use.sh [N]
#
# Prints, per value, the median first and second `to_vec` in µs, their
# ratio, and whether the type's class descriptor is the derive's
# compile-time bytes; fails when it is not.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-25}"
cargo build --release --quiet --example first_use
out="$(for _ in $(seq "$n"); do
    for value in point event event_after_point bound; do target/release/examples/first_use "$value"; done
done)"
python3 - <<PY
import statistics
rows = [line.split() for line in """$out""".splitlines()]
failed = False
for value in ("point", "event", "event_after_point", "bound"):
    mine = [r for r in rows if r[0] == value]
    first = statistics.median(int(r[1]) for r in mine) / 1000
    second = statistics.median(int(r[2]) for r in mine) / 1000
    fixed = {r[3] for r in mine} == {"true"}
    failed |= not fixed
    what = "no stream" if value == "bound" else f"compile-time descriptor {fixed}"
    print(f"{value}: first {first:.1f} µs, second {second:.1f} µs, first/second {first / second:.2f}, "
          f"{what} ({len(mine)} processes)")
raise SystemExit(1 if failed else 0)
PY
