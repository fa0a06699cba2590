// Attributes of one place put on another: the error says where each belongs.
use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Reading {
    #[pickle(frozen)]
    value: f64,
}

#[derive(PortablePickle)]
enum Event {
    #[pickle(skip)]
    Start,
}

fn main() {}
