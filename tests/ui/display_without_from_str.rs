// `#[pickle(display)]` on a field whose type has `Display` but no `FromStr`.
use portable_pickle::PortablePickle;

struct Tag(u32);

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tag-{}", self.0)
    }
}

#[derive(PortablePickle)]
struct Labelled {
    #[pickle(display)]
    tag: Tag,
}

fn main() {}
