//! The python of a pinned venv under target/, made (or found up to date)
//! by its `scripts/setup-*.sh`, which prints progress on stderr and the
//! venv's python as stdout's last line.

use std::process::Command;

/// Runs `scripts/<script>` and returns the venv's python.
pub fn pinned_python(script: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(script);
    let out = Command::new("bash")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", path.display()));
    assert!(
        out.status.success(),
        "{} failed:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_else(|| panic!("{script} prints the venv's python"))
        .to_owned()
}
