use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(transparent)]
enum Either {
    Left(u8),
}

fn main() {}
