//! Writes the fuzz targets' Rust-made seed streams (`sample`, `shapes`,
//! `memo_bomb`, `text`) to `fuzz/seeds/`, or to the directory given:
//! `cargo run --example fuzz_seeds [-- DIR]`. The streams are defined in
//! `tests/support/seeds.rs`, which `tests/read_adversarial.rs` also attacks.

#[path = "../tests/support/seeds.rs"]
mod seeds;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds"));
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in seeds::fuzz_seeds() {
        let path = dir.join(format!("{name}.pkl"));
        std::fs::write(&path, &bytes)?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
