use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(write_only)]
struct Release {
    #[pickle(serde, bytes)]
    raw: String,
    #[pickle(skip, serde)]
    cached: String,
    #[pickle(serde = "yes")]
    tagged: String,
    #[pickle(serde, serde)]
    twice: String,
}

fn main() {}
