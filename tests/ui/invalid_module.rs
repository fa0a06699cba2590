use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(module = "geo..shapes")]
struct Point {
    x: f64,
}

fn main() {}
