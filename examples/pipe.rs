//! A Rust process streaming records to Python through a pipe: one
//! `Pickler` on stdout, one pickle per record; the Python side reads
//! `proc.stdout` with `pickle.load` until `EOFError`
//! (`examples/pipe_consumer.py`). The first pickle carries the header and
//! the classes; every later one is a few dozen bytes.
//!
//! ```sh
//! cargo build --example pipe
//! python3 examples/pipe_consumer.py target/debug/examples/pipe 100000
//! target/debug/examples/pipe --checksum 100000   # the same line, computed in Rust
//! ```

use std::io::{self, BufWriter};

use portable_pickle::{Pickler, PortablePickle};

/// A position.
#[derive(PortablePickle)]
struct Point {
    x: f64,
    y: f64,
}

/// One record of the stream.
#[derive(PortablePickle)]
struct Record {
    id: u64,
    name: String,
    score: f64,
    tags: Vec<String>,
    pos: Point,
    active: bool,
}

fn record(i: u64) -> Record {
    Record {
        id: i,
        name: format!("item-{i}"),
        score: i as f64 * 0.5,
        tags: vec!["a".into(), format!("t{}", i % 10)],
        pos: Point {
            x: i as f64,
            y: -(i as f64),
        },
        active: i % 2 == 0,
    }
}

/// What `pipe_consumer.py` prints: count, Σ id, Σ len(name), Σ len(tags),
/// active count, Σ pos.x.
fn checksum(n: u64) -> String {
    let (mut ids, mut names, mut tags, mut active, mut x) = (0u64, 0usize, 0usize, 0u64, 0f64);
    for r in (0..n).map(record) {
        ids += r.id;
        names += r.name.len();
        tags += r.tags.len();
        active += u64::from(r.active);
        x += r.pos.x;
    }
    format!("{n} {ids} {names} {tags} {active} {x:.1}")
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check, n) = match args.as_slice() {
        [n] => (false, n),
        [flag, n] if flag == "--checksum" => (true, n),
        _ => return Err(io::Error::other("usage: pipe [--checksum] N")),
    };
    let n: u64 = n.parse().map_err(io::Error::other)?;
    if check {
        println!("{}", checksum(n));
        return Ok(());
    }
    // Each dump flushes, so the consumer sees every record as it is written.
    let mut out = Pickler::new(BufWriter::new(io::stdout().lock()));
    for i in 0..n {
        out.dump(&record(i))?;
    }
    Ok(())
}
