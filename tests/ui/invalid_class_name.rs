use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(name = "2D")]
struct Point {
    x: f64,
}

fn main() {}
