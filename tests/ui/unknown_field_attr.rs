use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Point {
    #[pickle(defualt)]
    x: f64,
}

fn main() {}
