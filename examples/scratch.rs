fn main() {
    let v: (Vec<u8>, Vec<i64>, u128, String, Option<f64>, std::collections::BTreeMap<String, bool>) = (vec![1,2,3], vec![1, -5, 1<<40], u128::MAX, "héllo".into(), None, [("a".to_string(), true)].into());
    std::fs::write("/tmp/scratch/a.pkl", portable_pickle::to_vec(&v)).unwrap();
    std::fs::write("/tmp/scratch/header.pkl", portable_pickle::HEADER).unwrap();
    std::fs::write("/tmp/scratch/payload.pkl", portable_pickle::PAYLOAD).unwrap();
}
