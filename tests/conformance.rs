//! The conformance matrix (issue 23): every generated type
//! (tests/conformance/generated.rs, from generate.py: shapes × container
//! attributes × field forms, pairwise) × every write path × every read path.
//!
//! Write paths: `to_vec`, `to_writer`, `real_modules(false)`, a `Pickler`'s
//! first, later and self-contained pickles, `strict`, and for the serde
//! types (every type but a `tag` enum derives serde too, with mirrored
//! attributes) the serde bridge's `to_vec` and `to_writer`. Rust read paths:
//! `from_slice`, `from_reader` with 1- and 7-byte short reads,
//! `from_slice::<Value>` and its re-write, and for serde types
//! `serde::from_slice`, `serde::from_reader` (short reads) and `Value`
//! through serde, of every stream, the derive's included; and `Unpickler`
//! over each whole stream (a session's later pickle included). The
//! streaming case (conformance/stream.rs) adds 10,000 mixed values from one
//! `Pickler`, read back by `Unpickler`, loaded by every reader in a
//! `pickle.load` loop and re-dumped by each with `pickle.dump` in a loop.
//! The read-back run adds `portable-pickle inspect` of every stream (verdict
//! OK). Each type's cell `derive × compile_time_descriptor` checks that the
//! derive fixed its class descriptor at compile time, byte for byte the one
//! encoded from the real definition.
//!
//! During `cargo test`: each cell's stream is written into
//! `target/tmp/conformance` with a Python check comparing the loaded
//! objects with the expected Python values (check_corpus.py's
//! `conform_norm` form; the serde bridge's streams have their own), read
//! back by every Rust read path, and the corpus is checked by the machine's
//! CPython (C and Python unpicklers, the restricted loader with FORMAT.md's
//! allowlist, `pickletools.optimize`, `pickletools.dis`). Then CPython loads
//! the module-declared types' streams with the package
//! `python::write_package` wrote importable (real_module.py): real classes,
//! re-pickled at protocols 0–5 and read back. scripts/test.sh then runs the
//! corpus on all seven readers (scripts/readers.sh, which writes each
//! reader's re-pickles at protocols 0–5) and runs this test again with
//! `PORTABLE_PICKLE_CONFORMANCE_DIR` set: the re-pickles are read back by
//! every Rust read path and the summary counts every cell.
//!
//! A cell passes, or is a documented refusal (docs/FORMAT.md, "Refusals")
//! asserted as that refusal; anything else fails the test.
#![cfg(all(feature = "serde", feature = "chrono", feature = "uuid"))]

mod support;

#[path = "conformance/shared_types.rs"]
mod shared_types;

#[path = "conformance/stream.rs"]
mod stream;

#[path = "conformance/paths.rs"]
mod paths;

#[path = "conformance/external.rs"]
mod external;

#[macro_use]
#[rustfmt::skip]
#[path = "conformance/generated.rs"]
mod generated;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io;
use std::path::{Path, PathBuf};

use external::{inspect_cells, python_cells, real_module};
use generated::*;
use paths::*;
use portable_pickle::__private::PyType;
use portable_pickle::{
    from_reader, from_slice, ErrorKind, FromPickle, Pickler, PortablePickle, Unpickler, Value, WriteOptions,
};
use serde::{de::DeserializeOwned, Serialize};
use shared_types::{CInner, CKey, CSerde};
use std::collections::BTreeSet;
use std::rc::Rc;
use support::ShortReads;

const ENV: &str = "PORTABLE_PICKLE_CONFORMANCE_DIR";

struct TypeInfo {
    name: &'static str,
    levels: [&'static str; 3],
    norms: Vec<&'static str>,
    /// The norms of the serde bridge's stream (a serde type's).
    serde_norms: Vec<&'static str>,
    checks: Vec<&'static str>,
    array: bool,
    uuid: bool,
    module: bool,
}

/// The Python check of a cell: the objects loaded from `data[offset..]`
/// in this loader, in normal form, equal the expected ones.
fn python_check(norms: &[&str], checks: &[&str], offset: usize, write_back: bool) -> String {
    // A session stream of two pickles is re-dumped as a stream (pickle.dump
    // in a loop), a single pickle with pickle.dumps.
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
        norms.join(", ")
    );
    for c in checks {
        s.push_str(&format!("assert all({c} for x in xs), {c:?}\n"));
    }
    match (write_back, offset) {
        (false, _) => {}
        (true, 0) => s.push_str("if loader == 'c':\n    write_back(xs)\n"),
        (true, _) => s.push_str("if loader == 'c':\n    write_back_stream([v, xs])\n"),
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

/// A written stream: (write path, bytes, offset of the pickle read, what
/// the Rust read paths must do).
type Stream = (&'static str, Vec<u8>, usize, Expect);

impl Matrix {
    /// Writes `values` by every derive write path, reads each stream by
    /// every Rust read path; returns the streams (for the serde read paths).
    fn run_type<T: PortablePickle + FromPickle + PartialEq + Debug>(
        &mut self,
        info: &TypeInfo,
        values: &[T],
    ) -> Vec<Stream> {
        self.types += 1;
        self.compile_time_descriptor::<T>(info);
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
        let mut streams: Vec<Stream> = vec![
            ("to_vec", to_vec, 0, Expect::Read),
            ("to_writer", to_writer, 0, Expect::Read),
            ("no_real_modules", no_real, 0, Expect::Read),
            ("pickler_first", first.into_inner(), 0, Expect::Read),
            ("pickler_later", later, later_at, Expect::RefusedSessionAlias),
            ("self_contained", sc.into_inner(), sc_at, Expect::Read),
        ];
        match strict {
            Ok(bytes) => streams.push(("strict", bytes, 0, Expect::Read)),
            // Documented write refusals: arrays and uuid.UUID.
            Err(e) if (info.array || info.uuid) && e.kind() == io::ErrorKind::InvalidInput => {
                self.tally.add("strict", "write", Outcome::Refused, String::new)
            }
            Err(e) => self.tally.add("strict", "write", Outcome::Failed, || {
                format!("{} × strict write: {e}", info.name)
            }),
        }
        for (write, bytes, offset, expect) in &streams {
            let case = format!("{write}_{}", info.name);
            let label = format!("{case} [{}]", info.levels.join(", "));
            read_paths(&mut self.tally, write, &label, &bytes[*offset..], *expect, values);
            let pickles = if *offset > 0 { 2 } else { 1 };
            let expect = match expect {
                // An Unpickler reads the whole session, later pickles included.
                Expect::RefusedSessionAlias => Expect::Read,
                other => *other,
            };
            unpickler_path(&mut self.tally, write, &label, bytes, pickles, expect, values);
            if let Some(corpus) = &mut self.corpus {
                let write_back = matches!(*write, "to_vec" | "pickler_later" | "self_contained");
                let check = python_check(&info.norms, &info.checks, *offset, write_back);
                corpus.raw(&case, bytes, &check, None);
            }
        }
        streams
    }

    /// The derive's descriptor of `T` is bytes fixed at compile time, the
    /// same as the ones encoded from its real definition (every write path
    /// above writes the fixed ones).
    fn compile_time_descriptor<T: PortablePickle>(&mut self, info: &TypeInfo) {
        let PyType::Class(class) = T::PY_TYPE else {
            // A transparent type has no class of its own.
            return;
        };
        let (outcome, why) = match (class.fixed)() {
            Some(fixed) if *fixed == (class.def)().leak_descriptor() => (Outcome::Passed, ""),
            Some(_) => (Outcome::Failed, "differs from the one encoded from its definition"),
            None => (Outcome::Failed, "is encoded on first use, not fixed at compile time"),
        };
        self.tally.add("derive", "compile_time_descriptor", outcome, || {
            format!("{}: the descriptor {why}", info.name)
        });
    }

    /// A serde type: every derive stream read by the serde read paths, and
    /// the serde bridge's own streams by those and in Python.
    fn run_serde<T: Serialize + DeserializeOwned + PartialEq + Debug>(
        &mut self,
        info: &TypeInfo,
        values: &[T],
        streams: &[Stream],
    ) {
        let unit_only_enum = matches!(info.levels[0], "unit_enum" | "int_enum");
        for (write, bytes, offset, expect) in streams {
            let label = format!("{write}_{} [{}]", info.name, info.levels.join(", "));
            let expect = match expect {
                Expect::Read if unit_only_enum => Expect::RefusedSerdeEnumValue,
                other => *other,
            };
            serde_read_paths(&mut self.tally, write, &label, &bytes[*offset..], expect, values);
        }
        let to_vec = portable_pickle::serde::to_vec(values);
        let mut to_writer = Vec::new();
        let written = portable_pickle::serde::to_writer(&mut to_writer, values);
        for (write, bytes) in [
            ("serde::to_vec", to_vec),
            ("serde::to_writer", written.map(|()| to_writer)),
        ] {
            let bytes = match bytes {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.tally.add(write, "write", Outcome::Failed, || {
                        format!("{} × {write}: {e}", info.name)
                    });
                    continue;
                }
            };
            let label = format!("{write}_{} [{}]", info.name, info.levels.join(", "));
            serde_read_paths(&mut self.tally, write, &label, &bytes, Expect::Read, values);
            if let Some(corpus) = &mut self.corpus {
                let case = format!("{}_{}", write.replace("::", "_"), info.name);
                let check = python_check(&info.serde_norms, &[], 0, write == "serde::to_vec");
                corpus.raw(&case, &bytes, &check, None);
            }
        }
    }

    /// The streaming case (tests/conformance/stream.rs): written by one
    /// `Pickler`, read back by `Unpickler`, checked in Python.
    fn run_stream(&mut self) {
        let mut p = Pickler::new(Vec::new()).flush_each(false);
        for i in 0..stream::COUNT {
            p.dump(&stream::event(i)).unwrap();
        }
        let bytes = p.into_inner();
        let events: Vec<stream::Event> = (0..stream::COUNT).map(stream::event).collect();
        self.read_stream("pickler_stream", stream::CASE, &bytes, &events);
        if let Some(corpus) = &mut self.corpus {
            corpus.raw(stream::CASE, &bytes, &stream::python_check(), None);
        }
    }

    /// `Unpickler` (over 7-byte short reads) of a stream of `want.len()` pickles.
    fn read_stream(&mut self, write: &str, case: &str, bytes: &[u8], want: &[stream::Event]) {
        let mut u = Unpickler::new(ShortReads { data: bytes, n: 7 });
        let mut got: Vec<stream::Event> = Vec::with_capacity(want.len());
        let outcome = loop {
            match u.load::<stream::Event>() {
                Ok(e) => got.push(e),
                Err(e) if *e.kind() == ErrorKind::EndOfStream => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        let ok = outcome.is_ok() && got == want;
        self.tally.add(
            write,
            "unpickler",
            if ok { Outcome::Passed } else { Outcome::Failed },
            || {
                let first_diff = got.iter().zip(want).position(|(g, w)| g != w);
                format!(
                    "{case} × unpickler: {:?}; {} of {} values, first difference at {first_diff:?}",
                    outcome.err(),
                    got.len(),
                    want.len()
                )
            },
        );
    }

    /// Every reader's re-dumps of the streaming case.
    fn read_back_stream(&mut self) {
        let want: Vec<stream::Event> = (0..stream::REDUMPED).map(stream::event).collect();
        // Six interpreters × protocols 0, 2 and 5, loader c.
        for (case, bytes) in self.repickles("back", stream::CASE, 6 * 3) {
            self.read_stream("python_redump_stream", &case, &bytes, &want);
        }
    }

    /// The re-pickles of one type's streams that `dir/<back>` holds, files
    /// named `<case>.*`: `count` of them, each read back.
    fn repickles(&mut self, back: &str, case: &str, count: usize) -> Vec<(String, Vec<u8>)> {
        let dir = self.dir.join(back);
        let prefix = format!("{case}.");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&prefix))
            .collect();
        files.sort();
        if files.len() != count {
            self.tally.add(back, "present", Outcome::Failed, || {
                format!("{} re-pickles of {case} in {back}/, want {count}", files.len())
            });
        }
        files
            .into_iter()
            .map(|f| {
                (
                    f.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&f).unwrap(),
                )
            })
            .collect()
    }

    /// Reads back every reader's re-pickles of the `to_vec` cells: six
    /// interpreters × protocols 0..=5, loader c.
    fn read_back<T: PortablePickle + FromPickle + PartialEq + Debug>(&mut self, info: &TypeInfo, values: &[T]) {
        for (case, bytes) in self.repickles("back", &format!("to_vec_{}", info.name), 6 * 6) {
            read_paths(&mut self.tally, "python_repickle", &case, &bytes, Expect::Read, values);
        }
        // Both pickles of a session re-dumped with pickle.dump in a loop.
        for write in ["pickler_later", "self_contained"] {
            for (case, bytes) in self.repickles("back", &format!("{write}_{}", info.name), 6 * 6) {
                let label = format!("python_redump_{write}");
                unpickler_path(&mut self.tally, &label, &case, &bytes, 2, Expect::Read, values);
            }
        }
    }

    /// The same re-pickles, and those of the serde bridge's `serde::to_vec`
    /// cells, through serde.
    fn read_back_serde<T: DeserializeOwned + PartialEq + Debug>(&mut self, info: &TypeInfo, values: &[T]) {
        let derived = match info.levels[0] {
            "unit_enum" | "int_enum" => Expect::RefusedSerdeEnumValue,
            _ => Expect::Read,
        };
        for (write, case, expect) in [
            ("python_repickle", format!("to_vec_{}", info.name), derived),
            (
                "python_repickle_serde",
                format!("serde_to_vec_{}", info.name),
                Expect::Read,
            ),
        ] {
            for (file, bytes) in self.repickles("back", &case, 6 * 6) {
                serde_read_paths(&mut self.tally, write, &file, &bytes, expect, values);
            }
        }
    }

    /// CPython's re-pickles of a module-declared type's `to_vec` stream
    /// loaded with the real module importable (tests/conformance/real_module.py):
    /// protocols 0..=5, each naming the module's classes.
    fn read_back_real<T: PortablePickle + FromPickle + PartialEq + Debug>(&mut self, info: &TypeInfo, values: &[T]) {
        for (case, bytes) in self.repickles("back_real", &format!("to_vec_{}", info.name), 6) {
            read_paths(
                &mut self.tally,
                "repickle_real_module",
                &case,
                &bytes,
                Expect::ReadTypedOnly,
                values,
            );
        }
    }
}

fn summary(tally: &Tally, types: usize) {
    println!("conformance matrix: cells by write path × read path (passed/refused/failed):");
    for ((w, r), [p, rf, f]) in &tally.cells {
        println!("  {w:<22} {r:<22} {p:>5} {rf:>5} {f:>5}");
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

/// Every pair of levels that cannot go together gives the compile error
/// INVALID_PAIRS names, as a trybuild UI test shows (tests/ui/*.stderr).
#[test]
fn invalid_pairs_are_ui_tested() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let errors: Vec<String> = std::fs::read_dir(&ui)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "stderr"))
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.lines()
                .filter_map(|l| l.strip_prefix("error: ").map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    for (shape, attr, message) in INVALID_PAIRS {
        assert!(
            errors.iter().any(|e| e.starts_with(message)),
            "({shape}, {attr}): no UI test gives \"{message}\""
        );
    }
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
    // Module-declared types' cases and expected norms, for real_module.py.
    let mut real_expected = Vec::new();
    macro_rules! info {
        ($name:expr, [$($lvl:expr),*], [$(($norm:expr, $snorm:expr)),*], [$($chk:expr),*], $array:expr, $uuid:expr, $module:expr) => {
            TypeInfo {
                name: $name,
                levels: [$($lvl),*],
                norms: vec![$($norm),*],
                serde_norms: vec![$($snorm),*],
                checks: vec![$($chk),*],
                array: $array,
                uuid: $uuid,
                module: $module,
            }
        };
    }
    macro_rules! serde_cells {
        (true, $info:expr, $values:expr, $streams:expr) => {{
            if readback.is_some() {
                m.read_back_serde($info, $values);
            }
            m.run_serde($info, $values, $streams);
        }};
        // Not a serde type (`tag`): only the derive's paths.
        (false, $info:expr, $values:expr, $streams:expr) => {{
            let _ = $streams;
        }};
    }
    macro_rules! cells {
        ($name:expr, $ty:ty, $lvls:tt, [$(($val:expr, $norm:expr, $snorm:expr)),*], $chks:tt, $array:expr, $uuid:expr, $serde:tt, $module:expr) => {{
            let values: Vec<$ty> = vec![$($val),*];
            let info = info!($name, $lvls, [$(($norm, $snorm)),*], $chks, $array, $uuid, $module);
            if readback.is_some() {
                m.read_back(&info, &values);
            }
            let streams = m.run_type(&info, &values);
            serde_cells!($serde, &info, &values, &streams);
            if info.module {
                real_expected.push((format!("to_vec_{}", info.name), info.norms.clone()));
            }
        }};
    }
    conformance_types!(cells);
    if readback.is_some() {
        m.read_back_stream();
    }
    m.run_stream();
    // CPython's re-pickles with the real module importable (written by the
    // first run, read back by both).
    macro_rules! real_cells {
        ($name:expr, $ty:ty, $lvls:tt, [$(($val:expr, $norm:expr, $snorm:expr)),*], $chks:tt, $array:expr, $uuid:expr, $serde:tt, $module:expr) => {{
            if $module {
                let values: Vec<$ty> = vec![$($val),*];
                let info = info!($name, $lvls, [$(($norm, $snorm)),*], $chks, $array, $uuid, $module);
                m.read_back_real(&info, &values);
            }
        }};
    }
    match (&readback, &m.corpus) {
        (Some(dir), _) => {
            conformance_types!(real_cells);
            inspect_cells(&mut m.tally, dir);
            python_cells(&mut m.tally, dir);
            summary(&m.tally, m.types);
        }
        (None, Some(corpus)) => {
            // The Rust cells' failures first: a Python failure below must not hide them.
            if m.tally.totals()[2] > 0 {
                summary(&m.tally, m.types);
            }
            corpus.check_with_cpython();
            real_module(&m.dir, &real_expected);
            conformance_types!(real_cells);
            summary(&m.tally, m.types);
        }
        (None, None) => unreachable!("the first run writes the corpus"),
    }
}
