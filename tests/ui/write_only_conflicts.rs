use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(write_only, deny_unknown_fields)]
struct Tag {
    name: &'static str,
}

fn main() {}
