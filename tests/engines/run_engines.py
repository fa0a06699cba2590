#!/usr/bin/env python3
"""Loaded portable objects handed to Python's distributed engines.

Usage:
    python run_engines.py <dir>               every scenario (needs the venv of
                                              scripts/setup-engines.sh)
    python run_engines.py <dir> NAME...       only these scenarios
    python run_engines.py --baseline <dir>    stdlib only: the streams load to
                                              what expected.json says
    python run_engines.py --scenario NAME <dir>   one scenario, in this process

<dir> holds the streams and expected.json written by tests/engines.rs
(target/tmp/engines). Each scenario runs in its own interpreter (a fresh
`sys.modules`: whether cloudpickle was imported before the first load
matters), started in its own session and killed with all its children (dask
workers, pools) when it ends. A scenario passes when it exits 0 and, where
Exit status 0 iff every
scenario passed. Closing line: `N passed, M failed`.

Each scenario asserts what the README's engine table promises: results
computed in the workers, and objects sent back equal to (and of the same
classes as) the originals.
"""

import functools
import json
import os
import pickle
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import engine_tasks as t  # noqa: E402

NS = t.NAMESPACE
SCENARIO_TIMEOUT = 120


# ----------------------------------------------------------------- helpers


def load(directory):
    """(objects of all streams, expected.json)."""
    return t.flatten(t.load_streams(directory)), t.load_expected(directory)


def check_results(objs, expected, summaries, back, views=None):
    """Worker-derived values, objects shipped back, and the workers' views."""
    want = t.expected_flat(expected, "summaries")
    assert summaries == want, (summaries, want)
    assert len(back) == len(objs)
    for a, b in zip(back, objs):
        assert a == b, (a, b)
        assert type(a) is type(b), (type(a), type(b))
        if isinstance(b, t.enum.Enum):
            assert a is b, (a, b)
    if views is not None:
        want_desc = t.expected_flat(expected, "values")
        assert [v["describe"] for v in views] == want_desc
        pids = {v["pid"] for v in views}
        assert os.getpid() not in pids, "ran in the client process"
        return pids
    return None


def dask_cluster():
    import distributed

    cluster = distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
    )
    return cluster, distributed.Client(cluster)


def dask_scatter_map(client, objs, expected):
    futures = client.scatter(objs)  # one future per object
    summaries = client.gather(client.map(t.summary, futures))
    back = client.gather(client.map(t.identity, futures))
    views = client.gather(client.map(t.worker_view, futures))
    pids = check_results(objs, expected, summaries, back, views)
    # the scattered objects themselves come back equal too
    gathered = client.gather(futures)
    check_results(objs, expected, summaries, gathered)
    return pids


def dask_direct_map(client, objs, expected):
    """The objects as direct task arguments: distributed pickles the tasks
    with plain pickle, which carries each class as a standalone pickle."""
    summaries = client.gather(client.map(t.summary, objs, pure=False))
    back = client.gather(client.map(t.identity, objs, pure=False))
    views = client.gather(client.map(t.worker_view, objs, pure=False))
    one = client.submit(t.summary, objs[0]).result(timeout=60)
    assert one == summaries[0]
    return check_results(objs, expected, summaries, back, views)


# --------------------------------------------------------------- scenarios
# Each returns normally (pass) or raises. Anything a worker must import
# lives in engine_tasks. None needs any line of set-up: the stream's classes
# reach a fresh interpreter either by value (cloudpickle) or as standalone
# pickles (plain pickle, see docs/FORMAT.md).


def scenario_dask_imported_first(d):
    """distributed (and so cloudpickle) imported before the load."""
    import distributed  # noqa: F401

    objs, expected = load(d)
    cluster, client = dask_cluster()
    with cluster, client:
        pids = dask_scatter_map(client, objs, expected)
        assert len(pids) == 2, pids  # both workers took part
        dask_direct_map(client, objs, expected)


def scenario_dask_imported_after(d):
    """The streams loaded before distributed is imported."""
    objs, expected = load(d)
    assert "cloudpickle" not in sys.modules
    cluster, client = dask_cluster()
    with cluster, client:
        dask_direct_map(client, objs, expected)
        dask_scatter_map(client, objs, expected)


def _joblib_run(objs, expected):
    from joblib import Parallel, delayed

    par = Parallel(n_jobs=2, backend="loky")
    summaries = par(delayed(t.summary)(o) for o in objs)
    back = par(delayed(t.identity)(o) for o in objs)
    views = par(delayed(t.worker_view)(o) for o in objs)
    check_results(objs, expected, summaries, back, views)


def scenario_joblib_imported_first(d):
    """joblib's loky backend pickles calls and results with cloudpickle."""
    import joblib  # noqa: F401  (imports cloudpickle)

    assert "cloudpickle" in sys.modules
    objs, expected = load(d)
    _joblib_run(objs, expected)


def scenario_joblib_imported_after(d):
    objs, expected = load(d)
    assert "cloudpickle" not in sys.modules
    _joblib_run(objs, expected)


def _mp_run(method, objs, expected, **pool_kwargs):
    import multiprocessing

    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2, **pool_kwargs) as pool:
        summaries = pool.map(t.summary, objs, chunksize=1)
        back = pool.map(t.identity, objs, chunksize=1)
        views = pool.map(t.worker_view, objs, chunksize=1)
    check_results(objs, expected, summaries, back, views)
    return views


def scenario_mp_fork(d):
    """fork: the children inherit sys.modules, namespace included."""
    objs, expected = load(d)
    views = _mp_run("fork", objs, expected)
    assert all(v["namespace_installed"] for v in views)
    assert [v["qualname"] for v in views if v["describe"].get("class") == "Shape.Circle"][0] == "Shape.Circle"


def _mp_fresh(method, d):
    """spawn/forkserver children are fresh interpreters: each class arrives
    as a standalone pickle that installs the namespace there."""
    import multiprocessing

    objs, expected = load(d)
    views = _mp_run(method, objs, expected)
    assert all(v["namespace_installed"] for v in views)
    assert all(v["module"] == NS for v in views)
    ctx = multiprocessing.get_context(method)
    p = ctx.Process(target=t.summary, args=(objs[0],))
    p.start()
    p.join(60)
    assert p.exitcode == 0, p.exitcode


def scenario_mp_spawn(d):
    _mp_fresh("spawn", d)


def scenario_mp_forkserver(d):
    _mp_fresh("forkserver", d)


FRESH_LOADER = r"""
import json, pickle, sys
sys.path.insert(0, sys.argv[1])
import engine_tasks as t
assert t.NAMESPACE not in sys.modules
objs = pickle.loads(sys.stdin.buffer.read())
json.dump({"describe": t.describe(objs), "summaries": [t.summary(o) for o in objs],
           "namespace_installed": t.NAMESPACE in sys.modules}, sys.stdout)
"""


def _fresh_loads(blob):
    """pickle.loads in a fresh interpreter (this venv's python) that never
    saw a portable stream."""
    return subprocess.run(
        [sys.executable, "-c", FRESH_LOADER, HERE],
        input=blob,
        capture_output=True,
        timeout=60,
    )


def _check_fresh(blob, expected):
    out = _fresh_loads(blob)
    assert out.returncode == 0, out.stderr.decode()
    got = json.loads(out.stdout)
    assert got["describe"] == t.expected_flat(expected, "values"), got["describe"]
    assert got["summaries"] == t.expected_flat(expected, "summaries")
    return got


def scenario_pickle_fresh(d):
    """Plain pickle.dumps of loaded objects, pickle.loads elsewhere: the
    classes travel as standalone pickles, which install the namespace."""
    objs, expected = load(d)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        got = _check_fresh(pickle.dumps(objs, protocol=protocol), expected)
        assert got["namespace_installed"] is True


def scenario_cloudpickle_fresh(d):
    """cloudpickle.dumps of loaded objects, plain pickle.loads elsewhere:
    cloudpickle ships the dataclasses by value, the enums (found in the
    namespace under their key) as standalone pickles."""
    objs, expected = load(d)
    import cloudpickle

    _check_fresh(cloudpickle.dumps(objs), expected)
    # and back: cloudpickle.dumps in this process round-trips to the same classes
    assert cloudpickle.loads(cloudpickle.dumps(objs)) == objs


# name: function
SCENARIOS = {
    "dask_imported_first": scenario_dask_imported_first,
    "dask_imported_after": scenario_dask_imported_after,
    "joblib_imported_first": scenario_joblib_imported_first,
    "joblib_imported_after": scenario_joblib_imported_after,
    "mp_fork": scenario_mp_fork,
    "mp_spawn": scenario_mp_spawn,
    "mp_forkserver": scenario_mp_forkserver,
    "pickle_fresh": scenario_pickle_fresh,
    "cloudpickle_fresh": scenario_cloudpickle_fresh,
}


# ------------------------------------------------------------------ runner


def baseline(d):
    """Stdlib only (cargo test runs it with the machine's python3)."""
    streams = t.load_streams(d)
    expected = t.load_expected(d)
    passed = failed = 0
    for name in t.STREAMS:
        try:
            objs = streams[name]
            assert t.describe(objs) == expected[name]["values"], t.describe(objs)
            assert [t.summary(o) for o in objs] == expected[name]["summaries"]
            assert all(type(o).__module__ == NS for o in objs)
            assert pickle.loads(pickle.dumps(objs)) == objs
            passed += 1
            print("PASS baseline %s" % name)
        except Exception as e:
            failed += 1
            print("FAIL baseline %s: %s: %s" % (name, type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def run_one(name, d):
    """Runs one scenario in a fresh interpreter, own session; kills the
    session afterwards (workers, pools, a hung dask client)."""
    func = SCENARIOS[name]
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--scenario", name, d],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=SCENARIO_TIMEOUT)
        problem = None if proc.returncode == 0 else "exit status %s" % proc.returncode
    except subprocess.TimeoutExpired:
        problem = "timed out after %d s" % SCENARIO_TIMEOUT
        out = err = b""
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if proc.returncode is None:
            out, err = proc.communicate()
    out = out.decode(errors="replace")
    err = err.decode(errors="replace")
    elapsed = time.monotonic() - start
    if problem is None:
        print("PASS %-28s %5.1f s" % (name, elapsed), flush=True)
        return True
    print("FAIL %-28s %5.1f s: %s" % (name, elapsed, problem), flush=True)
    print("---- stdout\n%s\n---- stderr (tail)\n%s" % (out[-3000:], err[-6000:]), flush=True)
    return False


def main(argv):
    if argv[:1] == ["--baseline"]:
        return baseline(argv[1])
    if argv[:1] == ["--scenario"]:
        SCENARIOS[argv[1]](argv[2])
        return 0
    d = os.path.abspath(argv[0])
    names = argv[1:] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print("unknown scenario(s): %s" % ", ".join(unknown))
        return 2
    print("engines: %s (%s)" % (sys.executable, sys.version.split()[0]), flush=True)
    start = time.monotonic()
    results = [run_one(n, d) for n in names]
    passed = sum(results)
    failed = len(results) - passed
    print("engines: %.1f s in all" % (time.monotonic() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
