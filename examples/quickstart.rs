//! Writes a few Rust values to a `.pkl` that a stock `python3` loads as
//! typed objects: `cargo run --example quickstart -- quickstart.pkl`.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;

use portable_pickle::PortablePickle;

/// A point in the plane.
#[derive(PortablePickle)]
#[pickle(module = "geo")]
struct Point {
    x: f64,
    y: f64,
}

/// A shape to draw.
#[derive(PortablePickle)]
#[pickle(module = "geo")]
enum Shape {
    /// A circle around `center`.
    Circle {
        center: Point,
        radius: f64,
    },
    Polygon(Vec<Point>),
    Empty,
}

/// Where a drawing stands in review.
#[derive(PortablePickle)]
enum Status {
    Draft,
    Approved,
}

/// A drawing with its shapes and metadata.
#[derive(PortablePickle)]
struct Drawing {
    title: String,
    status: Status,
    history: Vec<Status>,
    shapes: Vec<Shape>,
    origin: Option<Point>,
    layers: HashMap<String, u32>,
    serial: u128,
    thumbnail: Vec<u8>,
}

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "quickstart.pkl".to_owned());
    let drawing = Drawing {
        title: "sketch".into(),
        status: Status::Approved,
        history: vec![Status::Draft, Status::Approved],
        shapes: vec![
            Shape::Circle {
                center: Point { x: 1.0, y: 2.0 },
                radius: 3.0,
            },
            Shape::Polygon(vec![
                Point { x: 0.0, y: 0.0 },
                Point { x: 4.0, y: 0.0 },
                Point { x: 0.0, y: 3.0 },
            ]),
            Shape::Empty,
        ],
        origin: None,
        layers: HashMap::from([("ink".to_owned(), 2)]),
        serial: u128::from(u64::MAX) * 1000,
        thumbnail: vec![0x89, b'P', b'N', b'G'],
    };
    portable_pickle::to_writer(BufWriter::new(File::create(&path)?), &drawing)?;
    println!("wrote {path}");
    Ok(())
}
