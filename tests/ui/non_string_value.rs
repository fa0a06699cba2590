use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(module = 1)]
struct Point {
    x: f64,
}

fn main() {}
