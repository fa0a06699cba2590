use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(rename_all = "kebab-case")]
struct Point {
    x_pos: f64,
}

fn main() {}
