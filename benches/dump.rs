//! Dump benchmarks (issue 6): portable-pickle vs serde-pickle on the
//! 1M-record workload, 1M tagged records (a `Vec<String>` and a data-enum
//! field), one `Point` (fixed overhead) and 10M `f64`s; with the cargo
//! feature `serde`, also portable-pickle's serde bridge (`portable_serde/…`,
//! issue 11) on both kinds of records.
//!
//! `cargo bench --bench dump -- --warm-up-time 1 --measurement-time 5`
//! `cargo bench --features serde --bench dump -- records_1M --warm-up-time 1 --measurement-time 5`
//!
//! Throughput is per element (record, point, float), so criterion's
//! `thrpt` line is elements/s; ns/element is printed in the summary
//! together with bytes/element.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "workload.rs"]
mod workload;

use workload::{bulk, records, small, BULK, N};

fn serde_to_vec<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_pickle::to_vec(v, Default::default()).expect("serde-pickle")
}

fn print_sizes(name: &str, n: usize, ours: usize, theirs: usize) {
    println!(
        "bytes/{name}: portable-pickle {:.2} ({ours} B), serde-pickle {:.2} ({theirs} B), ratio {:.3}",
        ours as f64 / n as f64,
        theirs as f64 / n as f64,
        ours as f64 / theirs as f64
    );
}

/// Bytes/record of the serde bridge, beside the derive's and serde-pickle's.
#[cfg(feature = "serde")]
fn print_serde_sizes(derive: usize, theirs: usize, data: &[workload::Record]) {
    let bridge = portable_pickle::serde::to_vec(data).expect("serde bridge").len();
    println!(
        "bytes/record: portable serde bridge {:.2} ({bridge} B), derive {:.2}, serde-pickle {:.2}; \
         bridge/derive {:.4}, bridge/serde-pickle {:.3}",
        bridge as f64 / N as f64,
        derive as f64 / N as f64,
        theirs as f64 / N as f64,
        bridge as f64 / derive as f64,
        bridge as f64 / theirs as f64
    );
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// A group timing the N values of a workload, per value.
fn million<'c>(c: &'c mut Criterion, name: &str) -> Group<'c> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g
}

/// The derive's `to_vec`, and `to_writer` into a reused `Vec` of `cap` bytes.
fn derive_benches<T: portable_pickle::PortablePickle>(g: &mut Group<'_>, data: &[T], cap: usize) {
    g.bench_function("portable/to_vec", |b| {
        b.iter(|| portable_pickle::to_vec(black_box(data)))
    });
    let mut out = Vec::with_capacity(cap);
    g.bench_function("portable/to_writer_vec", |b| {
        b.iter(|| {
            out.clear();
            portable_pickle::to_writer(&mut out, black_box(data)).unwrap();
        })
    });
}

/// The serde bridge's, the same values through their `Serialize` impl.
#[cfg(feature = "serde")]
fn bridge_benches<T: serde::Serialize>(g: &mut Group<'_>, data: &[T], cap: usize) {
    g.bench_function("portable_serde/to_vec", |b| {
        b.iter(|| portable_pickle::serde::to_vec(black_box(data)).unwrap())
    });
    let mut out = Vec::with_capacity(cap);
    g.bench_function("portable_serde/to_writer_vec", |b| {
        b.iter(|| {
            out.clear();
            portable_pickle::serde::to_writer(&mut out, black_box(data)).unwrap();
        })
    });
}

/// The floor of any serde bridge: serde's calls writing the bridge's body
/// with the classes known, at their `slots` (docs/PERFORMANCE.md, "serde
/// bridge").
#[cfg(feature = "serde")]
fn floor_bench<T: serde::Serialize>(g: &mut Group<'_>, data: &[T], slots: &workload::serde_floor::Slots) {
    let mut floor = portable_runtime::writer::OpWriter::new();
    g.bench_function("bound/serde_floor_vec", |b| {
        b.iter(|| workload::serde_floor::write(&mut floor, slots, black_box(data)))
    });
}

/// serde-pickle's `to_vec`, and `to_writer` into a reused `Vec` of `cap`
/// bytes (like for like with `portable/to_writer_vec`: no page faults).
fn serde_pickle_benches<T: serde::Serialize>(g: &mut Group<'_>, data: &[T], cap: usize) {
    g.bench_function("serde_pickle/to_vec", |b| b.iter(|| serde_to_vec(&black_box(data))));
    let mut out = Vec::with_capacity(cap);
    g.bench_function("serde_pickle/to_writer_vec", |b| {
        b.iter(|| {
            out.clear();
            serde_pickle::to_writer(&mut out, &black_box(data), Default::default()).unwrap();
        })
    });
}

fn records_1m(c: &mut Criterion) {
    let data = records(N);
    let ours = portable_pickle::to_vec(&data);
    let theirs = serde_to_vec(&data);
    print_sizes("record", N, ours.len(), theirs.len());
    #[cfg(feature = "serde")]
    print_serde_sizes(ours.len(), theirs.len(), &data);
    let (cap, theirs_len) = (ours.len(), theirs.len());
    drop((ours, theirs));

    let mut g = million(c, "records_1M");
    derive_benches(&mut g, &data, cap);
    g.bench_function("portable/to_writer_sink", |b| {
        b.iter(|| portable_pickle::to_writer(std::io::sink(), black_box(&data)).unwrap())
    });
    #[cfg(feature = "serde")]
    bridge_benches(&mut g, &data, cap);
    // Bounds, not encoders (docs/PERFORMANCE.md, "Dump speed: what bounds it").
    g.bench_function("bound/read_only", |b| {
        b.iter(|| workload::bounds::read_only(black_box(&data)))
    });
    // What any `to_vec` pays for its fresh output memory, at our stream's
    // length and at serde-pickle's.
    for (name, len) in [("bound/fresh_vec", cap), ("bound/fresh_vec_serde_len", theirs_len)] {
        g.bench_function(name, |b| b.iter(|| workload::bounds::fresh_vec(len)));
    }
    let (record_class, point_class) = workload::bounds::checked_slots(&data);
    let mut out = Vec::with_capacity(cap);
    g.bench_function("bound/hand_written_vec", |b| {
        b.iter(|| {
            out.clear();
            workload::bounds::hand_written(&mut out, black_box(&data), record_class, point_class);
        })
    });
    #[cfg(feature = "serde")]
    floor_bench(&mut g, &data, &workload::serde_floor::record_slots(&data));
    serde_pickle_benches(&mut g, &data, theirs_len);
    g.finish();
}

/// The second workload (issue 27): 1M `Tagged` records, each with a
/// `Vec<String>` field and a data-enum field (the four variant kinds in
/// turn), written by the derive, the serde bridge and serde-pickle.
fn tagged_1m(c: &mut Criterion) {
    let data = workload::tagged_records(N);
    let ours = portable_pickle::to_vec(&data);
    let theirs = serde_to_vec(&data);
    print_sizes("tagged record", N, ours.len(), theirs.len());
    let (cap, theirs_len) = (ours.len(), theirs.len());
    drop((ours, theirs));
    let mut g = million(c, "tagged_1M");
    derive_benches(&mut g, &data, cap);
    #[cfg(feature = "serde")]
    {
        bridge_benches(&mut g, &data, cap);
        floor_bench(&mut g, &data, &workload::serde_floor::tagged_slots(&data));
    }
    serde_pickle_benches(&mut g, &data, theirs_len);
    g.finish();
}

fn small_point(c: &mut Criterion) {
    let p = small();
    print_sizes("point", 1, portable_pickle::to_vec(&p).len(), serde_to_vec(&p).len());
    let mut g = c.benchmark_group("small_point");
    g.throughput(Throughput::Elements(1));
    g.bench_function("portable/to_vec", |b| b.iter(|| portable_pickle::to_vec(black_box(&p))));
    g.bench_function("serde_pickle/to_vec", |b| b.iter(|| serde_to_vec(black_box(&p))));

    // Issue 14: a session's later pickles (`Pickler`) against serde-pickle
    // writing the same value into a reused `Vec`, one message each.
    let mut session = portable_pickle::Pickler::new(Vec::with_capacity(4096));
    session.dump(&p).unwrap();
    let first = session.get_ref().len();
    session.dump(&p).unwrap();
    let later = session.get_ref().len() - first;
    let theirs = serde_to_vec(&p).len();
    println!(
        "bytes/point message: portable Pickler later {later} B (first {first} B), serde-pickle {theirs} B, ratio {:.3}",
        later as f64 / theirs as f64
    );
    g.bench_function("portable/pickler_later", |b| {
        b.iter(|| {
            session.get_mut().clear();
            session.dump(black_box(&p)).unwrap();
        })
    });
    // Issue 24: the flush policy, on a writer whose flush is a system call
    // (a `BufWriter` over /dev/null): every pickle flushed, or none.
    for on in [true, false] {
        let sink = std::io::BufWriter::new(std::fs::File::create("/dev/null").unwrap());
        let mut session = portable_pickle::Pickler::new(sink).flush_each(on);
        session.dump(&p).unwrap();
        let name = if on {
            "portable/pickler_later_devnull_flush_each"
        } else {
            "portable/pickler_later_devnull_no_flush"
        };
        g.bench_function(name, |b| b.iter(|| session.dump(black_box(&p)).unwrap()));
    }
    let mut out = Vec::with_capacity(4096);
    g.bench_function("serde_pickle/to_writer_vec", |b| {
        b.iter(|| {
            out.clear();
            serde_pickle::to_writer(&mut out, black_box(&p), Default::default()).unwrap();
        })
    });
    g.finish();
}

fn bulk_f64(c: &mut Criterion) {
    let data = bulk(BULK);
    print_sizes(
        "f64",
        BULK,
        portable_pickle::to_vec(&data).len(),
        serde_to_vec(&data).len(),
    );
    let mut g = c.benchmark_group("bulk_f64_10M");
    g.throughput(Throughput::Elements(BULK as u64));
    g.sample_size(10);
    g.bench_function("portable/to_vec", |b| {
        b.iter(|| portable_pickle::to_vec(black_box(&data)))
    });
    g.bench_function("serde_pickle/to_vec", |b| b.iter(|| serde_to_vec(black_box(&data))));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    targets = records_1m, tagged_1m, small_point, bulk_f64
}
criterion_main!(benches);
