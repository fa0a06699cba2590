#!/usr/bin/env node
// Run tests/python/check_corpus.py inside one Pyodide version, offline.
//
//   node run_pyodide.cjs <alias> <corpus_dir> <repo_root> [--allowlist FILE] [--json OUT]
//                        [--reader NAME]
//
// <alias> is a dependency name of tests/readers/package.json, e.g. pyodide-0.22.1.
// The Pyodide runtime is loaded once from its installed npm package (indexURL =
// that package's directory; no network access). check_corpus.py, every file of
// <corpus_dir> (but its back/ directory, which holds the readers' output) and
// the allowlist (default <repo_root>/docs/FORMAT.md if it exists) are copied
// into Pyodide's in-memory file system, then check_corpus.py runs there with
// sys.argv set (--reader NAME passed on; its default is pyodide-<version>).
// Its stdout/stderr are forwarded line by line. Afterwards the re-pickles its
// write_back wrote (the in-memory /corpus/back) are copied out to
// <corpus_dir>/back on the host, for tests/corpus_readback.rs.
// Exit status: check_corpus.py's (0 = all passed), 2 = runner/Pyodide error.
"use strict";

const fs = require("fs");
const path = require("path");
const url = require("url");

function usage(msg) {
  if (msg) console.error(`run_pyodide: ${msg}`);
  console.error(
    "usage: node run_pyodide.cjs <alias> <corpus_dir> <repo_root> [--allowlist FILE] [--json OUT] [--reader NAME]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const pos = [];
  const opts = { allowlist: null, json: null, reader: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--allowlist" || a === "--json" || a === "--reader") {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else if (a.startsWith("--")) {
      usage(`unknown option ${a}`);
    } else {
      pos.push(a);
    }
  }
  if (pos.length !== 3) usage("expected 3 positional arguments");
  [opts.alias, opts.corpus, opts.repo] = pos;
  return opts;
}

// Copy a host directory tree into the Emscripten FS (but the top-level
// entries named in `skip`).
function copyTree(FS, hostDir, fsDir, skip = []) {
  FS.mkdirTree(fsDir);
  let count = 0;
  for (const ent of fs.readdirSync(hostDir, { withFileTypes: true })) {
    if (skip.includes(ent.name)) continue;
    const src = path.join(hostDir, ent.name);
    const dst = `${fsDir}/${ent.name}`;
    if (ent.isDirectory()) {
      count += copyTree(FS, src, dst);
    } else {
      FS.writeFile(dst, fs.readFileSync(src)); // Uint8Array/Buffer: binary copy
      count += 1;
    }
  }
  return count;
}

// Copy the files of an Emscripten FS directory out to a host directory (flat:
// write_back writes no subdirectories). Returns the number of files, 0 when
// fsDir does not exist.
function copyOut(FS, fsDir, hostDir) {
  let names;
  try {
    names = FS.readdir(fsDir);
  } catch (e) {
    return 0; // nothing was written back
  }
  fs.mkdirSync(hostDir, { recursive: true });
  let count = 0;
  for (const name of names) {
    if (name === "." || name === "..") continue;
    const src = `${fsDir}/${name}`;
    if (!FS.isFile(FS.stat(src).mode)) {
      throw new Error(`${src}: not a regular file`);
    }
    fs.writeFileSync(path.join(hostDir, name), FS.readFile(src)); // Uint8Array
    count += 1;
  }
  return count;
}

async function loadRuntime(alias, pkgDir, stdoutLine, stderrLine) {
  const indexURL = pkgDir + path.sep;
  const config = { indexURL, stdout: stdoutLine, stderr: stderrLine };
  let mod;
  let how;
  try {
    mod = require(alias); // CommonJS build (pyodide.js); required for 0.22.1
    how = "require";
  } catch (e) {
    // Fall back to the ES module build.
    mod = await import(url.pathToFileURL(path.join(pkgDir, "pyodide.mjs")).href);
    how = "import";
  }
  const pyodide = await mod.loadPyodide(config);
  return { pyodide, how };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const here = __dirname;
  const pkgDir = path.join(here, "node_modules", opts.alias);
  const pkgJson = path.join(pkgDir, "package.json");
  if (!fs.existsSync(pkgJson)) {
    console.error(
      `run_pyodide: ${opts.alias} is not installed (${pkgDir} missing); run scripts/setup-readers.sh`,
    );
    return 2;
  }
  const version = JSON.parse(fs.readFileSync(pkgJson, "utf8")).version;
  // The runtime must be complete locally: wasm + Python stdlib.
  const wanted = ["pyodide.asm.wasm"];
  // 0.22.x: stdlib in pyodide.asm.data (+ pyodide_py.tar); later: python_stdlib.zip.
  if (fs.existsSync(path.join(pkgDir, "python_stdlib.zip"))) wanted.push("python_stdlib.zip");
  else wanted.push("pyodide.asm.data", "pyodide_py.tar");
  for (const f of wanted) {
    if (!fs.existsSync(path.join(pkgDir, f))) {
      console.error(`run_pyodide: ${opts.alias}: ${f} missing in ${pkgDir}`);
      return 2;
    }
  }

  const checker = path.join(opts.repo, "tests", "python", "check_corpus.py");
  if (!fs.existsSync(checker)) {
    console.error(`run_pyodide: ${checker} not found`);
    return 2;
  }
  if (!fs.existsSync(path.join(opts.corpus, "manifest.json"))) {
    console.error(`run_pyodide: ${opts.corpus}/manifest.json not found`);
    return 2;
  }
  let allowlist = opts.allowlist;
  if (allowlist === null) {
    const def = path.join(opts.repo, "docs", "FORMAT.md");
    if (fs.existsSync(def)) allowlist = def;
  } else if (!fs.existsSync(allowlist)) {
    console.error(`run_pyodide: allowlist ${allowlist} not found`);
    return 2;
  }

  // Any network access at load time is a bug: the readers must work offline.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (resource, ...rest) => {
    const s = String(resource && resource.url ? resource.url : resource);
    if (/^(https?|wss?):/i.test(s)) {
      throw new Error(`run_pyodide: network fetch attempted (${s}); Pyodide must load offline`);
    }
    return realFetch(resource, ...rest);
  };

  const out = (s) => process.stdout.write(s + "\n");
  const err = (s) => process.stderr.write(s + "\n");
  const t0 = Date.now();
  let pyodide, how;
  try {
    ({ pyodide, how } = await loadRuntime(opts.alias, pkgDir, out, err));
  } catch (e) {
    console.error(`run_pyodide: loading ${opts.alias} failed: ${e && e.stack ? e.stack : e}`);
    return 2;
  }
  // Batched handlers: called once per line (without the newline).
  if (typeof pyodide.setStdout === "function") {
    pyodide.setStdout({ batched: out });
    pyodide.setStderr({ batched: err });
  }
  out(`[pyodide ${version} via ${how}, loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s]`);

  const FS = pyodide.FS;
  FS.mkdirTree("/harness");
  FS.writeFile("/harness/check_corpus.py", fs.readFileSync(checker));
  const nFiles = copyTree(FS, opts.corpus, "/corpus", ["back"]);
  const argv = ["/harness/check_corpus.py", "/corpus"];
  if (allowlist !== null) {
    const fsAllow = `/harness/${path.basename(allowlist)}`;
    FS.writeFile(fsAllow, fs.readFileSync(allowlist));
    argv.push("--allowlist", fsAllow);
  }
  if (opts.json) argv.push("--json", "/harness/report.json");
  if (opts.reader !== null) argv.push("--reader", opts.reader);
  out(`[copied ${nFiles} corpus files; allowlist: ${allowlist === null ? "none" : allowlist}]`);

  pyodide.globals.set("_runner_argv", pyodide.toPy(argv));
  let rc;
  try {
    rc = pyodide.runPython(`
import runpy as _runpy, sys as _sys

class _LastChar:
    # The batched handlers only see complete lines: remember whether the
    # output ends with a newline so a final partial line is not lost.
    def __init__(self, stream):
        self._stream = stream
        self.last = "\\n"
    def write(self, text):
        if text:
            self.last = text[-1]
        return self._stream.write(text)
    def __getattr__(self, name):
        return getattr(self._stream, name)

_sys.stdout = _LastChar(_sys.stdout)
_sys.stderr = _LastChar(_sys.stderr)
_sys.argv = list(_runner_argv)
del _runner_argv
try:
    _runpy.run_path("/harness/check_corpus.py", run_name="__main__")
    _rc = 0
except SystemExit as _e:
    if _e.code is None:
        _rc = 0
    elif isinstance(_e.code, int):
        _rc = _e.code
    else:
        print(_e.code, file=_sys.stderr)
        _rc = 1
finally:
    for _s in (_sys.stdout, _sys.stderr):
        if isinstance(_s, _LastChar):
            if _s.last != "\\n":
                _s.write("\\n")
            _s.flush()
    _sys.stdout, _sys.stderr = _sys.__stdout__, _sys.__stderr__
_rc
`);
  } catch (e) {
    // A Python exception other than SystemExit escaped check_corpus.py.
    err(`run_pyodide: check_corpus.py raised: ${e && e.message ? e.message : e}`);
    return 2;
  }
  // The re-pickles live in the in-memory FS only: copy them to the host.
  const hostBack = path.join(opts.corpus, "back");
  try {
    const nBack = copyOut(FS, "/corpus/back", hostBack);
    out(`[copied ${nBack} written-back files out to ${hostBack}]`);
  } catch (e) {
    err(`run_pyodide: copying /corpus/back out failed: ${e && e.stack ? e.stack : e}`);
    return 2;
  }
  if (opts.json) {
    try {
      fs.writeFileSync(opts.json, FS.readFile("/harness/report.json"));
    } catch (e) {
      err(`run_pyodide: no JSON report produced (${e})`);
      return rc === 0 ? 2 : rc;
    }
  }
  return typeof rc === "number" ? rc : 2;
}

main().then(
  (rc) => {
    // Let pending stdout writes drain before exiting.
    process.exitCode = rc;
    setImmediate(() => process.exit(rc));
  },
  (e) => {
    console.error(`run_pyodide: ${e && e.stack ? e.stack : e}`);
    process.exit(2);
  },
);
