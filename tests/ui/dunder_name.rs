use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    #[pickle(rename = "__init__")]
    init: u8,
}

fn main() {}
