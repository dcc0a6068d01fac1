//! [`Grid`]: the cartesian product of named parameter axes.

use std::fmt::Debug;
use std::sync::Arc;

/// Applies one axis value to params.
pub(crate) type Setter<P> = Arc<dyn Fn(P) -> P + Send + Sync>;

/// One point of a search: the params to cross-validate and a printable description of the
/// values that made them, e.g. `alpha=0.1, fit_intercept=true`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<P> {
    /// The params of this candidate.
    pub params: P,
    /// `name=value` for each axis, in axis order, joined by `", "` (`"(base params)"` when
    /// there are no axes). Values are printed with `{:?}`.
    pub description: String,
}

struct GridAxis<P> {
    name: String,
    values: Vec<(String, Setter<P>)>,
}

/// A parameter grid: base params and named axes, each a list of values with the setter that
/// applies one of them.
///
/// [`Grid::candidates`] enumerates the cartesian product in the order of
/// `itertools.product`: axes in the order they were added, the **last axis varying fastest**.
/// scikit-learn's `ParameterGrid` does the same after sorting the axis names alphabetically,
/// so adding axes in alphabetical order gives scikit-learn's candidate order.
///
/// # Example
/// ```
/// use kiln_linear::Ridge;
/// use kiln_select::search::Grid;
///
/// let grid = Grid::new(Ridge::default())
///     .axis("alpha", vec![0.1, 1.0], |p: Ridge, v| p.with_alpha(v))
///     .axis("fit_intercept", vec![true, false], |p: Ridge, v| p.with_fit_intercept(v));
/// let c = grid.candidates();
/// assert_eq!(c.len(), 4);
/// assert_eq!(c[1].description, "alpha=0.1, fit_intercept=false");
/// assert!(!c[1].params.fit_intercept);
/// ```
pub struct Grid<P> {
    base: P,
    axes: Vec<GridAxis<P>>,
}

impl<P> Debug for Grid<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let axes: Vec<(&str, Vec<&str>)> = self
            .axes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.values.iter().map(|(v, _)| v.as_str()).collect(),
                )
            })
            .collect();
        f.debug_struct("Grid")
            .field("axes", &axes)
            .finish_non_exhaustive()
    }
}

impl<P: Clone> Grid<P> {
    /// A grid with no axes: one candidate, `base` itself.
    pub fn new(base: P) -> Self {
        Self {
            base,
            axes: Vec::new(),
        }
    }

    /// Adds the axis `name` with `values`, each applied by `set(params, value)`.
    ///
    /// An axis with no values makes the grid empty (a search on it is an error).
    pub fn axis<V, F>(mut self, name: impl Into<String>, values: Vec<V>, set: F) -> Self
    where
        V: Debug + Clone + Send + Sync + 'static,
        F: Fn(P, V) -> P + Send + Sync + 'static,
    {
        let set = Arc::new(set);
        let values = values
            .into_iter()
            .map(|v| {
                let label = format!("{v:?}");
                let set = Arc::clone(&set);
                let apply: Setter<P> = Arc::new(move |p| set(p, v.clone()));
                (label, apply)
            })
            .collect();
        self.axes.push(GridAxis {
            name: name.into(),
            values,
        });
        self
    }

    /// The number of candidates (the product of the axis lengths).
    pub fn len(&self) -> usize {
        // Saturating: eight axes of 256 values wrapped the product to 0 and the grid looked
        // empty (found by probing); `usize::MAX` now means "more than can be listed".
        self.axes
            .iter()
            .fold(1usize, |n, a| n.saturating_mul(a.values.len()))
    }

    /// Whether the grid has no candidate (some axis has no values).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every candidate, the last axis varying fastest.
    pub fn candidates(&self) -> Vec<Candidate<P>> {
        let n = self.len();
        (0..n)
            .map(|mut k| {
                // Mixed-radix digits of k, least significant = last axis.
                let mut picks = vec![0; self.axes.len()];
                for (a, axis) in self.axes.iter().enumerate().rev() {
                    picks[a] = k % axis.values.len();
                    k /= axis.values.len();
                }
                let mut params = self.base.clone();
                let mut parts = Vec::with_capacity(self.axes.len());
                for (axis, &j) in self.axes.iter().zip(&picks) {
                    let (label, set) = &axis.values[j];
                    params = set(params);
                    parts.push(format!("{}={label}", axis.name));
                }
                Candidate {
                    params,
                    description: describe(parts),
                }
            })
            .collect()
    }
}

/// Joins `name=value` parts; a candidate with no axes is described as the base params.
pub(crate) fn describe(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "(base params)".to_owned()
    } else {
        parts.join(", ")
    }
}
