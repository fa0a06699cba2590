//! The collector pause (docs/FORMAT.md, "Collector pause"): a stream pauses
//! CPython's cyclic garbage collector for its body and restores the previous
//! state exactly when the load ends, also when it fails part-way (every cut
//! of a truncated stream, C and pure-Python unpicklers, collector enabled or
//! disabled before). tests/python/gc_pause.py does the checks and compares
//! the loaded values with the expected Python values.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use portable_pickle::{to_vec, PortablePickle};

#[derive(PortablePickle)]
struct Spot {
    x: f64,
    y: f64,
}

#[derive(PortablePickle)]
struct Sample {
    id: u32,
    name: String,
    span: Duration,
    tags: Vec<String>,
    pos: Spot,
}

fn stream() -> Vec<u8> {
    let samples: Vec<Sample> = (0..200u32)
        .map(|i| Sample {
            id: i,
            name: format!("s{i}"),
            span: Duration::from_secs(u64::from(i)),
            tags: vec!["a".into(), format!("t{}", i % 7)],
            pos: Spot {
                x: f64::from(i),
                y: -f64::from(i),
            },
        })
        .collect();
    to_vec(&samples)
}

fn run(python: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/tmp/gc_pause");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("samples.{python}.pkl"));
    std::fs::write(&path, stream()).unwrap();
    let out = Command::new(python)
        .arg(root.join("tests/python/gc_pause.py"))
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("ok"),
        "{python}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cpython_pauses_and_restores_the_collector() {
    run("python3");
}

/// PyPy (scripts/setup-readers.sh installs it) keeps its collector running.
#[test]
fn pypy_leaves_the_collector_alone() {
    if Command::new("pypy3").arg("-c").arg("pass").status().is_err() {
        eprintln!("pypy3 not on PATH: skipped (scripts/setup-readers.sh installs it)");
        return;
    }
    run("pypy3");
}
