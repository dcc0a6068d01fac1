//! The report as readable text: a header, the groups, a table of measures with verdicts,
//! and the warnings.

use std::fmt;

use super::FairnessReport;

impl fmt::Display for FairnessReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.params.thresholds;
        writeln!(
            f,
            "Fairness report: {} rows{}, sensitive: {}{}",
            self.n_rows,
            if self.weighted { " (weighted)" } else { "" },
            self.sensitive_columns.join(" x "),
            if self.control_columns.is_empty() {
                String::new()
            } else {
                format!(", within: {}", self.control_columns.join(" x "))
            }
        )?;
        writeln!(
            f,
            "Thresholds: difference <= {}, ratio >= {}{}, score difference <= {}, minimum group size {}",
            t.max_difference,
            t.min_ratio,
            if t.two_sided_disparate_impact {
                " (disparate impact two-sided)"
            } else {
                ""
            },
            t.max_score_difference,
            self.params.min_group_size
        )?;
        writeln!(f)?;
        let name_w = self
            .groups
            .iter()
            .map(|g| g.name.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        writeln!(f, "Groups ({})", self.groups.len())?;
        writeln!(f, "  {:<name_w$}  {:>8}  {:>12}", "group", "rows", "weight")?;
        for g in &self.groups {
            writeln!(
                f,
                "  {:<name_w$}  {:>8}  {:>12.4}{}",
                g.name,
                g.count,
                g.weight,
                if g.too_small {
                    "  (too small to judge)"
                } else {
                    ""
                }
            )?;
        }
        writeln!(f)?;
        let mw = self
            .measures
            .iter()
            .map(|m| m.name.chars().count())
            .max()
            .unwrap_or(7)
            .max(7);
        writeln!(f, "Measures")?;
        // With bootstrap intervals, a column of them after the value.
        let ci_head = self
            .intervals
            .as_ref()
            .map(|i| format!("{}% interval", i.bootstrap.percent()));
        let ci_w = ci_head.as_ref().map_or(0, |h| h.len().max(18));
        let ci_cell = |text: &str| {
            if ci_w == 0 {
                String::new()
            } else {
                format!("  {text:<ci_w$}")
            }
        };
        writeln!(
            f,
            "  {:<mw$}  {:>12}{}  {:<16}  verdict",
            "measure",
            "value",
            ci_cell(ci_head.as_deref().unwrap_or("")),
            "threshold"
        )?;
        for m in &self.measures {
            let value = match m.value.get() {
                Some(v) => format!("{v:.4}"),
                None => "undefined".to_owned(),
            };
            let bar = m
                .threshold
                .map_or_else(|| "-".to_owned(), |b| b.to_string());
            let ci = self
                .intervals
                .as_ref()
                .and_then(|i| i.measure(&m.name))
                .map_or_else(|| "-".to_owned(), |b| b.to_string());
            writeln!(
                f,
                "  {:<mw$}  {:>12}{}  {:<16}  {}",
                m.name,
                value,
                ci_cell(&ci),
                bar,
                m.verdict
            )?;
            if let crate::value::Value::Undefined(u) = &m.value {
                writeln!(
                    f,
                    "  {:<mw$}    why: {}",
                    "",
                    crate::value::Value::Undefined(u.clone())
                )?;
            }
            if !m.excluded_groups.is_empty() {
                writeln!(
                    f,
                    "  {:<mw$}    excluded (undefined): {}",
                    "",
                    m.excluded_groups.join(", ")
                )?;
            }
        }
        let s = &self.summary;
        writeln!(
            f,
            "\nSummary: {} pass, {} fail, {} undefined, {} not judged",
            s.pass, s.fail, s.undefined, s.not_judged
        )?;
        if let Some(p) = &self.privileged {
            writeln!(
                f,
                "Privileged: {} ({} rows); unprivileged: {} ({} rows)",
                p.privileged.description,
                p.privileged.count,
                p.unprivileged.description,
                p.unprivileged.count
            )?;
        }
        if !self.warnings.is_empty() {
            writeln!(f, "\nWarnings")?;
            for w in &self.warnings {
                writeln!(f, "  - {w}")?;
            }
        }
        Ok(())
    }
}
