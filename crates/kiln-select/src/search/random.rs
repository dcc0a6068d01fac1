//! [`RandomSpace`]: named parameter axes drawn from distributions, for random search.

use std::fmt::Debug;
use std::sync::Arc;

use kiln_core::random::{KilnRng, task_rng};
use kiln_core::{Error, Result};
use rand::Rng;

use super::grid::{Candidate, describe};

/// A distribution of one parameter's values.
pub trait Sampler: Send + Sync + 'static {
    /// The type of the values drawn.
    type Value: Debug + Send + Sync + 'static;

    /// Checks the distribution's own parameters, naming the axis in errors.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for empty or reversed ranges.
    fn check(&self, axis: &str) -> Result<()>;

    /// Draws one value; `None` only when [`Sampler::check`] fails (an empty [`Choice`]).
    fn sample(&self, rng: &mut KilnRng) -> Option<Self::Value>;
}

fn bad_range(axis: &str, what: &str, reason: String) -> Error {
    Error::invalid_param(format!("random search axis `{axis}`"), what, reason)
}

/// Real values uniform on `[low, high)` (scipy's `uniform(low, high - low)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform {
    /// Lower bound (included).
    pub low: f64,
    /// Upper bound (excluded), greater than `low`.
    pub high: f64,
}

impl Sampler for Uniform {
    type Value = f64;

    fn check(&self, axis: &str) -> Result<()> {
        if self.low.is_finite() && self.high.is_finite() && self.low < self.high {
            Ok(())
        } else {
            Err(bad_range(
                axis,
                "Uniform",
                format!("needs finite low < high; got [{}, {})", self.low, self.high),
            ))
        }
    }

    fn sample(&self, rng: &mut KilnRng) -> Option<f64> {
        Some(self.low + (self.high - self.low) * rng.random::<f64>())
    }
}

/// Positive real values whose logarithm is uniform on `[ln low, ln high)` (scipy's
/// `loguniform(low, high)`), for scale parameters such as `alpha` or `C`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogUniform {
    /// Lower bound (included), positive.
    pub low: f64,
    /// Upper bound (excluded), greater than `low`.
    pub high: f64,
}

impl Sampler for LogUniform {
    type Value = f64;

    fn check(&self, axis: &str) -> Result<()> {
        if self.low > 0.0 && self.high.is_finite() && self.low < self.high {
            Ok(())
        } else {
            Err(bad_range(
                axis,
                "LogUniform",
                format!(
                    "needs 0 < low < high < inf; got [{}, {})",
                    self.low, self.high
                ),
            ))
        }
    }

    fn sample(&self, rng: &mut KilnRng) -> Option<f64> {
        let (a, b) = (self.low.ln(), self.high.ln());
        Some((a + (b - a) * rng.random::<f64>()).exp())
    }
}

/// Integers uniform on `low..=high`, **both ends included** (scipy's `randint(low, high + 1)`;
/// scipy's `randint` excludes its upper bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntUniform {
    /// Smallest value.
    pub low: usize,
    /// Largest value, at least `low`.
    pub high: usize,
}

impl Sampler for IntUniform {
    type Value = usize;

    fn check(&self, axis: &str) -> Result<()> {
        if self.low <= self.high {
            Ok(())
        } else {
            Err(bad_range(
                axis,
                "IntUniform",
                format!("needs low <= high; got {}..={}", self.low, self.high),
            ))
        }
    }

    fn sample(&self, rng: &mut KilnRng) -> Option<usize> {
        (self.low <= self.high).then(|| rng.random_range(self.low..=self.high))
    }
}

/// One of a list of values, each equally likely (scikit-learn's list in a
/// `param_distributions`).
#[derive(Debug, Clone, PartialEq)]
pub struct Choice<V>(pub Vec<V>);

impl<V: Debug + Clone + Send + Sync + 'static> Sampler for Choice<V> {
    type Value = V;

    fn check(&self, axis: &str) -> Result<()> {
        if self.0.is_empty() {
            Err(bad_range(
                axis,
                "Choice",
                "needs at least one value; got none".into(),
            ))
        } else {
            Ok(())
        }
    }

    fn sample(&self, rng: &mut KilnRng) -> Option<V> {
        if self.0.is_empty() {
            return None;
        }
        self.0.get(rng.random_range(0..self.0.len())).cloned()
    }
}

/// Draws one value and applies it; `None` when the distribution cannot draw.
type Draw<P> = Arc<dyn Fn(&mut KilnRng, P) -> Option<(P, String)> + Send + Sync>;

struct RandomAxis<P> {
    name: String,
    check: Result<(), String>,
    draw: Draw<P>,
}

/// A random-search space: base params and named axes, each a [`Sampler`] with the setter
/// that applies a drawn value.
///
/// Candidate `i` of [`RandomSpace::sample`] draws its values, one per axis in the order the
/// axes were added, from [`kiln_core::random::task_rng`]`(seed, i)`: the candidates depend on
/// the seed alone, never on the thread count, and the first `n` candidates of a longer search
/// are those of a search with `n_iter = n`. The values differ from scikit-learn's
/// `ParameterSampler` for any seed (a different generator).
///
/// # Example
/// ```
/// use kiln_linear::Ridge;
/// use kiln_select::search::{Choice, LogUniform, RandomSpace};
///
/// let space = RandomSpace::new(Ridge::default())
///     .axis("alpha", LogUniform { low: 1e-3, high: 1e3 }, |p: Ridge, v| p.with_alpha(v))
///     .axis("fit_intercept", Choice(vec![true, false]), |p: Ridge, v| p.with_fit_intercept(v));
/// let c = space.sample(5, 42)?;
/// assert_eq!(c.len(), 5);
/// assert_eq!(c, space.sample(5, 42)?); // same seed, same candidates
/// assert!(c[0].description.starts_with("alpha="));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub struct RandomSpace<P> {
    base: P,
    axes: Vec<RandomAxis<P>>,
}

impl<P> Debug for RandomSpace<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.axes.iter().map(|a| a.name.as_str()).collect();
        f.debug_struct("RandomSpace")
            .field("axes", &names)
            .finish_non_exhaustive()
    }
}

impl<P: Clone> RandomSpace<P> {
    /// A space with no axes: every candidate is `base`.
    pub fn new(base: P) -> Self {
        Self {
            base,
            axes: Vec::new(),
        }
    }

    /// Adds the axis `name`, drawn from `dist` and applied by `set(params, value)`.
    ///
    /// A bad distribution (e.g. `low >= high`) is reported by [`RandomSpace::sample`].
    pub fn axis<S, F>(mut self, name: impl Into<String>, dist: S, set: F) -> Self
    where
        S: Sampler,
        F: Fn(P, S::Value) -> P + Send + Sync + 'static,
    {
        let name = name.into();
        let check = dist.check(&name).map_err(|e| e.to_string());
        let draw: Draw<P> = Arc::new(move |rng, p| {
            let v = dist.sample(rng)?;
            let label = format!("{v:?}");
            Some((set(p, v), label))
        });
        self.axes.push(RandomAxis { name, check, draw });
        self
    }

    /// Draws `n_iter` candidates with `seed`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a bad distribution, naming its axis.
    pub fn sample(&self, n_iter: usize, seed: u64) -> Result<Vec<Candidate<P>>> {
        for axis in &self.axes {
            if let Err(reason) = &axis.check {
                return Err(Error::invalid_param(
                    "RandomSearch",
                    axis.name.clone(),
                    format!("has a bad distribution: {reason}"),
                ));
            }
        }
        (0..n_iter)
            .map(|i| {
                let mut rng = task_rng(seed, i as u64);
                let mut params = self.base.clone();
                let mut parts = Vec::with_capacity(self.axes.len());
                for axis in &self.axes {
                    let (p, label) = (axis.draw)(&mut rng, params).ok_or_else(|| {
                        Error::invalid_param(
                            "RandomSearch",
                            axis.name.clone(),
                            "has a distribution that cannot draw a value",
                        )
                    })?;
                    params = p;
                    parts.push(format!("{}={label}", axis.name));
                }
                Ok(Candidate {
                    params,
                    description: describe(parts),
                })
            })
            .collect()
    }
}
