//! HTML pieces: escaping, figures with captions, tables, sparklines and the page shell.

use std::fmt::Write as _;

use crate::chart::Chart;

/// Escapes `s` for HTML text and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A chart with its title and a caption saying what to look at.
pub fn figure(title: &str, chart: &Chart, caption: &str) -> String {
    format!(
        "<figure class=\"chart-figure\"><div class=\"chart-title\">{}</div>{}<figcaption>{}</figcaption></figure>\n",
        escape(title),
        chart.svg,
        escape(caption)
    )
}

/// A table with a header row; cells are HTML already (escape text before).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<div class=\"table-wrap\"><table><thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>\n");
    s
}

/// A verdict badge: `good` green, `bad` red, anything else grey.
pub fn badge(text: &str, tone: Tone) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        tone.class(),
        escape(text)
    )
}

/// How a finding reads: good news, bad news, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Meets its bar.
    Good,
    /// Misses its bar.
    Bad,
    /// Not judged.
    Neutral,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Neutral => "neutral",
        }
    }
}

/// A tiny bar chart of `counts` (a distribution at a glance), `width` × 28 pixels.
pub fn sparkline(counts: &[f64], width: u32, title: &str) -> String {
    let top = counts.iter().fold(0.0_f64, |m, v| m.max(*v));
    let n = counts.len().max(1);
    let w = f64::from(width) / n as f64;
    let mut s = format!(
        "<svg class=\"spark\" role=\"img\" width=\"{width}\" height=\"28\" viewBox=\"0 0 {width} 28\"><title>{}</title>",
        escape(title)
    );
    for (i, c) in counts.iter().enumerate() {
        let h = if top > 0.0 { 26.0 * c / top } else { 0.0 };
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            i as f64 * w + 0.5,
            28.0 - h,
            (w - 1.0).max(0.5),
            h
        );
    }
    s.push_str("</svg>");
    s
}

/// One section of the page.
#[derive(Debug, Clone)]
pub struct Section {
    /// The anchor (`id`), unique in the page.
    pub id: String,
    /// The heading.
    pub title: String,
    /// A one-line finding for the verdict box, if the section judges something.
    pub finding: Option<(Tone, String)>,
    /// The body (HTML).
    pub body: String,
}

/// The whole page: title, problem statement, verdict box, contents, sections.
pub fn page(
    title: &str,
    subtitle: &[String],
    problem: Option<&str>,
    verdict: Option<(Tone, String)>,
    sections: &[Section],
) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body><main>\n<header><h1>{}</h1>",
        escape(title),
        escape(title)
    );
    for line in subtitle {
        let _ = write!(s, "<p class=\"meta\">{}</p>", escape(line));
    }
    s.push_str("</header>\n");
    if let Some(p) = problem {
        s.push_str("<section class=\"problem\"><h2>The problem</h2><ul>");
        for line in p.lines().filter(|l| !l.trim().is_empty()) {
            let _ = write!(s, "<li>{}</li>", escape(line.trim()));
        }
        s.push_str("</ul></section>\n");
    }
    let findings: Vec<&(Tone, String)> =
        sections.iter().filter_map(|x| x.finding.as_ref()).collect();
    if verdict.is_some() || !findings.is_empty() {
        let tone = verdict.as_ref().map_or_else(
            || {
                if findings.iter().any(|f| f.0 == Tone::Bad) {
                    Tone::Bad
                } else {
                    Tone::Neutral
                }
            },
            |v| v.0,
        );
        let _ = write!(
            s,
            "<section class=\"verdict {}\" id=\"verdict\"><h2>Verdict</h2>",
            tone.class()
        );
        if let Some((t, text)) = &verdict {
            let _ = write!(
                s,
                "<p class=\"headline\">{} {}</p>",
                badge(
                    match t {
                        Tone::Good => "PASS",
                        Tone::Bad => "FAIL",
                        Tone::Neutral => "NOTE",
                    },
                    *t
                ),
                escape(text)
            );
        }
        if !findings.is_empty() {
            s.push_str("<ul>");
            for (t, text) in findings {
                let mark = match t {
                    Tone::Good => "ok",
                    Tone::Bad => "attention",
                    Tone::Neutral => "note",
                };
                let _ = write!(s, "<li>{} {}</li>", badge(mark, *t), escape(text));
            }
            s.push_str("</ul>");
        }
        s.push_str("</section>\n");
    }
    if !sections.is_empty() {
        s.push_str("<nav class=\"toc\"><h2>Contents</h2><ol>");
        for x in sections {
            let _ = write!(
                s,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(&x.id),
                escape(&x.title)
            );
        }
        s.push_str("</ol></nav>\n");
    }
    for x in sections {
        let _ = write!(
            s,
            "<section class=\"part\" id=\"{}\"><h2>{}</h2>\n{}</section>\n",
            escape(&x.id),
            escape(&x.title),
            x.body
        );
    }
    s.push_str("<footer>Made by kiln-report: one self-contained file, no scripts, no network.</footer>\n</main></body></html>\n");
    s
}

const CSS: &str = "\
:root{--ink:#111827;--muted:#4b5563;--line:#e5e7eb;--bg:#f8fafc;--good:#15803d;--bad:#b91c1c;--card:#fff}\
*{box-sizing:border-box}\
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}\
h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:0 0 12px}h3{font-size:16px;margin:18px 0 8px}\
.meta{color:var(--muted);margin:0}\
header{margin-bottom:18px}\
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:16px 0}\
.problem ul{margin:0;padding-left:20px}\
.verdict{border-left:6px solid #9ca3af}.verdict.good{border-left-color:var(--good)}.verdict.bad{border-left-color:var(--bad)}\
.verdict ul{list-style:none;padding:0;margin:8px 0 0}.verdict li{margin:4px 0}\
.headline{font-size:17px;font-weight:600;margin:0}\
.badge{display:inline-block;min-width:64px;text-align:center;font-size:12px;font-weight:700;letter-spacing:.03em;text-transform:uppercase;border-radius:4px;padding:1px 6px;margin-right:6px;border:1px solid}\
.badge.good{color:var(--good);border-color:var(--good);background:#f0fdf4}\
.badge.bad{color:#fff;border-color:var(--bad);background:var(--bad)}\
.badge.neutral{color:var(--muted);border-color:#9ca3af;background:#f9fafb}\
.toc ol{columns:2;margin:0;padding-left:22px}.toc a{color:#1d4ed8;text-decoration:none}.toc a:hover{text-decoration:underline}\
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:18px;align-items:start}\
figure{margin:0 0 8px}\
.chart-title{font-weight:600;margin-bottom:4px}\
svg.chart{max-width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px}\
figcaption{color:var(--muted);font-size:13.5px;margin-top:6px;max-width:72ch}\
.table-wrap{overflow-x:auto}\
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 10px}\
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:middle}\
th{background:#f3f4f6;font-weight:600}\
td.num{text-align:right;font-variant-numeric:tabular-nums}\
svg.spark{display:block}svg.spark rect{fill:#60a5fa}\
tr.bad td{background:#fef2f2}\
.note{color:var(--muted);font-size:14px}\
footer{color:var(--muted);font-size:13px;text-align:center;margin-top:24px}\
@media (max-width:700px){main{padding:12px}.grid{grid-template-columns:1fr}.toc ol{columns:1}}\
@media print{body{background:#fff;color:#000;font-size:10pt}main{max-width:none;padding:0}\
section{border:1px solid #999;border-radius:0;padding:10px 12px;margin:10px 0;break-inside:auto;box-shadow:none}\
figure,tr,.verdict{break-inside:avoid;page-break-inside:avoid}\
h1,h2,h3,.chart-title{break-after:avoid;page-break-after:avoid}.toc a{color:#000}\
.badge.bad{color:#000;background:#fff;border-width:2px}figcaption,.meta,.note{color:#000}\
figcaption{font-size:8.5pt;max-width:none}\
.grid{display:grid;grid-template-columns:1fr 1fr;gap:10px}\
.table-wrap{overflow:visible}table{font-size:8.5pt}th,td{padding:2px 5px;overflow-wrap:break-word}.badge{white-space:nowrap;min-width:0}}";
