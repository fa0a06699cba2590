#!/usr/bin/env bash
# The per-event benchmark (issue 24; docs/PERFORMANCE.md, "Streams"): a
# telemetry agent's 100,000 events written by examples/telemetry.rs in four
# encodings, each read by benches/telemetry_consumer.py with the same
# aggregation on the stock CPython and on PyPy, in one run.
#
#   scripts/bench-events.sh [N]
#
# Prints bytes/event and µs/event (the consumer's loop, best of 3 runs) per
# encoding and interpreter, with the ratio to serde-pickle; fails when the
# encodings' aggregates differ. The row `bound` is a floor for any typed
# event read by a fresh `pickle.load` each: N pickles that only look up the
# four globals a `Metric` event needs however it is written (its class,
# here `builtins.object`, `uuid.UUID`, `datetime.datetime`,
# `datetime.timezone.utc`) and build nothing, loaded without aggregation.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-100000}"
dir=target/bench-events
mkdir -p "$dir"
cargo build --release --quiet --example telemetry --features "serde chrono uuid"
encodings=(portable portable-list serde-pickle json)
for e in "${encodings[@]}"; do
    target/release/examples/telemetry "$e" "$n" "$dir/$e.bin"
done
interpreters=(python3)
command -v pypy3 >/dev/null && interpreters+=(pypy3)
python3 - "$dir" "$n" "${interpreters[@]}" <<'PY'
import json, os, subprocess, sys
dir, n, interpreters = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# The bound's pickle: PROTO 4, four GLOBALs, TUPLE, STOP (a fresh memo each).
one = b"\x80\x04(cbuiltins\nobject\ncuuid\nUUID\ncdatetime\ndatetime\ncdatetime\ntimezone.utc\nt."
with open(os.path.join(dir, "bound.bin"), "wb") as f:
    f.write(one * n)
encodings = ["portable", "portable-list", "serde-pickle", "json", "bound"]
us, aggregates = {}, {}
for py in interpreters:
    for e in encodings:
        best = None
        for _ in range(3):
            out = subprocess.run([py, "benches/telemetry_consumer.py", e, os.path.join(dir, e + ".bin")],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out)
            assert r["events"] == n, r
            best = r["us_per_event"] if best is None else min(best, r["us_per_event"])
            if e != "bound":
                aggregates.setdefault(json.dumps(r["aggregates"], sort_keys=True), []).append((py, e))
        us[py, e] = best
if len(aggregates) != 1:
    sys.exit("aggregates differ between encodings: %s" % list(aggregates.values()))
print("%d events; the same aggregates from every encoding and interpreter" % n)
print("| encoding | bytes/event | " + " | ".join("µs/event %s (× serde-pickle)" % py for py in interpreters) + " |")
print("| --- | --- | " + " | ".join("---" for _ in interpreters) + " |")
for e in encodings:
    size = os.path.getsize(os.path.join(dir, e + ".bin")) / n
    ref = os.path.getsize(os.path.join(dir, "serde-pickle.bin")) / n
    cells = ["%.2f (%.2f×)" % (us[py, e], us[py, e] / us[py, "serde-pickle"]) for py in interpreters]
    print("| %s | %.0f (%.2f×) | %s |" % (e, size, size / ref, " | ".join(cells)))
PY
