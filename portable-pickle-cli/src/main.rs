//! `portable-pickle`, the command-line tool of portable-pickle.
//!
//! ```text
//! portable-pickle inspect FILE [--json]
//! ```
//!
//! Describes a pickle without executing anything: format version and
//! profile, whether the header is this build's, the type table (classes,
//! fields with annotations, kinds), instances per class, part sizes, every
//! global referenced and whether it is on docs/FORMAT.md's allowlist, and
//! the safe reader's verdict. Exit status: 0 when every global is on the
//! allowlist and the stream is well-formed, 1 when not, 2 on a usage or
//! I/O error.

mod report;

use std::process::ExitCode;

const USAGE: &str = "\
usage: portable-pickle inspect FILE [--json]

Describes a pickle stream without executing it: format version and profile,
header, type table, instances per class, part sizes, every global and whether
it is on the allowlist (docs/FORMAT.md), and the safe reader's verdict.
FILE may be `-` for standard input.

Exit status: 0 all globals on the allowlist and the stream well-formed;
1 a global off the allowlist, or a malformed stream; 2 usage or I/O error.";

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
    let mut file = None;
    for w in words {
        match w {
            "--json" => json = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            f if f.starts_with("--") => return Err(format!("unknown option `{f}`\n\n{USAGE}")),
            f if file.is_none() => file = Some(f),
            f => return Err(format!("unexpected argument `{f}`\n\n{USAGE}")),
        }
    }
    let file = file.ok_or_else(|| format!("missing FILE\n\n{USAGE}"))?;
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(|e| format!("stdin: {e}"))?;
        b
    } else {
        std::fs::read(file).map_err(|e| format!("{file}: {e}"))?
    };
    let report = report::Report::build(file, &bytes);
    if json {
        println!("{}", report.json());
    } else {
        print!("{}", report.text());
    }
    Ok(report.ok())
}
