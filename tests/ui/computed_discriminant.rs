use portable_pickle::PortablePickle;

const BASE: isize = 10;

#[derive(PortablePickle)]
enum Code {
    A = BASE,
    B = 20,
}

fn main() {}
