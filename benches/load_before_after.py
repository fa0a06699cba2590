"""Loads two streams of the 1M-record workload back to back, interleaved:
one fresh interpreter per load, best of 3 loads each, with the cyclic gc
off and on. For comparing the format before and after a change.

    cargo run --release --example bench_streams -- write target/bench-streams
    (the same at the other commit, into another directory)
    python3 benches/load_before_after.py BEFORE_DIR AFTER_DIR [--rounds 3]
"""

import argparse
import gc
import pickle
import subprocess
import sys
import time

N = 1_000_000


def child(path, gc_on):
    with open(path, "rb") as f:
        data = f.read()
    best = float("inf")
    for _ in range(3):
        if gc_on:
            gc.enable()
        else:
            gc.disable()
        t = time.perf_counter()
        v = pickle.loads(data)
        t = time.perf_counter() - t
        del v
        gc.enable()
        gc.collect()
        best = min(best, t)
    print(best)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3] == "on")
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    times = {}
    for _ in range(args.rounds):
        for name, d in (("before", args.before), ("after", args.after)):
            for g in ("off", "on"):
                path = "%s/portable_records.pkl" % d
                out = subprocess.check_output([sys.executable, __file__, "--child", path, g])
                times.setdefault((name, g), []).append(float(out))
    for g in ("off", "on"):
        b, a = min(times[("before", g)]), min(times[("after", g)])
        print("gc %-3s before %6.0f ns/record, after %6.0f ns/record, after/before %.2f"
              % (g, b * 1e9 / N, a * 1e9 / N, a / b))


if __name__ == "__main__":
    main()
