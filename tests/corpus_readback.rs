//! Rust → every Python reader → Rust: the re-pickles that each reader of
//! scripts/readers.sh wrote for the corpus cases that call `write_back(v)`
//! (the empty structs and variants, and with the feature `serde` the serde
//! bridge's cases, read through `portable_pickle::serde::from_slice`), read
//! back into Rust and compared with the values Rust wrote.
//!
//! Needs scripts/readers.sh to have run on the corpus first, so it runs only
//! when `PORTABLE_PICKLE_READBACK_DIR` names that corpus directory (the one
//! holding manifest.json and back/); scripts/test.sh sets it:
//!
//! ```text
//! cargo test --all-features --test corpus       # writes target/tmp/corpus
//! scripts/readers.sh target/tmp/corpus          # each reader writes back/
//! PORTABLE_PICKLE_READBACK_DIR=target/tmp/corpus \
//!     cargo test --all-features --test corpus_readback
//! ```
//!
//! Unset, the test passes with a note on stderr. Set, every reader × case ×
//! loader × protocol file must be there and read back equal.

#[path = "support/readback.rs"]
mod readback;

use std::io::Write as _;
use std::path::Path;

const ENV: &str = "PORTABLE_PICKLE_READBACK_DIR";

#[test]
fn every_readers_re_pickles_read_back() {
    let Some(dir) = std::env::var_os(ENV) else {
        // Written past the test harness's output capture, so a plain
        // `cargo test` shows it.
        let _ = writeln!(
            std::io::stderr(),
            "note: corpus_readback skipped: {ENV} is not set (after scripts/readers.sh <corpus_dir>, \
             set it to <corpus_dir>; scripts/test.sh does)"
        );
        return;
    };
    assert!(!dir.is_empty(), "{ENV} is set but empty");
    // Relative to the directory `cargo test` runs this test in: the package root.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    assert!(
        corpus.join("manifest.json").is_file(),
        "{ENV}={}: no manifest.json there (run cargo test --test corpus, then scripts/readers.sh on it)",
        corpus.display()
    );
    let lines = readback::read_back(&corpus, &readback::READERS);
    println!("re-pickles read back from {}:", corpus.join("back").display());
    for line in lines {
        println!("  {line}");
    }
}
