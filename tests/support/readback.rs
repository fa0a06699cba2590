//! Rust → Python → Rust: the corpus cases whose check calls `write_back(v)`,
//! their Rust values, and the reading of every reader's re-pickles back into
//! Rust (through `FromPickle`, or for the serde bridge's cases through
//! `portable_pickle::serde::from_slice`; their values are in
//! serde_values.rs). One copy, used by tests/corpus.rs (CPython, during
//! `cargo test`) and tests/corpus_readback.rs (every reader, after
//! scripts/readers.sh).
//!
//! tests/python/check_corpus.py's `write_back(obj)` writes
//! `<corpus>/back/<case>.<reader>.<loader>.p<N>.pkl` (`pickle.dumps(obj,
//! protocol=N)`, N in 0..=5) and `<corpus>/back/<reader>.txt` (the reader's
//! identification).
// Each test crate uses part of this module.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::Path;

use portable_pickle::{FromPickle, PortablePickle};

/// The array cases' values that are read back (`array_trace`).
#[path = "array_values.rs"]
pub mod array_values;

/// Fields of foreign types (`display`, `with`, a hand-written impl).
#[path = "foreign.rs"]
pub mod foreign;

/// Types for Python's data tools and hashing contract (tags, int enums,
/// frozen and hash-marked keys).
#[path = "data_tools.rs"]
pub mod data_tools;

/// The serde cases' values (feature `serde`).
#[cfg(feature = "serde")]
#[path = "serde_values.rs"]
pub mod serde_values;

/// A struct with an empty field list.
#[derive(PortablePickle, Debug, PartialEq)]
pub struct EmptyBraced {}

#[derive(PortablePickle, Debug, PartialEq)]
pub struct EmptyTuple();

#[derive(PortablePickle, Debug, PartialEq)]
pub enum EmptyVariants {
    /// Braced, no fields.
    A {},
    B(),
}

pub fn empty_structs() -> (EmptyBraced, EmptyBraced, EmptyTuple, EmptyTuple) {
    (EmptyBraced {}, EmptyBraced {}, EmptyTuple(), EmptyTuple())
}

pub fn empty_variants() -> Vec<EmptyVariants> {
    vec![EmptyVariants::A {}, EmptyVariants::B(), EmptyVariants::A {}]
}

/// Ordered as in Rust (`#[pickle(order)]`).
#[derive(PortablePickle, Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[pickle(order)]
pub struct RankKey {
    host: String,
    shard: u32,
}

/// An ordered data enum.
#[derive(PortablePickle, Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[pickle(order)]
pub enum Ranked {
    Start { at: i64, who: String },
    Step { n: i64 },
    Stop,
}

/// Keys and ordered enum values, each list with its sort by Rust.
pub fn ordered() -> (Vec<RankKey>, Vec<RankKey>, Vec<Ranked>, Vec<Ranked>) {
    let keys = vec![
        RankKey {
            host: "b".into(),
            shard: 1,
        },
        RankKey {
            host: "a".into(),
            shard: 2,
        },
        RankKey {
            host: "a".into(),
            shard: 1,
        },
    ];
    let ranked = vec![
        Ranked::Stop,
        Ranked::Step { n: 3 },
        Ranked::Step { n: -1 },
        Ranked::Start { at: 2, who: "x".into() },
        Ranked::Start { at: 2, who: "a".into() },
    ];
    let (mut keys_sorted, mut ranked_sorted) = (keys.clone(), ranked.clone());
    keys_sorted.sort();
    ranked_sorted.sort();
    (keys, keys_sorted, ranked, ranked_sorted)
}

/// Reads one re-pickle and compares it with the value Rust wrote.
type Check = fn(&[u8]) -> Result<(), String>;

/// Every case whose check calls `write_back(v)`, with the value Rust wrote
/// (or, for a serde case, the value it reads back as). A case of the
/// manifest that calls `write_back` but is missing here fails [`read_back`].
pub fn cases() -> Vec<(&'static str, Check)> {
    #[allow(unused_mut)]
    let mut cases: Vec<(&'static str, Check)> = vec![
        ("empty_structs", |bytes| compare(bytes, &empty_structs())),
        ("empty_variants", |bytes| compare(bytes, &empty_variants())),
        ("ordered", |bytes| compare(bytes, &ordered())),
        ("foreign_fields", |bytes| compare(bytes, &foreign::endpoints())),
        // Re-pickled `array.array`s (numpy arrays where the reader has numpy).
        ("array_trace", |bytes| {
            compare(bytes, &vec![array_values::trace(), array_values::trace()])
        }),
        ("hashing", |bytes| compare(bytes, &data_tools::hashing())),
        ("int_enums", |bytes| compare(bytes, &data_tools::int_enums())),
        ("tagged_report", |bytes| compare(bytes, &data_tools::report())),
    ];
    #[cfg(feature = "serde")]
    cases.extend(serde_cases());
    cases
}

/// The serde cases of the corpus (tests/support/serde_cases.rs) that call
/// `write_back(v)`: read back through `portable_pickle::serde::from_slice`,
/// or, for streams the derive wrote, through its `FromPickle` impl.
#[cfg(feature = "serde")]
fn serde_cases() -> Vec<(&'static str, Check)> {
    use serde_values::{self as sv, both};
    vec![
        ("serde_scalars", |b| compare_serde(b, &sv::scalars())),
        ("serde_options_and_sets", |b| {
            compare_serde(b, &sv::options_and_sets_back())
        }),
        ("serde_int128", |b| compare_serde(b, &sv::int128())),
        ("serde_bytes_and_lists", |b| compare_serde(b, &sv::bytes_and_lists())),
        ("serde_big_containers", |b| compare_serde(b, &sv::big_containers())),
        ("serde_package", |b| {
            compare_serde(b, &sv::package_back(Some("https://serde.rs")))
        }),
        ("serde_skip_serializing_if", |b| compare_serde(b, &sv::packages_back())),
        ("serde_enum_external", |b| compare_serde(b, &sv::shapes())),
        ("serde_enum_internal", |b| compare_serde(b, &sv::events())),
        ("serde_enum_adjacent", |b| compare_serde(b, &sv::msgs())),
        ("serde_enum_untagged", |b| compare_serde(b, &sv::looses())),
        ("serde_struct_forms", |b| compare_serde(b, &sv::struct_forms())),
        ("serde_names", |b| compare_serde(b, &sv::names())),
        ("serde_map_keys", |b| compare_serde(b, &sv::map_keys())),
        ("serde_nested_depth", |b| compare_serde(b, &sv::nested_depth())),
        ("serde_flatten", |b| compare_serde(b, &sv::flattened())),
        ("serde_fields_of_derived_types", |b| {
            compare(b, &sv::derived_with_serde_fields())
        }),
        ("serde_vs_derive_derive", |b| compare(b, &both::pair())),
        ("serde_vs_derive", |b| compare_serde(b, &both::pair())),
    ]
}

/// The CPython of `cargo test` (tests/support/mod.rs runs check_corpus.py
/// with its default reader name).
pub const CPYTHON: &str = "cpython";

/// The interpreters of scripts/readers.sh, by the reader name it passes to
/// check_corpus.py. With CPython's C and pure-Python unpicklers (loaders `c`
/// and `py`) counted apart, these are the seven readers.
pub const READERS: [&str; 6] = [
    CPYTHON,
    "pypy3",
    "pyodide-0.22.1",
    "pyodide-0.26.4",
    "pyodide-0.28.3",
    "pyodide-314.0.7",
];

/// check_corpus.py's loaders (`restricted` needs the allowlist, which both
/// `cargo test` and scripts/readers.sh pass).
pub const LOADERS: [&str; 4] = ["c", "py", "restricted", "optimized"];

/// The pickle protocols `write_back` uses.
pub const PROTOCOLS: std::ops::RangeInclusive<u8> = 0..=5;

#[cfg(feature = "serde")]
fn compare_serde<T: serde::de::DeserializeOwned + PartialEq + Debug>(bytes: &[u8], expected: &T) -> Result<(), String> {
    let back: T = portable_pickle::serde::from_slice(bytes).map_err(|e| format!("serde::from_slice failed: {e}"))?;
    if &back == expected {
        Ok(())
    } else {
        Err(format!("read {back:?}, Rust wrote {expected:?}"))
    }
}

fn compare<T: FromPickle + PartialEq + Debug>(bytes: &[u8], expected: &T) -> Result<(), String> {
    let back: T = portable_pickle::from_slice(bytes).map_err(|e| format!("from_slice failed: {e}"))?;
    if &back == expected {
        Ok(())
    } else {
        Err(format!("read {back:?}, Rust wrote {expected:?}"))
    }
}

/// The file `write_back` writes for a case, reader, loader and protocol.
pub fn file_name(case: &str, reader: &str, loader: &str, protocol: u8) -> String {
    format!("{case}.{reader}.{loader}.p{protocol}.pkl")
}

/// The cases of `<corpus>/manifest.json` whose check calls `write_back(`
/// (tests/support/mod.rs writes one case per line, the name first).
fn manifest_write_back_cases(corpus: &Path) -> Result<BTreeSet<String>, String> {
    let path = corpus.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut cases = BTreeSet::new();
    for line in text.lines().filter(|l| l.contains("write_back(")) {
        let name = line
            .trim_start()
            .strip_prefix("{\"name\": \"")
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| format!("{}: no case name in {line:?}", path.display()))?;
        cases.insert(name.to_owned());
    }
    Ok(cases)
}

/// Reads the re-pickles of every case of [`cases`], for each of `readers`
/// × [`LOADERS`] × [`PROTOCOLS`], from `<corpus>/back`, and compares each
/// with the value Rust wrote. Panics listing every problem: a missing or
/// unreadable file, a value that differs, a case of the manifest that calls
/// `write_back` without an entry in [`cases`], a re-pickle in `back/` that no
/// reader × case × loader × protocol names. Returns one line per reader
/// (name, identification, files read).
pub fn read_back(corpus: &Path, readers: &[&str]) -> Vec<String> {
    let back = corpus.join("back");
    let mut problems = Vec::new();

    let cases = cases();
    let known: BTreeSet<String> = cases.iter().map(|(case, _)| case.to_string()).collect();
    match manifest_write_back_cases(corpus) {
        Ok(in_manifest) => {
            for case in in_manifest.difference(&known) {
                problems.push(format!(
                    "case {case} calls write_back, but tests/support/readback.rs::cases() has no Rust value for it"
                ));
            }
            for case in known.difference(&in_manifest) {
                problems.push(format!(
                    "case {case} of cases() does not call write_back in the manifest"
                ));
            }
        }
        Err(e) => problems.push(e),
    }

    let mut summary = Vec::new();
    let mut gaps = Vec::new();
    for reader in readers {
        let (mut read, mut missing) = (0, 0);
        for (case, check) in &cases {
            for loader in LOADERS {
                for protocol in PROTOCOLS {
                    let file = back.join(file_name(case, reader, loader, protocol));
                    match std::fs::read(&file) {
                        Err(e) => {
                            missing += 1;
                            problems.push(format!("{}: {e}", file.display()));
                        }
                        Ok(bytes) => {
                            read += 1;
                            if let Err(e) = check(&bytes) {
                                problems.push(format!("{}: {e}", file.display()));
                            }
                        }
                    }
                }
            }
        }
        let ident = std::fs::read_to_string(back.join(format!("{reader}.txt")))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "(no identification file)".into());
        summary.push(format!("{reader:<16} {ident:<46} {read} re-pickles read back"));
        if missing > 0 {
            let expected = cases.len() * LOADERS.len() * PROTOCOLS.len();
            gaps.push(format!(
                "reader {reader}: {missing} of its {expected} re-pickles missing (did scripts/readers.sh run it?)"
            ));
        }
    }
    // First, so a truncated list still names each reader with a gap.
    problems.splice(0..0, gaps);

    // Every re-pickle must be one this test knows (a new reader, loader or
    // case must be added here, not go unread).
    let all: BTreeSet<String> = cases
        .iter()
        .flat_map(|(case, _)| {
            READERS.iter().flat_map(move |reader| {
                LOADERS
                    .iter()
                    .flat_map(move |loader| PROTOCOLS.map(move |p| file_name(case, reader, loader, p)))
            })
        })
        .collect();
    if let Ok(entries) = std::fs::read_dir(&back) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".pkl") && !all.contains(&name) {
                problems.push(format!(
                    "{}: a re-pickle no reader × case × loader × protocol names",
                    back.join(&name).display()
                ));
            }
        }
    }

    const SHOWN: usize = 60;
    let more = problems.len().saturating_sub(SHOWN);
    assert!(
        problems.is_empty(),
        "{} problem(s) reading back the re-pickles of {} from {}:\n  {}{}",
        problems.len(),
        readers.join(", "),
        back.display(),
        problems[..problems.len().min(SHOWN)].join("\n  "),
        if more > 0 {
            format!("\n  ... and {more} more")
        } else {
            String::new()
        }
    );
    summary
}
