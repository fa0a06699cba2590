//! Builds the static bootstrap header once, at compile time: assembles the
//! constructor payload with the shared opcode writer, zlib-compresses it and
//! writes the finished header to `OUT_DIR/header.pkl`.

use std::io::Write;
use std::path::PathBuf;

use flate2::write::ZlibEncoder;
use flate2::Compression;

fn main() {
    let payload = portable_format::header::payload();
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(&payload).expect("compress payload");
    let compressed = z.finish().expect("compress payload");
    let header = portable_format::header::header(&compressed);

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("header.pkl"), &header).expect("write header");
    std::fs::write(out.join("payload.pkl"), &payload).expect("write payload");
    let standalone = portable_format::header::standalone(&compressed);
    std::fs::write(out.join("standalone.pkl"), &standalone).expect("write standalone bootstrap");
    std::fs::write(out.join("strict_header.pkl"), portable_format::strict::header()).expect("write strict header");
    println!("cargo:rerun-if-changed=build.rs");
}
