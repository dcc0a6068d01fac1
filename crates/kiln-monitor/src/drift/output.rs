//! The text table and the JSON field helpers of a drift report.

use std::fmt;

use serde::Serializer;

use super::{Correction, DriftReport, Method, SchemaChange};

/// Writes a method as its printed name (`"ks"`, ...) or `null`.
pub(super) fn method_name<S: Serializer>(m: &Option<Method>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_str(m.name()),
        None => s.serialize_none(),
    }
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x == 0.0 || (1e-4..1e6).contains(&x.abs()) {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let correction = match self.correction {
            Correction::None => "none",
            Correction::Bonferroni => "Bonferroni",
            Correction::BenjaminiHochberg => "Benjamini-Hochberg",
        };
        writeln!(
            f,
            "Drift: {} of {} columns drifted (share {:.3}, dataset drift at >= {}): {}",
            self.n_drifted,
            self.columns.len(),
            self.share_drifted,
            self.drift_share,
            if self.dataset_drift {
                "DRIFT"
            } else {
                "no drift"
            }
        )?;
        writeln!(
            f,
            "reference rows {}, batch rows {}, p-value correction {correction}",
            self.n_reference_rows, self.n_current_rows
        )?;
        let width = self
            .columns
            .iter()
            .map(|c| c.column.len())
            .max()
            .unwrap_or(6)
            .max(6);
        writeln!(
            f,
            "{:<width$}  {:<11}  {:<14}  {:>10}  {:>10}  {:>10}  {:>9}  {:<7}  {:>7}",
            "column",
            "type",
            "method",
            "statistic",
            "p-value",
            "threshold",
            "missing",
            "drift",
            "miss.p"
        )?;
        for c in &self.columns {
            let p = c.adjusted_p_value.or(c.p_value).map_or("-".into(), num);
            writeln!(
                f,
                "{:<width$}  {:<11}  {:<14}  {:>10}  {:>10}  {:>10}  {:>9}  {:<7}  {:>7}{}",
                c.column,
                c.reference_type.name(),
                c.method.map_or("-", Method::name),
                num(c.statistic),
                p,
                num(c.threshold),
                format!("{:.3}", c.missing.current_share),
                if c.drifted { "DRIFT" } else { "ok" },
                num(c.missing.p_value),
                c.note
                    .as_ref()
                    .map_or(String::new(), |n| format!("  ({n})")),
            )?;
        }
        if !self.schema.is_empty() {
            writeln!(f, "schema changes:")?;
            for s in &self.schema {
                match s {
                    SchemaChange::MissingColumn { column, reference } => {
                        writeln!(f, "  missing column `{column}` ({reference})")?
                    }
                    SchemaChange::ExtraColumn { column, current } => {
                        writeln!(f, "  extra column `{column}` ({current}, not tested)")?
                    }
                    SchemaChange::Retyped {
                        column,
                        reference,
                        current,
                    } => writeln!(f, "  column `{column}` retyped: {reference} -> {current}")?,
                    SchemaChange::NewCategories { column, categories } => {
                        let list: Vec<String> = categories
                            .iter()
                            .map(|(c, n)| format!("`{c}` ({n})"))
                            .collect();
                        writeln!(f, "  new categories in `{column}`: {}", list.join(", "))?
                    }
                    SchemaChange::AllMissing {
                        column,
                        in_reference,
                        in_current,
                    } => {
                        let side = match (in_reference, in_current) {
                            (true, true) => "reference and batch",
                            (true, false) => "reference",
                            _ => "batch",
                        };
                        writeln!(f, "  column `{column}` has no value in the {side}")?
                    }
                }
            }
        }
        Ok(())
    }
}
