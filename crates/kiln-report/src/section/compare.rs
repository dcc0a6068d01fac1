//! Model comparison: cross-validation scores per model, mean ± standard deviation.

use kiln::{Error, Result};

use crate::chart::{Bar, BarChart};
use crate::html::{Section, escape, figure, table};
use crate::style;

/// One model's cross-validation scores on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct CvScores {
    /// The model's name.
    pub name: String,
    /// One score per fold.
    pub scores: Vec<f64>,
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    // Sample standard deviation (ddof = 1), as `kiln compare` prints it.
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, var.sqrt())
}

/// The comparison of `models` on `metric` (higher is better unless `lower_is_better`).
///
/// # Errors
/// [`Error::EmptyInput`] without models or with a model without scores.
pub fn section(metric: &str, models: &[CvScores], lower_is_better: bool) -> Result<Section> {
    if models.is_empty() {
        return Err(Error::EmptyInput {
            what: "models to compare".into(),
            reason: "no model was given".into(),
        });
    }
    if let Some(m) = models.iter().find(|m| m.scores.is_empty()) {
        return Err(Error::EmptyInput {
            what: format!("cross-validation scores of `{}`", m.name),
            reason: "no fold scores".into(),
        });
    }
    let stats: Vec<(f64, f64)> = models.iter().map(|m| mean_std(&m.scores)).collect();
    let best = stats
        .iter()
        .enumerate()
        .max_by(|a, b| {
            let o = a.1.0.total_cmp(&b.1.0);
            if lower_is_better { o.reverse() } else { o }
        })
        .map_or(0, |(i, _)| i);
    let bars = models
        .iter()
        .zip(&stats)
        .enumerate()
        .map(|(i, (m, &(mean, sd)))| Bar {
            label: m.name.clone(),
            value: mean,
            interval: Some((mean - sd, mean + sd)),
            color: if i == best {
                style::PRIMARY
            } else {
                style::MUTED
            },
        })
        .collect();
    let chart = BarChart {
        what: "model comparison".into(),
        x_label: format!("{metric} (mean ± std over folds)"),
        bars,
        thresholds: Vec::new(),
        x_range: None,
    }
    .render(900)?;
    let rows: Vec<Vec<String>> = models
        .iter()
        .zip(&stats)
        .map(|(m, (mean, sd))| {
            vec![
                escape(&m.name),
                format!("{}", m.scores.len()),
                style::num(*mean),
                style::num(*sd),
                m.scores
                    .iter()
                    .map(|s| style::num(*s))
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    let mut body = figure(
        &format!("Cross-validated {metric} by model"),
        &chart,
        &format!(
            "Each bar is a model's mean {metric} over the folds; the black whisker spans one \
             standard deviation either side. The best model is blue. Whiskers that overlap \
             mean the difference between models may be noise."
        ),
    );
    body.push_str(&table(
        &["model", "folds", "mean", "std", "fold scores"],
        &rows,
    ));
    Ok(Section {
        id: "comparison".into(),
        title: "Model comparison".into(),
        finding: models.get(best).map(|m| {
            (
                crate::html::Tone::Neutral,
                format!(
                    "best by cross-validation: {} ({metric} {} ± {})",
                    m.name,
                    style::num(stats[best].0),
                    style::num(stats[best].1)
                ),
            )
        }),
        body,
    })
}
