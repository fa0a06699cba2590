"""Python load benchmark of issues 6 and 18 (run with CPython 3.11; PyPy too).

    cargo run --release --example bench_streams -- write target/bench-streams
    python3 benches/python_load.py target/bench-streams [--runs 5] [--fresh 21]

In ONE interpreter, times the load from bytes in memory of
  (a) portable-pickle's stream of the 1M-record workload (typed dataclasses),
  (b) CPython's own protocol-5 pickle of equal ``@dataclass`` objects built
      here in Python (same class shapes, same values),
  (c) serde-pickle's stream of the same data (loads as dicts),
  (d) ``json.loads`` of the same records as JSON objects (dicts),
  (e) ``msgpack.unpackb`` of the same records as MessagePack maps (dicts),
  (f) (e) plus building the same ``@dataclass`` objects in Python,
best of ``--runs`` runs each, with the cyclic gc enabled (the default) and
disabled, with ratios to msgpack and to CPython's pickle. With gc enabled,
it also times each load followed by one full ``gc.collect()`` (what a load
leaves for the collector to do later counted in). Before timing, every
record of (a) is compared field by field with the Python-built objects, and
a sample of (c)-(f) with the same values.

msgpack is not in the standard library: when it does not import, the script
runs scripts/setup-bench.sh (a pinned venv under target/, made from this
same interpreter) and re-executes itself with that venv's python, so the
stock python3 stays bare. ``--no-msgpack`` skips (e) and (f).

Then the bootstrap cost: the first load of a one-``Point`` stream in a fresh
interpreter minus the first load of a plain one-tuple stream (subprocesses,
median of ``--fresh`` pairs), the repeat load of the one-``Point`` stream in
this process, and the header size.
"""

import argparse
import dataclasses
import gc
import json
import os
import pickle
import statistics
import subprocess
import sys
import time

N = 1_000_000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def msgpack_or_reexec(args):
    """msgpack, or None with --no-msgpack; re-executes under the bench venv's python when missing."""
    if args.no_msgpack:
        return None
    try:
        import msgpack
        return msgpack
    except ImportError:
        pass
    if os.environ.get("PORTABLE_BENCH_REEXEC"):
        sys.exit("python_load: msgpack still missing in the bench venv")
    env = dict(os.environ, PORTABLE_BENCH_REEXEC="1")
    if sys.implementation.name == "pypy":
        env.setdefault("BENCH_PYTHON", sys.executable)
        env.setdefault("BENCH_VENV", os.path.join(REPO, "target", "bench-venv-pypy"))
    out = subprocess.run(["bash", os.path.join(REPO, "scripts", "setup-bench.sh")], env=env,
                         check=True, stdout=subprocess.PIPE, text=True)
    py = out.stdout.strip().splitlines()[-1]
    os.execve(py, [py] + sys.argv, env)


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


def as_dict(r):
    return {"id": r.id, "name": r.name, "score": r.score, "tags": r.tags,
            "pos": {"x": r.pos.x, "y": r.pos.y}, "active": r.active}


def msgpack_dataclasses(msgpack, data):
    """msgpack.unpackb, then the same @dataclass objects built in Python."""
    return [
        Record(d["id"], d["name"], d["score"], d["tags"], Point(d["pos"]["x"], d["pos"]["y"]), d["active"])
        for d in msgpack.unpackb(data)
    ]


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


def best_load(load, data, runs, collect=False):
    """Best wall time of ``load(data)`` (then ``gc.collect()`` when ``collect``)
    over ``runs`` runs; the result is freed and collected between runs."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        v = load(data)
        if collect:
            gc.collect()
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
    ap.add_argument("--no-msgpack", action="store_true", help="skip the msgpack loads (no venv)")
    args = ap.parse_args()
    msgpack = msgpack_or_reexec(args)
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

    dicts = [as_dict(r) for r in ref]
    json_b = json.dumps(dicts).encode()
    assert json.loads(json_b)[::997] == dicts[::997]
    loads = [
        ("portable-pickle", "typed", pickle.loads, ours_b),
        ("CPython pickle p5", "typed", pickle.loads, cpy_b),
        ("serde-pickle", "dicts", pickle.loads, serde_b),
        ("json.loads", "dicts", json.loads, json_b),
    ]
    if msgpack is not None:
        mp_b = msgpack.packb(dicts)
        assert msgpack.unpackb(mp_b)[::997] == dicts[::997]
        assert msgpack_dataclasses(msgpack, mp_b)[::997] == ref[::997]
        loads += [
            ("msgpack.unpackb", "dicts", msgpack.unpackb, mp_b),
            ("msgpack+dataclass", "typed", lambda b: msgpack_dataclasses(msgpack, b), mp_b),
        ]
        print(f"msgpack {msgpack.version} ({'C extension' if msgpack.Unpacker.__module__ != 'msgpack.fallback' else 'pure-Python fallback'});"
              f" json and msgpack samples checked every 997th record")
    print("bytes/record: " + ", ".join(f"{name} {len(b) / N:.2f}" for name, _, _, b in loads))
    del ref, dicts

    gc_was = gc.isenabled()
    results = {}
    for mode in ("gc on", "gc off", "gc on + collect"):
        (gc.disable if mode == "gc off" else gc.enable)()
        for name, _, load, b in loads:
            results[mode, name] = best_load(load, b, args.runs, collect=mode.endswith("collect"))
        assert gc.isenabled() == (mode != "gc off"), "a load left the collector in another state"
    (gc.enable if gc_was else gc.disable)()
    ref_name = "msgpack.unpackb" if msgpack is not None else "json.loads"
    print(f"\nloads of {N} records from bytes in memory, best of {args.runs}, ns/record"
          f" (ratio: time / {ref_name}'s in the same column):")
    print(f"  {'format':18} {'kind':5} {'gc on (default)':>22} {'gc off':>20} {'gc on + gc.collect()':>22}")
    for name, kind, _, _ in loads:
        cells = []
        for mode in ("gc on", "gc off", "gc on + collect"):
            t, base = results[mode, name], results[mode, ref_name]
            cells.append(f"{t / N * 1e9:7.0f} ({t / base:5.2f}x)")
        print(f"  {name:18} {kind:5} {cells[0]:>22} {cells[1]:>20} {cells[2]:>22}")
    if msgpack is not None:
        for mode in ("gc on", "gc off", "gc on + collect"):
            print(f"  {mode}: msgpack+dataclass / portable-pickle = "
                  f"{results[mode, 'msgpack+dataclass'] / results[mode, 'portable-pickle']:.2f}x;"
                  f" portable-pickle / msgpack.unpackb = "
                  f"{results[mode, 'portable-pickle'] / results[mode, 'msgpack.unpackb']:.2f}x")

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
