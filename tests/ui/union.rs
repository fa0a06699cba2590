use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
