use portable_pickle::PortablePickle;

mod hex {}

#[derive(PortablePickle)]
#[pickle(write_only)]
struct Release {
    #[pickle(with = "hex", display)]
    both: String,
    #[pickle(with = "not a path")]
    bad_path: String,
    #[pickle(with)]
    no_module: String,
    #[pickle(skip, display)]
    skipped: String,
    #[pickle(display = "yes")]
    valued: String,
    #[pickle(display, display)]
    twice: String,
}

fn main() {}
