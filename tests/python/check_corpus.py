#!/usr/bin/env python3
"""Load a pickle corpus written by the Rust side and check every case.

Usage:
    python check_corpus.py <corpus_dir> [--allowlist docs/FORMAT.md] [--json out.json]
                           [--reader NAME]

<corpus_dir>/manifest.json looks like:

    {"cases": [{"name": "point", "file": "point.pkl",
                "check": "assert v.x == 1.0", "min_version": [3, 10]}]}

Every case is loaded, in this one process, by each loader:

    c           pickle.loads(data)          (C unpickler where there is one)
    py          pickle._loads(data)         (pure-Python unpickler)
    restricted  pickle.Unpickler subclass whose find_class admits only the
                (module, name) pairs of the allowlist (needs --allowlist)
    optimized   pickle.loads(pickletools.optimize(data))

and the result is given to the case's ``check`` snippet (fresh globals each
time, ``v`` bound to the loaded object, ``data`` to the stream's bytes,
``loads`` to the loader's function, ``stream(file)`` reading another file of
the corpus, ``fresh_process(modules)`` simulating a fresh interpreter with
extra importable modules, ``stream_globals(bytes)`` listing the globals a
stream references, ``allowlist`` the parsed allowlist (or None),
``corpus_files`` every stream of the corpus, and ``write_back(obj)`` writing
this reader's ``pickle.dumps(obj, protocol=p)`` for p in 0..5 to
``<corpus_dir>/back/<case>.<reader>.<loader>.p<p>.pkl`` (``write_back_stream(objs)``:
each of objs with ``pickle.dump`` into one such file, a stream of pickles), plus the reader's
identification to ``<corpus_dir>/back/<reader>.txt``; tests/corpus.rs reads
CPython's back into Rust, tests/corpus_readback.rs every reader's).
``dis`` is one more check per case: pickletools.dis(data) must not raise,
and (with --allowlist) every opcode of the stream and of the pickles it
carries must be listed in the file's ```opcodes block.

``--reader NAME`` names this reader in those files; scripts/readers.sh passes
its own reader names.  The default is ``cpython``, ``pypy3`` or
``pyodide-<version>`` (the names scripts/readers.sh uses).

A case whose ``min_version`` is above this interpreter's version is reported
as not applicable (counted as skipped, per (case, loader) pair), never dropped.

The closing line is ``N passed, M failed`` (``, K skipped`` when K > 0),
counting (case, loader) pairs.  Exit status 0 iff nothing failed and at least
one pair ran.

Runs on Python 3.9 (PyPy included) up to 3.14, and under Pyodide; stdlib only.
"""

import argparse
import contextlib
import dataclasses
import datetime
import decimal
import enum
import io
import importlib
import ipaddress
import json
import linecache
import math
import os
import pickle
import pickletools
import platform
import shutil
import sys
import tempfile
import traceback
import uuid

MAX_ERROR_CHARS = 4000
TRACEBACK_TAIL_LINES = 12


def reader_identification():
    """E.g. 'CPython 3.11.7', 'PyPy 3.9.16', 'CPython 3.12.1 (emscripten)'."""
    impl = platform.python_implementation()
    version = platform.python_version()
    ident = "%s %s" % (impl, version)
    extras = []
    if sys.platform == "emscripten":
        extras.append("emscripten")
        try:
            import pyodide  # noqa: F401  (only present under Pyodide)

            extras.append("pyodide %s" % getattr(pyodide, "__version__", "?"))
        except Exception:
            pass
    if impl == "PyPy":
        pypy = getattr(sys, "pypy_version_info", None)
        if pypy is not None:
            extras.append("pypy %d.%d.%d" % tuple(pypy[:3]))
    if extras:
        ident += " (%s)" % ", ".join(extras)
    return ident


def default_reader_name():
    """The name scripts/readers.sh gives this interpreter."""
    if sys.platform == "emscripten":
        import pyodide  # noqa: F401  (only present under Pyodide)

        return "pyodide-%s" % pyodide.__version__
    if platform.python_implementation() == "PyPy":
        return "pypy3"
    return platform.python_implementation().lower()


def module_available(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


class CorpusError(Exception):
    """The corpus, manifest or allowlist itself is unusable."""


def parse_allowlist(path, tag="allowlist"):
    """Return the set of (module, name) pairs of the ```allowlist block(s)
    (``tag="allowlist-strict"``: the strict profile's)."""
    try:
        with io.open(path, "r", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise CorpusError("cannot read allowlist file %s: %s" % (path, e))
    pairs = set()
    blocks = 0
    inside = False
    fence = None
    for lineno, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not inside:
            if stripped.startswith("```") or stripped.startswith("~~~"):
                marker = stripped[:3]
                run = len(stripped) - len(stripped.lstrip(marker[0]))
                info = stripped[run:].strip()
                fence = marker[0] * run
                inside = True
                in_allowlist = info.split()[0] == tag if info else False
                if in_allowlist:
                    blocks += 1
            continue
        # inside a fenced block
        if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
            inside = False
            continue
        if not in_allowlist:
            continue
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split()
        if len(parts) != 2:
            raise CorpusError(
                "%s:%d: allowlist line must be 'module name', got %r"
                % (path, lineno, raw)
            )
        pairs.add((parts[0], parts[1]))
    if inside:
        raise CorpusError("%s: unterminated fenced code block" % path)
    if blocks == 0:
        raise CorpusError("%s: no ```%s fenced block found" % (path, tag))
    return pairs


def parse_opcodes(path):
    """Return the opcode names of the ```opcodes block of ``path``."""
    try:
        with io.open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CorpusError("cannot read %s: %s" % (path, e))
    start = text.find("```opcodes\n")
    if start < 0:
        raise CorpusError("%s: no ```opcodes fenced block found" % path)
    body = text[start + len("```opcodes\n"):]
    end = body.find("```")
    if end < 0:
        raise CorpusError("%s: unterminated ```opcodes block" % path)
    names = set(body[:end].split())
    unknown = names - set(op.name for op in pickletools.opcodes)
    if unknown:
        raise CorpusError("%s: ```opcodes lists no opcode %s" % (path, sorted(unknown)))
    return names


def stream_opcodes(data):
    """The opcode names of a stream and of the pickles it carries as bytes:
    the compressed payload, and (found by the string before them) each
    class definition ('<key>#def') and the bootstrap halves ('head', 'tail')
    the payload stores."""
    names = set()
    before = None
    for op, arg, _pos in pickletools.genops(data):
        names.add(op.name)
        if isinstance(arg, bytes):
            inner = None
            if arg[:2] == b"\x78\xda":
                import zlib  # present wherever the stream loads at all
                try:
                    inner = zlib.decompress(arg)
                except zlib.error:
                    inner = None
            elif isinstance(before, str) and (before.endswith("#def") or before in ("head", "tail")):
                inner = arg + b"."
            if inner is not None:
                names |= stream_opcodes(inner)
        before = arg
    return names


def conform_norm(x):
    """The normal form the conformance matrix's expected values are written
    in (tests/conformance/generate.py): a dataclass instance as
    ``(qualname, ((field, value), ...))``, an enum member as ``('enum',
    class name, member name)``, an array (numpy or array.array) as ``('array',
    [items])``, a set as ``('set', items sorted by repr)``, a dict as
    ``('dict', pairs sorted by repr)``; lists and tuples item by item."""
    if isinstance(x, enum.Enum):
        return ("enum", type(x).__name__, x.name)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__qualname__,
                tuple((f.name, conform_norm(getattr(x, f.name))) for f in dataclasses.fields(x)))
    if type(x).__name__ in ("ndarray", "array"):
        return ("array", [float(i) for i in x])
    if isinstance(x, (set, frozenset)):
        return ("set", sorted((conform_norm(i) for i in x), key=repr))
    if isinstance(x, dict):
        return ("dict", sorted(((conform_norm(k), conform_norm(v)) for k, v in x.items()), key=repr))
    if isinstance(x, list):
        return [conform_norm(i) for i in x]
    if isinstance(x, tuple):
        return tuple(conform_norm(i) for i in x)
    return x


def make_restricted_loads(allowed):
    class RestrictedUnpickler(pickle.Unpickler):
        def find_class(self, module, name):
            # A session's later pickles name classes by alias in io._pp3, which
            # resolves only to classes the session registered (FORMAT.md §4).
            if (module, name) not in allowed and module != "io._pp3":
                raise pickle.UnpicklingError("global %s.%s not allowed" % (module, name))
            return super(RestrictedUnpickler, self).find_class(module, name)

    def restricted_loads(data):
        return RestrictedUnpickler(io.BytesIO(data)).load()

    return restricted_loads


def py_loads_function():
    """The pure-Python unpickler's loads, or None."""
    f = getattr(pickle, "_loads", None)
    if f is not None:
        return f
    up = getattr(pickle, "_Unpickler", None)
    if up is not None:
        return lambda data: up(io.BytesIO(data)).load()
    return None


def optimized_loads(data):
    return pickle.loads(pickletools.optimize(data))


NAMESPACE_PREFIX = "_portable_pickle_"


@contextlib.contextmanager
def fresh_process(modules=None):
    """Simulates a fresh interpreter around the loads in its body.

    The runtime namespace(s) a stream installed are set aside, so the next
    load installs a new one, and ``modules`` ({dotted name: source}) become
    importable from a temporary sys.path entry (packages get an empty
    __init__.py unless given). Afterwards every module imported or installed
    inside is removed and the saved namespaces come back.
    """
    saved = {k: sys.modules.pop(k) for k in list(sys.modules) if k.startswith(NAMESPACE_PREFIX)}
    tmp = tempfile.mkdtemp(prefix="portable-modules-")
    for name, source in (modules or {}).items():
        parts = name.split(".")
        for i in range(1, len(parts)):
            pkg = os.path.join(tmp, *parts[:i])
            os.makedirs(pkg, exist_ok=True)
            init = os.path.join(pkg, "__init__.py")
            if not os.path.exists(init):
                open(init, "w").close()
        with open(os.path.join(tmp, *parts[:-1], parts[-1] + ".py"), "w") as f:
            f.write(source)
    sys.path.insert(0, tmp)
    importlib.invalidate_caches()
    before = set(sys.modules)
    try:
        yield
    finally:
        sys.path.remove(tmp)
        for k in set(sys.modules) - before:
            del sys.modules[k]
        for k in [k for k in sys.modules if k.startswith(NAMESPACE_PREFIX)]:
            del sys.modules[k]
        sys.modules.update(saved)
        importlib.invalidate_caches()
        shutil.rmtree(tmp, ignore_errors=True)


def stream_globals(data, memo=None):
    """The (module, name) pairs a stream's STACK_GLOBALs reference, read
    with pickletools (nothing is loaded). Follows module/name strings through
    the memo, and descends into bytes constants that are pickles themselves:
    zlib-compressed ones (the payload) and pickle fragments (class
    definitions, read with the memo of the stream that carries them)."""
    import zlib

    found = set()
    memo = {} if memo is None else dict(memo)
    strings = []  # the values pushed by the last ops, None for non-strings
    last = None
    for op, arg, _pos in pickletools.genops(data):
        name = op.name
        if name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"):
            last = arg
        elif name in ("BINGET", "LONG_BINGET", "GET"):
            last = memo.get(int(arg))
        elif name == "MEMOIZE":
            memo[len(memo)] = strings[-1] if strings else None
            continue
        elif name in ("BINPUT", "LONG_BINPUT", "PUT"):
            memo[int(arg)] = strings[-1] if strings else None
            continue
        elif name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
            last = None
        elif name == "GLOBAL":
            found.add(tuple(arg.split(" ", 1)))
            last = None
        elif name in ("SHORT_BINBYTES", "BINBYTES", "BINBYTES8"):
            key = strings[-1] if strings else None
            if isinstance(key, str) and key.endswith("#def"):
                # A class definition: a fragment that runs after the
                # bootstrap core, whose memo slots it shares with this stream.
                found |= stream_globals(arg + b".", memo)
            elif arg.startswith(b"\x80"):
                # The bootstrap core's head: it ends with the payload's
                # BINBYTES opcode and 4-byte length.
                head = arg[:-5] if arg[-5:-4] == b"B" else arg
                found |= stream_globals(head + b"N.")
            else:
                try:
                    found |= stream_globals(zlib.decompress(arg))
                except zlib.error:
                    pass  # plain data
            last = None
        else:
            last = None
        strings.append(last)
    return found


def check_globals(value, loader, data, loads, corpus_dir, allowlist, case=None, reader=None):
    def stream(name):
        """The bytes of another stream of the corpus, by file name."""
        with open(os.path.join(corpus_dir, name), "rb") as f:
            return f.read()

    def write_back(obj, protocols=range(6)):
        """Re-pickles obj with this reader's pickler, for the Rust side."""
        name = reader or default_reader_name()
        out = os.path.join(corpus_dir, "back")
        if not os.path.isdir(out):
            os.makedirs(out)
        with io.open(os.path.join(out, "%s.txt" % name), "w", encoding="utf-8") as f:
            f.write(reader_identification() + "\n")
        for p in protocols:
            path = os.path.join(out, "%s.%s.%s.p%d.pkl" % (case, name, loader, p))
            with open(path, "wb") as f:
                f.write(pickle.dumps(obj, protocol=p))

    def write_back_stream(objs, protocols=range(6)):
        """Re-pickles each of objs with pickle.dump into one file per
        protocol (a stream of pickles, as a Python producer writes one)."""
        name = reader or default_reader_name()
        out = os.path.join(corpus_dir, "back")
        if not os.path.isdir(out):
            os.makedirs(out)
        for p in protocols:
            path = os.path.join(out, "%s.%s.%s.p%d.pkl" % (case, name, loader, p))
            with open(path, "wb") as f:
                for obj in objs:
                    pickle.dump(obj, f, protocol=p)

    return {
        "__name__": "__check__",
        "__builtins__": __builtins__,
        "v": value,
        "loader": loader,
        "data": data,
        "loads": loads,
        "stream": stream,
        "write_back": write_back,
        "write_back_stream": write_back_stream,
        "fresh_process": fresh_process,
        "stream_globals": stream_globals,
        "conform_norm": conform_norm,
        "allowlist": allowlist,
        "corpus_files": sorted(
            os.path.join(corpus_dir, f) for f in os.listdir(corpus_dir) if f.endswith(".pkl")),
        "pickle": pickle,
        "pickletools": pickletools,
        "sys": sys,
        "math": math,
        "datetime": datetime,
        "ipaddress": ipaddress,
        "decimal": decimal,
        "uuid": uuid,
        "enum": enum,
        "dataclasses": dataclasses,
        "io": io,
    }


def describe_exception(exc):
    """Exception text plus the tail of its traceback (check source lines shown)."""
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    lines = "".join(tb).rstrip("\n").splitlines()
    if len(lines) > TRACEBACK_TAIL_LINES:
        lines = ["    ..."] + lines[-TRACEBACK_TAIL_LINES:]
    text = "\n".join(lines)
    if len(text) > MAX_ERROR_CHARS:
        text = text[:MAX_ERROR_CHARS // 2] + "\n    ...[cut]...\n" + text[-MAX_ERROR_CHARS // 2:]
    return text


def short_exception(exc):
    s = "%s: %s" % (type(exc).__name__, exc)
    s = s.replace("\n", " | ")
    if len(s) > 500:
        s = s[:500] + "..."
    return s


def load_manifest(corpus_dir):
    path = os.path.join(corpus_dir, "manifest.json")
    try:
        with io.open(path, "r", encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise CorpusError("cannot read manifest %s: %s" % (path, e))
    cases = manifest.get("cases") if isinstance(manifest, dict) else None
    if not isinstance(cases, list):
        raise CorpusError("%s: top level must be an object with a 'cases' list" % path)
    seen = set()
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            raise CorpusError("%s: case #%d is not an object" % (path, i))
        for key in ("name", "file", "check"):
            if not isinstance(case.get(key), str):
                raise CorpusError("%s: case #%d lacks string field %r" % (path, i, key))
        if case["name"] in seen:
            raise CorpusError("%s: duplicate case name %r" % (path, case["name"]))
        seen.add(case["name"])
        mv = case.get("min_version")
        if mv is not None and not (
            isinstance(mv, list) and 1 <= len(mv) <= 3 and all(isinstance(x, int) for x in mv)
        ):
            raise CorpusError("%s: case %r: bad min_version %r" % (path, case["name"], mv))
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus_dir")
    ap.add_argument("--allowlist", help="markdown file with an ```allowlist fenced block")
    ap.add_argument("--json", dest="json_out", help="also write a JSON report here")
    ap.add_argument("--reader", help="this reader's name in the write_back files "
                    "(default: cpython, pypy3 or pyodide-<version>)")
    args = ap.parse_args(argv)

    ident = reader_identification()
    print(ident)
    reader = args.reader or default_reader_name()
    if not reader or not all(ch.isalnum() or ch in "._-" for ch in reader):
        ap.error("--reader: %r is not a name of letters, digits, '.', '_', '-'" % reader)
    print("reader name: %s (write_back: back/<case>.%s.<loader>.p<N>.pkl)" % (reader, reader))
    print("python: %s" % sys.version.replace("\n", " "))

    notes = []
    has_c_pickle = module_available("_pickle")
    if has_c_pickle and pickle.loads is not getattr(pickle, "_loads", None):
        print("_pickle: available (loader c = C unpickler)")
    else:
        msg = ("_pickle: NOT AVAILABLE (loader c = pickle.loads = pure-Python unpickler, "
               "same code as loader py)")
        print(msg)
        notes.append(msg)
    if module_available("zlib"):
        print("zlib: available")
    else:
        msg = "zlib: NOT AVAILABLE"
        print(msg)
        notes.append(msg)
    for mod in ("_datetime", "_decimal"):  # informational: pure-Python fallbacks exist
        print("%s: %s" % (mod, "available" if module_available(mod)
                          else "not available (pure-Python fallback in use)"))

    py_loads = py_loads_function()
    loaders = [("c", pickle.loads)]
    if py_loads is not None:
        loaders.append(("py", py_loads))
    else:
        msg = "loader py: NOT AVAILABLE (neither pickle._loads nor pickle._Unpickler exists)"
        print(msg)
        notes.append(msg)

    allowed = None
    listed_opcodes = None
    try:
        if args.allowlist:
            allowed = parse_allowlist(args.allowlist)
            listed_opcodes = parse_opcodes(args.allowlist)
            loaders.append(("restricted", make_restricted_loads(allowed)))
            print("loader restricted: %d allowed globals from %s" % (len(allowed), args.allowlist))
            # Strict-profile cases (named strict_*, not their *_default
            # twins): the restricted loader admits exactly the strict allowlist.
            strict_loads = make_restricted_loads(parse_allowlist(args.allowlist, "allowlist-strict"))
        else:
            msg = "loader restricted: SKIPPED (no --allowlist given)"
            print(msg)
            notes.append(msg)
        loaders.append(("optimized", optimized_loads))
        cases = load_manifest(args.corpus_dir)
    except CorpusError as e:
        print("ERROR: %s" % e)
        print("0 passed, 1 failed")
        if args.json_out:
            write_json(args.json_out, ident, 0, 1, 0,
                       [{"case": None, "loader": None, "error": str(e)}], [], notes, [])
        return 1

    loader_names = [name for name, _ in loaders] + ["dis"]
    print("loaders: %s" % ", ".join(loader_names))
    print("cases: %d in %s" % (len(cases), args.corpus_dir))
    print("")

    stats = dict((name, [0, 0, 0]) for name in loader_names)  # passed, failed, skipped
    failures = []
    not_applicable = []
    here = tuple(sys.version_info[:3])

    def fail(case_name, loader, phase, exc):
        detail = describe_exception(exc)
        failures.append({"case": case_name, "loader": loader, "phase": phase,
                         "error": short_exception(exc), "traceback": detail})
        stats[loader][1] += 1
        print("FAIL %s [%s] %s: %s" % (case_name, loader, phase, short_exception(exc)))
        for line in detail.splitlines():
            print("    | " + line)

    for case in cases:
        name = case["name"]
        mv = case.get("min_version")
        if mv is not None and here[:len(mv)] < tuple(mv):
            reason = "needs Python >= %s, this reader is %s" % (
                ".".join(map(str, mv)), ".".join(map(str, here[:2])))
            not_applicable.append({"case": name, "reason": reason})
            for loader in loader_names:
                stats[loader][2] += 1
            print("NOT APPLICABLE %s: %s (on this reader; %d checks skipped)"
                  % (name, reason, len(loader_names)))
            continue

        path = os.path.join(args.corpus_dir, case["file"])
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            for loader in loader_names:
                fail(name, loader, "read", e)
            continue

        check_filename = "<check %s>" % name
        check_src = case["check"]
        if not check_src.endswith("\n"):
            check_src += "\n"
        # Lets tracebacks show the failing line of the check snippet.
        linecache.cache[check_filename] = (
            len(check_src), None, check_src.splitlines(True), check_filename)
        try:
            code = compile(check_src, check_filename, "exec")
        except SyntaxError as e:
            for loader in loader_names:
                fail(name, loader, "compile check", e)
            continue

        for loader, loads in loaders:
            if loader == "restricted" and name.startswith("strict_") and not name.endswith("_default"):
                loads = strict_loads
            try:
                value = loads(data)
            except KeyboardInterrupt:
                raise
            except BaseException as e:
                fail(name, loader, "load", e)
                continue
            try:
                exec(code, check_globals(value, loader, data, loads, args.corpus_dir, allowed,
                                         name, reader))
            except KeyboardInterrupt:
                raise
            except BaseException as e:
                fail(name, loader, "check", e)
                continue
            stats[loader][0] += 1

        try:
            pickletools.dis(data, out=io.StringIO())
            if listed_opcodes is not None:
                unlisted = stream_opcodes(data) - listed_opcodes
                if unlisted:
                    raise AssertionError("opcodes not listed in %s: %s"
                                         % (args.allowlist, ", ".join(sorted(unlisted))))
        except KeyboardInterrupt:
            raise
        except BaseException as e:
            fail(name, "dis", "pickletools.dis", e)
        else:
            stats["dis"][0] += 1

    passed = sum(s[0] for s in stats.values())
    failed = sum(s[1] for s in stats.values())
    skipped = sum(s[2] for s in stats.values())

    print("")
    print("per loader (reader: %s):" % ident)
    for loader in loader_names:
        p, f_, s = stats[loader]
        print("  %-11s passed=%d failed=%d not_applicable=%d" % (loader, p, f_, s))
    for note in notes:
        print("note: %s" % note)
    if passed + failed == 0:
        print("ERROR: no case ran on this reader")
    closing = "%d passed, %d failed" % (passed, failed)
    if skipped:
        closing += ", %d skipped" % skipped
    if args.json_out:
        write_json(args.json_out, ident, passed, failed, skipped, failures,
                   not_applicable, notes, loader_names, stats)
    print(closing)
    return 0 if failed == 0 and passed + failed > 0 else 1


def write_json(path, ident, passed, failed, skipped, failures, not_applicable,
               notes, loader_names, stats=None):
    report = {
        "reader": ident,
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
        "failures": failures,
        "not_applicable": not_applicable,
        "notes": notes,
        "loaders": loader_names,
    }
    if stats is not None:
        report["per_loader"] = dict(
            (k, {"passed": v[0], "failed": v[1], "skipped": v[2]}) for k, v in stats.items())
    with io.open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
