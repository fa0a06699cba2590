//! Streams for the engine tests (`tests/engines/`, run by
//! `scripts/test.sh` with the venv of `scripts/setup-engines.sh`).
//!
//! Writes `target/tmp/engines/<name>.pkl` (a list of values each) and
//! `expected.json`: for every stream, each value described as the engine
//! tests' `describe()` sees it (dataclass: class `__qualname__` + fields;
//! enum member: enum name, member name, value) and the value that
//! `engine_tasks.summary()` derives from its fields. Then checks, with the
//! machine's stock `python3` only (no venv needed), that the streams load to
//! exactly what `expected.json` says, so the engine tests start from a
//! verified baseline.

use std::path::Path;

use portable_pickle::PortablePickle;
use support::json_str;

mod support;

/// A point on a grid.
#[derive(PortablePickle)]
struct Point {
    x: i64,
    y: i64,
}

/// A labelled segment: a struct of structs.
#[derive(PortablePickle)]
struct Line {
    start: Point,
    end: Point,
    label: String,
}

/// A unit-only enum: `enum.Enum` members.
#[derive(PortablePickle)]
enum Color {
    Red,
    Green = 5,
    Blue,
}

/// A data enum with struct, tuple and unit variants.
#[derive(PortablePickle)]
enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Empty,
}

/// A frozen struct.
#[derive(PortablePickle)]
#[pickle(frozen)]
struct Config {
    name: String,
    retries: u32,
    tags: Vec<String>,
}

/// The engine tests' view of a value: `describe()` as JSON, and `summary()`.
trait Expect {
    fn describe(&self) -> String;
    fn summary(&self) -> String;
}

fn object(class: &str, fields: &[(&str, String)]) -> String {
    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{}: {v}", json_str(k))).collect();
    format!(
        "{{\"class\": {}, \"fields\": {{{}}}}}",
        json_str(class),
        fields.join(", ")
    )
}

fn list<T: Expect>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(Expect::describe).collect();
    format!("[{}]", items.join(", "))
}

impl Expect for Point {
    fn describe(&self) -> String {
        object("Point", &[("x", self.x.to_string()), ("y", self.y.to_string())])
    }
    fn summary(&self) -> String {
        (self.x * self.x + self.y * self.y).to_string()
    }
}

impl Expect for Line {
    fn describe(&self) -> String {
        object(
            "Line",
            &[
                ("start", self.start.describe()),
                ("end", self.end.describe()),
                ("label", json_str(&self.label)),
            ],
        )
    }
    fn summary(&self) -> String {
        let d = (self.end.x - self.start.x).abs() + (self.end.y - self.start.y).abs();
        json_str(&format!("{}:{d}", self.label))
    }
}

impl Color {
    fn name_value(&self) -> (&'static str, i64) {
        match self {
            Color::Red => ("Red", 0),
            Color::Green => ("Green", 5),
            Color::Blue => ("Blue", 6),
        }
    }
}

impl Expect for Color {
    fn describe(&self) -> String {
        let (name, value) = self.name_value();
        format!(
            "{{\"enum\": \"Color\", \"name\": {}, \"value\": {value}}}",
            json_str(name)
        )
    }
    fn summary(&self) -> String {
        let (name, value) = self.name_value();
        json_str(&format!("{name}={value}"))
    }
}

impl Expect for Shape {
    fn describe(&self) -> String {
        match self {
            Shape::Circle { center, radius } => object(
                "Shape.Circle",
                &[("center", center.describe()), ("radius", format!("{radius:?}"))],
            ),
            Shape::Polygon(points) => object("Shape.Polygon", &[("_0", list(points))]),
            Shape::Empty => object("Shape.Empty", &[]),
        }
    }
    fn summary(&self) -> String {
        json_str(&match self {
            Shape::Circle { center, radius } => {
                format!("circle {},{} d={:?}", center.x, center.y, radius * 2.0)
            }
            Shape::Polygon(points) => {
                format!(
                    "polygon {} sx={}",
                    points.len(),
                    points.iter().map(|p| p.x).sum::<i64>()
                )
            }
            Shape::Empty => "empty".to_owned(),
        })
    }
}

impl Expect for Config {
    fn describe(&self) -> String {
        let tags: Vec<String> = self.tags.iter().map(|t| json_str(t)).collect();
        object(
            "Config",
            &[
                ("name", json_str(&self.name)),
                ("retries", self.retries.to_string()),
                ("tags", format!("[{}]", tags.join(", "))),
            ],
        )
    }
    fn summary(&self) -> String {
        json_str(&format!("{}*{}/{}", self.name, self.retries, self.tags.join("+")))
    }
}

fn p(x: i64, y: i64) -> Point {
    Point { x, y }
}

/// Writes `<name>.pkl` and returns the stream's `expected.json` entry.
fn stream<T: Expect + PortablePickle>(dir: &Path, name: &str, values: &[T]) -> String {
    let bytes = portable_pickle::to_vec(values);
    std::fs::write(dir.join(format!("{name}.pkl")), bytes).expect("write stream");
    let summaries: Vec<String> = values.iter().map(Expect::summary).collect();
    format!(
        "    {}: {{\"values\": {}, \"summaries\": [{}]}}",
        json_str(name),
        list(values),
        summaries.join(", ")
    )
}

#[test]
fn engine_streams() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("engines");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create engines dir");

    let entries = [
        stream(&dir, "points", &[p(1, 2), p(-3, 4), p(0, 0), p(7, -1)]),
        stream(
            &dir,
            "lines",
            &[
                Line {
                    start: p(0, 0),
                    end: p(3, 4),
                    label: "diag".into(),
                },
                Line {
                    start: p(-2, 5),
                    end: p(-2, -5),
                    label: "vert ü".into(),
                },
            ],
        ),
        stream(&dir, "colors", &[Color::Red, Color::Green, Color::Blue, Color::Green]),
        stream(
            &dir,
            "shapes",
            &[
                Shape::Circle {
                    center: p(1, 2),
                    radius: 1.25,
                },
                Shape::Polygon(vec![p(0, 0), p(4, 0), p(4, 3)]),
                Shape::Empty,
                Shape::Circle {
                    center: p(-1, 0),
                    radius: 0.5,
                },
            ],
        ),
        stream(
            &dir,
            "configs",
            &[
                Config {
                    name: "fast".into(),
                    retries: 3,
                    tags: vec!["a".into(), "b".into()],
                },
                Config {
                    name: "slow".into(),
                    retries: 0,
                    tags: vec![],
                },
            ],
        ),
    ];
    let json = format!("{{\n{}\n}}\n", entries.join(",\n"));
    std::fs::write(dir.join("expected.json"), json).expect("write expected.json");

    // Baseline with the stock python3 (stdlib only): every stream loads to
    // what expected.json says, and summary() derives the expected values.
    support::python_checks(
        "tests/engines/run_engines.py",
        &["--baseline".as_ref(), dir.as_os_str()],
    );
}
