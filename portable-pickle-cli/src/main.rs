//! `portable-pickle`, the command-line tool of portable-pickle.
//!
//! ```text
//! portable-pickle inspect FILE... [--json | --summary] [--max-alloc BYTES]
//! ```
//!
//! Describes every pickle of each file without executing anything: format
//! version and profile, whether the header is this build's, the type table
//! (classes, fields with annotations, kinds), instances per class, part
//! sizes, every global referenced and whether it is on docs/FORMAT.md's
//! allowlist, and the safe reader's verdict (one `Unpickler` over the
//! file). Exit status: 0 when every global is on the allowlist and the
//! reader decodes every pickle, 1 when not, 2 on a usage or I/O error.

mod file;
mod report;

use std::process::ExitCode;

const USAGE: &str = "\
usage: portable-pickle inspect FILE... [--json | --summary] [--max-alloc BYTES]

Describes every pickle of a file without executing anything: format version
and profile, header, type table, instances per class, part sizes, every
global and whether it is on the allowlist (docs/FORMAT.md), and the safe
reader's verdict (one reader over the whole file, so a session's later
pickles are read as an Unpickler reads them). A file of several pickles
gets a section per pickle, or with --summary one line each, then totals.
FILE may be `-` for standard input. Several FILEs are reported in turn
(--json: one JSON object per line). --max-alloc bounds what the reader
holds for one pickle (default: the reader's, 512 MiB); a pickle that needs
more is reported as over the limit, not in order.

Exit status: 0 all globals on the allowlist and the reader decodes every
pickle of every FILE; 1 a global off the allowlist, a pickle the reader refuses, or a
malformed one; 2 usage or I/O error.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(msg) => {
            eprintln!("portable-pickle: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Runs the command; `Ok(ok)` is the verdict, `Err` a usage or I/O error.
fn run(args: &[String]) -> Result<bool, String> {
    let mut words = args.iter().map(String::as_str);
    match words.next() {
        Some("inspect") => {}
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return Ok(true);
        }
        Some(other) => return Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => return Err(USAGE.to_owned()),
    }
    let mut json = false;
    let mut summary = false;
    let mut files = Vec::new();
    let mut options = portable_pickle::inspect::OPTIONS;
    while let Some(w) = words.next() {
        match w {
            "--json" => json = true,
            "--max-alloc" => {
                let n = words
                    .next()
                    .ok_or_else(|| format!("--max-alloc needs a byte count\n\n{USAGE}"))?;
                let n = n
                    .parse()
                    .map_err(|_| format!("--max-alloc: `{n}` is not a byte count\n\n{USAGE}"))?;
                options.max_alloc = Some(n);
            }
            "--summary" => summary = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            f if f.starts_with("--") => return Err(format!("unknown option `{f}`\n\n{USAGE}")),
            f => files.push(f),
        }
    }
    if files.is_empty() {
        return Err(format!("missing FILE\n\n{USAGE}"));
    }
    if json && summary {
        return Err(format!("--json and --summary exclude each other\n\n{USAGE}"));
    }
    let mut all_ok = true;
    for (i, file) in files.iter().enumerate() {
        let bytes = if *file == "-" {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(|e| format!("stdin: {e}"))?;
            b
        } else {
            std::fs::read(file).map_err(|e| format!("{file}: {e}"))?
        };
        let report = file::FileReport::build(file, &bytes, &options);
        if json {
            println!("{}", report.json());
        } else {
            if i > 0 {
                println!();
            }
            print!("{}", report.text(summary));
        }
        all_ok &= report.ok();
    }
    Ok(all_ok)
}
