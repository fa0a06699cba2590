//! Times a fresh process's first and second `to_vec` of a one-`Point`
//! value and of a data enum of four classes (issue 27: the first pays for
//! encoding each type's class descriptor, once per process).
//!
//!     cargo run --release --example first_use
//!
//! Prints `first_ns second_ns` for each, one line; run it in a loop of
//! fresh processes for a distribution (docs/PERFORMANCE.md).
use std::time::Instant;

use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(PortablePickle)]
enum Event {
    Login { user: String },
    Metric { name: String, value: f64 },
    Shutdown,
}

fn twice<T: PortablePickle>(value: &T) -> (u128, u128) {
    let t0 = Instant::now();
    let a = portable_pickle::to_vec(value);
    let t1 = Instant::now();
    let b = portable_pickle::to_vec(value);
    let t2 = Instant::now();
    assert_eq!(a, b);
    ((t1 - t0).as_nanos(), (t2 - t1).as_nanos())
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "point".into());
    let (first, second) = match which.as_str() {
        "point" => twice(&Point { x: 1.0, y: 2.0 }),
        "event" => twice(&vec![
            Event::Login { user: "ann".into() },
            Event::Metric {
                name: "rx".into(),
                value: 1.5,
            },
            Event::Shutdown,
        ]),
        other => panic!("unknown value {other}: point or event"),
    };
    println!("{which} {first} {second}");
}
