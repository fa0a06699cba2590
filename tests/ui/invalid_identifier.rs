use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    #[pickle(rename = "x-pos")]
    x: f64,
}

fn main() {}
