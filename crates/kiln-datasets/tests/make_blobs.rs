//! `MakeBlobs` against the generating model it documents.

mod common;

use common::{class_counts, mean, std};
use kiln_datasets::synthetic::{Centers, ClusterStd, MakeBlobs};
use ndarray::array;

fn column_of_cluster(data: &kiln_datasets::synthetic::BlobsData, k: usize, j: usize) -> Vec<f64> {
    (0..data.x.nrows())
        .filter(|&i| data.y[i] == k)
        .map(|i| data.x[[i, j]])
        .collect()
}

#[test]
fn cluster_means_are_close_to_their_centres() {
    let std_dev = 1.5;
    let data = MakeBlobs::default()
        .with_n_samples(3000)
        .with_n_features(4)
        .with_cluster_std(std_dev)
        .with_seed(12)
        .generate()
        .unwrap();
    assert_eq!(data.x.dim(), (3000, 4));
    assert_eq!(data.centers.dim(), (3, 4));
    assert_eq!(class_counts(&data.y, 3), vec![1000, 1000, 1000]);
    for k in 0..3 {
        for j in 0..4 {
            let col = column_of_cluster(&data, k, j);
            // Four standard errors of the mean.
            let tol = 4.0 * std_dev / (col.len() as f64).sqrt();
            let m = mean(&col);
            assert!(
                (m - data.centers[[k, j]]).abs() < tol,
                "cluster {k} dim {j}: {m}"
            );
            assert!((std(&col) - std_dev).abs() < 0.1, "cluster {k} dim {j}");
        }
    }
}

#[test]
fn random_centres_lie_in_the_centre_box() {
    let data = MakeBlobs::default()
        .with_centers(50)
        .with_n_features(3)
        .generate()
        .unwrap();
    assert!(data.centers.iter().all(|&c| (-10.0..10.0).contains(&c)));
    let spread = std(&data.centers.iter().copied().collect::<Vec<_>>());
    // Uniform on a width-20 interval has std 20/sqrt(12) = 5.8.
    assert!((spread - 5.77).abs() < 0.8, "{spread}");
    let data = MakeBlobs::default()
        .with_centers(50)
        .with_center_box(2.0, 3.0)
        .generate()
        .unwrap();
    assert!(data.centers.iter().all(|&c| (2.0..3.0).contains(&c)));
}

#[test]
fn given_centres_are_used_as_given_and_set_the_feature_count() {
    let centers = array![[0.0, 0.0, 0.0], [100.0, -100.0, 50.0]];
    let data = MakeBlobs::default()
        .with_n_samples(11)
        .with_centers(centers.clone())
        .with_cluster_std(0.01)
        .with_shuffle(false)
        .generate()
        .unwrap();
    assert_eq!(data.centers, centers);
    assert_eq!(data.x.dim(), (11, 3));
    // 11 = 6 + 5: the extra sample goes to the first centre; unshuffled rows are grouped.
    assert_eq!(data.y.to_vec(), [vec![0; 6], vec![1; 5]].concat());
    for i in 0..11 {
        let c = centers.row(data.y[i]);
        assert!((&data.x.row(i) - &c).iter().all(|d| d.abs() < 0.1));
    }
}

#[test]
fn each_centre_can_have_its_own_std() {
    let data = MakeBlobs::default()
        .with_n_samples(4000)
        .with_centers(array![[0.0], [50.0]])
        .with_cluster_std(vec![0.2, 3.0])
        .generate()
        .unwrap();
    assert_eq!(data.x.ncols(), 1);
    let s0 = std(&column_of_cluster(&data, 0, 0));
    let s1 = std(&column_of_cluster(&data, 1, 0));
    assert!((s0 - 0.2).abs() < 0.01, "{s0}");
    assert!((s1 - 3.0).abs() < 0.15, "{s1}");
}

#[test]
fn shuffling_mixes_the_rows() {
    let data = MakeBlobs::default().generate().unwrap();
    assert_eq!(class_counts(&data.y, 3), vec![34, 33, 33]);
    let sorted = data.y.windows(2).into_iter().all(|w| w[0] <= w[1]);
    assert!(!sorted, "shuffled labels should not stay grouped");
}

#[test]
fn same_seed_same_data_and_different_seed_different_data() {
    let p = MakeBlobs::default().with_seed(5);
    assert_eq!(p.generate().unwrap(), p.generate().unwrap());
    let other = p.clone().with_seed(6).generate().unwrap();
    assert_ne!(p.generate().unwrap().centers, other.centers);
}

#[test]
fn invalid_parameters_are_named() {
    let name_of = |p: MakeBlobs| {
        p.generate()
            .unwrap_err()
            .parameter_name()
            .unwrap()
            .to_owned()
    };
    let d = MakeBlobs::default;
    assert_eq!(name_of(d().with_n_samples(0)), "n_samples");
    assert_eq!(name_of(d().with_centers(0)), "centers");
    assert_eq!(name_of(d().with_n_features(0)), "n_features");
    assert_eq!(
        name_of(d().with_centers(Centers::Given(array![[0.0, f64::NAN]]))),
        "centers"
    );
    assert_eq!(name_of(d().with_cluster_std(-1.0)), "cluster_std");
    assert_eq!(
        name_of(d().with_cluster_std(ClusterStd::PerCenter(vec![1.0, 2.0]))),
        "cluster_std"
    );
    assert_eq!(name_of(d().with_center_box(5.0, 5.0)), "center_box");
    assert_eq!(
        name_of(d().with_center_box(0.0, f64::INFINITY)),
        "center_box"
    );
}
