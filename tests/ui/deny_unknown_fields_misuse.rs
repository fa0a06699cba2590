use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(deny_unknown_fields, deny_unknown_fields)]
struct Twice {
    a: u8,
}

#[derive(PortablePickle)]
struct OnField {
    #[pickle(deny_unknown_fields)]
    a: u8,
}

#[derive(PortablePickle)]
#[pickle(transparent, deny_unknown_fields)]
struct Transparent(u8);

#[derive(PortablePickle)]
#[pickle(deny_unknown_fields)]
enum UnitOnly {
    A,
    B,
}

fn main() {}
