//! Builds the static bootstrap header once, at compile time: assembles the
//! constructor payload with the shared opcode writer, compresses it to zlib
//! format with zopfli (100 iterations: 7–8 bytes smaller than zlib's best
//! level, bytes every stream carries; more iterations gain nothing here)
//! and writes the finished header to `OUT_DIR/header.pkl`.

use std::path::PathBuf;

fn main() {
    let payload = portable_format::header::payload(|raw| {
        let mut z = Vec::new();
        let options = zopfli::Options {
            iteration_count: std::num::NonZeroU64::new(100).expect("nonzero"),
            ..zopfli::Options::default()
        };
        zopfli::compress(options, zopfli::Format::Zlib, raw, &mut z).expect("compress payload");
        z
    });
    let compressed = payload.compressed;
    let header = portable_format::header::header(&compressed);

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("header.pkl"), &header).expect("write header");
    std::fs::write(out.join("payload.pkl"), &payload.raw).expect("write payload");
    let standalone = portable_format::header::standalone(&compressed);
    std::fs::write(out.join("standalone.pkl"), &standalone).expect("write standalone bootstrap");
    std::fs::write(out.join("strict_header.pkl"), portable_format::strict::header()).expect("write strict header");
    println!("cargo:rerun-if-changed=build.rs");
}
