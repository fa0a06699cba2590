use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(default)]
struct OnContainer {
    a: u8,
}

#[derive(PortablePickle)]
struct Twice {
    #[pickle(default, default)]
    a: u8,
}

#[derive(PortablePickle)]
struct WithSkip {
    #[pickle(skip, default)]
    a: u8,
    b: u8,
}

#[derive(PortablePickle)]
#[pickle(transparent)]
struct Transparent {
    #[pickle(default)]
    a: u8,
}

#[derive(PortablePickle)]
struct WithValue {
    #[pickle(default = "make")]
    a: u8,
}

fn main() {}
