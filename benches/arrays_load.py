"""Python side of benches/arrays.rs: load time of 10 M f64 from bytes in
memory (best of runs, gc as pickle.loads leaves it), and the peak memory
of each load (tracemalloc), for the array stream, the list stream and
numpy.load of an .npy of the same array."""
import gc, io, os, pickle, sys, time, tracemalloc
import numpy as np

d = sys.argv[1]
arr = open(os.path.join(d, "array.pkl"), "rb").read()
lst = open(os.path.join(d, "list.pkl"), "rb").read()
buf = io.BytesIO()
np.save(buf, np.arange(10_000_000, dtype="<f8") * 0.5)
npy = buf.getvalue()

def best(f, runs):
    t = float("inf")
    for _ in range(runs):
        s = time.perf_counter(); v = f(); t = min(t, time.perf_counter() - s); del v
    return t

def peak(f):
    gc.collect(); tracemalloc.start(); v = f(); p = tracemalloc.get_traced_memory()[1]; tracemalloc.stop(); del v
    return p

v = pickle.loads(arr)
assert type(v) is np.ndarray and v.dtype.str == "<f8" and v.shape == (10_000_000,) and v[3] == 1.5
del v
t_arr = best(lambda: pickle.loads(arr), 7)
t_npy = best(lambda: np.load(io.BytesIO(npy)), 7)
t_lst = best(lambda: pickle.loads(lst), 3)
size = 80e6
print("Python %s, numpy %s: load of 10 M f64 from bytes in memory, best of runs" % (sys.version.split()[0], np.__version__))
print("  array stream  pickle.loads  %8.2f ms  peak %6.1f MB (%.2fx the array)" % (t_arr * 1e3, peak(lambda: pickle.loads(arr)) / 1e6, peak(lambda: pickle.loads(arr)) / size))
print("  .npy          numpy.load    %8.2f ms  peak %6.1f MB  (array stream %.2fx numpy.load)" % (t_npy * 1e3, peak(lambda: np.load(io.BytesIO(npy))) / 1e6, t_arr / t_npy))
print("  list stream   pickle.loads  %8.2f ms  peak %6.1f MB  (array stream %.1fx faster)" % (t_lst * 1e3, peak(lambda: pickle.loads(lst)) / 1e6, t_lst / t_arr))
