use portable_pickle::PortablePickle;
use std::collections::HashMap;

/// A point in the plane.
#[derive(PortablePickle, Hash, PartialEq, Eq)]
struct P {
    x: i32,
    y: i32,
}

#[derive(PortablePickle)]
#[pickle(frozen)]
struct Wrapper<T> {
    inner: T,
    r#from: u8,
    class: bool,
}

/// Colors.
#[derive(PortablePickle)]
enum Color {
    Red,
    Green = 5,
    Blue,
}

/// Shapes.
#[derive(PortablePickle)]
enum Shape {
    Circle { center: P, radius: f64 },
    Poly(Vec<P>),
    Empty,
}

#[derive(PortablePickle)]
struct Rgb(u8, u8, u8);
#[derive(PortablePickle)]
struct Unit;

fn main() {
    let mut m = HashMap::new();
    m.insert(P { x: 1, y: 2 }, "a");
    let v = (
        m,
        Wrapper {
            inner: 3u8,
            r#from: 1,
            class: true,
        },
        Wrapper {
            inner: "s",
            r#from: 1,
            class: false,
        },
        vec![Color::Red, Color::Green, Color::Blue],
        vec![
            Shape::Circle {
                center: P { x: 0, y: 0 },
                radius: 1.5,
            },
            Shape::Poly(vec![P { x: 1, y: 1 }]),
            Shape::Empty,
        ],
        Rgb(1, 2, 3),
        Unit,
    );
    std::fs::write("/tmp/scratch/a.pkl", portable_pickle::to_vec(&v)).unwrap();
}
