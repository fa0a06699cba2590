"""Writes tests/fixtures/numpy/np<major>_p<protocol>.pkl: CPython's own
pickles of numpy arrays, protocols 2-5, that tests/arrays.rs reads back.
Run with numpy 1.x and with numpy 2.x (the files name the major version):

    target/numpy-venv/bin/python tests/numpy/make_fixtures.py      # numpy 2.4.6
    <venv with numpy==1.26.4>/bin/python tests/numpy/make_fixtures.py

The value: (f64 1-D, i32 2-D C order, the same in Fortran order, u16
big-endian, bool 1-D, f32 3-D sliced (not contiguous))."""
import os
import pickle
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "fixtures", "numpy")
m = np.array([[1, 2, 3], [4, 5, 6]], dtype="<i4")
cube = np.arange(24, dtype="<f4").reshape(2, 3, 4)[:, ::2, 1:3]
value = (
    np.array([1.5, -2.0, 3.25], dtype="<f8"),
    m,
    np.asfortranarray(m),
    np.array([1, 258], dtype=">u2"),
    np.array([True, False, True]),
    cube,
)
assert value[2].flags.f_contiguous and not value[2].flags.c_contiguous
assert not cube.flags.c_contiguous
major = np.__version__.split(".")[0]
for p in range(2, 6):
    path = os.path.join(out, "np%s_p%d.pkl" % (major, p))
    with open(path, "wb") as f:
        f.write(pickle.dumps(value, protocol=p))
    print(path, np.__version__, file=sys.stderr)
