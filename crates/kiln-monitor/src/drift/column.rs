//! One column of a drift report: choose the test, build the counts, run it.

use kiln_core::{Error, Result};
use kiln_prep::{Column, ColumnType, MISSING_CODE};

use super::backend;
use super::{Bins, ColumnDrift, DriftOptions, Method, MissingRate, SchemaChange};
use crate::profile::numeric::sorted_valid;
use crate::profile::{ColumnProfile, ColumnSummary};

/// Reference and current values of a column, as the tests consume them.
enum Values<'a> {
    /// Sorted reference sample and sorted current values.
    Numeric {
        reference: &'a [f64],
        current: Vec<f64>,
    },
    /// Current levels with counts (categorical current column).
    Categories { current: Vec<(String, f64)> },
}

/// Counts over shared keys: what chi-square, the z-test and the binned distances take.
struct Counts {
    reference: Vec<f64>,
    current: Vec<f64>,
    bins: Bins,
}

/// Tests one reference column against its counterpart `current` (column `j` of the batch).
pub(crate) fn test_column(
    profile: &ColumnProfile,
    current: &Column,
    j: usize,
    options: &DriftOptions,
) -> Result<(ColumnDrift, Vec<SchemaChange>)> {
    let name = profile.name.as_str();
    let mut schema = Vec::new();
    let cur_type = current.column_type();
    let mut result = ColumnDrift::untested(profile, cur_type);
    result.n_current = current.len() - current.n_missing();
    result.missing = missing_rate(profile, current, options)?;
    if cur_type != profile.column_type {
        schema.push(SchemaChange::Retyped {
            column: name.to_owned(),
            reference: profile.column_type,
            current: cur_type,
        });
    }
    if cur_type.is_numeric() != profile.column_type.is_numeric() {
        result.drifted = true;
        result.note = Some(format!(
            "not tested: {} in the reference, {} in the batch",
            profile.column_type, cur_type
        ));
        return Ok((result, schema));
    }
    let values = match (current, &profile.summary) {
        (Column::Categorical(c), ColumnSummary::Categorical(p)) => {
            let mut counts = vec![0.0_f64; c.levels().len()];
            for &code in c.codes() {
                if code != MISSING_CODE
                    && let Some(slot) = counts.get_mut(code as usize)
                {
                    *slot += 1.0;
                }
            }
            let current: Vec<(String, f64)> = c
                .levels()
                .iter()
                .zip(counts)
                .filter(|(_, n)| *n > 0.0)
                .map(|(l, n)| (l.clone(), n))
                .collect();
            let new: Vec<(String, usize)> = current
                .iter()
                .filter(|(l, _)| p.count(l) == 0.0)
                .map(|(l, n)| (l.clone(), *n as usize))
                .collect();
            if !new.is_empty() {
                result.new_categories = new.iter().map(|(l, _)| l.clone()).collect();
                schema.push(SchemaChange::NewCategories {
                    column: name.to_owned(),
                    categories: new,
                });
            }
            Values::Categories { current }
        }
        (_, ColumnSummary::Numeric(p)) => {
            let raw = current.as_numeric().unwrap_or(&[]);
            let what = format!("batch column `{name}`");
            Values::Numeric {
                reference: &p.sample,
                current: sorted_valid(raw, j, &what)?,
            }
        }
        // Excluded above: numeric and categorical never pair here.
        _ => return Ok((result, schema)),
    };
    let (n_ref, n_cur) = (profile.n_valid(), result.n_current);
    if n_ref == 0 || n_cur == 0 {
        let side = match (n_ref == 0, n_cur == 0) {
            (true, true) => "reference and batch",
            (true, false) => "reference",
            _ => "batch",
        };
        result.note = Some(format!("not tested: every value is missing in the {side}"));
        schema.push(SchemaChange::AllMissing {
            column: name.to_owned(),
            in_reference: n_ref == 0,
            in_current: n_cur == 0,
        });
        return Ok((result, schema));
    }
    let constant = match &profile.summary {
        ColumnSummary::Numeric(p) => p.n_unique == 1,
        ColumnSummary::Categorical(p) => p.levels.len() == 1,
    };
    if constant {
        result.note = Some("constant in the reference".into());
    }

    let counts_discrete = discrete_counts(profile, &values, options);
    let method = match options.method_for(name) {
        Some(m) => m,
        None => auto_method(profile, n_ref, counts_discrete.as_ref(), options),
    };
    if method.needs_numeric() && !profile.column_type.is_numeric() {
        return Err(Error::invalid_param(
            "DriftReport",
            "methods",
            format!(
                "asks for {method} on column `{name}`, which is categorical; {method} needs numeric values"
            ),
        ));
    }
    result.method = Some(method);
    result.threshold = options.threshold(method);
    match (&values, method) {
        (Values::Numeric { reference, current }, Method::Ks) => {
            let (s, p) = backend::ks(reference, current)?;
            result.statistic = s;
            result.p_value = Some(p);
        }
        (Values::Numeric { reference, current }, Method::Wasserstein) => {
            result.statistic = backend::wasserstein_normed(reference, current)?;
        }
        (Values::Numeric { reference, current }, Method::EnergyDistance) => {
            result.statistic = backend::energy(reference, current)?;
        }
        (Values::Numeric { reference, current }, Method::AndersonDarling) => {
            // The test needs two distinct values and three in all; without them it is not
            // run (a note, as for other untestable columns), rather than failing the report.
            let pooled = || reference.iter().chain(current.iter());
            let first = pooled().next().copied().unwrap_or(f64::NAN);
            let one_value = pooled().all(|&v| v == first);
            if one_value || reference.len() + current.len() < 3 {
                result.method = None;
                result.note = Some(if one_value {
                    format!(
                        "not tested: anderson needs two distinct values, and every value in \
                         the reference and batch is {first}"
                    )
                } else {
                    "not tested: anderson needs at least 3 values in the reference and batch".into()
                });
                return Ok((result, schema));
            }
            let (s, p) = backend::anderson(reference, current)?;
            result.statistic = s;
            result.p_value = Some(p);
        }
        _ => {
            let counts = match counts_discrete {
                Some(c) => c,
                None => binned_counts(profile, &values)?,
            };
            run_on_counts(&mut result, method, counts, options)?;
        }
    }
    result.drifted = if method.is_p_value() {
        // Decided again after the multiple-testing correction.
        result.p_value.is_some_and(|p| p < result.threshold)
    } else {
        result.statistic >= result.threshold
    };
    Ok((result, schema))
}

/// Evidently 0.7's default rule (see the module docs).
fn auto_method(
    profile: &ColumnProfile,
    n_ref: usize,
    discrete: Option<&Counts>,
    options: &DriftOptions,
) -> Method {
    let numeric = profile.column_type.is_numeric();
    let n_values = match (numeric, discrete) {
        (_, Some(c)) => c.reference.len(),
        (false, None) => 0,
        (true, None) => usize::MAX,
    };
    let many = numeric && n_values > options.discrete_values;
    if n_ref <= options.small_sample {
        if many {
            Method::Ks
        } else if n_values > 2 {
            Method::ChiSquare
        } else {
            Method::ZTest
        }
    } else if many {
        Method::Wasserstein
    } else {
        Method::JensenShannon
    }
}

/// Counts per category (categorical) or per distinct value (numeric columns whose reference
/// and batch together hold at most `max(discrete_values, max_discrete)` values); `None` for
/// other numeric columns, which are binned.
fn discrete_counts(
    profile: &ColumnProfile,
    values: &Values<'_>,
    options: &DriftOptions,
) -> Option<Counts> {
    match (values, &profile.summary) {
        (Values::Categories { current }, ColumnSummary::Categorical(p)) => {
            let mut keys: Vec<&str> = p.levels.iter().map(String::as_str).collect();
            keys.extend(current.iter().map(|(l, _)| l.as_str()));
            keys.sort_unstable();
            keys.dedup();
            let reference = keys.iter().map(|k| p.count(k)).collect();
            let current = keys
                .iter()
                .map(|k| {
                    current
                        .iter()
                        .find(|(l, _)| l == k)
                        .map_or(0.0, |(_, n)| *n)
                })
                .collect();
            let bins = Bins::Categories(keys.into_iter().map(str::to_owned).collect());
            Some(Counts {
                reference,
                current,
                bins,
            })
        }
        (Values::Numeric { current, .. }, ColumnSummary::Numeric(p)) => {
            let limit = options.discrete_values.max(p.values.len());
            if p.values.is_empty() {
                return None;
            }
            let mut keys = p.values.clone();
            let mut cur_counts: Vec<(f64, f64)> = Vec::new();
            for &x in current {
                match cur_counts.last_mut() {
                    Some((v, n)) if *v == x => *n += 1.0,
                    _ => {
                        cur_counts.push((x, 1.0));
                        if cur_counts.len() > limit {
                            return None;
                        }
                    }
                }
            }
            keys.extend(cur_counts.iter().map(|(v, _)| *v));
            keys.sort_unstable_by(f64::total_cmp);
            keys.dedup();
            if keys.len() > limit {
                return None;
            }
            // Both value lists are sorted, so each key is found by binary search.
            let reference = keys
                .iter()
                .map(|&k| {
                    p.values
                        .binary_search_by(|v| v.total_cmp(&k))
                        .ok()
                        .and_then(|i| p.value_counts.get(i).copied())
                        .unwrap_or(0.0)
                })
                .collect();
            let current = keys
                .iter()
                .map(|&k| {
                    cur_counts
                        .binary_search_by(|(v, _)| v.total_cmp(&k))
                        .map_or(0.0, |i| cur_counts[i].1)
                })
                .collect();
            Some(Counts {
                reference,
                current,
                bins: Bins::Values(keys),
            })
        }
        _ => None,
    }
}

/// Counts in the profile's reference-quantile bins.
fn binned_counts(profile: &ColumnProfile, values: &Values<'_>) -> Result<Counts> {
    match (values, &profile.summary) {
        (Values::Numeric { current, .. }, ColumnSummary::Numeric(p))
            if p.n_unique == 1 && p.edges.len() == 2 && p.edges[0] < p.edges[1] =>
        {
            // A constant reference has one bin, into which every batch value would be
            // clipped: any batch would look the same. Open bins below and above it count the
            // values that left the constant (the reference has none there).
            let (lo, hi) = (p.edges[0], p.edges[1]);
            let width = hi - lo;
            let edges = vec![lo - width, lo, hi, hi + width];
            let n_ref: f64 = p.bin_counts.iter().sum();
            Ok(Counts {
                reference: vec![0.0, n_ref, 0.0],
                current: backend::histogram(current, &edges)?,
                bins: Bins::Edges(edges),
            })
        }
        (Values::Numeric { current, .. }, ColumnSummary::Numeric(p)) => Ok(Counts {
            reference: p.bin_counts.clone(),
            current: backend::histogram(current, &p.edges)?,
            bins: Bins::Edges(p.edges.clone()),
        }),
        // Categorical columns always have discrete counts.
        _ => Ok(Counts {
            reference: Vec::new(),
            current: Vec::new(),
            bins: Bins::Categories(Vec::new()),
        }),
    }
}

fn run_on_counts(
    result: &mut ColumnDrift,
    method: Method,
    counts: Counts,
    options: &DriftOptions,
) -> Result<()> {
    let Counts {
        reference,
        current,
        bins,
    } = counts;
    match method {
        Method::ChiSquare => {
            // Evidently's form: current counts against the reference proportions. A value
            // never seen in the reference has expected count 0, which gives an infinite
            // statistic and p = 0 (as scipy's `chisquare`).
            let total: f64 = reference.iter().sum();
            let expected: Vec<f64> = reference.iter().map(|r| r / total).collect();
            let (s, p) = backend::chi2_gof(&current, &expected)?;
            result.statistic = s;
            result.p_value = Some(p);
        }
        Method::ZTest => {
            let n_ref: f64 = reference.iter().sum();
            let n_cur: f64 = current.iter().sum();
            let (r0, c0) = (
                reference.first().copied().unwrap_or(0.0),
                current.first().copied().unwrap_or(0.0),
            );
            if (r0 == n_ref && c0 == n_cur) || (r0 == 0.0 && c0 == 0.0) {
                // One category on both sides: nothing to compare (Evidently's p = 1 case).
                result.statistic = 0.0;
                result.p_value = Some(1.0);
            } else {
                let (s, p) = backend::ztest(r0, n_ref, c0, n_cur)?;
                result.statistic = s;
                result.p_value = Some(p);
            }
        }
        Method::Psi => result.statistic = backend::psi(&reference, &current, options.epsilon)?,
        Method::JensenShannon => {
            result.statistic = backend::jensen_shannon(&reference, &current, options.log_base)?;
            result.log_base = Some(options.log_base);
        }
        Method::Hellinger => result.statistic = backend::hellinger(&reference, &current)?,
        Method::KlDivergence => {
            result.statistic = backend::kl(&reference, &current, options.epsilon)?;
            result.log_base = Some(std::f64::consts::E);
        }
        // Numeric methods are dispatched before counts are built.
        Method::Ks | Method::Wasserstein | Method::EnergyDistance | Method::AndersonDarling => {}
    }
    result.bins = Some(bins);
    Ok(())
}

/// The two-proportion z-test on the share of missing values.
fn missing_rate(
    profile: &ColumnProfile,
    current: &Column,
    options: &DriftOptions,
) -> Result<MissingRate> {
    let (mr, nr) = (profile.n_missing as f64, profile.n_rows as f64);
    let (mc, nc) = (current.n_missing() as f64, current.len() as f64);
    let mut out = MissingRate {
        reference_share: mr / nr,
        current_share: mc / nc,
        statistic: 0.0,
        p_value: 1.0,
        drifted: false,
    };
    let pooled = (mr + mc) / (nr + nc);
    // With no missing value, or nothing but, on both sides the test is undefined: no change.
    if pooled > 0.0 && pooled < 1.0 {
        let (s, p) = backend::ztest(mr, nr, mc, nc)?;
        out.statistic = s;
        out.p_value = p;
        out.drifted = p < options.missing_threshold;
    }
    Ok(out)
}

impl ColumnDrift {
    fn untested(profile: &ColumnProfile, current_type: ColumnType) -> Self {
        Self {
            column: profile.name.clone(),
            reference_type: profile.column_type,
            current_type: Some(current_type),
            method: None,
            statistic: f64::NAN,
            p_value: None,
            adjusted_p_value: None,
            threshold: f64::NAN,
            drifted: false,
            bins: None,
            log_base: None,
            n_reference: profile.n_valid(),
            n_current: 0,
            missing: MissingRate::default(),
            new_categories: Vec::new(),
            note: None,
        }
    }
}
