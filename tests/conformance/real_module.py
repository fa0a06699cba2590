#!/usr/bin/env python3
"""The conformance matrix's re-pickles with the real module importable.

    python3 real_module.py CORPUS_DIR PACKAGE_DIR EXPECTED_JSON

PACKAGE_DIR holds the module `portable_pickle::python::write_package` wrote
for every module-declared type (`conformance_mod`), put first on sys.path;
EXPECTED_JSON maps each case (a `to_vec` stream of the corpus) to the Python
norms of its values (check_corpus.py's `conform_norm`). Each stream must
load as instances of the real module's classes, equal to the expected
values; each is then re-pickled at protocols 0-5 into
CORPUS_DIR/back_real/<case>.p<p>.pkl, where such a pickle names
`conformance_mod.<Class>` as a global, for tests/conformance.rs to read
back. One CPython process for every case.
"""

import datetime  # noqa: F401  (the expected norms name it)
import json
import os
import pickle
import sys
import traceback
import uuid  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))


def main(corpus, package, expected_path):
    sys.path.insert(0, package)
    sys.path.insert(0, os.path.join(HERE, "..", "python"))
    from check_corpus import conform_norm
    import conformance_mod

    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    out = os.path.join(corpus, "back_real")
    os.makedirs(out, exist_ok=True)
    passed = failed = 0
    for case, norms in sorted(expected.items()):
        try:
            with open(os.path.join(corpus, case + ".pkl"), "rb") as f:
                xs = pickle.load(f)
            modules = {type(x).__module__ for x in xs}
            assert modules == {conformance_mod.__name__}, ("classes of", modules)
            got = conform_norm(xs)
            want = [eval(n) for n in norms]
            assert got == want, (got, want)
            for p in range(6):
                data = pickle.dumps(xs, protocol=p)
                assert b"conformance_mod" in data, "protocol %d names no real class" % p
                with open(os.path.join(out, "%s.p%d.pkl" % (case, p)), "wb") as f:
                    f.write(data)
            passed += 1
        except Exception:
            failed += 1
            print("FAILED %s:\n%s" % (case, traceback.format_exc()))
    print("real module: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
