//! The conformance matrix (issue 23): every generated type
//! (tests/conformance/generated.rs, from generate.py: shapes × container
//! attributes × field forms, pairwise) × every write path × every read path.
//!
//! During `cargo test`: each type's values are written by every write path
//! into `target/tmp/conformance` (one file per cell, with a Python check
//! comparing the loaded objects with the expected Python values in
//! check_corpus.py's `conform_norm` form), read back by every Rust read
//! path (`from_slice`, `from_reader` with short reads, `from_slice::<Value>`
//! and its re-write), and the corpus is checked by the machine's CPython.
//! scripts/test.sh then runs the corpus on all seven readers
//! (scripts/readers.sh, which writes each reader's re-pickles at protocols
//! 0–5) and runs this test again with `PORTABLE_PICKLE_CONFORMANCE_DIR` set:
//! the re-pickles are read back by every Rust read path and the summary
//! counts every cell.
//!
//! A cell passes, or is a documented refusal (docs/FORMAT.md, "Refusals")
//! asserted as that refusal; anything else fails the test.
#![cfg(all(feature = "serde", feature = "chrono", feature = "uuid"))]

mod support;

#[path = "conformance/shared_types.rs"]
mod shared_types;

#[macro_use]
#[rustfmt::skip]
#[path = "conformance/generated.rs"]
mod generated;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io;
use std::path::{Path, PathBuf};

use generated::*;
use portable_pickle::{from_reader, from_slice, ErrorKind, FromPickle, Pickler, PortablePickle, Value, WriteOptions};
use shared_types::{CInner, CKey, CSerde};
use std::collections::BTreeSet;
use std::rc::Rc;
use support::ShortReads;

const ENV: &str = "PORTABLE_PICKLE_CONFORMANCE_DIR";

/// Where a cell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Passed,
    Refused,
    Failed,
}

#[derive(Default)]
struct Tally {
    cells: BTreeMap<(String, String), [usize; 3]>,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, write: &str, read: &str, outcome: Outcome, what: impl FnOnce() -> String) {
        let e = self.cells.entry((write.to_owned(), read.to_owned())).or_default();
        e[outcome as usize] += 1;
        if outcome == Outcome::Failed && self.failures.len() < 40 {
            self.failures.push(what());
        }
    }

    fn totals(&self) -> [usize; 3] {
        let mut t = [0; 3];
        for c in self.cells.values() {
            for i in 0..3 {
                t[i] += c[i];
            }
        }
        t
    }
}

/// What the Rust read paths must do with a stream.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Read back equal.
    Read,
    /// A session's later pickle alone: refused, its `_pp_v2` globals not
    /// admitted (docs/FORMAT.md, "Refusals").
    RefusedSessionAlias,
    /// A strict-profile stream: refused by name.
    RefusedStrict,
}

const READ_PATHS: [&str; 4] = ["from_slice", "from_reader/1", "from_reader/7", "value_rewrite"];

/// Every Rust read path of one stream.
fn read_paths<T: FromPickle + PortablePickle + PartialEq + Debug>(
    tally: &mut Tally,
    write: &str,
    case: &str,
    bytes: &[u8],
    expect: Expect,
    want: &[T],
) {
    let attempts: [(&str, Result<Vec<T>, portable_pickle::Error>); 4] = [
        (READ_PATHS[0], from_slice::<Vec<T>>(bytes)),
        (
            READ_PATHS[1],
            from_reader::<_, Vec<T>>(ShortReads { data: bytes, n: 1 }),
        ),
        (
            READ_PATHS[2],
            from_reader::<_, Vec<T>>(ShortReads { data: bytes, n: 7 }),
        ),
        (
            READ_PATHS[3],
            from_slice::<Value>(bytes).and_then(|v| from_slice::<Vec<T>>(&portable_pickle::to_vec(&v))),
        ),
    ];
    for (read, got) in attempts {
        let outcome = match (&got, expect) {
            (Ok(v), Expect::Read) if v == want => Outcome::Passed,
            (Err(e), Expect::RefusedSessionAlias) if matches!(e.kind(), ErrorKind::ForbiddenGlobal { module, .. } if module == "_pp_v2") => {
                Outcome::Refused
            }
            (Err(e), Expect::RefusedStrict) if matches!(e.kind(), ErrorKind::Unsupported(m) if m.contains("strict-profile stream")) => {
                Outcome::Refused
            }
            _ => Outcome::Failed,
        };
        tally.add(write, read, outcome, || match &got {
            Ok(v) if v == want => format!("{case} × {read}: read, but a refusal was expected"),
            Ok(v) => format!("{case} × {read}: {v:?}, want {want:?}"),
            Err(e) => format!("{case} × {read}: {e}"),
        });
    }
}

struct TypeInfo {
    name: &'static str,
    levels: [&'static str; 3],
    norms: Vec<&'static str>,
    checks: Vec<&'static str>,
    array: bool,
    uuid: bool,
}

/// The Python check of a cell: the objects loaded from `data[offset..]`
/// in this loader, in normal form, equal the expected ones.
fn python_check(info: &TypeInfo, offset: usize, write_back: bool) -> String {
    // `v` is the stream's first pickle; a later one is loaded after it.
    let load = match offset {
        0 => "v".to_owned(),
        _ => format!("loads(data[{offset}:])"),
    };
    let mut s = format!(
        "xs = {load}\n\
         got = conform_norm(xs)\n\
         want = [{}]\n\
         assert got == want, (got, want)\n",
        info.norms.join(", ")
    );
    for c in &info.checks {
        s.push_str(&format!("assert all({c} for x in xs), {c:?}\n"));
    }
    if write_back {
        s.push_str("if loader == 'c':\n    write_back(xs)\n");
    }
    s
}

struct Matrix {
    dir: PathBuf,
    /// The corpus the cells are written to; none in the read-back run,
    /// which reads the one the first run wrote.
    corpus: Option<support::Corpus>,
    tally: Tally,
    types: usize,
}

fn session_later<T: PortablePickle>(values: &[T]) -> (Vec<u8>, usize) {
    let mut p = Pickler::new(Vec::new());
    p.dump(values).expect("first pickle");
    let offset = p.get_ref().len();
    p.dump(values).expect("later pickle");
    (p.into_inner(), offset)
}

impl Matrix {
    fn run_type<T: PortablePickle + FromPickle + PartialEq + Debug>(&mut self, info: TypeInfo, values: &[T]) {
        self.types += 1;
        let to_vec = portable_pickle::to_vec(values);
        let mut to_writer = Vec::new();
        portable_pickle::to_writer(&mut to_writer, values).unwrap();
        let no_real = portable_pickle::to_vec_with(values, &WriteOptions::new().real_modules(false));
        let mut first = Pickler::new(Vec::new());
        first.dump(values).unwrap();
        let (later, later_at) = session_later(values);
        let mut sc = Pickler::new(Vec::new()).self_contained(true);
        sc.dump(values).unwrap();
        let sc_at = sc.get_ref().len();
        sc.dump(values).unwrap();
        let strict = portable_pickle::strict::to_vec(values);
        let mut streams: Vec<(&str, Vec<u8>, usize, Expect)> = vec![
            ("to_vec", to_vec, 0, Expect::Read),
            ("to_writer", to_writer, 0, Expect::Read),
            ("no_real_modules", no_real, 0, Expect::Read),
            ("pickler_first", first.into_inner(), 0, Expect::Read),
            // A later pickle with arrays carries the header (FORMAT.md §4).
            (
                "pickler_later",
                later,
                later_at,
                if info.array {
                    Expect::Read
                } else {
                    Expect::RefusedSessionAlias
                },
            ),
            ("self_contained", sc.into_inner(), sc_at, Expect::Read),
        ];
        match strict {
            Ok(bytes) => streams.push(("strict", bytes, 0, Expect::RefusedStrict)),
            // Documented write refusals: arrays and uuid.UUID.
            Err(e) if (info.array || info.uuid) && e.kind() == io::ErrorKind::InvalidInput => {
                self.tally.add("strict", "write", Outcome::Refused, String::new)
            }
            Err(e) => self.tally.add("strict", "write", Outcome::Failed, || {
                format!("{} × strict write: {e}", info.name)
            }),
        }
        for (write, bytes, offset, expect) in streams {
            let case = format!("{write}_{}", info.name);
            let label = format!("{case} [{}]", info.levels.join(", "));
            read_paths(&mut self.tally, write, &label, &bytes[offset..], expect, values);
            if let Some(corpus) = &mut self.corpus {
                corpus.raw(&case, &bytes, &python_check(&info, offset, write == "to_vec"), None);
            }
        }
    }

    /// Reads back every reader's re-pickles of the `to_vec` cells.
    fn read_back<T: PortablePickle + FromPickle + PartialEq + Debug>(&mut self, info: &TypeInfo, values: &[T]) {
        let back = self.dir.join("back");
        let prefix = format!("to_vec_{}.", info.name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&back)
            .expect("back/ written by scripts/readers.sh")
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&prefix))
            .collect();
        files.sort();
        // Six interpreters × protocols 0..=5, loader c.
        if files.len() != 6 * 6 {
            self.tally.add("python_repickle", "present", Outcome::Failed, || {
                format!("{}: {} re-pickles, want 36", info.name, files.len())
            });
        }
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let case = f.file_name().unwrap().to_string_lossy().into_owned();
            read_paths(&mut self.tally, "python_repickle", &case, &bytes, Expect::Read, values);
        }
    }
}

fn summary(tally: &Tally, types: usize) {
    println!("conformance matrix: cells by write path × read path (passed/refused/failed):");
    for ((w, r), [p, rf, f]) in &tally.cells {
        println!("  {w:<16} {r:<16} {p:>5} {rf:>5} {f:>5}");
    }
    let [p, r, f] = tally.totals();
    println!(
        "conformance: {types} types × {} paths = {} cells, {p} passed, {r} refused-as-documented, {f} failed",
        tally.cells.len(),
        p + r + f
    );
    println!("conformance: pairwise coverage {PAIRS_COVERED}/{PAIRS_POSSIBLE} pairs of (shape, attribute, field form) levels; {} pairs invalid (listed in generated.rs)", INVALID_PAIRS.len());
    for fail in &tally.failures {
        println!("  FAILED {fail}");
    }
    assert_eq!(f, 0, "conformance cells failed");
}

#[test]
fn generated_types_are_fresh() {
    let out = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/generate.py"))
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn conformance_matrix() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance");
    let readback = std::env::var_os(ENV)
        .filter(|v| !v.is_empty())
        .map(|d| Path::new(env!("CARGO_MANIFEST_DIR")).join(d));
    let mut m = Matrix {
        dir: readback.clone().unwrap_or(dir),
        corpus: readback.is_none().then(|| support::Corpus::new("conformance")),
        tally: Tally::default(),
        types: 0,
    };
    macro_rules! cells {
        ($name:expr, $ty:ty, [$($lvl:expr),*], [$(($val:expr, $norm:expr)),*], [$($chk:expr),*], $array:expr, $uuid:expr) => {{
            let values: Vec<$ty> = vec![$($val),*];
            let info = TypeInfo {
                name: $name,
                levels: [$($lvl),*],
                norms: vec![$($norm),*],
                checks: vec![$($chk),*],
                array: $array,
                uuid: $uuid,
            };
            if readback.is_some() {
                m.read_back(&info, &values);
            }
            m.run_type(info, &values);
        }};
    }
    conformance_types!(cells);
    match (&readback, &m.corpus) {
        (Some(dir), _) => {
            python_cells(&mut m.tally, dir);
            summary(&m.tally, m.types);
        }
        (None, Some(corpus)) => {
            // The Rust cells first: a Python failure below must not hide them.
            summary(&m.tally, m.types);
            corpus.check_with_cpython();
        }
        (None, None) => unreachable!("the first run writes the corpus"),
    }
}

/// The Python cells: each reader's (case, loader) results, from the JSON
/// reports scripts/readers.sh keeps in `<dir>/results`.
fn python_cells(tally: &mut Tally, dir: &Path) {
    let results = dir.join("results");
    let mut n = 0;
    for entry in std::fs::read_dir(&results).expect("results/ written by scripts/readers.sh") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let reader = path.file_stem().unwrap().to_string_lossy().into_owned();
        let field = |k: &str| -> usize {
            let at = text
                .find(&format!("\"{k}\": "))
                .unwrap_or_else(|| panic!("{k} in {}", path.display()));
            text[at + k.len() + 4..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap()
        };
        let (passed, failed) = (field("passed"), field("failed"));
        let e = tally
            .cells
            .entry(("all".into(), format!("python:{reader}")))
            .or_default();
        e[0] += passed;
        e[2] += failed;
        if failed > 0 {
            tally
                .failures
                .push(format!("{reader}: {failed} (case, loader) pairs failed"));
        }
        n += 1;
    }
    // Six interpreters; CPython's C and pure-Python unpicklers make seven readers.
    assert_eq!(n, 6, "reports of six interpreters in {}", results.display());
}
