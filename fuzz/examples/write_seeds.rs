//! Writes the fuzz crate's seeds (`portable_pickle_fuzz::seeds`: array,
//! serde and derived-type streams, and array streams patched into shape
//! overflows and dtype/length mismatches) to `fuzz/seeds/`, or to the
//! directory given: `cargo +nightly run --example write_seeds [-- DIR]`
//! from `fuzz/`. Then, for the targets whose first input byte is the
//! reader's step (`differential`, `serde`), a copy of every top-level seed
//! of that directory with a step byte in front, in its `short_reads/`
//! (libFuzzer reads seed directories recursively).

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds"));
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in portable_pickle_fuzz::seeds() {
        let path = dir.join(format!("{name}.pkl"));
        std::fs::write(&path, &bytes)?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    let stepped = dir.join("short_reads");
    std::fs::create_dir_all(&stepped)?;
    let mut names: Vec<_> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    names.retain(|p| p.extension().is_some_and(|x| x == "pkl"));
    names.sort();
    for (i, path) in names.iter().enumerate() {
        // Steps 1, 2, …, 16, 1, … over the seeds in name order.
        let mut bytes = vec![(i % 16) as u8];
        bytes.extend(std::fs::read(path)?);
        let out = stepped.join(path.file_name().unwrap());
        std::fs::write(&out, &bytes)?;
        println!("{} ({} bytes, step {})", out.display(), bytes.len(), i % 16 + 1);
    }
    Ok(())
}
