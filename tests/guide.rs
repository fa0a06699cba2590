//! The documentation's examples, run, so that none can rot.
//!
//! * Every ```` ```python ```` block of README.md and docs/guide/*.md runs
//!   with the machine's bare `python3` (blocks tagged `numpy` with the
//!   pinned numpy of `scripts/setup-numpy.sh`, `mypy` under `mypy --strict`
//!   from `scripts/setup-mypy.sh`; `pandas` blocks are run by
//!   tests/data_tools.rs, which checks the frame they build).
//! * A Python block gets its input from a Rust block before it. Its first
//!   line names the files it loads — `# input: shapes.pkl (the Rust example
//!   above)` — and the Rust example writes them into
//!   `std::env::temp_dir()`, which Python's `tempfile.gettempdir()` also
//!   returns. The runner runs a document's blocks in order in a fresh
//!   directory, target/tmp/guide/<document>/, that is both `TMPDIR` and the
//!   current directory of every block.
//! * A Rust block that writes or reads such files is a *step*: a verbatim
//!   copy of the block in `mod steps` below, between `// step NAME begin`
//!   and `// step NAME end`, which the runner runs in a child process of
//!   this test binary (so `TMPDIR` is the document's directory). A step that
//!   no longer matches a block of its document fails the run: change the
//!   document and the copy together. Every Rust block of docs/guide is also
//!   a doctest (src/lib.rs includes each chapter); the README's Rust blocks
//!   are all steps.
//! * The README's features table lists every feature of Cargo.toml, and so
//!   does the crate documentation (docs/crate.md); the README stays within
//!   300 lines with the sections a newcomer needs; every relative link of
//!   the documentation reaches a file and, with `#anchor`, a heading.
//! * The sizes the documents quote (the header, a one-`Point` stream, a
//!   session's pickles) are this build's.
//! * The runner fails on a broken example: `runner_*` feed it broken blocks.

// The steps use every optional feature: without them all, the examples are
// not run (scripts/test.sh runs `cargo test --all-features`).
#![cfg_attr(
    not(all(
        feature = "chrono",
        feature = "uuid",
        feature = "rust_decimal",
        feature = "indexmap",
        feature = "num-complex",
        feature = "serde",
        feature = "ndarray"
    )),
    allow(dead_code)
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/venv.rs"]
mod venv;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The environment variable that makes `guide_step` run one step.
const STEP_VAR: &str = "PORTABLE_PICKLE_GUIDE_STEP";

// ---------------------------------------------------------------------------
// Markdown: fenced code blocks, headings, links.

/// A fenced code block: its info string (`rust`, `python numpy`, …), first
/// line number (1-based, the fence's) and text.
#[derive(Debug, Clone)]
struct Block {
    info: String,
    line: usize,
    text: String,
}

impl Block {
    fn lang(&self) -> &str {
        self.info.split([',', ' ']).next().unwrap_or("")
    }

    fn tags(&self) -> Vec<&str> {
        self.info.split([',', ' ']).skip(1).filter(|t| !t.is_empty()).collect()
    }
}

/// The fenced code blocks of a document (fences at the start of a line, of
/// three or more backticks; a block ends at a fence of the same length).
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        match &mut open {
            None if ticks >= 3 => {
                let info = line[ticks..].trim().to_owned();
                open = Some((
                    ticks,
                    Block {
                        info,
                        line: i + 1,
                        text: String::new(),
                    },
                ));
            }
            None => {}
            Some((n, _)) if ticks == *n && line.trim_end().len() == ticks => {
                out.push(open.take().expect("open block").1);
            }
            Some((_, block)) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    out
}

/// The lines of a Rust block as rustdoc shows them (hidden `# ` lines
/// dropped), dedented, without trailing whitespace or blank lines at the
/// ends: what a step's copy must equal.
fn shown_rust(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t == "#" || t.starts_with("# "))
        })
        .collect();
    dedent(&lines)
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                l[indent..].trim_end()
            }
        })
        .collect();
    body.join("\n").trim_matches('\n').to_owned()
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces
/// as `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a document's headings (outside code blocks), with
/// GitHub's `-1`, `-2` suffixes for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fence = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let base = slug(heading);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// The targets of a document's inline links `[text](target)`, outside code
/// blocks and code spans.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        // Drop code spans, so `[T](x)` in code is not a link.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            out.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The documents.

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// The guide's chapters, docs/guide/*.md, by file name.
fn chapters() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("docs/guide"))
        .expect("docs/guide")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

/// README.md and every chapter, as paths from the repository root.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_owned()];
    docs.extend(chapters().into_iter().map(|c| format!("docs/guide/{c}")));
    docs
}

// ---------------------------------------------------------------------------
// The runner.

/// A Rust block of a document, copied verbatim into `mod steps`.
struct Step {
    name: &'static str,
    doc: &'static str,
    run: fn() -> Result<(), String>,
}

/// This file's own text: where the steps' copies are read from.
const THIS_FILE: &str = include_str!("guide.rs");

/// The copy of step `name` (between its `begin` and `end` lines), as
/// `shown_rust` renders a block.
fn step_source(name: &str) -> String {
    let begin = format!("// step {name} begin");
    let end = format!("// step {name} end");
    let lines: Vec<&str> = THIS_FILE
        .lines()
        .skip_while(|l| l.trim() != begin)
        .skip(1)
        .take_while(|l| l.trim() != end)
        .collect();
    assert!(!lines.is_empty(), "tests/guide.rs has no copy of step {name}");
    dedent(&lines)
}

/// What one document's run did, for the log.
#[derive(Default)]
struct Run {
    log: Vec<String>,
}

/// Runs the blocks of `doc` (its text is `text`) in order in `dir`: steps
/// in a child process, Python blocks as scripts. `Err` says which block
/// failed and how.
fn run_doc(doc: &str, text: &str, steps: &[Step], dir: &Path) -> Result<Run, String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let blocks = blocks(text);
    let mine: Vec<&Step> = steps.iter().filter(|s| s.doc == doc).collect();

    // Every step of this document is still a block of it, before anything runs.
    for step in &mine {
        let source = step_source(step.name);
        if !blocks
            .iter()
            .any(|b| b.lang() == "rust" && shown_rust(&b.text) == source)
        {
            return Err(format!(
                "step {} (tests/guide.rs) no longer matches a Rust block of {doc}: \
                 copy the block into the step, or the step into the document",
                step.name
            ));
        }
    }

    let mut run = Run::default();
    for block in &blocks {
        let at = format!("{doc}:{}", block.line);
        match block.lang() {
            "rust" => {
                let shown = shown_rust(&block.text);
                if let Some(step) = mine.iter().find(|s| step_source(s.name) == shown) {
                    run_step(step.name, dir)
                        .map_err(|e| format!("{at}: the Rust example (step {}) failed:\n{e}", step.name))?;
                    run.log.push(format!("{at}: rust step {}", step.name));
                } else if doc == "README.md" {
                    return Err(format!(
                        "{at}: a Rust block of the README that is no step: README.md is no doctest, \
                         so copy the block into `mod steps` of tests/guide.rs"
                    ));
                }
            }
            "python" => {
                let note = run_python(block, dir).map_err(|e| format!("{at}: the Python example failed:\n{e}"))?;
                run.log.push(format!("{at}: python {note}"));
            }
            _ => {}
        }
    }
    Ok(run)
}

/// Runs step `name` in a child process of this test binary, in `dir`, with
/// `TMPDIR=dir`.
fn run_step(name: &str, dir: &Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args(["guide_step", "--exact", "--nocapture", "--test-threads", "1"])
        .env(STEP_VAR, name)
        .env("TMPDIR", dir)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("run the step's child process: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The files a Python block names on its first line, `# input: a.pkl, b.pkl (…)`.
fn inputs(block: &Block) -> Vec<String> {
    let first = block.text.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("# input:") else {
        return Vec::new();
    };
    let names = rest.split('(').next().unwrap_or("");
    names
        .split(',')
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Runs a Python block in `dir` as the script `block_L<line>.py`. Returns
/// how it ran, or why it failed.
fn run_python(block: &Block, dir: &Path) -> Result<String, String> {
    for input in inputs(block) {
        if !dir.join(&input).exists() {
            return Err(format!(
                "its input {input} is missing: no Rust example before it wrote it \
                 (a Rust block that writes files is a step of tests/guide.rs)"
            ));
        }
    }
    let script = format!("block_L{}.py", block.line);
    std::fs::write(dir.join(&script), &block.text).map_err(|e| e.to_string())?;
    let tags = block.tags();
    let (mut cmd, note) = match tags.as_slice() {
        [] => (Command::new("python3"), "python3".to_owned()),
        ["numpy"] => {
            let python = venv::pinned_python("setup-numpy.sh");
            (Command::new(python), "numpy venv".to_owned())
        }
        ["mypy"] => {
            let python = venv::pinned_python("setup-mypy.sh");
            let mut cmd = Command::new(python);
            cmd.args(["-m", "mypy", "--strict", "--no-incremental"])
                .env("MYPYPATH", dir.join("python"));
            (cmd, "mypy --strict".to_owned())
        }
        // tests/data_tools.rs runs the pandas block with the pinned pandas
        // and checks the frame it builds; pandas is no dependency of this
        // runner.
        ["pandas"] => return Ok("pandas: run by tests/data_tools.rs".to_owned()),
        other => {
            return Err(format!(
                "unknown tags {other:?} on a python block (none, numpy, mypy, pandas)"
            ))
        }
    };
    let out = cmd
        .arg(&script)
        .current_dir(dir)
        .env("TMPDIR", dir)
        .env_remove("PYTHONPATH")
        .output()
        .map_err(|e| format!("run {note}: {e}"))?;
    if out.status.success() {
        Ok(note)
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn work_dir(name: &str) -> PathBuf {
    Path::new(ROOT).join("target/tmp/guide").join(name.replace('/', "_"))
}

// ---------------------------------------------------------------------------
// Tests.

/// Runs the step named by `PORTABLE_PICKLE_GUIDE_STEP` (the runner starts
/// this test binary again for it); without it, nothing.
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex",
    feature = "serde",
    feature = "ndarray"
))]
#[test]
fn guide_step() {
    let Ok(name) = std::env::var(STEP_VAR) else {
        return;
    };
    let step = STEPS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name}"));
    if let Err(e) = (step.run)() {
        panic!("step {name}: {e}");
    }
}

/// Every Python block of the README and the guide, after the Rust steps
/// that write its input.
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex",
    feature = "serde",
    feature = "ndarray"
))]
#[test]
fn guide_examples() {
    let docs = documents();
    // One thread per document: each runs in a directory of its own.
    let results: Vec<Result<Run, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .iter()
            .map(|doc| s.spawn(move || run_doc(doc, &read(doc), STEPS, &work_dir(doc))))
            .collect();
        handles.into_iter().map(|h| h.join().expect("runner thread")).collect()
    });
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(run) => {
                for line in run.log {
                    println!("{line}");
                }
            }
            Err(e) => failures.push(e),
        }
    }
    for step in STEPS {
        assert!(
            docs.iter().any(|d| d == step.doc),
            "step {} names {}, which is no document",
            step.name,
            step.doc
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Each chapter is a doctest module of src/lib.rs, so its Rust blocks run
/// under `cargo test --doc`; no Rust block is skipped (`ignore`, `no_run`),
/// and every block names its language (rustdoc would run a bare one as Rust).
#[test]
fn every_chapter_is_a_doctest() {
    let lib = read("src/lib.rs");
    for chapter in chapters() {
        let include = format!("include_str!(\"../docs/guide/{chapter}\")");
        assert!(
            lib.contains(&include),
            "src/lib.rs does not include docs/guide/{chapter} as a doctest"
        );
    }
    for doc in documents() {
        for block in blocks(&read(&doc)) {
            assert!(
                !block.info.is_empty(),
                "{doc}:{}: a code block without a language",
                block.line
            );
            if block.lang() == "rust" {
                for tag in block.tags() {
                    assert!(
                        tag == "compile_fail" || tag.starts_with('E'),
                        "{doc}:{}: rust block tagged {tag}: every Rust example runs",
                        block.line
                    );
                }
            }
        }
    }
}

/// The features of Cargo.toml, in order.
fn cargo_features() -> Vec<String> {
    let manifest = read("Cargo.toml");
    let section = manifest
        .split("\n[features]\n")
        .nth(1)
        .expect("Cargo.toml has [features]");
    let section = section.split("\n[").next().expect("section");
    section
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| l.split('=').next().expect("key").trim().to_owned())
        .collect()
}

/// The feature names of the table under `heading` (first column, in
/// backticks).
fn features_table(text: &str, heading: &str) -> Vec<String> {
    let section = text
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("no section {heading:?}"));
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cell = row.split('|').nth(1).expect("first cell").trim();
            cell.trim_matches('`').to_owned()
        })
        .collect()
}

#[test]
fn features_tables_list_every_feature() {
    let features = cargo_features();
    assert!(features.len() >= 7, "{features:?}");
    let readme = features_table(&read("README.md"), "## Cargo features");
    assert_eq!(
        readme, features,
        "README.md's features table against Cargo.toml's [features]"
    );
    let crate_doc = features_table(&read("docs/crate.md"), "# Cargo features");
    assert_eq!(
        crate_doc, features,
        "docs/crate.md's features table against Cargo.toml's [features]"
    );
}

#[test]
fn readme_is_a_front_door() {
    let readme = read("README.md");
    let lines = readme.lines().count();
    assert!(lines <= 300, "README.md has {lines} lines (at most 300)");
    for section in [
        "## Contents",
        "## Using it",
        "## Cargo features",
        "## Example",
        "## Limitations",
        "## Guide",
    ] {
        assert!(
            readme.lines().any(|l| l == section),
            "README.md has no section {section:?}"
        );
    }
    // The first two commands: the quickstart, and the test command CI runs.
    let first = blocks(&readme)
        .into_iter()
        .find(|b| b.lang() == "sh")
        .expect("a sh block");
    let commands: Vec<&str> = first
        .text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run -q --example quickstart -- quickstart.pkl && python3 examples/load.py quickstart.pkl",
            "bash scripts/test.sh"
        ]
    );
    // Every chapter is linked from the README.
    for chapter in chapters() {
        assert!(
            readme.contains(&format!("(docs/guide/{chapter}")),
            "README.md does not link docs/guide/{chapter}"
        );
    }
}

/// `1207` as `1,207`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The sizes the README and the guide quote are this build's: the header,
/// a one-`Point` stream, and a session's first and later one-`Point`
/// pickles.
#[test]
fn quoted_sizes_are_current() {
    #[derive(portable_pickle::PortablePickle)]
    struct Point {
        x: f64,
        y: f64,
    }
    let header = thousands(portable_pickle::HEADER.len());
    let stream = portable_pickle::to_vec(&Point { x: 1.5, y: -2.5 }).len();
    let mut session = portable_pickle::Pickler::new(Vec::new());
    session.dump(&Point { x: 1.5, y: -2.5 }).expect("dump");
    let first = session.get_ref().len();
    session.dump(&Point { x: 3.0, y: 4.0 }).expect("dump");
    let later = session.get_ref().len() - first;

    // Quotes are matched across line breaks.
    let flat = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme = flat(read("README.md"));
    for quote in [
        format!("the {header}-byte header"),
        format!("({header} bytes)"),
        format!("(one `Point`: {later})"),
    ] {
        assert!(readme.contains(&quote), "README.md should say {quote:?}");
    }
    let performance = flat(read("docs/PERFORMANCE.md"));
    for quote in [
        format!("today's header: {header} bytes"),
        format!("(today's is {header} bytes)"),
    ] {
        assert!(performance.contains(&quote), "docs/PERFORMANCE.md should say {quote:?}");
    }
    let changelog = flat(read("CHANGELOG.md"));
    let quote = format!("(`HEADER`, {header} bytes)");
    assert!(changelog.contains(&quote), "CHANGELOG.md should say {quote:?}");
    assert!(
        (1_450..1_550).contains(&stream),
        "README.md says a one-`Point` `to_vec` is about 1.5 KB: it is {stream} bytes"
    );
    let sessions = flat(read("docs/guide/sessions.md"));
    let quote = format!(
        "pickle is **{later} bytes** (serde-pickle: 36), and the first {}",
        thousands(first)
    );
    assert!(sessions.contains(&quote), "docs/guide/sessions.md should say {quote:?}");

    #[derive(portable_pickle::PortablePickle)]
    struct Samples {
        id: u32,
        #[pickle(array)]
        values: Vec<f64>,
    }
    let values: Vec<f64> = (0..8).map(|i| f64::from(i) / 4.0).collect();
    let mut session = portable_pickle::Pickler::new(Vec::new());
    let mut ends = Vec::new();
    for id in 0..2 {
        session
            .dump(&Samples {
                id,
                values: values.clone(),
            })
            .expect("dump");
        ends.push(session.get_ref().len());
    }
    let later = ends[1] - ends[0];
    let quote = format!("a later pickle with an 8-float array field is {later} bytes");
    assert!(sessions.contains(&quote), "docs/guide/sessions.md should say {quote:?}");
}

/// Relative links of the documentation reach a file, and a heading when they
/// name one.
#[test]
fn relative_links_resolve() {
    let mut docs = documents();
    docs.extend(["CHANGELOG.md", "docs/PERFORMANCE.md", "docs/crate.md"].map(String::from));
    let mut broken = Vec::new();
    for doc in &docs {
        let base = Path::new(doc).parent().unwrap_or(Path::new(""));
        for link in links(&read(doc)) {
            if link.contains("://") || link.starts_with("mailto:") || !link.contains(['.', '#', '/']) {
                continue;
            }
            let (file, anchor) = link
                .split_once('#')
                .map_or((link.as_str(), None), |(f, a)| (f, Some(a)));
            let target = if file.is_empty() {
                PathBuf::from(doc)
            } else {
                base.join(file)
            };
            let path = Path::new(ROOT).join(&target);
            if !path.exists() {
                broken.push(format!("{doc}: {link}: no file {}", target.display()));
                continue;
            }
            if let Some(anchor) = anchor {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&text).contains(anchor) {
                    broken.push(format!("{doc}: {link}: no heading #{anchor} in {}", target.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// A Python block whose check fails fails the run.
#[test]
fn runner_fails_on_a_failing_python_block() {
    let doc = "# Broken\n\n```python\nimport pickle\nassert pickle.loads(pickle.dumps(1)) == 2, 'the example is wrong'\n```\n";
    let err = run_doc("broken.md", doc, &[], &work_dir("runner-broken"))
        .err()
        .expect("the runner fails");
    assert!(
        err.contains("broken.md:3") && err.contains("the example is wrong"),
        "{err}"
    );
}

/// A Python block whose input no Rust example wrote fails the run.
#[test]
fn runner_fails_on_a_missing_input() {
    let doc = "```python\n# input: nowhere.pkl (no example)\nimport pickle, tempfile\n```\n";
    let err = run_doc("broken.md", doc, &[], &work_dir("runner-missing"))
        .err()
        .expect("the runner fails");
    assert!(err.contains("nowhere.pkl is missing"), "{err}");
}

/// An unknown tag on a Python block fails the run rather than skip it.
#[test]
fn runner_fails_on_an_unknown_tag() {
    let doc = "```python scipy\nimport scipy\n```\n";
    let err = run_doc("broken.md", doc, &[], &work_dir("runner-tag"))
        .err()
        .expect("the runner fails");
    assert!(err.contains("unknown tags"), "{err}");
}

/// The README's example broken on either side fails the run: a wrong
/// expectation on the Python side, and a Rust block edited without its
/// step.
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex",
    feature = "serde",
    feature = "ndarray"
))]
#[test]
fn runner_fails_on_a_broken_readme_example() {
    let readme = read("README.md");
    let python = "radius=3.0)";
    assert!(readme.contains(python), "the README's Python block shows {python}");
    let broken = readme.replacen(python, "radius=4.0)", 1);
    let err = run_doc("README.md", &broken, STEPS, &work_dir("runner-readme-python"))
        .err()
        .expect("the runner fails");
    assert!(err.contains("AssertionError"), "{err}");

    let rust = "radius: 3.0 }";
    assert!(readme.contains(rust), "the README's Rust block writes {rust}");
    let drifted = readme.replacen(rust, "radius: 4.0 }", 1);
    let err = run_doc("README.md", &drifted, STEPS, &work_dir("runner-readme-rust"))
        .err()
        .expect("the runner fails");
    assert!(err.contains("no longer matches"), "{err}");
}

// ---------------------------------------------------------------------------
// The steps: verbatim copies of the documents' Rust blocks that write (or
// read) the files their Python blocks load. Each is run by `run_step` in a
// child process whose TMPDIR is the document's directory. Generated by hand
// from the documents: keep each copy identical to its block.

#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex",
    feature = "serde",
    feature = "ndarray"
))]
#[rustfmt::skip]
#[allow(dead_code)]
mod steps {
    /// A step: the guide's block, verbatim, in a module of its own, and
    /// `run`, which calls its `main`.
    macro_rules! step {
        ($name:ident, $($item:item)*) => {
            pub mod $name {
                $($item)*

                pub fn run() -> Result<(), String> {
                    main().map_err(|e| e.to_string())
                }
            }
        };
    }

    step! { readme_write,
        // step readme_write begin
        use std::fs::File;

        use portable_pickle::PortablePickle;

        /// A point in the plane.
        #[derive(PortablePickle, Debug, PartialEq)]
        struct Point { x: f64, y: f64 }

        #[derive(PortablePickle, Debug, PartialEq)]
        enum Shape { Circle { center: Point, radius: f64 }, Polygon(Vec<Point>), Empty }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let shapes = vec![Shape::Circle { center: Point { x: 1.0, y: 2.0 }, radius: 3.0 }, Shape::Empty];
            let path = std::env::temp_dir().join("shapes.pkl");
            portable_pickle::to_writer(File::create(&path)?, &shapes)?;

            // Rust reads its streams back into the same types.
            let back: Vec<Shape> = portable_pickle::from_slice(&std::fs::read(&path)?)?;
            assert_eq!(back, shapes);
            Ok(())
        }
        // step readme_write end

    }

    step! { readme_read,
        // step readme_read begin
        // input: back.pkl (the Python example above)
        use portable_pickle::PortablePickle;

        #[derive(PortablePickle, Debug, PartialEq)]
        struct Point { x: f64, y: f64 }

        #[derive(PortablePickle, Debug, PartialEq)]
        enum Shape { Circle { center: Point, radius: f64 }, Polygon(Vec<Point>), Empty }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let bytes = std::fs::read(std::env::temp_dir().join("back.pkl"))?;
            let shapes: Vec<Shape> = portable_pickle::from_slice(&bytes)?;
            assert_eq!(shapes[0], Shape::Circle { center: Point { x: 1.0, y: 2.0 }, radius: 6.0 });
            Ok(())
        }
        // step readme_read end

    }

    step! { mapping_sample,
        // step mapping_sample begin
        use std::cmp::Ordering;
        use std::collections::{BTreeMap, BTreeSet};
        use std::net::Ipv4Addr;
        use std::ops::Range;
        use std::rc::Rc;
        use std::time::{Duration, SystemTime, UNIX_EPOCH};

        use portable_pickle::PortablePickle;

        /// One field of each kind.
        #[derive(PortablePickle)]
        struct Sample {
            id: u128,
            ratio: f32,
            name: String,
            note: Option<String>,
            raw: Vec<u8>,
            pair: (i8, char),
            counts: BTreeMap<String, u32>,
            tags: BTreeSet<String>,
            span: Range<u32>,
            elapsed: Duration,
            at: SystemTime,
            host: Ipv4Addr,
            order: Ordering,
            shared: (Rc<Vec<i32>>, Rc<Vec<i32>>),
        }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let list = Rc::new(vec![1, 2, 3]);
            let sample = Sample {
                id: u128::MAX,
                ratio: 0.1,
                name: "Ada".into(),
                note: None,
                raw: b"\x89PNG".to_vec(),
                pair: (-1, 'é'),
                counts: BTreeMap::from([("a".into(), 1), ("b".into(), 2)]),
                tags: BTreeSet::from(["x".into()]),
                span: 2..5,
                elapsed: Duration::from_micros(1_500_250),
                at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
                host: Ipv4Addr::new(10, 0, 0, 7),
                order: Ordering::Less,
                shared: (Rc::clone(&list), list),
            };
            std::fs::write(std::env::temp_dir().join("sample.pkl"), portable_pickle::to_vec(&sample))?;
            Ok(())
        }
        // step mapping_sample end

    }

    step! { mapping_features,
        // step mapping_features begin
        use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
        use indexmap::IndexMap;
        use num_complex::Complex;
        use portable_pickle::PortablePickle;
        use rust_decimal::Decimal;
        use uuid::Uuid;

        #[derive(PortablePickle)]
        struct Invoice {
            id: Uuid,
            day: NaiveDate,
            issued: DateTime<Utc>,
            local: DateTime<FixedOffset>,
            total: Decimal,
            lines: IndexMap<String, u32>,
            phase: Complex<f64>,
        }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let issued = Utc.with_ymd_and_hms(2024, 2, 29, 12, 0, 0).unwrap();
            let invoice = Invoice {
                id: Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8),
                day: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
                issued,
                local: issued.with_timezone(&FixedOffset::east_opt(3600).unwrap()),
                total: Decimal::new(150, 2),
                lines: IndexMap::from([("b".to_owned(), 2), ("a".to_owned(), 1)]),
                phase: Complex::new(0.0, 1.0),
            };
            std::fs::write(std::env::temp_dir().join("invoice.pkl"), portable_pickle::to_vec(&invoice))?;
            Ok(())
        }
        // step mapping_features end

    }

    step! { mapping_annotations,
        // step mapping_annotations begin
        use std::collections::HashMap;

        use portable_pickle::PortablePickle;

        #[derive(PortablePickle)]
        struct Point { x: f64, y: f64 }

        #[derive(PortablePickle)]
        struct Pair<A, B> { first: A, second: B, items: Vec<A> }

        #[derive(PortablePickle)]
        struct Layer { name: String, points: Vec<Point>, origin: Option<Point>, ids: HashMap<String, u32>, pair: Pair<u8, String> }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let layer = Layer {
                name: "ink".into(),
                points: vec![Point { x: 0.0, y: 1.0 }],
                origin: None,
                ids: HashMap::from([("a".into(), 1)]),
                pair: Pair { first: 1, second: "one".into(), items: vec![2, 3] },
            };
            std::fs::write(std::env::temp_dir().join("layer.pkl"), portable_pickle::to_vec(&layer))?;
            Ok(())
        }
        // step mapping_annotations end

    }

    step! { attributes_vector,
        // step attributes_vector begin
        use portable_pickle::PortablePickle;

        #[derive(PortablePickle)]
        #[pickle(module = "geo", name = "Vector", rename_all = "camelCase", frozen)]
        struct Vec2 {
            x_pos: f64,
            #[pickle(rename = "y")]
            y_pos: f64,
            #[pickle(skip)]
            cache: Option<f64>,
        }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let v = Vec2 { x_pos: 1.0, y_pos: 2.0, cache: None };
            std::fs::write(std::env::temp_dir().join("vector.pkl"), portable_pickle::to_vec(&v))?;
            Ok(())
        }
        // step attributes_vector end

    }

    step! { attributes_hashing,
        // step attributes_hashing begin
        use std::collections::{HashMap, HashSet};

        use portable_pickle::PortablePickle;

        /// A grid cell: frozen, so it hashes by value and can key a map.
        #[derive(PortablePickle, PartialEq, Eq, Hash)]
        #[pickle(frozen)]
        struct Cell { x: i64, y: i64 }

        /// A mutable label, hashed by value all the same.
        #[derive(PortablePickle, PartialEq, Eq, Hash)]
        #[pickle(hash)]
        struct Label { name: String }

        /// A mutable class: `==` by value, no hash.
        #[derive(PortablePickle)]
        struct Tally { hits: u32 }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let grid = HashMap::from([(Cell { x: 0, y: 0 }, "origin".to_owned())]);
            let labels = HashSet::from([Label { name: "a".into() }]);
            let value = (grid, labels, Tally { hits: 3 });
            std::fs::write(std::env::temp_dir().join("hashing.pkl"), portable_pickle::to_vec(&value))?;
            Ok(())
        }
        // step attributes_hashing end

    }

    step! { attributes_tags,
        // step attributes_tags begin
        use std::collections::BTreeMap;

        use portable_pickle::PortablePickle;

        #[derive(PortablePickle)]
        #[pickle(transparent)]
        struct UserId(u64);

        #[derive(PortablePickle)]
        #[pickle(tag = "kind")]
        enum Event {
            Login { user: UserId, at: u32 },
            Upload(String, u64),
            Logout,
        }

        #[derive(PortablePickle, PartialEq, Eq, PartialOrd, Ord)]
        enum Level { Debug = 10, Info = 20, Warn = 30, Error = 40 }

        #[derive(PortablePickle)]
        struct Report { title: String, by_level: BTreeMap<Level, u32>, events: Vec<Event> }

        fn events() -> Vec<Event> {
            vec![
                Event::Login { user: UserId(7), at: 100 },
                Event::Upload("a.txt".into(), 2048),
                Event::Logout,
                Event::Login { user: UserId(8), at: 160 },
            ]
        }

        fn main() -> std::io::Result<()> {
            let dir = std::env::temp_dir();
            std::fs::write(dir.join("events.pkl"), portable_pickle::to_vec(&events()))?;
            let by_level = BTreeMap::from([(Level::Info, 3), (Level::Error, 1)]);
            let report = Report { title: "daily".into(), by_level, events: events() };
            std::fs::write(dir.join("report.pkl"), portable_pickle::to_vec(&report))
        }
        // step attributes_tags end

    }

    step! { attributes_foreign,
        // step attributes_foreign begin
        use std::net::SocketAddr;
        use std::sync::Mutex;
        use portable_pickle::{Encoder, Error, FromPickle, PortablePickle, ReadContext, Value};

        /// Written as a Python `int`, read back from one.
        struct Counter(Mutex<i64>);

        impl PortablePickle for Counter {
            fn write_pickle(&self, out: &mut Encoder<'_>) -> std::io::Result<()> {
                let n = *self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?;
                out.write(&n)
            }
        }

        impl FromPickle for Counter {
            fn from_pickle(value: &Value, cx: &mut ReadContext) -> Result<Self, Error> {
                i64::from_pickle(value, cx).map(|n| Counter(Mutex::new(n)))
            }
        }

        /// An RGB colour as the "#rrggbb" text Python tools expect.
        mod hex_color {
            use portable_pickle::{Encoder, Error, FromPickle, ReadContext, Value};

            pub fn write(rgb: &[u8; 3], out: &mut Encoder<'_>) -> std::io::Result<()> {
                out.str(&format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
            }

            pub fn read(value: &Value, cx: &mut ReadContext) -> Result<[u8; 3], Error> {
                let text = String::from_pickle(value, cx)?;
                let hex = text.strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii())
                    .ok_or_else(|| Error::invalid(format!("expected \"#rrggbb\", found {text:?}")))?;
                let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| Error::invalid(e.to_string()));
                Ok([byte(0)?, byte(2)?, byte(4)?])
            }
        }

        #[derive(PortablePickle)]
        struct Endpoint {
            #[pickle(display)]
            addr: SocketAddr,
            #[pickle(with = "hex_color")]
            color: [u8; 3],
            hits: Counter,
        }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let endpoint = Endpoint { addr: "10.0.0.7:8080".parse()?, color: [0xff, 0x80, 0x00], hits: Counter(Mutex::new(42)) };
            let bytes = portable_pickle::to_vec(&endpoint);
            std::fs::write(std::env::temp_dir().join("endpoint.pkl"), &bytes)?;

            let back: Endpoint = portable_pickle::from_slice(&bytes)?;
            assert_eq!((back.addr, back.color, *back.hits.0.lock().unwrap()), (endpoint.addr, [0xff, 0x80, 0x00], 42));
            Ok(())
        }
        // step attributes_foreign end

    }

    step! { python_drawing,
        // step python_drawing begin
        use portable_pickle::PortablePickle;

        /// A point in the plane.
        #[derive(PortablePickle)]
        #[pickle(module = "geo")]
        struct Point { x: f64, y: f64 }

        /// A shape to draw.
        #[derive(PortablePickle)]
        #[pickle(module = "geo")]
        enum Shape {
            /// A circle around `center`.
            Circle { center: Point, radius: f64 },
            Polygon(Vec<Point>),
            Empty,
        }

        /// How a drawing is drawn.
        #[derive(PortablePickle)]
        #[pickle(module = "palette")]
        enum Style { Ink, Pencil }

        /// A drawing.
        #[derive(PortablePickle)]
        #[pickle(module = "geo")]
        struct Drawing { origin: Point, shapes: Vec<Shape>, style: Style }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let triangle = vec![Point { x: 0.0, y: 0.0 }, Point { x: 4.0, y: 0.0 }, Point { x: 0.0, y: 3.0 }];
            let drawing = Drawing {
                origin: Point { x: 1.0, y: 2.0 },
                shapes: vec![
                    Shape::Circle { center: Point { x: 1.0, y: 2.0 }, radius: 3.0 },
                    Shape::Polygon(triangle),
                    Shape::Empty,
                ],
                style: Style::Ink,
            };
            let dir = std::env::temp_dir();
            std::fs::write(dir.join("drawing.pkl"), portable_pickle::to_vec(&drawing))?;

            // The classes as Python source, for the reading side to import (below).
            let files = portable_pickle::python::write_package::<Drawing>(&dir.join("python"))?;
            assert_eq!(files, [dir.join("python/geo.py"), dir.join("python/palette.py")]);
            Ok(())
        }
        // step python_drawing end

    }

    step! { sessions_log,
        // step sessions_log begin
        use std::fs::File;
        use std::io::{BufWriter, Write};

        use portable_pickle::{Pickler, PortablePickle};

        /// One sensor reading.
        #[derive(PortablePickle)]
        struct Reading { sensor: String, value: f64 }

        fn main() -> std::io::Result<()> {
            let file = File::create(std::env::temp_dir().join("readings.pkl"))?;
            // A file, not a pipe: let the BufWriter flush when it is full.
            let mut out = Pickler::new(BufWriter::new(file)).flush_each(false);
            for i in 0..1000 {
                out.dump(&Reading { sensor: format!("s{}", i % 3), value: f64::from(i) / 10.0 })?;
            }
            out.into_inner().flush()
        }
        // step sessions_log end

    }

    step! { arrays_trace,
        // step arrays_trace begin
        use ndarray::Array2;
        use portable_pickle::{Array, PortablePickle};

        #[derive(PortablePickle)]
        struct Trace {
            name: String,
            #[pickle(array)]
            samples: Vec<f32>,
            #[pickle(array)]
            grid: Array2<i64>,
        }

        fn main() -> std::io::Result<()> {
            let dir = std::env::temp_dir();
            let trace = Trace {
                name: "t0".into(),
                samples: vec![0.5, 1.5, 2.5],
                grid: Array2::from_shape_vec((2, 3), vec![1, 2, 3, 4, 5, 6]).unwrap(),
            };
            std::fs::write(dir.join("trace.pkl"), portable_pickle::to_vec(&trace))?;
            let bulk: Vec<f64> = (0..1_000_000).map(f64::from).collect();
            std::fs::write(dir.join("bulk.pkl"), portable_pickle::to_vec(&Array(&bulk)))
        }
        // step arrays_trace end

    }

    step! { serde_packages,
        // step serde_packages begin
        use serde::{Deserialize, Serialize};

        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "camelCase")]
        struct Package {
            crate_name: String,
            version: semver::Version,
            downloads: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            home_page: Option<String>,
        }

        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        enum Shape { Circle { r: f64 }, Rect(f64, f64), Empty }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let packages = vec![
                Package { crate_name: "serde".into(), version: "1.0.0".parse()?, downloads: 7, home_page: None },
                Package { crate_name: "semver".into(), version: "1.0.28".parse()?, downloads: 3, home_page: Some("https://semver.org".into()) },
            ];
            let shapes = vec![Shape::Circle { r: 1.5 }, Shape::Rect(2.0, 3.0), Shape::Empty];
            let bytes = portable_pickle::serde::to_vec(&(&packages, &shapes))?;
            std::fs::write(std::env::temp_dir().join("packages.pkl"), &bytes)?;

            // serde::Deserialize types read the stream back.
            let (p, s): (Vec<Package>, Vec<Shape>) = portable_pickle::serde::from_slice(&bytes)?;
            assert_eq!((p, s), (packages, shapes));
            Ok(())
        }
        // step serde_packages end

    }

    step! { serde_field,
        // step serde_field begin
        use portable_pickle::PortablePickle;

        #[derive(PortablePickle, Debug, PartialEq)]
        struct Dependency { name: String, #[pickle(serde)] version: semver::Version }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let dep = Dependency { name: "semver".into(), version: "1.0.28".parse()? };
            let bytes = portable_pickle::to_vec(&dep);
            std::fs::write(std::env::temp_dir().join("dependency.pkl"), &bytes)?;
            assert_eq!(portable_pickle::from_slice::<Dependency>(&bytes)?, dep);
            Ok(())
        }
        // step serde_field end

    }

    step! { strict_shapes,
        // step strict_shapes begin
        use std::fs::File;

        use portable_pickle::{Pickler, PortablePickle};

        /// A point in the plane.
        #[derive(PortablePickle, Debug, PartialEq)]
        struct Point { x: f64, y: f64 }

        #[derive(PortablePickle, Debug, PartialEq)]
        enum Shape { Circle { center: Point, radius: f64 }, Empty }

        fn main() -> Result<(), Box<dyn std::error::Error>> {
            let shapes = vec![Shape::Circle { center: Point { x: 1.0, y: 2.0 }, radius: 3.0 }, Shape::Empty];
            let dir = std::env::temp_dir();

            let bytes = portable_pickle::strict::to_vec(&shapes)?; // io::Result<Vec<u8>>
            std::fs::write(dir.join("strict.pkl"), &bytes)?;
            portable_pickle::strict::to_writer(File::create(dir.join("strict-too.pkl"))?, &shapes)?;
            let mut session = Pickler::new(Vec::new()).strict(true); // every pickle a strict stream
            session.dump(&shapes)?;

            // Rust reads strict streams back as any stream.
            let back: Vec<Shape> = portable_pickle::from_slice(&bytes)?;
            assert_eq!(back, shapes);
            Ok(())
        }
        // step strict_shapes end

    }

    step! { security_modules,
        // step security_modules begin
        use portable_pickle::{PortablePickle, WriteOptions};

        #[derive(PortablePickle)]
        #[pickle(module = "geo")]
        struct Point { x: f64, y: f64 }

        fn main() -> std::io::Result<()> {
            let dir = std::env::temp_dir();
            let point = Point { x: 1.0, y: 2.0 };
            std::fs::write(dir.join("located.pkl"), portable_pickle::to_vec(&point))?;
            let options = WriteOptions::new().real_modules(false);
            std::fs::write(dir.join("stdlib-only.pkl"), portable_pickle::to_vec_with(&point, &options))
        }
        // step security_modules end

    }
}

#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "rust_decimal",
    feature = "indexmap",
    feature = "num-complex",
    feature = "serde",
    feature = "ndarray"
))]
const STEPS: &[Step] = &[
    Step {
        name: "readme_write",
        doc: "README.md",
        run: steps::readme_write::run,
    },
    Step {
        name: "readme_read",
        doc: "README.md",
        run: steps::readme_read::run,
    },
    Step {
        name: "mapping_sample",
        doc: "docs/guide/type-mapping.md",
        run: steps::mapping_sample::run,
    },
    Step {
        name: "mapping_features",
        doc: "docs/guide/type-mapping.md",
        run: steps::mapping_features::run,
    },
    Step {
        name: "mapping_annotations",
        doc: "docs/guide/type-mapping.md",
        run: steps::mapping_annotations::run,
    },
    Step {
        name: "attributes_vector",
        doc: "docs/guide/attributes.md",
        run: steps::attributes_vector::run,
    },
    Step {
        name: "attributes_hashing",
        doc: "docs/guide/attributes.md",
        run: steps::attributes_hashing::run,
    },
    Step {
        name: "attributes_tags",
        doc: "docs/guide/attributes.md",
        run: steps::attributes_tags::run,
    },
    Step {
        name: "attributes_foreign",
        doc: "docs/guide/attributes.md",
        run: steps::attributes_foreign::run,
    },
    Step {
        name: "python_drawing",
        doc: "docs/guide/python.md",
        run: steps::python_drawing::run,
    },
    Step {
        name: "sessions_log",
        doc: "docs/guide/sessions.md",
        run: steps::sessions_log::run,
    },
    Step {
        name: "arrays_trace",
        doc: "docs/guide/arrays.md",
        run: steps::arrays_trace::run,
    },
    Step {
        name: "serde_packages",
        doc: "docs/guide/serde.md",
        run: steps::serde_packages::run,
    },
    Step {
        name: "serde_field",
        doc: "docs/guide/serde.md",
        run: steps::serde_field::run,
    },
    Step {
        name: "strict_shapes",
        doc: "docs/guide/strict.md",
        run: steps::strict_shapes::run,
    },
    Step {
        name: "security_modules",
        doc: "docs/guide/security.md",
        run: steps::security_modules::run,
    },
];
