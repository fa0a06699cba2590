//! Every compile error of `#[derive(PortablePickle)]`, each pointing at the
//! offending token (`tests/ui/*.stderr`).

#[test]
fn derive_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
