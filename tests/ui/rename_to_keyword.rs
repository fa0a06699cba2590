use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    #[pickle(rename = "class")]
    kind: u8,
}

fn main() {}
