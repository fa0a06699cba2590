use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    #[pickle(default)]
    x: f64,
}

fn main() {}
