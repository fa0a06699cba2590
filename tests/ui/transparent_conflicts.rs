use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(transparent, frozen)]
struct Meters(f64);

fn main() {}
