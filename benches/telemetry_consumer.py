"""Consumer of the per-event benchmark (issue 24; docs/PERFORMANCE.md, "Streams").

    python3 benches/telemetry_consumer.py ENCODING FILE [--profile]

Reads FILE (written by ``examples/telemetry.rs``) event by event, as a
service consuming a pipe would: ``pickle.load(f)`` until ``EOFError``
(``portable``, ``portable-list``, ``serde-pickle``) or ``json.loads`` per line
(``json``), and aggregates each event the same way whatever the encoding
(``bound``: loads only, see scripts/bench-events.sh):
events per kind, the sum of a metric's samples, metrics per host region,
tags seen, the sum of the counters, logins with a session. Prints one JSON
line: the aggregates (equal for every encoding, checked by
scripts/bench-events.sh), the events, the seconds the loop took and
microseconds per event. ``--profile`` prints a cProfile of the loop instead.
Stock interpreter only (CPython or PyPy), nothing installed.
"""

import json
import pickle
import sys
import time


def typed(e, agg):
    """portable-pickle's objects: a variant class per kind, attributes."""
    kind = type(e).__name__
    agg["kinds"][kind] = agg["kinds"].get(kind, 0) + 1
    if kind == "Metric":
        agg["samples"] += sum(e.samples)
        region = e.host.region
        agg["regions"][region] = agg["regions"].get(region, 0) + 1
        agg["tags"] += len(e.tags)
    elif kind == "Login":
        agg["sessions"] += e.session is not None
    elif kind == "Counters":
        agg["counts"] += sum(e.counts.values())


def dicts(e, agg):
    """serde's externally tagged dicts: {kind: {field: value}}."""
    ((kind, v),) = e.items()
    agg["kinds"][kind] = agg["kinds"].get(kind, 0) + 1
    if kind == "Metric":
        agg["samples"] += sum(v["samples"])
        region = v["host"]["region"]
        agg["regions"][region] = agg["regions"].get(region, 0) + 1
        agg["tags"] += len(v["tags"])
    elif kind == "Login":
        agg["sessions"] += v["session"] is not None
    elif kind == "Counters":
        agg["counts"] += sum(n for _, n in v["counts"])


def consume(encoding, path):
    agg = {"kinds": {}, "samples": 0.0, "regions": {}, "tags": 0, "sessions": 0, "counts": 0}
    n = 0
    with open(path, "rb") as f:
        if encoding == "json":
            for line in f:
                dicts(json.loads(line), agg)
                n += 1
        else:
            handle = {"serde-pickle": dicts, "bound": lambda e, agg: None}.get(encoding, typed)
            load = pickle.load
            while True:
                try:
                    e = load(f)
                except EOFError:
                    break
                handle(e, agg)
                n += 1
    return agg, n


def main():
    encoding, path = sys.argv[1], sys.argv[2]
    if "--profile" in sys.argv[3:]:
        import cProfile
        import pstats
        cProfile.runctx("consume(encoding, path)", globals(), {"encoding": encoding, "path": path}, "/tmp/telemetry.prof")
        pstats.Stats("/tmp/telemetry.prof").sort_stats("tottime").print_stats(15)
        return
    start = time.perf_counter()
    agg, n = consume(encoding, path)
    seconds = time.perf_counter() - start
    agg["samples"] = round(agg["samples"], 6)
    print(json.dumps({"encoding": encoding, "events": n, "seconds": seconds, "us_per_event": seconds / n * 1e6,
                      "aggregates": agg}, sort_keys=True))


if __name__ == "__main__":
    main()
