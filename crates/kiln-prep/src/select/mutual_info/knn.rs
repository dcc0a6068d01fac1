//! Neighbour searches of the mutual-information estimators, none of them quadratic.
//!
//! - [`JointTree`]: the distance to the k-th nearest neighbour of every point of a 2-D point
//!   set under the max-norm, from a k-d tree (Bentley 1975; Friedman, Bentley & Finkel 1977)
//!   with median splits and bounding boxes: `O(n log n)` to build, about `O(k + log n)` a query.
//! - [`count_within`]: how many values of a sorted slice lie within a radius of a value, by
//!   two binary searches.
//! - [`kth_in_sorted`]: the distance to the k-th nearest other value in a sorted slice, by
//!   walking outwards from the value's position.
//!
//! Every distance is `|a − b|` computed in floating point, as scikit-learn's trees compute it;
//! `fl(a − b)` is monotone in each argument, so a binary search on sorted values finds exactly
//! the points a tree would, boundary cases included.

/// Points per leaf: small enough that a query scans few points, large enough that the tree
/// stays shallow.
const LEAF_SIZE: usize = 12;

/// One node of a [`JointTree`]: the points `start..end` (in tree order) and their bounding box.
#[derive(Debug, Clone, Copy)]
struct Node {
    x_lo: f64,
    x_hi: f64,
    y_lo: f64,
    y_hi: f64,
    start: usize,
    end: usize,
    /// Index of the left child; the right child follows its whole subtree, see `right`.
    /// `0` marks a leaf (the root is never a child).
    left: usize,
    right: usize,
}

impl Node {
    /// The smallest max-norm distance from `(qx, qy)` to the box (0 inside it).
    #[inline]
    fn min_dist(&self, qx: f64, qy: f64) -> f64 {
        let dx = (self.x_lo - qx).max(qx - self.x_hi).max(0.0);
        let dy = (self.y_lo - qy).max(qy - self.y_hi).max(0.0);
        dx.max(dy)
    }
}

/// A 2-D k-d tree for k-th-neighbour distances under the max-norm (Chebyshev distance).
///
/// The points are stored in tree order; queries address a point by its position in that
/// order ([`JointTree::x`], [`JointTree::y`]), which is all the estimators need: each point's
/// contribution is summed, whatever its original row.
#[derive(Debug)]
pub(super) struct JointTree {
    xs: Vec<f64>,
    ys: Vec<f64>,
    nodes: Vec<Node>,
}

/// Reusable buffers of one thread's queries, so a query allocates nothing.
#[derive(Debug)]
pub(super) struct QueryScratch {
    best: Vec<f64>,
    stack: Vec<usize>,
}

impl QueryScratch {
    /// Buffers for queries of the `k`-th neighbour.
    pub(super) fn new(k: usize) -> Self {
        Self {
            best: vec![f64::INFINITY; k],
            stack: Vec::with_capacity(64),
        }
    }
}

impl JointTree {
    /// Builds the tree over the points `(x[i], y[i])`.
    pub(super) fn new(x: &[f64], y: &[f64]) -> Self {
        let mut points: Vec<[f64; 2]> = x.iter().zip(y).map(|(&a, &b)| [a, b]).collect();
        let mut nodes = Vec::with_capacity(2 * points.len() / LEAF_SIZE + 1);
        build(&mut points, 0, &mut nodes);
        let (xs, ys) = points.iter().map(|p| (p[0], p[1])).unzip();
        Self { xs, ys, nodes }
    }

    /// The first coordinate of the point at tree position `p`.
    #[inline]
    pub(super) fn x(&self, p: usize) -> f64 {
        self.xs[p]
    }

    /// The second coordinate of the point at tree position `p`.
    #[inline]
    pub(super) fn y(&self, p: usize) -> f64 {
        self.ys[p]
    }

    /// The max-norm distance from the point at tree position `p` to its `k`-th nearest other
    /// point (duplicates of it count, at distance 0); `k = scratch`'s size, `k < n`.
    pub(super) fn kth_distance(&self, p: usize, scratch: &mut QueryScratch) -> f64 {
        let (qx, qy) = (self.xs[p], self.ys[p]);
        let best = &mut scratch.best;
        best.iter_mut().for_each(|b| *b = f64::INFINITY);
        let last = best.len() - 1;
        let stack = &mut scratch.stack;
        stack.clear();
        stack.push(0);
        while let Some(ni) = stack.pop() {
            let node = &self.nodes[ni];
            // A node at the current bound cannot lower the k-th distance (only strictly
            // closer points change it).
            if node.min_dist(qx, qy) >= best[last] {
                continue;
            }
            if node.left == 0 {
                for q in node.start..node.end {
                    let d = (self.xs[q] - qx).abs().max((self.ys[q] - qy).abs());
                    if d < best[last] && q != p {
                        insert_sorted(best, d);
                    }
                }
                continue;
            }
            let (l, r) = (node.left, node.right);
            let (dl, dr) = (
                self.nodes[l].min_dist(qx, qy),
                self.nodes[r].min_dist(qx, qy),
            );
            // Push the farther child first so the nearer one is searched first and tightens
            // the bound before the other is looked at.
            if dl <= dr {
                stack.push(r);
                stack.push(l);
            } else {
                stack.push(l);
                stack.push(r);
            }
        }
        best[last]
    }
}

/// Inserts `d` into the ascending `best`, dropping its largest value.
#[inline]
fn insert_sorted(best: &mut [f64], d: f64) {
    let mut j = best.len() - 1;
    while j > 0 && best[j - 1] > d {
        best[j] = best[j - 1];
        j -= 1;
    }
    best[j] = d;
}

/// Builds the subtree over `points` (which start at tree position `offset`), appending its
/// nodes in depth-first order, and returns the index of its root.
fn build(points: &mut [[f64; 2]], offset: usize, nodes: &mut Vec<Node>) -> usize {
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for p in points.iter() {
        x_lo = x_lo.min(p[0]);
        x_hi = x_hi.max(p[0]);
        y_lo = y_lo.min(p[1]);
        y_hi = y_hi.max(p[1]);
    }
    let index = nodes.len();
    nodes.push(Node {
        x_lo,
        x_hi,
        y_lo,
        y_hi,
        start: offset,
        end: offset + points.len(),
        left: 0,
        right: 0,
    });
    if points.len() > LEAF_SIZE {
        // Split the wider side at its median: cells stay square-ish under the max-norm.
        let dim = usize::from(y_hi - y_lo > x_hi - x_lo);
        let mid = points.len() / 2;
        points.select_nth_unstable_by(mid, |a, b| a[dim].total_cmp(&b[dim]));
        let (lower, upper) = points.split_at_mut(mid);
        let left = build(lower, offset, nodes);
        let right = build(upper, offset + mid, nodes);
        nodes[index].left = left;
        nodes[index].right = right;
    }
    index
}

/// How many values of the ascending `sorted` satisfy `|fl(s − v)| ≤ r` (`r ≥ 0`), `v`
/// itself included when present.
#[inline]
pub(super) fn count_within(sorted: &[f64], v: f64, r: f64) -> usize {
    // fl(s − v) never decreases as s grows, and fl(v − s) never increases: both predicates
    // split the slice into a true part then a false part.
    let hi = sorted.partition_point(|&s| s - v <= r);
    let lo = sorted[..hi].partition_point(|&s| v - s > r);
    hi - lo
}

/// The distance from `sorted[p]` to its `k`-th nearest other value in the ascending `sorted`
/// (`1 ≤ k < sorted.len()`): the k smallest distances are found by merging the runs to the
/// left and to the right of `p`, which are each ordered by distance.
#[inline]
pub(super) fn kth_in_sorted(sorted: &[f64], p: usize, k: usize) -> f64 {
    let v = sorted[p];
    let (mut left, mut right) = (p, p + 1);
    let mut d = 0.0;
    for _ in 0..k {
        let dl = if left > 0 {
            v - sorted[left - 1]
        } else {
            f64::INFINITY
        };
        let dr = if right < sorted.len() {
            sorted[right] - v
        } else {
            f64::INFINITY
        };
        if dl <= dr {
            d = dl;
            left -= 1;
        } else {
            d = dr;
            right += 1;
        }
    }
    d
}

/// The largest float below `r` for `r > 0`, and `0` for `r = 0`: NumPy's `nextafter(r, 0)`,
/// which scikit-learn applies to a k-th-neighbour distance so that "within the radius" means
/// strictly closer than that neighbour.
#[inline]
pub(super) fn below(r: f64) -> f64 {
    if r > 0.0 { r.next_down() } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic scatter with exact ties and duplicated points.
    fn points(n: usize) -> (Vec<f64>, Vec<f64>) {
        let x = (0..n).map(|i| ((i * 37) % 101) as f64 * 0.25).collect();
        let y = (0..n).map(|i| ((i * 53) % 29) as f64 - 3.0).collect();
        (x, y)
    }

    #[test]
    fn tree_kth_distance_equals_brute_force() {
        for n in [2, 5, 13, 40, 300] {
            let (x, y) = points(n);
            let tree = JointTree::new(&x, &y);
            for k in [1, 2, 3, 7] {
                if k >= n {
                    continue;
                }
                let mut scratch = QueryScratch::new(k);
                for p in 0..n {
                    let (qx, qy) = (tree.x(p), tree.y(p));
                    let mut d: Vec<f64> = (0..n)
                        .filter(|&q| q != p)
                        .map(|q| (tree.x(q) - qx).abs().max((tree.y(q) - qy).abs()))
                        .collect();
                    d.sort_by(f64::total_cmp);
                    assert_eq!(
                        tree.kth_distance(p, &mut scratch),
                        d[k - 1],
                        "n={n} k={k} p={p}"
                    );
                }
            }
        }
    }

    #[test]
    fn sorted_helpers_equal_brute_force() {
        let mut v: Vec<f64> = (0..60).map(|i| ((i * 7) % 17) as f64 * 0.1).collect();
        v.sort_by(f64::total_cmp);
        for p in 0..v.len() {
            for k in [1, 3, 10] {
                let mut d: Vec<f64> = (0..v.len())
                    .filter(|&q| q != p)
                    .map(|q| (v[q] - v[p]).abs())
                    .collect();
                d.sort_by(f64::total_cmp);
                assert_eq!(kth_in_sorted(&v, p, k), d[k - 1]);
                let r = below(d[k - 1]);
                let brute = v.iter().filter(|&&s| (s - v[p]).abs() <= r).count();
                assert_eq!(count_within(&v, v[p], r), brute);
            }
        }
    }

    #[test]
    fn below_steps_one_ulp_towards_zero() {
        assert_eq!(below(0.0), 0.0);
        assert_eq!(below(1.0), 1.0 - f64::EPSILON / 2.0);
        assert!(below(0.3) < 0.3 && below(0.3).next_up() == 0.3);
    }
}
