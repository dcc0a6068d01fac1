//! A toy table and a toy encoder for the frame-mode self-test: the encoder is correct by
//! default, and each `FrameFlaw` breaks one rule the way a real bug would.

use std::sync::atomic::{AtomicU64, Ordering};

use kiln_check::FrameAdapter;
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Result, check};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// One column of a [`ToyFrame`].
#[derive(Debug, Clone, PartialEq)]
pub enum ToyColumn {
    Num(Vec<f64>),
    Cat(Vec<String>),
}

impl ToyColumn {
    fn len(&self) -> usize {
        match self {
            ToyColumn::Num(v) => v.len(),
            ToyColumn::Cat(v) => v.len(),
        }
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct ToyFrame {
    pub columns: Vec<(String, ToyColumn)>,
}

impl ToyFrame {
    /// 30 rows: a colour (3 categories), a size (2 categories) and a number.
    pub fn sample() -> Self {
        let colours = ["red", "green", "blue"];
        let sizes = ["S", "L"];
        let n = 30;
        Self {
            columns: vec![
                (
                    "colour".into(),
                    ToyColumn::Cat((0..n).map(|i| colours[i % 3].to_owned()).collect()),
                ),
                (
                    "size".into(),
                    ToyColumn::Cat((0..n).map(|i| sizes[(i / 2) % 2].to_owned()).collect()),
                ),
                (
                    "weight".into(),
                    ToyColumn::Num((0..n).map(|i| i as f64 * 0.5).collect()),
                ),
            ],
        }
    }

    fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    fn get(&self, name: &str) -> Option<&ToyColumn> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    fn position(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| Error::InvalidValue {
                what: format!("column `{name}`"),
                row: None,
                reason: "no such column".into(),
            })
    }
}

/// One broken rule each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameFlaw {
    /// A missing column's error does not say which column.
    VagueMissingColumn,
    /// A column of the wrong type is read anyway (as zeros).
    NoTypeCheck,
    /// An unseen category is silently encoded as 0.
    UnseenAsZero,
    /// Codes are positions among the categories of the frame being transformed.
    BatchCodes,
    /// One more name than output columns.
    ExtraName,
    /// The code offset is not saved.
    UnsavedOffset,
    /// Reads row 0 unconditionally.
    PanicsOnEmpty,
    /// Hidden global state changes each fit.
    GlobalState,
}

static FITS: AtomicU64 = AtomicU64::new(0);

/// Encodes each categorical column as the code of its category (sorted) plus `offset`, and
/// passes numeric columns through. With `accept_unseen`, an unseen category gets code -1.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Codes {
    pub offset: f64,
    pub accept_unseen: bool,
    pub flaw: Option<FrameFlaw>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FittedCodes {
    params: Codes,
    input: Vec<String>,
    /// The sorted categories of each categorical input column; `None` for a numeric one.
    categories: Vec<Option<Vec<String>>>,
    #[serde(skip)]
    unsaved_offset: f64,
    drift: f64,
}

impl Codes {
    fn has(&self, f: FrameFlaw) -> bool {
        self.flaw == Some(f)
    }

    pub fn fit(&self, frame: &ToyFrame, columns: &[&str]) -> Result<FittedCodes> {
        check::check_param(
            "Codes",
            "offset",
            self.offset,
            self.offset.is_finite(),
            "finite",
        )?;
        if frame.n_rows() == 0 && !self.has(FrameFlaw::PanicsOnEmpty) {
            return Err(Error::EmptyInput {
                what: "the frame given to Codes".into(),
                reason: "0 rows".into(),
            });
        }
        let mut categories = Vec::new();
        for &name in columns {
            let col = &frame.columns[frame.position(name)?].1;
            categories.push(match col {
                ToyColumn::Num(_) => None,
                ToyColumn::Cat(v) => {
                    let mut c = v.clone();
                    c.sort();
                    c.dedup();
                    Some(c)
                }
            });
        }
        let drift = if self.has(FrameFlaw::GlobalState) {
            FITS.fetch_add(1, Ordering::Relaxed) as f64
        } else {
            0.0
        };
        Ok(FittedCodes {
            params: self.clone(),
            input: columns.iter().map(|c| (*c).to_owned()).collect(),
            categories,
            unsaved_offset: self.offset,
            drift,
        })
    }
}

impl FittedCodes {
    fn offset(&self) -> f64 {
        if self.params.has(FrameFlaw::UnsavedOffset) {
            self.unsaved_offset
        } else {
            self.params.offset
        }
    }

    pub fn transform(&self, frame: &ToyFrame) -> Result<Array2<f64>> {
        let p = &self.params;
        let n = frame.n_rows();
        if p.has(FrameFlaw::PanicsOnEmpty)
            && let Some(ToyColumn::Num(v)) = frame.get("weight")
        {
            // Looks at the first row without asking whether there is one.
            let _first = v[0];
        }
        let mut out = Array2::zeros((n, self.input.len()));
        for (j, (name, cats)) in self.input.iter().zip(&self.categories).enumerate() {
            let Some(col) = frame.get(name) else {
                return Err(Error::InvalidValue {
                    what: if p.has(FrameFlaw::VagueMissingColumn) {
                        "a column".into()
                    } else {
                        format!("column `{name}`")
                    },
                    row: None,
                    reason: "is absent".into(),
                });
            };
            match (cats, col) {
                (None, ToyColumn::Num(v)) => {
                    for (i, &x) in v.iter().enumerate() {
                        out[[i, j]] = x;
                    }
                }
                (Some(cats), ToyColumn::Cat(v)) => {
                    let batch: Vec<String> = if p.has(FrameFlaw::BatchCodes) {
                        let mut b = v.clone();
                        b.sort();
                        b.dedup();
                        b
                    } else {
                        cats.clone()
                    };
                    for (i, s) in v.iter().enumerate() {
                        out[[i, j]] = match batch.binary_search(s) {
                            Ok(k) => k as f64 + self.offset() + self.drift,
                            Err(_) if p.accept_unseen || p.has(FrameFlaw::UnseenAsZero) => {
                                if p.accept_unseen { -1.0 } else { 0.0 }
                            }
                            Err(_) => {
                                return Err(Error::UnknownLabel {
                                    what: format!("column `{name}`"),
                                    label: s.clone(),
                                    row: Some(i),
                                    known: cats.join(", "),
                                });
                            }
                        };
                    }
                }
                _ if p.has(FrameFlaw::NoTypeCheck) => {}
                _ => {
                    return Err(Error::InvalidValue {
                        what: format!("column `{name}`"),
                        row: None,
                        reason: "has the wrong type".into(),
                    });
                }
            }
        }
        Ok(out)
    }

    pub fn names_out(&self) -> Vec<String> {
        let mut names: Vec<String> = self.input.iter().map(|n| format!("code_{n}")).collect();
        if self.params.has(FrameFlaw::ExtraName) {
            names.push("extra".into());
        }
        names
    }
}

impl Persist for FittedCodes {
    const KIND: &'static str = "kiln_check_selftest::Codes";
    type Params = Codes;
    fn params(&self) -> &Codes {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.input.clone())
    }
}

/// Tells the suite how to use a [`ToyFrame`].
pub struct ToyAdapter;

impl FrameAdapter<FittedCodes> for ToyAdapter {
    type Frame = ToyFrame;

    fn n_rows(&self, frame: &ToyFrame) -> usize {
        frame.n_rows()
    }

    fn take_rows(&self, frame: &ToyFrame, rows: &[usize]) -> Result<ToyFrame> {
        let pick = |c: &ToyColumn| match c {
            ToyColumn::Num(v) => ToyColumn::Num(rows.iter().map(|&r| v[r]).collect()),
            ToyColumn::Cat(v) => ToyColumn::Cat(rows.iter().map(|&r| v[r].clone()).collect()),
        };
        Ok(ToyFrame {
            columns: frame
                .columns
                .iter()
                .map(|(n, c)| (n.clone(), pick(c)))
                .collect(),
        })
    }

    fn drop_column(&self, frame: &ToyFrame, name: &str) -> Result<ToyFrame> {
        let mut f = frame.clone();
        f.columns.remove(frame.position(name)?);
        Ok(f)
    }

    fn retype_column(&self, frame: &ToyFrame, name: &str) -> Result<ToyFrame> {
        let mut f = frame.clone();
        let col = &mut f.columns[frame.position(name)?].1;
        *col = match col {
            ToyColumn::Num(v) => ToyColumn::Cat(vec!["x".into(); v.len()]),
            ToyColumn::Cat(v) => ToyColumn::Num(vec![0.0; v.len()]),
        };
        Ok(f)
    }

    fn with_unseen_category(
        &self,
        frame: &ToyFrame,
        name: &str,
        row: usize,
    ) -> Result<Option<ToyFrame>> {
        let mut f = frame.clone();
        match &mut f.columns[frame.position(name)?].1 {
            ToyColumn::Num(_) => Ok(None),
            ToyColumn::Cat(v) => {
                v[row] = "never seen".into();
                Ok(Some(f))
            }
        }
    }

    fn input_columns(&self, model: &FittedCodes) -> Vec<String> {
        model.input.clone()
    }

    fn transform(&self, model: &FittedCodes, frame: &ToyFrame) -> Result<Array2<f64>> {
        model.transform(frame)
    }

    fn feature_names_out(&self, model: &FittedCodes) -> Vec<String> {
        model.names_out()
    }
}
