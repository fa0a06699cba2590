"""Python load benchmark of issue 6 (stdlib only; run with CPython 3.11).

    cargo run --release --example bench_streams -- write target/bench-streams
    python3 benches/python_load.py target/bench-streams [--runs 5] [--quick]

In ONE interpreter, times ``pickle.loads`` of
  (a) portable-pickle's stream of the 1M-record workload,
  (b) CPython's own protocol-5 pickle of equal ``@dataclass`` objects built
      here in Python (same class shapes, same values),
  (c) serde-pickle's stream of the same data (loads as dicts),
best of ``--runs`` runs each, with the cyclic gc enabled and disabled.
Before timing, every record of (a) is compared field by field with the
Python-built objects, and a sample of (c) with the same values.

Then the bootstrap cost: the first load of a one-``Point`` stream in a fresh
interpreter minus the first load of a plain one-tuple stream (subprocesses,
median of ``--fresh`` pairs), the repeat load of the one-``Point`` stream in
this process, and the header size.
"""

import argparse
import dataclasses
import gc
import os
import pickle
import statistics
import subprocess
import sys
import time

N = 1_000_000


@dataclasses.dataclass(unsafe_hash=True)
class Point:
    x: float
    y: float


@dataclasses.dataclass(unsafe_hash=True)
class Record:
    id: int
    name: str
    score: float
    tags: list
    pos: Point
    active: bool


def build_records(n=N):
    """The workload of benches/workload.rs, built in Python."""
    return [
        Record(
            id=i,
            name=f"item-{i}",
            score=i * 0.5,
            tags=["a", f"t{i % 10}"],
            pos=Point(x=float(i), y=-float(i)),
            active=i % 2 == 0,
        )
        for i in range(n)
    ]


def same_record(ours, ref):
    """Field-by-field equality of a loaded record with a Python-built one."""
    return (
        type(ours).__name__ == "Record"
        and [f.name for f in dataclasses.fields(ours)] == ["id", "name", "score", "tags", "pos", "active"]
        and type(ours.id) is int and ours.id == ref.id
        and type(ours.name) is str and ours.name == ref.name
        and type(ours.score) is float and ours.score == ref.score
        and type(ours.tags) is list and ours.tags == ref.tags
        and type(ours.pos).__name__ == "Point"
        and [f.name for f in dataclasses.fields(ours.pos)] == ["x", "y"]
        and ours.pos.x == ref.pos.x and ours.pos.y == ref.pos.y
        and type(ours.active) is bool and ours.active == ref.active
    )


def check(ours, serde, ref):
    assert len(ours) == len(ref) == len(serde), (len(ours), len(ref), len(serde))
    bad = [i for i, (o, r) in enumerate(zip(ours, ref)) if not same_record(o, r)]
    assert not bad, f"records differ at {bad[:5]}"
    for i in range(0, len(ref), 997):
        r, d = ref[i], serde[i]
        assert d == {
            "id": r.id, "name": r.name, "score": r.score, "tags": r.tags,
            "pos": {"x": r.pos.x, "y": r.pos.y}, "active": r.active,
        }, i


def best_load(data, runs):
    """Best wall time of ``pickle.loads(data)`` over ``runs`` runs (result freed between runs)."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        v = pickle.loads(data)
        t = time.perf_counter() - t0
        best = min(best, t)
        del v
    return best


FRESH = r"""
import pickle, sys, time
data = open(sys.argv[1], "rb").read()
t0 = time.perf_counter_ns()
pickle.loads(data)
t1 = time.perf_counter_ns()
print(t1 - t0)
"""


def fresh_load_ns(path, pre=""):
    code = FRESH.replace("import pickle, sys, time", "import pickle, sys, time" + pre)
    out = subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True, text=True)
    return int(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fresh", type=int, default=21, help="fresh-interpreter pairs for the bootstrap cost")
    args = ap.parse_args()
    d = args.dir
    print(f"python {sys.version.split()[0]} ({sys.implementation.name}), {os.cpu_count()} cpus")

    ours_b = open(os.path.join(d, "portable_records.pkl"), "rb").read()
    serde_b = open(os.path.join(d, "serde_records.pkl"), "rb").read()
    ref = build_records()
    cpy_b = pickle.dumps(ref, protocol=5)

    # Sanity: every record of our stream equals the Python-built one by fields.
    ours = pickle.loads(ours_b)
    serde = pickle.loads(serde_b)
    check(ours, serde, ref)
    print(f"sanity: {len(ours)} records of the portable-pickle stream equal the Python-built ones field by field;"
          f" serde-pickle stream checked every 997th record")
    del ours, serde

    print(f"\nbytes/record: portable-pickle {len(ours_b) / N:.2f}, CPython protocol 5 {len(cpy_b) / N:.2f},"
          f" serde-pickle {len(serde_b) / N:.2f}")
    print(f"bytes ratio portable/CPython: {len(ours_b) / len(cpy_b):.3f} (target <= 0.85)")
    del ref

    streams = [("portable-pickle", ours_b), ("CPython pickle p5", cpy_b), ("serde-pickle", serde_b)]
    for gc_on in (True, False):
        if gc_on:
            gc.enable()
        else:
            gc.disable()
        gc.collect()
        times = {name: best_load(b, args.runs) for name, b in streams}
        base = times["CPython pickle p5"]
        print(f"\npickle.loads of {N} records, best of {args.runs}, gc {'ENABLED' if gc_on else 'DISABLED'}:")
        for name, _ in streams:
            t = times[name]
            print(f"  {name:18} {t * 1e3:8.1f} ms  {t / N * 1e9:6.0f} ns/record  {t / base:5.2f}x CPython")
    gc.enable()

    # Bootstrap.
    point = os.path.join(d, "portable_point.pkl")
    tup = os.path.join(d, "plain_tuple.pkl")
    with open(tup, "wb") as f:
        f.write(pickle.dumps((1.5, -2.5), protocol=4))
    diffs, firsts, plains = [], [], []
    for _ in range(args.fresh):
        a, b = fresh_load_ns(point), fresh_load_ns(tup)
        firsts.append(a)
        plains.append(b)
        diffs.append(a - b)
    # The same first load when the process already imported dataclasses
    # (most applications that use dataclasses themselves): what the header
    # and the class build cost on their own.
    pre_dc = [fresh_load_ns(point, "; import dataclasses") for _ in range(args.fresh)]
    header = len(open(os.path.join(d, "header.pkl"), "rb").read())
    pb = open(point, "rb").read()
    pickle.loads(pb)
    reps = []
    for _ in range(2000):
        t0 = time.perf_counter_ns()
        pickle.loads(pb)
        reps.append(time.perf_counter_ns() - t0)
    tb = pickle.dumps((1.5, -2.5), protocol=4)
    reps_t = []
    for _ in range(2000):
        t0 = time.perf_counter_ns()
        pickle.loads(tb)
        reps_t.append(time.perf_counter_ns() - t0)
    print(f"\nbootstrap (one-Point stream, {len(pb)} B, header {header} B):")
    print(f"  first load in a fresh interpreter: median {statistics.median(firsts) / 1e3:.0f} us;"
          f" plain one-tuple stream {statistics.median(plains) / 1e3:.1f} us;"
          f" difference median {statistics.median(diffs) / 1e3:.0f} us over {args.fresh} pairs (target <= 1000 us)")
    print(f"  first load when the interpreter already imported dataclasses: median {statistics.median(pre_dc) / 1e3:.0f} us")
    print(f"  repeat load in the same process: median {statistics.median(reps) / 1e3:.1f} us,"
          f" min {min(reps) / 1e3:.1f} us (plain tuple {statistics.median(reps_t) / 1e3:.2f} us) (target <= 50 us)")
    print(f"  header: {header} bytes (target <= 1024)")


if __name__ == "__main__":
    main()
