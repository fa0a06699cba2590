//! The conformance matrix's cells outside this test process: CPython with
//! the generated package importable, `portable-pickle inspect`, and the
//! seven readers' reports.

use super::*;

/// Loads every module-declared type's `to_vec` stream in CPython with the
/// package `python::write_package` wrote on `sys.path`, and re-pickles it.
pub(crate) fn real_module(dir: &Path, expected: &[(String, Vec<&str>)]) {
    let package = dir.join("package");
    let files = portable_pickle::python::write_package::<ModuleTypes>(&package).expect("write the package");
    assert_eq!(files, [package.join("conformance_mod.py")]);
    let mut json = String::from("{");
    for (i, (case, norms)) in expected.iter().enumerate() {
        let norms: Vec<String> = norms.iter().map(|n| support::json_str(n)).collect();
        json.push_str(&format!(
            "{}{}: [{}]",
            if i > 0 { ", " } else { "" },
            support::json_str(case),
            norms.join(", ")
        ));
    }
    json.push('}');
    let expected_path = dir.join("real_module.json");
    std::fs::write(&expected_path, json).unwrap();
    support::python_checks(
        "tests/conformance/real_module.py",
        &[dir.as_os_str(), package.as_os_str(), expected_path.as_os_str()],
    );
}

/// `portable-pickle inspect` of every stream of the corpus (the binary
/// `cargo test --workspace` built beside this test): verdict OK.
pub(crate) fn inspect_cells(tally: &mut Tally, dir: &Path) {
    let cli = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("debug/portable-pickle");
    assert!(cli.exists(), "{} (built by cargo test --workspace)", cli.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pkl"))
        .collect();
    files.sort();
    let out = std::process::Command::new(&cli)
        .arg("inspect")
        .arg("--json")
        .args(&files)
        .output()
        .expect("portable-pickle runs");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), files.len(), "one report per file");
    for (line, file) in lines.iter().zip(&files) {
        let case = file.file_stem().unwrap().to_string_lossy().into_owned();
        let write = case.rsplit_once("_C").map_or(case.as_str(), |(w, _)| w).to_owned();
        let verdict = json_field(line, "verdict");
        let outcome = match verdict.as_str() {
            "OK" => Outcome::Passed,
            _ => Outcome::Failed,
        };
        tally.add(&write, "inspect", outcome, || format!("{case} × inspect: {verdict}"));
    }
}

/// The string value of the first `"key":"…"` of a JSON line.
pub(crate) fn json_field(line: &str, key: &str) -> String {
    let start = line.find(&format!("\"{key}\":\"")).map(|i| i + key.len() + 4);
    let Some(start) = start else { return String::new() };
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The Python cells: each reader's (case, loader) results, from the JSON
/// reports scripts/readers.sh keeps in `<dir>/results`.
pub(crate) fn python_cells(tally: &mut Tally, dir: &Path) {
    let results = dir.join("results");
    let mut n = 0;
    for entry in std::fs::read_dir(&results).expect("results/ written by scripts/readers.sh") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let reader = path.file_stem().unwrap().to_string_lossy().into_owned();
        let field = |k: &str| -> usize {
            let at = text
                .find(&format!("\"{k}\": "))
                .unwrap_or_else(|| panic!("{k} in {}", path.display()));
            text[at + k.len() + 4..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap()
        };
        let (passed, failed) = (field("passed"), field("failed"));
        let e = tally
            .cells
            .entry(("all".into(), format!("python:{reader}")))
            .or_default();
        e[0] += passed;
        e[2] += failed;
        if failed > 0 {
            tally
                .failures
                .push(format!("{reader}: {failed} (case, loader) pairs failed"));
        }
        n += 1;
    }
    // Six interpreters; CPython's C and pure-Python unpicklers make seven readers.
    assert_eq!(n, 6, "reports of six interpreters in {}", results.display());
}
