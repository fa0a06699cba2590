#!/usr/bin/env bash
# Check a pickle corpus (manifest.json + .pkl files) on all seven readers:
#   python3 (CPython 3.11), pypy3, and Pyodide 0.22.1 / 0.26.4 / 0.28.3 / 314.0.7 (node).
#
#   scripts/readers.sh <corpus_dir> [--allowlist FILE]
#
# The allowlist for the restricted loader defaults to docs/FORMAT.md (when it
# exists). Installs nothing: a missing reader is an error (see
# scripts/setup-readers.sh). Each interpreter is started once, one at a time.
# Closing line: "N passed, M failed" (", K skipped" when cases were not
# applicable), summed over all readers; exit 0 iff every reader ran and passed.
#
# Each reader runs under its name (cpython, pypy3, pyodide-<version>), passed
# to check_corpus.py as --reader: the re-pickles of the cases that call
# write_back land in <corpus_dir>/back/<case>.<reader>.<loader>.p<N>.pkl (the
# Pyodide runner copies them out of its in-memory file system), which is
# emptied first. tests/corpus_readback.rs reads them all back into Rust
# (PORTABLE_PICKLE_READBACK_DIR=<corpus_dir>; scripts/test.sh runs it).
set -euo pipefail

usage() {
    echo "usage: $0 <corpus_dir> [--allowlist FILE]" >&2
    exit 2
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus=""
allowlist=""
while [ $# -gt 0 ]; do
    case "$1" in
        --allowlist)
            [ $# -ge 2 ] || usage
            allowlist="$2"
            shift 2
            ;;
        -h|--help) usage ;;
        -*) echo "readers.sh: unknown option $1" >&2; usage ;;
        *)
            [ -z "$corpus" ] || usage
            corpus="$1"
            shift
            ;;
    esac
done
[ -n "$corpus" ] || usage
if [ ! -f "$corpus/manifest.json" ]; then
    echo "readers.sh: ERROR: $corpus/manifest.json not found" >&2
    exit 2
fi
corpus="$(cd "$corpus" && pwd)"
if [ -n "$allowlist" ]; then
    if [ ! -f "$allowlist" ]; then
        echo "readers.sh: ERROR: allowlist $allowlist not found" >&2
        exit 2
    fi
    allowlist="$(cd "$(dirname "$allowlist")" && pwd)/$(basename "$allowlist")"
elif [ -f "$repo/docs/FORMAT.md" ]; then
    allowlist="$repo/docs/FORMAT.md"
fi

checker="$repo/tests/python/check_corpus.py"
runner="$repo/tests/readers/run_pyodide.cjs"
pyodide_versions=(0.22.1 0.26.4 0.28.3 314.0.7)

# ---- every reader must be present: never skip one silently ------------------
missing=()
command -v python3 >/dev/null 2>&1 || missing+=("python3 (CPython) not on PATH")
command -v pypy3 >/dev/null 2>&1 || missing+=("pypy3 not on PATH")
command -v node >/dev/null 2>&1 || missing+=("node not on PATH")
for v in "${pyodide_versions[@]}"; do
    d="$repo/tests/readers/node_modules/pyodide-$v"
    if [ ! -f "$d/package.json" ] || [ ! -f "$d/pyodide.asm.wasm" ]; then
        missing+=("Pyodide $v not installed ($d incomplete)")
    elif ! grep -q "\"version\": *\"$v\"" "$d/package.json"; then
        missing+=("Pyodide $v: $d/package.json has another version (stale node_modules)")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "readers.sh: ERROR: missing readers:" >&2
    for m in "${missing[@]}"; do echo "  - $m" >&2; done
    echo "readers.sh: run scripts/setup-readers.sh first" >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Only this run's re-pickles: a reader that writes none leaves a gap that
# tests/corpus_readback.rs reports.
rm -rf "$corpus/back"
# Each reader's JSON report is kept in <corpus_dir>/results/<reader>.json
# (tests/conformance.rs counts its cells from them).
rm -rf "$corpus/results"
mkdir -p "$corpus/results"

allow_args=()
if [ -n "$allowlist" ]; then
    allow_args=(--allowlist "$allowlist")
    echo "readers.sh: corpus $corpus, allowlist $allowlist"
else
    echo "readers.sh: corpus $corpus, NO allowlist (docs/FORMAT.md missing): restricted loader skipped"
fi

names=()
# run_reader NAME CMD...: runs one reader, its output prefixed by "[NAME] ".
run_reader() {
    local name="$1"
    shift
    local json="$tmp/$name.json"
    local start end rc=0
    names+=("$name")
    echo
    echo "==== reader $name: $*"
    start=$(date +%s.%N)
    "$@" --reader "$name" --json "$json" 2>&1 | sed -u "s/^/[$name] /" || rc=$?
    end=$(date +%s.%N)
    echo "$rc" >"$tmp/$name.rc"
    if [ -f "$json" ]; then cp "$json" "$corpus/results/$name.json"; fi
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }' >"$tmp/$name.time"
}

total_start=$(date +%s.%N)
run_reader cpython python3 "$checker" "$corpus" ${allow_args[@]+"${allow_args[@]}"}
run_reader pypy3 pypy3 "$checker" "$corpus" ${allow_args[@]+"${allow_args[@]}"}
for v in "${pyodide_versions[@]}"; do
    run_reader "pyodide-$v" node "$runner" "pyodide-$v" "$corpus" "$repo" ${allow_args[@]+"${allow_args[@]}"}
done
total_end=$(date +%s.%N)

# ---- table -------------------------------------------------------------------
echo
python3 - "$tmp" "$corpus" "$total_start" "$total_end" "${names[@]}" <<'EOF'
import json, os, sys

tmp, corpus, names = sys.argv[1], sys.argv[2], sys.argv[5:]
t0, t1 = float(sys.argv[3]), float(sys.argv[4])
back = os.path.join(corpus, "back")
back_files = os.listdir(back) if os.path.isdir(back) else []
rows = []
tp = tf = ts = 0
bad = []
for name in names:
    rc = int(open(os.path.join(tmp, name + ".rc")).read())
    secs = open(os.path.join(tmp, name + ".time")).read().strip()
    path = os.path.join(tmp, name + ".json")
    try:
        with open(path) as f:
            r = json.load(f)
        p, fl, s, ident = r["passed"], r["failed"], r["skipped"], r["reader"]
    except Exception as e:
        p, fl, s, ident = 0, 1, 0, "(no report: %s)" % type(e).__name__
    status = "ok"
    if rc != 0 or fl != 0:
        status = "FAIL"
        if fl == 0:  # crashed, or nothing ran: still a failure
            fl = 1
            status = "FAIL (exit %d)" % rc
    elif p == 0:
        status, fl = "FAIL (no case ran)", 1
    if status != "ok":
        bad.append(name)
    tp, tf, ts = tp + p, tf + fl, ts + s
    written = sum(1 for f in back_files if f.endswith(".pkl") and ".%s." % name in f)
    rows.append((name, ident, str(p), str(fl), str(s), str(written), secs + " s", status))

head = ("reader", "interpreter", "passed", "failed", "not applicable", "written back", "time",
        "status")
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
fmt = "  ".join("%%-%ds" % x for x in w)
print((fmt % head).rstrip())
print((fmt % tuple("-" * x for x in w)).rstrip())
for r in rows:
    print((fmt % r).rstrip())
print("total time %.1f s" % (t1 - t0))
if bad:
    print("readers.sh: FAILED on: %s" % ", ".join(bad))
closing = "%d passed, %d failed" % (tp, tf)
if ts:
    closing += ", %d skipped" % ts
print(closing)
sys.exit(1 if bad else 0)
EOF
