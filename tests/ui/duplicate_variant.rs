use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
enum Color {
    Red,
    #[pickle(rename = "Red")]
    Crimson,
}

fn main() {}
