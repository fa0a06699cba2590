use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(modul = "geo")]
struct Point {
    x: f64,
}

fn main() {}
