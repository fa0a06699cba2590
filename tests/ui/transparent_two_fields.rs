use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(transparent)]
struct Pair {
    a: u8,
    b: u8,
}

fn main() {}
