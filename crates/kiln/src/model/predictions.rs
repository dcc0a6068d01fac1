//! [`Predictions`]: what a [`Model`](super::Model) says about each row.

use kiln_prep::{Categorical, Column};
use ndarray::{Array1, Array2};

use crate::problem::Task;

/// A model's output for each row: classes with probabilities, values, or clusters with the
/// distances to each centre.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    task: Task,
    indices: Option<Array1<usize>>,
    values: Option<Array1<f64>>,
    proba: Option<Array2<f64>>,
    distances: Option<Array2<f64>>,
    class_names: Vec<String>,
}

impl Predictions {
    pub(crate) fn classification(
        indices: Array1<usize>,
        proba: Array2<f64>,
        names: Vec<String>,
    ) -> Self {
        Self {
            task: Task::Classification,
            indices: Some(indices),
            values: None,
            proba: Some(proba),
            distances: None,
            class_names: names,
        }
    }

    pub(crate) fn regression(values: Array1<f64>) -> Self {
        Self {
            task: Task::Regression,
            indices: None,
            values: Some(values),
            proba: None,
            distances: None,
            class_names: Vec::new(),
        }
    }

    pub(crate) fn clusters(labels: Array1<usize>, distances: Array2<f64>) -> Self {
        Self {
            task: Task::Clustering,
            indices: Some(labels),
            values: None,
            proba: None,
            distances: Some(distances),
            class_names: Vec::new(),
        }
    }

    /// The task.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.indices
            .as_ref()
            .map(Array1::len)
            .or(self.values.as_ref().map(Array1::len))
            .unwrap_or(0)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Class indices (classification) or cluster numbers (clustering).
    pub fn indices(&self) -> Option<&Array1<usize>> {
        self.indices.as_ref()
    }

    /// Predicted values (regression).
    pub fn values(&self) -> Option<&Array1<f64>> {
        self.values.as_ref()
    }

    /// Class probabilities, one column per class (classification).
    pub fn proba(&self) -> Option<&Array2<f64>> {
        self.proba.as_ref()
    }

    /// Distances to each cluster centre (clustering).
    pub fn distances(&self) -> Option<&Array2<f64>> {
        self.distances.as_ref()
    }

    /// The class names (classification).
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Row `i`'s prediction as text: the class name, the value, or the cluster number
    /// (empty past the last row).
    pub fn label(&self, i: usize) -> String {
        match (self.task, &self.indices, &self.values) {
            (Task::Classification, Some(ix), _) => ix
                .get(i)
                .and_then(|&c| self.class_names.get(c))
                .cloned()
                .unwrap_or_default(),
            (Task::Clustering, Some(ix), _) => ix.get(i).map(|c| c.to_string()).unwrap_or_default(),
            (_, _, Some(v)) => v.get(i).map(|x| x.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The predictions as frame columns: `prediction`, then `proba_<class>` per class
    /// (classification) or `distance_<k>` per centre (clustering).
    pub fn to_columns(&self) -> Vec<(String, Column)> {
        let mut out = Vec::new();
        match self.task {
            Task::Classification => {
                let labels: Vec<Option<String>> =
                    (0..self.len()).map(|i| Some(self.label(i))).collect();
                out.push((
                    "prediction".to_string(),
                    Column::Categorical(Categorical::from_values(&labels)),
                ));
                if let Some(p) = &self.proba {
                    for (j, name) in self.class_names.iter().enumerate() {
                        out.push((format!("proba_{name}"), Column::Float(p.column(j).to_vec())));
                    }
                }
            }
            Task::Regression => {
                if let Some(v) = &self.values {
                    out.push(("prediction".to_string(), Column::Float(v.to_vec())));
                }
            }
            Task::Clustering => {
                if let Some(ix) = &self.indices {
                    out.push((
                        "prediction".to_string(),
                        Column::Int(ix.iter().map(|&c| c as f64).collect()),
                    ));
                }
                if let Some(d) = &self.distances {
                    for j in 0..d.ncols() {
                        out.push((format!("distance_{j}"), Column::Float(d.column(j).to_vec())));
                    }
                }
            }
        }
        out
    }
}
