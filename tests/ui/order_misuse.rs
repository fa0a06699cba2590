//! `order` where it cannot give Rust's order: on a unit-only enum (an
//! `enum.Enum` has none: `int_enum` orders by discriminant), redundant with
//! `int_enum`, and on a transparent struct (no class).
use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(order)]
enum Color {
    Red,
    Green,
}

#[derive(PortablePickle)]
#[pickle(order, int_enum)]
enum Level {
    Low,
    High,
}

#[derive(PortablePickle)]
#[pickle(transparent, order)]
struct Meters(f64);

fn main() {}
