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
stated, its stderr contains the expected error. Exit status 0 iff every
scenario passed. Closing line: `N passed, M failed`.

Each scenario asserts what the README's engine table promises; a scenario
named *_fails asserts the documented failure (the exact exception).
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
MISSING_NS = "ModuleNotFoundError: No module named '%s'" % NS
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


def expect_by_value_in_workers(views):
    """Classes that travelled by value: no namespace module in the worker."""
    assert not any(v["namespace_installed"] for v in views), views
    assert all(v["module"] == NS for v in views)


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
    return views, pids


# --------------------------------------------------------------- scenarios
# Each returns normally (pass) or raises. Anything a worker must import
# lives in engine_tasks.


def scenario_dask_scatter(d):
    """cloudpickle imported before the load (import distributed): the header
    registers the namespace for pickling by value; client.scatter ships each
    object with cloudpickle, so the classes travel by value."""
    import cloudpickle
    import distributed  # noqa: F401

    objs, expected = load(d)
    assert NS in cloudpickle.list_registry_pickle_by_value()
    cluster, client = dask_cluster()
    with cluster, client:
        views, pids = dask_scatter_map(client, objs, expected)
        assert len(pids) == 2, pids  # both workers took part
    expect_by_value_in_workers(views)
    # cloudpickle drops a class's dotted __qualname__ when it rebuilds it
    quals = {v["describe"].get("class"): v["qualname"] for v in views if "class" in v["describe"]}
    assert quals["Shape.Circle"] == "Circle", quals


def scenario_dask_map_fails(d):
    """client.submit/map with the objects as direct arguments: distributed
    pickles the task with plain pickle first, which succeeds (by reference,
    `_portable_pickle_v1.<key>`), so it never falls back to cloudpickle; the
    worker cannot unpickle the task and the future never completes. The
    runner asserts the worker's ModuleNotFoundError on stderr."""
    import distributed  # noqa: F401

    objs, _ = load(d)
    cluster, client = dask_cluster()
    future = client.submit(t.summary, objs[0])
    try:
        future.result(timeout=5)
    except TimeoutError:
        print("future did not complete within 5 s (as documented)", flush=True)
    else:
        raise AssertionError("the task ran: update the README's engine table")
    # the comm to the broken worker hangs on close: leave the cleanup to
    # the runner, which kills this scenario's whole session
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _late_cloudpickle_setup(d):
    """Loads the streams first, then imports distributed (and cloudpickle)."""
    objs, expected = load(d)
    assert "cloudpickle" not in sys.modules
    import cloudpickle
    import distributed.protocol.pickle as dpickle

    assert NS not in cloudpickle.list_registry_pickle_by_value()
    # not registered: distributed's pickle keeps the plain by-reference
    # pickle, which a worker without the namespace cannot load
    blob = dpickle.dumps(objs[0])
    assert b"cloudpickle" not in blob and NS.encode() in blob, blob[:200]
    return objs, expected, cloudpickle


def scenario_dask_late_line(d):
    """cloudpickle imported only after the load: the one documented line."""
    objs, expected, cloudpickle = _late_cloudpickle_setup(d)
    cloudpickle.register_pickle_by_value(sys.modules["_portable_pickle_v1"])
    cluster, client = dask_cluster()
    with cluster, client:
        views, _ = dask_scatter_map(client, objs, expected)
    expect_by_value_in_workers(views)


def scenario_dask_late_reload(d):
    """cloudpickle imported only after the load: loading any stream again
    (the header registers the namespace whenever cloudpickle is loaded)."""
    objs, expected, cloudpickle = _late_cloudpickle_setup(d)
    with open(os.path.join(d, "points.pkl"), "rb") as f:
        pickle.load(f)
    assert NS in cloudpickle.list_registry_pickle_by_value()
    cluster, client = dask_cluster()
    with cluster, client:
        views, _ = dask_scatter_map(client, objs, expected)
    expect_by_value_in_workers(views)


def _joblib_run(objs, expected):
    from joblib import Parallel, delayed

    par = Parallel(n_jobs=2, backend="loky")
    summaries = par(delayed(t.summary)(o) for o in objs)
    back = par(delayed(t.identity)(o) for o in objs)
    views = par(delayed(t.worker_view)(o) for o in objs)
    check_results(objs, expected, summaries, back, views)
    expect_by_value_in_workers(views)


def scenario_joblib_loky(d):
    """joblib's loky backend pickles calls and results with cloudpickle."""
    import joblib  # noqa: F401  (imports cloudpickle)

    assert "cloudpickle" in sys.modules
    objs, expected = load(d)
    _joblib_run(objs, expected)


def scenario_joblib_loky_late_line(d):
    """cloudpickle imported only after the load: the same one line."""
    objs, expected = load(d)
    assert "cloudpickle" not in sys.modules
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules["_portable_pickle_v1"])
    _joblib_run(objs, expected)


def scenario_joblib_loky_late_fails(d):
    """joblib imported only after the load, without the line: cloudpickle
    rebuilds the dataclasses by value (it finds no attribute `Point` in the
    namespace, so it deems them dynamic), but their metaclass `PortableType`
    and the enum classes (whose __qualname__ is their key) are attributes of
    the namespace, so it pickles those by reference: the worker fails to
    unpickle the task (BrokenProcessPool caused by ModuleNotFoundError)."""
    objs, _ = load(d)
    assert "cloudpickle" not in sys.modules
    from joblib import Parallel, delayed

    par = Parallel(n_jobs=2, backend="loky")
    for group in (objs[:1], [o for o in objs if isinstance(o, t.enum.Enum)][:1]):
        try:
            par(delayed(t.summary)(o) for o in group)
        except Exception as e:  # joblib re-raises the worker's error
            assert type(e).__name__ == "BrokenProcessPool", type(e)
            print_chain(e)
        else:
            raise AssertionError("%r loaded in the worker: update the README" % group)


def print_chain(e):
    """The exception and its causes, one per line, to stderr."""
    while e is not None:
        print("%s: %s" % (type(e).__name__, e), file=sys.stderr)
        e = e.__cause__ or e.__context__


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
    """fork: the children inherit sys.modules, namespace included, so plain
    pickle by reference resolves in them."""
    objs, expected = load(d)
    views = _mp_run("fork", objs, expected)
    assert all(v["namespace_installed"] for v in views)
    assert [v["qualname"] for v in views if v["describe"].get("class") == "Shape.Circle"][0] == "Shape.Circle"


def _mp_fresh_child_fails(method, d):
    """spawn/forkserver children are fresh interpreters: the object's class,
    pickled by reference, names a module they do not have. The child dies
    while unpickling its arguments (exit code 1, traceback on stderr, which
    the runner checks); a Pool would hang instead, restarting workers."""
    import multiprocessing

    objs, _ = load(d)
    ctx = multiprocessing.get_context(method)
    p = ctx.Process(target=t.summary, args=(objs[0],))
    p.start()
    p.join(60)
    assert p.exitcode == 1, p.exitcode


def scenario_mp_spawn_fails(d):
    _mp_fresh_child_fails("spawn", d)
    # a Pool's worker dies on the same error; the Pool replaces it and the
    # task is lost: map never returns
    import multiprocessing

    objs, _ = load(d)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        result = pool.map_async(t.summary, objs[:2])
        try:
            result.get(timeout=3)
        except multiprocessing.TimeoutError:
            print("Pool.map did not return within 3 s (as documented)")
        else:
            raise AssertionError("Pool.map returned: update the README")
        pool.terminate()


def scenario_mp_forkserver_fails(d):
    _mp_fresh_child_fails("forkserver", d)


def _mp_fresh_with_initializer(method, d):
    """The one line for spawn/forkserver: each pool worker loads the stream
    first (initializer=pickle.loads, initargs=(stream bytes,)), which
    installs the namespace and the stream's classes under their keys."""
    with open(os.path.join(d, "shapes.pkl"), "rb") as f:
        data = f.read()
    shapes = pickle.loads(data)
    expected = t.load_expected(d)
    sub = {name: {"values": [], "summaries": []} for name in t.STREAMS}
    sub["shapes"] = expected["shapes"]
    views = _mp_run(method, shapes, sub, initializer=pickle.loads, initargs=(data,))
    assert all(v["namespace_installed"] for v in views)


def scenario_mp_spawn_initializer(d):
    _mp_fresh_with_initializer("spawn", d)


def scenario_mp_forkserver_initializer(d):
    _mp_fresh_with_initializer("forkserver", d)


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


def scenario_cloudpickle_fresh(d):
    """cloudpickle.dumps of loaded objects, plain pickle.loads elsewhere."""
    import cloudpickle

    objs, expected = load(d)
    out = _fresh_loads(cloudpickle.dumps(objs))
    assert out.returncode == 0, out.stderr.decode()
    got = json.loads(out.stdout)
    assert got["describe"] == t.expected_flat(expected, "values"), got["describe"]
    assert got["summaries"] == t.expected_flat(expected, "summaries")
    assert got["namespace_installed"] is False
    # and back: cloudpickle.dumps in this process round-trips to the same classes
    assert cloudpickle.loads(cloudpickle.dumps(objs)) == objs


def scenario_cloudpickle_late_fails(d):
    """cloudpickle imported after the load, without the line: the metaclass
    `PortableType` and the enum classes are pickled by reference (see
    joblib_loky_late_fails); the fresh interpreter fails to load them."""
    objs, expected = load(d)
    import cloudpickle

    assert NS not in cloudpickle.list_registry_pickle_by_value()
    out = _fresh_loads(cloudpickle.dumps(objs))
    assert out.returncode == 1, out.returncode
    sys.stderr.write(out.stderr.decode())
    # with the line, the same dump loads
    cloudpickle.register_pickle_by_value(sys.modules["_portable_pickle_v1"])
    out = _fresh_loads(cloudpickle.dumps(objs))
    assert out.returncode == 0, out.stderr.decode()
    assert json.loads(out.stdout)["describe"] == t.expected_flat(expected, "values")


# name: (function, text its stderr must contain or None)
SCENARIOS = {
    "dask_scatter": (scenario_dask_scatter, None),
    "dask_map_fails": (scenario_dask_map_fails, MISSING_NS),
    "dask_late_line": (scenario_dask_late_line, None),
    "dask_late_reload": (scenario_dask_late_reload, None),
    "joblib_loky": (scenario_joblib_loky, None),
    "joblib_loky_late_line": (scenario_joblib_loky_late_line, None),
    "joblib_loky_late_fails": (scenario_joblib_loky_late_fails, MISSING_NS),
    "mp_fork": (scenario_mp_fork, None),
    "mp_spawn_fails": (scenario_mp_spawn_fails, MISSING_NS),
    "mp_forkserver_fails": (scenario_mp_forkserver_fails, MISSING_NS),
    "mp_spawn_initializer": (scenario_mp_spawn_initializer, None),
    "mp_forkserver_initializer": (scenario_mp_forkserver_initializer, None),
    "cloudpickle_fresh": (scenario_cloudpickle_fresh, None),
    "cloudpickle_late_fails": (scenario_cloudpickle_late_fails, MISSING_NS),
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
    func, want_stderr = SCENARIOS[name]
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
    if problem is None and want_stderr is not None and want_stderr not in err:
        problem = "stderr lacks %r" % want_stderr
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
        SCENARIOS[argv[1]][0](argv[2])
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
