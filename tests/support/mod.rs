//! Builds a corpus of streams with Python checks and runs it through the
//! machine's CPython (C and pure-Python unpicklers, the restricted
//! unpickler with docs/FORMAT.md's allowlist, and `pickletools`).
// Each test crate uses part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use portable_pickle::PortablePickle;

/// One stream's name, its Python check, and the first Python version it applies to.
struct Case {
    name: String,
    check: String,
    min_version: Option<(u32, u32)>,
}

/// Streams and the Python statements that check them (`v` is the loaded value).
pub struct Corpus {
    dir: PathBuf,
    cases: Vec<Case>,
}

impl Corpus {
    /// A corpus written under `target/tmp/<name>`.
    pub fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create corpus dir");
        Corpus { dir, cases: Vec::new() }
    }

    /// Adds a stream of `value` checked by `check`.
    pub fn case<T: PortablePickle + ?Sized>(&mut self, name: &str, value: &T, check: &str) {
        self.raw(name, &portable_pickle::to_vec(value), check, None);
    }

    /// Adds a case that only applies from Python `min` on (e.g. `match`).
    pub fn case_since<T: PortablePickle + ?Sized>(&mut self, name: &str, min: (u32, u32), value: &T, check: &str) {
        self.raw(name, &portable_pickle::to_vec(value), check, Some(min));
    }

    /// Adds pre-made bytes.
    pub fn raw(&mut self, name: &str, bytes: &[u8], check: &str, min: Option<(u32, u32)>) {
        assert!(!self.cases.iter().any(|c| c.name == name), "duplicate case {name}");
        std::fs::write(self.dir.join(format!("{name}.pkl")), bytes).expect("write stream");
        self.cases.push(Case {
            name: name.to_owned(),
            check: dedent(check),
            min_version: min,
        });
    }

    /// Writes `manifest.json` and returns the corpus directory.
    pub fn write_manifest(&self) -> &Path {
        let mut json = String::from("{\"cases\": [\n");
        for (
            i,
            Case {
                name,
                check,
                min_version,
            },
        ) in self.cases.iter().enumerate()
        {
            let sep = if i + 1 < self.cases.len() { "," } else { "" };
            let min = min_version
                .map(|(a, b)| format!(", \"min_version\": [{a}, {b}]"))
                .unwrap_or_default();
            writeln!(
                json,
                "  {{\"name\": {}, \"file\": {}, \"check\": {}{min}}}{sep}",
                json_str(name),
                json_str(&format!("{name}.pkl")),
                json_str(check)
            )
            .unwrap();
        }
        json.push_str("]}\n");
        std::fs::write(self.dir.join("manifest.json"), json).expect("write manifest");
        &self.dir
    }

    /// Runs the corpus through `python3` and panics with its report unless
    /// every check passed.
    pub fn check_with_cpython(&self) {
        let dir = self.write_manifest();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let allowlist = root.join("docs/FORMAT.md");
        python_checks(
            "tests/python/check_corpus.py",
            &[dir.as_os_str(), "--allowlist".as_ref(), allowlist.as_os_str()],
        );
    }
}

/// Runs a check script of this repository with the machine's `python3` and
/// panics with its report unless it exits 0 with a `N passed, 0 failed` line.
pub fn python_checks(script: &str, args: &[&OsStr]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join(script))
        .args(args)
        .output()
        .expect("python3 must be installed to run the Python checks");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "no closing line:\n{stdout}");
}

/// Strips the common indentation of a check snippet written inline.
fn dedent(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    let indent = lines.iter().map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    lines.iter().map(|l| &l[indent..]).collect::<Vec<_>>().join("\n")
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A reader that hands out at most `n` bytes per call, as pipes do.
pub struct ShortReads<'a> {
    pub data: &'a [u8],
    pub n: usize,
}

impl std::io::Read for ShortReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}
