//! Arrays, 10 M `f64` (issue 13): dump throughput of `Array` vs the `list`
//! mapping vs serde-pickle, then the Python side (benches/arrays_load.py
//! on target/numpy-venv): load time from bytes in memory vs the list
//! stream and vs `numpy.load` of an `.npy`, and the load's peak memory.
//!
//!     scripts/setup-numpy.sh && cargo bench --bench arrays
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use portable_pickle::Array;

fn best<R>(runs: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("one run"))
}

fn main() {
    let n = 10_000_000usize;
    let data: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
    let size = (n * 8) as f64;
    let (t_array, array_stream) = best(5, || portable_pickle::to_vec(&Array(&data)));
    // to_writer into a buffer kept across runs (no page faults): the cost
    // is one copy of the array's memory into the writer.
    let mut out: Vec<u8> = Vec::with_capacity(array_stream.len() + 4096);
    let (t_writer, ()) = best(5, || {
        out.clear();
        portable_pickle::to_writer(&mut out, &Array(&data)).unwrap()
    });
    let (t_list, list_stream) = best(3, || portable_pickle::to_vec(&data));
    let (t_serde, _) = best(3, || serde_pickle::to_vec(&data, Default::default()).unwrap());
    println!("dump of 10 M f64 ({:.0} MB of data), best of runs:", size / 1e6);
    println!(
        "  Array to_vec            {:8.2} ms  {:6.2} GB/s  stream {} bytes",
        t_array * 1e3,
        size / t_array / 1e9,
        array_stream.len()
    );
    println!(
        "  Array to_writer(Vec)    {:8.2} ms  {:6.2} GB/s",
        t_writer * 1e3,
        size / t_writer / 1e9
    );
    println!(
        "  list mapping to_vec     {:8.2} ms  {:6.2} GB/s  stream {} bytes  ({:.1}x slower)",
        t_list * 1e3,
        size / t_list / 1e9,
        list_stream.len(),
        t_list / t_array
    );
    println!(
        "  serde-pickle to_vec     {:8.2} ms  {:6.2} GB/s  ({:.1}x slower)",
        t_serde * 1e3,
        size / t_serde / 1e9,
        t_serde / t_array
    );

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-arrays");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("array.pkl"), &array_stream).unwrap();
    std::fs::write(dir.join("list.pkl"), &list_stream).unwrap();
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/numpy-venv/bin/python");
    let status = Command::new(&py)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/arrays_load.py"))
        .arg(&dir)
        .status()
        .expect("target/numpy-venv (scripts/setup-numpy.sh)");
    assert!(status.success());
}
