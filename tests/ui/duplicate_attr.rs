use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(frozen, frozen)]
struct Point {
    x: f64,
}

fn main() {}
