use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(tag = "kind")]
struct NotAnEnum {
    x: i32,
}

#[derive(PortablePickle)]
#[pickle(tag = "kind")]
enum UnitOnly {
    A,
    B,
}

#[derive(PortablePickle)]
#[pickle(tag = "kind")]
enum Clash {
    A { kind: String },
    B(i32),
}

#[derive(PortablePickle)]
#[pickle(tag = "the kind")]
enum BadTag {
    A(i32),
}

#[derive(PortablePickle)]
#[pickle(int_enum)]
enum WithData {
    A(i32),
    B,
}

#[derive(PortablePickle)]
#[pickle(frozen, hash)]
struct Both {
    x: i32,
}

#[derive(PortablePickle)]
#[pickle(hash)]
enum Members {
    A,
}

fn main() {}
