//! The inspector, as `portable-pickle inspect` runs it: the CLI's own code
//! (portable-pickle-cli/src/{file,report}.rs, included by path) builds a
//! file's report — each pickle described by one
//! `portable_pickle::inspect::Inspector` over the file, the reader's own
//! read — and renders it as text (full and `--summary`) and JSON. Never
//! panics, never runs long (libFuzzer's `-timeout`).
#![no_main]

#[allow(dead_code)]
#[path = "../../portable-pickle-cli/src/file.rs"]
mod file;
#[allow(dead_code)]
#[path = "../../portable-pickle-cli/src/report.rs"]
mod report;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = file::FileReport::build("fuzz", data, &portable_pickle::inspect::OPTIONS);
    assert!(!r.text(false).is_empty());
    assert!(!r.text(true).is_empty());
    assert!(!r.json().is_empty());
    let _ = r.ok();
});
