use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(rename_all = "Title Case")]
struct Point {
    x_pos: f64,
}

fn main() {}
