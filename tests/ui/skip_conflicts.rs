use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    #[pickle(skip, rename = "y")]
    x: f64,
}

fn main() {}
