//! The strict profile (docs/FORMAT.md, "Strict profile"): every type kind
//! and the std types written by `portable_pickle::strict` and by the
//! default profile; `tests/python/check_strict.py` loads both on CPython
//! (C and pure-Python unpicklers, and a restricted `find_class` admitting
//! exactly the strict allowlist) and compares them structurally: class
//! names, fields, docstrings, annotations, repr, `==` and hashing.
//! `scripts/scan-strict.sh` runs the three scanners over the same files.

use std::path::PathBuf;

use portable_pickle::PortablePickle;

#[path = "support/strict_values.rs"]
mod strict_values;
use strict_values::Point;

/// Every strict stream of the test and its default twin, written to
/// target/tmp/strict as `<name>.strict.pkl` and `<name>.default.pkl`.
fn write_all() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/strict");
    std::fs::create_dir_all(&d).unwrap();
    for (name, strict, default) in strict_values::pairs() {
        std::fs::write(d.join(format!("{name}.strict.pkl")), strict).unwrap();
        std::fs::write(d.join(format!("{name}.default.pkl")), default).unwrap();
    }
    d
}

#[test]
fn strict_streams_equal_the_default_ones_on_cpython() {
    let d = write_all();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("tests/python/check_strict.py"))
        .arg(&d)
        .arg(root.join("docs/FORMAT.md"))
        .output()
        .expect("python3 must be installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(out.status.success(), "check_strict.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn strict_refuses_what_it_cannot_write() {
    #[derive(PortablePickle)]
    struct WithArray {
        #[pickle(array)]
        data: Vec<f32>,
    }
    let err = portable_pickle::strict::to_vec(&WithArray { data: vec![1.0] }).unwrap_err();
    assert!(
        err.to_string()
            .contains("arrays are not available in the strict profile"),
        "{err}"
    );
    let mut out = Vec::new();
    let err = portable_pickle::strict::to_writer(&mut out, &WithArray { data: vec![1.0] }).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_ne!(out.last(), Some(&b'.'), "no STOP: not a complete pickle");
}

#[test]
fn strict_pickler_writes_complete_strict_streams() {
    let mut pickler = portable_pickle::Pickler::new(Vec::new()).strict(true);
    pickler.dump(&Point { x: 1, y: 2.0 }).unwrap();
    let first = pickler.get_ref().len();
    pickler.dump(&Point { x: 3, y: 4.0 }).unwrap();
    let bytes = pickler.into_inner();
    assert!(bytes.starts_with(portable_pickle::strict::HEADER));
    assert!(bytes[first..].starts_with(portable_pickle::strict::HEADER));
    assert_eq!(
        &bytes[first..],
        &portable_pickle::strict::to_vec(&Point { x: 3, y: 4.0 }).unwrap()[..]
    );
}

#[test]
fn strict_streams_reference_only_the_strict_globals() {
    let d = write_all();
    for entry in std::fs::read_dir(&d).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".strict.pkl") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for bad in [&b"importlib"[..], b"getattr", b"functools", b"modules", b"loads"] {
            assert!(
                !bytes.windows(bad.len()).any(|w| w == bad),
                "{} contains {:?}",
                path.display(),
                String::from_utf8_lossy(bad)
            );
        }
    }
}
