//! Held-out evaluation: metrics, confusion matrix, ROC / precision-recall / calibration
//! curves (binary classification), predicted-vs-actual and residuals (regression).

use kiln::metrics::ranking::{
    CalibrationStrategy, calibration_curve, precision_recall_curve, roc_curve,
};
use kiln::model::Evaluation;
use kiln::{Result, check::check_same_len};
use ndarray::ArrayView1;

use crate::chart::{self, LineChart, Scatter, Series};
use crate::html::{Section, Tone, escape, figure, table};
use crate::style;

/// Calibration bins (scikit-learn's default is 5; 10 reads better with a few hundred rows).
const CALIBRATION_BINS: usize = 10;

/// At most this many points are drawn in a scatter plot (an even subsample beyond).
const MAX_POINTS: usize = 2000;

/// The binary labels and positive-class scores behind the curves.
#[derive(Debug, Clone, Copy)]
pub struct BinaryScores<'a> {
    /// 1 for the positive class, 0 otherwise.
    pub y_true: ArrayView1<'a, usize>,
    /// The predicted probability of the positive class.
    pub score: ArrayView1<'a, f64>,
    /// The positive class's name.
    pub positive: &'a str,
}

fn metrics_table(e: &Evaluation) -> String {
    let rows: Vec<Vec<String>> = e
        .metrics
        .iter()
        .map(|(k, v)| {
            vec![
                escape(k),
                format!("<span class=\"num\">{}</span>", style::num(*v)),
            ]
        })
        .collect();
    let mut s = table(&["metric", "value"], &rows);
    for n in &e.notes {
        s.push_str(&format!("<p class=\"note\">{}</p>", escape(n)));
    }
    s
}

fn finding(e: &Evaluation) -> Option<(Tone, String)> {
    let a = e.assessment.as_ref()?;
    let g = a.goal.as_ref()?;
    let value = g.value.map_or_else(|| "not computed".into(), style::num);
    let cmp = if g.higher_is_better { ">=" } else { "<=" };
    let text = format!("{} = {value} (goal {cmp} {})", g.metric, g.goal);
    Some(match g.met {
        Some(true) => (Tone::Good, format!("goal met: {text}")),
        Some(false) => (Tone::Bad, format!("goal missed: {text}")),
        None => (Tone::Neutral, text),
    })
}

/// ROC, precision-recall and calibration charts of binary scores.
///
/// # Errors
/// The curves' errors (mismatched lengths, a single class, scores outside [0, 1] for the
/// calibration curve).
pub fn binary_curves(s: &BinaryScores<'_>) -> Result<Vec<String>> {
    let roc = roc_curve(s.y_true, s.score, true, None)?;
    let mut c = LineChart::new(
        "ROC curve",
        "false positive rate",
        "true positive rate",
        0.0..1.0,
        0.0..1.0,
    );
    c.series.push(Series {
        name: "model".into(),
        points: roc
            .fpr
            .iter()
            .copied()
            .zip(roc.tpr.iter().copied())
            .collect(),
        color: style::PRIMARY,
        markers: false,
    });
    c.reference = Some(((0.0, 0.0), (1.0, 1.0), "coin flip".into()));
    let roc_fig = figure(
        "ROC curve",
        &c.render((560, 440))?,
        "Curves bending toward the top-left corner mean better ranking; the dashed diagonal \
         is a coin flip. Each point is one cut-off on the score: how many of the positives \
         it catches (up) against how many negatives it lets through (right).",
    );

    let pr = precision_recall_curve(s.y_true, s.score, true, None)?;
    let base = s.y_true.iter().filter(|&&v| v == 1).count() as f64 / s.y_true.len().max(1) as f64;
    let mut c = LineChart::new(
        "precision-recall curve",
        "recall",
        "precision",
        0.0..1.0,
        0.0..1.05,
    );
    c.series.push(Series {
        name: "model".into(),
        points: pr
            .recall
            .iter()
            .copied()
            .zip(pr.precision.iter().copied())
            .collect(),
        color: style::PRIMARY,
        markers: false,
    });
    c.reference = Some((
        (0.0, base),
        (1.0, base),
        format!("share of `{}` ({:.2})", s.positive, base),
    ));
    let pr_fig = figure(
        "Precision-recall curve",
        &c.render((560, 440))?,
        &format!(
            "How clean the rows called `{}` stay (precision) as the model catches more of them \
             (recall). Higher is better; the dashed line is what guessing achieves.",
            s.positive
        ),
    );

    let cal = calibration_curve(
        s.y_true,
        s.score,
        CALIBRATION_BINS,
        CalibrationStrategy::Uniform,
    )?;
    let mut c = LineChart::new(
        "calibration curve",
        "mean predicted probability",
        "observed share of positives",
        0.0..1.0,
        0.0..1.0,
    );
    c.series.push(Series {
        name: "model".into(),
        points: cal
            .prob_pred
            .iter()
            .copied()
            .zip(cal.prob_true.iter().copied())
            .collect(),
        color: style::PRIMARY,
        markers: true,
    });
    c.reference = Some(((0.0, 0.0), (1.0, 1.0), "perfectly calibrated".into()));
    let cal_fig = figure(
        "Calibration curve",
        &c.render((560, 440))?,
        "Points on the dashed diagonal mean a predicted 70% comes true 70% of the time. \
         Points below it mean the model is over-confident there, above it under-confident.",
    );
    Ok(vec![roc_fig, pr_fig, cal_fig])
}

/// The held-out evaluation of a classifier: metrics, confusion matrix heat map and, for a
/// binary problem with scores, the ROC, precision-recall and calibration curves.
///
/// # Errors
/// The curves' errors; a chart that cannot be drawn.
pub fn classification(
    e: &Evaluation,
    scores: Option<&BinaryScores<'_>>,
    data: &str,
) -> Result<Section> {
    let mut figures = Vec::new();
    if let Some(s) = scores {
        figures.extend(binary_curves(s)?);
    }
    if let Some(cm) = &e.confusion_matrix {
        let size = (120 * e.labels.len() as u32).clamp(300, 640);
        let chart = chart::heatmap(&e.labels, cm, size)?;
        figures.push(figure(
            "Confusion matrix",
            &chart,
            "Rows are the true classes, columns the predicted ones; the diagonal holds the \
             rows the model got right, darker cells hold more rows. Off-diagonal cells show \
             which mistakes it makes and how often.",
        ));
    }
    let mut body = format!(
        "<p>Scored on <b>{}</b> labelled rows of {}.</p>",
        e.n_rows,
        escape(data)
    );
    body.push_str(&metrics_table(e));
    body.push_str("<div class=\"grid\">");
    for f in figures {
        body.push_str(&f);
    }
    body.push_str("</div>");
    Ok(Section {
        id: "evaluation".into(),
        title: "Held-out evaluation".into(),
        finding: finding(e),
        body,
    })
}

/// Every `step`-th index so at most [`MAX_POINTS`] points are drawn.
fn thin(n: usize) -> impl Iterator<Item = usize> {
    let step = n.div_ceil(MAX_POINTS).max(1);
    (0..n).step_by(step)
}

/// The held-out evaluation of a regressor: metrics, predicted against actual, residuals.
///
/// # Errors
/// [`kiln::Error::ShapeMismatch`] when the lengths differ; a chart that cannot be drawn.
pub fn regression(
    e: Option<&Evaluation>,
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    data: &str,
) -> Result<Section> {
    check_same_len("predictions against targets", y_true.len(), y_pred.len())?;
    let idx: Vec<usize> = thin(y_true.len()).collect();
    let pts: Vec<(f64, f64)> = idx.iter().map(|&i| (y_true[i], y_pred[i])).collect();
    let r = style::padded(y_true.iter().chain(y_pred.iter()).copied());
    let pva = Scatter {
        what: "predicted against actual".into(),
        x_label: "actual value".into(),
        y_label: "predicted value".into(),
        points: pts,
        reference: Some((
            (r.start, r.start),
            (r.end, r.end),
            "perfect prediction".into(),
        )),
    }
    .render((560, 440))?;
    let res: Vec<(f64, f64)> = idx
        .iter()
        .map(|&i| (y_pred[i], y_true[i] - y_pred[i]))
        .collect();
    let xr = style::padded(y_pred.iter().copied());
    let resid = Scatter {
        what: "residuals".into(),
        x_label: "predicted value".into(),
        y_label: "residual (actual − predicted)".into(),
        points: res,
        reference: Some(((xr.start, 0.0), (xr.end, 0.0), "no error".into())),
    }
    .render((560, 440))?;
    let mut body = format!(
        "<p>Scored on <b>{}</b> labelled rows of {}{}.</p>",
        y_true.len(),
        escape(data),
        if idx.len() < y_true.len() {
            format!(" ({} drawn)", idx.len())
        } else {
            String::new()
        }
    );
    if let Some(e) = e {
        body.push_str(&metrics_table(e));
    }
    body.push_str("<div class=\"grid\">");
    body.push_str(&figure(
        "Predicted against actual",
        &pva,
        "Points on the dashed diagonal are perfect predictions; the farther a point from it, \
         the larger the error. A cloud tilted flatter than the diagonal means the model \
         shrinks toward the mean.",
    ));
    body.push_str(&figure(
        "Residuals",
        &resid,
        "Errors should scatter evenly around the dashed zero line. A funnel (errors growing \
         with the prediction) or a curve means the model misses a pattern there.",
    ));
    body.push_str("</div>");
    Ok(Section {
        id: "evaluation".into(),
        title: "Held-out evaluation".into(),
        finding: e.and_then(finding),
        body,
    })
}
