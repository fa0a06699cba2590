//! Times a fresh process's first and second `to_vec` of a one-`Point`
//! value and of a data enum of four classes (issue 27: with the class
//! descriptors as bytes fixed at compile time, the first pays only for
//! code and data the process has not touched yet).
//!
//!     cargo run --release --example first_use
//!
//! Prints `value first_ns second_ns fixed` (`fixed`: the type's descriptor
//! is the derive's compile-time bytes); run it in a loop of fresh
//! processes for a distribution (docs/PERFORMANCE.md). The value `bound`
//! times no stream: a copy of the header into a new `Vec`, the cold
//! process's floor.
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

/// Whether `T`'s class descriptor is the derive's compile-time bytes.
fn fixed<T: PortablePickle>() -> bool {
    match T::PY_TYPE {
        portable_pickle::__private::PyType::Class(c) => (c.fixed)().is_some(),
        _ => false,
    }
}

/// The times of the first and the second call of `write`, which must give
/// the same bytes both times.
fn twice(write: impl Fn() -> Vec<u8>) -> (u128, u128) {
    let t0 = Instant::now();
    let a = write();
    let t1 = Instant::now();
    let b = write();
    let t2 = Instant::now();
    assert_eq!(a, b);
    ((t1 - t0).as_nanos(), (t2 - t1).as_nanos())
}

fn events() -> Vec<Event> {
    vec![
        Event::Login { user: "ann".into() },
        Event::Metric {
            name: "rx".into(),
            value: 1.5,
        },
        Event::Shutdown,
    ]
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "point".into());
    let (first, second, fixed) = match which.as_str() {
        "point" => {
            let (first, second) = twice(|| portable_pickle::to_vec(&Point { x: 1.0, y: 2.0 }));
            (first, second, fixed::<Point>())
        }
        "event" => {
            let events = events();
            let (first, second) = twice(|| portable_pickle::to_vec(&events));
            (first, second, fixed::<Event>())
        }
        // The type's own first use, in a process whose code is warm: the
        // library already wrote another type.
        "event_after_point" => {
            portable_pickle::to_vec(&Point { x: 1.0, y: 2.0 });
            let events = events();
            let (first, second) = twice(|| portable_pickle::to_vec(&events));
            (first, second, fixed::<Event>())
        }
        // A floor for the `point` row: a new `Vec` of the header and 512
        // more bytes (about a one-`Point` stream's size), by `memcpy`. Its
        // first call pays only what the cold process itself costs (fresh
        // heap and static pages, cold caches), nothing of the library's.
        "bound" => {
            let (first, second) = twice(|| {
                let mut v = Vec::with_capacity(2048);
                v.extend_from_slice(portable_pickle::HEADER);
                v.resize(portable_pickle::HEADER.len() + 512, 0);
                std::hint::black_box(v)
            });
            (first, second, true)
        }
        other => panic!("unknown value {other}: point, event, event_after_point or bound"),
    };
    println!("{which} {first} {second} {fixed}");
}
