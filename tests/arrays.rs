//! Arrays: the corpus of tests/support/array_cases.rs on the machine's bare
//! `python3` (the stdlib fallback) and on CPython with numpy (the venv
//! target/numpy-venv, made by scripts/setup-numpy.sh), then read back.

#[path = "support/array_cases.rs"]
mod array_cases;
#[path = "support/array_values.rs"]
mod array_values;
mod support;

use std::path::Path;
use std::process::Command;

use support::Corpus;

fn numpy_python() -> std::path::PathBuf {
    let venv = std::env::var_os("NUMPY_VENV")
        .map(Into::into)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/numpy-venv"));
    venv.join("bin/python")
}

#[test]
fn arrays_load_with_and_without_numpy() {
    let mut c = Corpus::new("arrays");
    array_cases::array_cases(&mut c);
    // The bare python3: array.array and nested lists.
    c.check_with_cpython();
    // CPython with numpy: numpy.ndarray.
    let py = numpy_python();
    assert!(
        py.exists(),
        "{} missing: run scripts/setup-numpy.sh (scripts/test.sh does)",
        py.display()
    );
    let dir = c.write_manifest();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(&py)
        .arg(root.join("tests/python/check_corpus.py"))
        .arg(dir)
        .arg("--allowlist")
        .arg(root.join("docs/FORMAT.md"))
        .arg("--reader")
        .arg("cpython-numpy")
        .env("PORTABLE_PICKLE_EXPECT_NUMPY", "1")
        .output()
        .expect("run the numpy venv's python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "numpy reader failed"
    );
}

use portable_pickle::{from_slice, to_vec, Array};

#[test]
fn arrays_read_back_in_rust() {
    let t = array_cases::trace();
    assert_eq!(from_slice::<array_cases::Trace>(&to_vec(&t)).unwrap(), t);
    let v: Vec<u64> = vec![0, 1, u64::MAX];
    assert_eq!(from_slice::<Array<Vec<u64>>>(&to_vec(&Array(&v))).unwrap().0, v);
    let b: Box<[bool]> = vec![true, false].into_boxed_slice();
    assert_eq!(from_slice::<Array<Box<[bool]>>>(&to_vec(&Array(&b))).unwrap().0, b);
    let a = [1i8, -1, 127];
    assert_eq!(from_slice::<Array<[i8; 3]>>(&to_vec(&Array(a))).unwrap().0, a);
    let big: Vec<f32> = (0..100_000).map(|i| i as f32 * 0.5).collect();
    assert_eq!(from_slice::<Array<Vec<f32>>>(&to_vec(&Array(&big))).unwrap().0, big);
    // A mismatched element type is an error, not a conversion.
    let e = from_slice::<Array<Vec<f32>>>(&to_vec(&Array(vec![1.0f64]))).unwrap_err();
    assert!(e.to_string().contains("<f4"), "{e}");
    // The default mapping (a list) reads as an array too.
    assert_eq!(
        from_slice::<Array<Vec<i16>>>(&to_vec(&vec![1i16, -2])).unwrap().0,
        vec![1, -2]
    );
}

#[cfg(feature = "ndarray")]
#[test]
fn ndarrays_read_back_in_rust() {
    use ndarray::{Array2, Array3, ShapeBuilder};
    let m = Array2::from_shape_fn((2, 3).f(), |(i, j)| (i * 3 + j) as i32);
    assert_eq!(from_slice::<Array<Array2<i32>>>(&to_vec(&Array(&m))).unwrap().0, m);
    let c = Array3::from_shape_fn((2, 0, 3), |_| 0u8);
    assert_eq!(from_slice::<Array<Array3<u8>>>(&to_vec(&Array(&c))).unwrap().0, c);
    let e = from_slice::<Array<Array3<i32>>>(&to_vec(&Array(&m))).unwrap_err();
    assert!(e.to_string().contains("3-D"), "{e}");
}

#[cfg(feature = "ndarray")]
type Fixture = (
    Array<Vec<f64>>,
    Array<ndarray::Array2<i32>>,
    Array<ndarray::Array2<i32>>,
    Array<Vec<u16>>,
    Array<Vec<bool>>,
    Array<ndarray::Array3<f32>>,
);

#[cfg(feature = "ndarray")]
fn check_fixture(v: &Fixture, what: &str) {
    let m = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
    assert_eq!(v.0 .0, vec![1.5, -2.0, 3.25], "{what}");
    assert_eq!(v.1 .0, m, "{what}");
    assert_eq!(v.2 .0, m, "{what}");
    assert_eq!(v.3 .0, vec![1, 258], "{what}");
    assert_eq!(v.4 .0, vec![true, false, true], "{what}");
    let cube = ndarray::Array3::from_shape_fn((2, 2, 2), |(i, j, k)| (i * 12 + j * 8 + k + 1) as f32);
    assert_eq!(v.5 .0, cube, "{what}");
}

/// numpy arrays pickled by CPython (numpy 1.26.4 and 2.4.6, protocols
/// 2–5: tests/numpy/make_fixtures.py).
#[cfg(feature = "ndarray")]
#[test]
fn numpy_pickles_read_back() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/numpy");
    for major in [1, 2] {
        for p in 2..=5 {
            let name = format!("np{major}_p{p}.pkl");
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            let v: Fixture = from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            check_fixture(&v, &name);
        }
    }
}

/// Rust -> numpy -> Rust: the numpy venv loads our stream and re-pickles
/// the arrays with CPython's pickler at protocols 2–5; each reads back.
#[cfg(feature = "ndarray")]
#[test]
fn numpy_repickles_read_back() {
    use ndarray::ShapeBuilder;
    let m = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
    let f = {
        let mut f = ndarray::Array2::<i32>::zeros((2, 3).f());
        f.assign(&m);
        f
    };
    let cube = ndarray::Array3::from_shape_fn((2, 2, 2), |(i, j, k)| (i * 12 + j * 8 + k + 1) as f32);
    let value = (
        Array(vec![1.5f64, -2.0, 3.25]),
        Array(m),
        Array(f),
        Array(vec![1u16, 258]),
        Array(vec![true, false, true]),
        Array(cube),
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("arrays_repickle");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.pkl"), to_vec(&value)).unwrap();
    let script = "import pickle, sys, numpy\n\
                  d = sys.argv[1]\n\
                  v = pickle.load(open(d + '/in.pkl', 'rb'))\n\
                  assert all(type(a) is numpy.ndarray for a in v)\n\
                  for p in range(2, 6):\n    open('%s/p%d.pkl' % (d, p), 'wb').write(pickle.dumps(v, protocol=p))\n";
    let out = Command::new(numpy_python())
        .arg("-c")
        .arg(script)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for p in 2..=5 {
        let bytes = std::fs::read(dir.join(format!("p{p}.pkl"))).unwrap();
        let v: Fixture = from_slice(&bytes).unwrap_or_else(|e| panic!("p{p}: {e}"));
        check_fixture(&v, &format!("re-pickle p{p}"));
    }
}
