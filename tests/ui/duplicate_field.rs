use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    x: f64,
    #[pickle(rename = "x")]
    other: f64,
}

fn main() {}
