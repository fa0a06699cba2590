//! Helper of the benchmarks in `docs/PERFORMANCE.md` (issue 6).
//!
//! ```text
//! cargo run --release --example bench_streams -- write DIR
//!     writes DIR/portable_records.pkl, DIR/serde_records.pkl (the 1M-record
//!     workload), DIR/portable_point.pkl (one Point) and DIR/header.pkl,
//!     for benches/python_load.py, and the strict profile's
//!     DIR/strict_records.pkl and DIR/strict_point.pkl
//! cargo run --release --example bench_streams -- memory MODE FILE
//!     writes the 1M-record workload to FILE and prints peak heap bytes
//!     (a counting global allocator); MODE is one of
//!       to_vec     records in memory, portable_pickle::to_vec, then written
//!       to_writer  records in memory, portable_pickle::to_writer(File)
//!       lazy       records made one at a time while writing (no Vec)
//!       none       records in memory, nothing written (the data's own size)
//! cargo run --release --example bench_streams -- dump MODE REPS
//!     dumps the 1M-record workload REPS times, for a profiler (perf,
//!     valgrind --tool=callgrind); MODE is to_vec, to_writer (into
//!     io::sink()), to_writer_vec (a reused Vec), serde/serde_writer
//!     (serde_pickle::to_vec / into a reused Vec), bound_read and
//!     bound_hand (the bounds of benches/workload.rs: reading the records
//!     only; their bytes written by hand into a reused Vec), and with
//!     `--features serde` the serde bridge's bridge (to_vec),
//!     bridge_writer (a reused Vec) and bridge_sink (io::sink());
//!     and bound_serde_floor (the serde floor of benches/workload.rs: the
//!     bridge's body with every class known); with `tagged` after REPS,
//!     the 1M tagged records instead (every mode but bound_read and
//!     bound_hand)
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use portable_pickle::PortablePickle;
use portable_runtime::opcodes::{APPEND, APPENDS, EMPTY_LIST, MARK};
use portable_runtime::Encoder;

#[path = "../benches/workload.rs"]
mod workload;

use workload::{record, records, small, N};

/// Counts live and peak heap bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A list of `n` workload records built one at a time while they are
/// written: the stream never exists in memory, nor does the data.
struct LazyRecords(usize);

impl PortablePickle for LazyRecords {
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        p.w().op(EMPTY_LIST);
        let mut i = 0;
        while i < self.0 {
            let n = (self.0 - i).min(1000);
            if n > 1 {
                p.w().op(MARK);
            }
            for j in i..i + n {
                record(j).write_pickle(p)?;
            }
            p.w().op(if n > 1 { APPENDS } else { APPEND });
            p.boundary()?;
            i += n;
        }
        Ok(())
    }
}

fn write(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let data = records(N);
    let ours = portable_pickle::to_vec(&data);
    std::fs::write(dir.join("portable_records.pkl"), &ours)?;
    let theirs = serde_pickle::to_vec(&data, Default::default()).map_err(io::Error::other)?;
    std::fs::write(dir.join("serde_records.pkl"), &theirs)?;
    std::fs::write(dir.join("portable_point.pkl"), portable_pickle::to_vec(&small()))?;
    std::fs::write(dir.join("header.pkl"), portable_pickle::HEADER)?;
    let strict = portable_pickle::strict::to_vec(&data)?;
    std::fs::write(dir.join("strict_records.pkl"), &strict)?;
    std::fs::write(dir.join("strict_point.pkl"), portable_pickle::strict::to_vec(&small())?)?;
    println!(
        "strict profile: records {} B, one-Point stream {} B, strict header {} B",
        strict.len(),
        portable_pickle::strict::to_vec(&small())?.len(),
        portable_pickle::strict::HEADER.len()
    );
    println!(
        "records {N}: portable-pickle {} B, serde-pickle {} B; header {} B; one-Point stream {} B",
        ours.len(),
        theirs.len(),
        portable_pickle::HEADER.len(),
        portable_pickle::to_vec(&small()).len()
    );
    Ok(())
}

fn memory(mode: &str, path: &Path) -> io::Result<()> {
    let base = LIVE.load(Relaxed);
    let (data_bytes, written) = match mode {
        "lazy" => {
            portable_pickle::to_writer(File::create(path)?, &LazyRecords(N))?;
            (0, std::fs::metadata(path)?.len())
        }
        _ => {
            let data = records(N);
            let data_bytes = LIVE.load(Relaxed) - base;
            match mode {
                "to_vec" => std::fs::write(path, portable_pickle::to_vec(&data))?,
                "to_writer" => portable_pickle::to_writer(File::create(path)?, &data)?,
                "none" => {}
                other => return Err(io::Error::other(format!("unknown mode {other}"))),
            }
            let written = if mode == "none" {
                0
            } else {
                std::fs::metadata(path)?.len()
            };
            (data_bytes, written)
        }
    };
    let peak = PEAK.load(Relaxed) - base;
    println!(
        "mode {mode}: stream {written} B, data {data_bytes} B, peak heap {peak} B, peak heap beyond data {} B",
        peak - data_bytes
    );
    Ok(())
}

fn dump(mode: &str, reps: usize, tagged: bool) -> io::Result<()> {
    // Only the bounds need class slots (and their check).
    #[cfg(feature = "serde")]
    let floor = mode == "bound_serde_floor";
    if tagged {
        let data = workload::tagged_records(N);
        #[cfg(feature = "serde")]
        if floor {
            let slots = workload::serde_floor::tagged_slots(&data);
            return dump_values(&data, mode, reps, |data, out| Ok(Some(serde_floor(out, &slots, data))));
        }
        return dump_values(&data, mode, reps, |_, _| Ok(None));
    }
    let data = records(N);
    #[cfg(feature = "serde")]
    if floor {
        let slots = workload::serde_floor::record_slots(&data);
        return dump_values(&data, mode, reps, |data, out| Ok(Some(serde_floor(out, &slots, data))));
    }
    let slots = (mode == "bound_hand").then(|| workload::bounds::checked_slots(&data));
    dump_values(&data, mode, reps, |data, out| {
        Ok(Some(match mode {
            "bound_read" => std::hint::black_box(workload::bounds::read_only(data)) as usize & 1,
            "bound_hand" => {
                out.clear();
                let (record_class, point_class) = slots.expect("computed for bound_hand");
                workload::bounds::hand_written(out, data, record_class, point_class);
                out.len()
            }
            _ => return Ok(None),
        }))
    })
}

/// The serde floor's body of `data` into `out` (reused), its length.
#[cfg(feature = "serde")]
fn serde_floor<T: serde::Serialize>(out: &mut Vec<u8>, slots: &workload::serde_floor::Slots, data: &[T]) -> usize {
    let mut w = portable_runtime::writer::OpWriter::reusing(std::mem::take(out));
    workload::serde_floor::write(&mut w, slots, data);
    *out = w.into_bytes();
    out.len()
}

/// Dumps `data` `reps` times in `mode`: one of the modes every workload
/// has, or one `own` knows (returning the length it wrote). Not inlined,
/// so that a profiler can count it alone (`--toggle-collect='*dump_values*'`).
#[inline(never)]
fn dump_values<T: PortablePickle + serde::Serialize>(
    data: &[T],
    mode: &str,
    reps: usize,
    own: impl Fn(&[T], &mut Vec<u8>) -> io::Result<Option<usize>>,
) -> io::Result<()> {
    let start = std::time::Instant::now();
    let mut bytes = 0;
    let mut out = Vec::new();
    for _ in 0..reps {
        if let Some(n) = own(data, &mut out)? {
            bytes += n;
            continue;
        }
        bytes += match mode {
            "to_vec" => portable_pickle::to_vec(data).len(),
            "to_writer" => {
                portable_pickle::to_writer(io::sink(), data)?;
                0
            }
            "to_writer_vec" => {
                out.clear();
                portable_pickle::to_writer(&mut out, data)?;
                out.len()
            }
            "serde" => serde_pickle::to_vec(&data, Default::default())
                .map_err(io::Error::other)?
                .len(),
            "serde_writer" => {
                out.clear();
                serde_pickle::to_writer(&mut out, &data, Default::default()).map_err(io::Error::other)?;
                out.len()
            }
            #[cfg(feature = "serde")]
            "bridge" => portable_pickle::serde::to_vec(data).map_err(io::Error::other)?.len(),
            #[cfg(feature = "serde")]
            "bridge_writer" => {
                out.clear();
                portable_pickle::serde::to_writer(&mut out, data).map_err(io::Error::other)?;
                out.len()
            }
            #[cfg(feature = "serde")]
            "bridge_sink" => {
                portable_pickle::serde::to_writer(io::sink(), data).map_err(io::Error::other)?;
                0
            }
            other => return Err(io::Error::other(format!("unknown mode {other}"))),
        };
    }
    let per = start.elapsed() / reps.max(1) as u32;
    println!(
        "mode {mode}: {per:?} per dump, {:.1} ns/record, {bytes} B in all",
        per.as_nanos() as f64 / N as f64
    );
    Ok(())
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["write", dir] => write(Path::new(dir)),
        ["memory", mode, file] => memory(mode, Path::new(file)),
        ["dump", mode, reps] => dump(mode, reps.parse().map_err(io::Error::other)?, false),
        ["dump", mode, reps, "tagged"] => dump(mode, reps.parse().map_err(io::Error::other)?, true),
        _ => Err(io::Error::other(
            "usage: bench_streams write DIR | memory to_vec|to_writer|lazy|none FILE | dump to_vec|to_writer|to_writer_vec|serde|serde_writer|bridge|bridge_writer|bridge_sink|bound_serde_floor REPS [tagged]",
        )),
    }
}
