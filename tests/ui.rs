//! Every compile error of `#[derive(PortablePickle)]`, each pointing at the
//! offending token (`tests/ui/*.stderr`); and types that must derive, each
//! compiled and run (`tests/ui/pass/*.rs`: its `main` round-trips values
//! through `to_vec` and `from_slice`).

#[test]
fn derive_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
