//! Text and Graphviz renderings of a fitted tree (scikit-learn's `export_text` and
//! `export_graphviz` layouts).

use std::fmt::Write;

use super::nodes::Tree;

/// Options of [`export_text`](super::FittedDecisionTreeClassifier::export_text) and
/// [`export_graphviz`](super::FittedDecisionTreeClassifier::export_graphviz).
///
/// # Parameters
/// - `feature_names` (default `None`): names for the features; `None` prints `feature_j`
///   (text) or `x[j]` (DOT), as scikit-learn.
/// - `class_names` (default `None`): names for the classes, in the order of `classes()`;
///   `None` prints the class indices.
/// - `decimals` (default `2`): digits after the point for thresholds and values.
/// - `max_depth` (default `None`): deeper nodes are summarised as `truncated branch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// Names for the features. By default, `None`.
    pub feature_names: Option<Vec<String>>,
    /// Names for the classes. By default, `None`.
    pub class_names: Option<Vec<String>>,
    /// Digits after the point. By default, `2`.
    pub decimals: usize,
    /// The deepest level printed. By default, `None` (everything).
    pub max_depth: Option<usize>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            feature_names: None,
            class_names: None,
            decimals: 2,
            max_depth: None,
        }
    }
}

impl ExportOptions {
    /// Sets `feature_names` (by default, `None`).
    #[must_use]
    pub fn with_feature_names(mut self, names: Vec<String>) -> Self {
        self.feature_names = Some(names);
        self
    }

    /// Sets `class_names` (by default, `None`).
    #[must_use]
    pub fn with_class_names(mut self, names: Vec<String>) -> Self {
        self.class_names = Some(names);
        self
    }

    /// Sets `decimals` (by default, `2`).
    #[must_use]
    pub fn with_decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals;
        self
    }

    /// Sets `max_depth` (by default, `None`).
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = Some(max_depth);
        self
    }

    fn feature(&self, j: usize, dot: bool) -> String {
        match self.feature_names.as_ref().and_then(|n| n.get(j)) {
            Some(name) => name.clone(),
            None if dot => format!("x[{j}]"),
            None => format!("feature_{j}"),
        }
    }
}

/// What a leaf (or node) predicts, for the renderings.
pub(crate) enum Leaf<'a> {
    /// A classifier: its class indices.
    Classes(&'a [usize]),
    /// A regressor.
    Value,
}

impl Leaf<'_> {
    fn text(&self, value: &[f64], opts: &ExportOptions) -> String {
        let d = opts.decimals;
        match self {
            Leaf::Classes(classes) => {
                // Arg-max with ties to the lowest class, as predict.
                let mut best = 0;
                for (k, &v) in value.iter().enumerate() {
                    if v > value[best] {
                        best = k;
                    }
                }
                let name = opts
                    .class_names
                    .as_ref()
                    .and_then(|n| n.get(best).cloned())
                    .unwrap_or_else(|| classes.get(best).copied().unwrap_or(best).to_string());
                format!("class: {name}")
            }
            Leaf::Value => format!(
                "value: [{:.d$}]",
                value.first().copied().unwrap_or(f64::NAN)
            ),
        }
    }
}

/// The decision rules as indented text, as scikit-learn's `export_text`.
pub(crate) fn text(tree: &Tree, opts: &ExportOptions, leaf: &Leaf<'_>) -> String {
    enum Ev {
        Node(usize, usize),
        Line(String),
    }
    let mut out = String::new();
    if tree.nodes.is_empty() {
        return out;
    }
    let d = opts.decimals;
    let mut stack = vec![Ev::Node(0, 0)];
    while let Some(ev) = stack.pop() {
        let (i, depth) = match ev {
            Ev::Line(line) => {
                out.push_str(&line);
                continue;
            }
            Ev::Node(i, depth) => (i, depth),
        };
        let indent = "|   ".repeat(depth);
        let node = &tree.nodes[i];
        if node.is_leaf() {
            let v = tree.value(i).unwrap_or(&[]);
            let _ = writeln!(out, "{indent}|--- {}", leaf.text(v, opts));
            continue;
        }
        if opts.max_depth.is_some_and(|m| depth > m) {
            let _ = writeln!(
                out,
                "{indent}|--- truncated branch of depth {}",
                subtree_depth(tree, i)
            );
            continue;
        }
        let name = opts.feature(node.feature as usize, false);
        let t = node.threshold;
        let _ = writeln!(out, "{indent}|--- {name} <= {t:.d$}");
        // Popped in reverse: the left subtree, then the `>` line, then the right subtree.
        stack.push(Ev::Node(node.right as usize, depth + 1));
        stack.push(Ev::Line(format!("{indent}|--- {name} >  {t:.d$}\n")));
        stack.push(Ev::Node(node.left as usize, depth + 1));
    }
    out
}

/// The tree in Graphviz DOT, as scikit-learn's `export_graphviz` (without colours): one box
/// per node with its split, impurity, sample count and value; edges from the root are
/// labelled True (left, `<=`) and False.
pub(crate) fn dot(tree: &Tree, opts: &ExportOptions, leaf: &Leaf<'_>, criterion: &str) -> String {
    let d = opts.decimals;
    let mut out = String::from(
        "digraph Tree {\nnode [shape=box, fontname=\"helvetica\"] ;\nedge [fontname=\"helvetica\"] ;\n",
    );
    for (i, node) in tree.nodes.iter().enumerate() {
        let mut label = String::new();
        if !node.is_leaf() {
            let name = escape(&opts.feature(node.feature as usize, true));
            let _ = write!(label, "{name} <= {:.d$}\\n", node.threshold);
            let side = if node.missing_left { "left" } else { "right" };
            let _ = write!(label, "missing = {side}\\n");
        }
        let _ = write!(label, "{criterion} = {:.d$}\\n", node.impurity);
        let _ = write!(label, "samples = {}\\n", node.n_samples);
        let v = tree.value(i).unwrap_or(&[]);
        let values: Vec<String> = v.iter().map(|x| format!("{x:.d$}")).collect();
        let _ = write!(label, "value = [{}]", values.join(", "));
        if let Leaf::Classes(_) = leaf {
            let _ = write!(
                label,
                "\\n{}",
                escape(&leaf.text(v, opts)).replace("class: ", "class = ")
            );
        }
        let _ = writeln!(out, "{i} [label=\"{label}\"] ;");
        if !node.is_leaf() {
            let (l, r) = (node.left, node.right);
            if i == 0 {
                let _ = writeln!(
                    out,
                    "{i} -> {l} [labeldistance=2.5, labelangle=45, headlabel=\"True\"] ;"
                );
                let _ = writeln!(
                    out,
                    "{i} -> {r} [labeldistance=2.5, labelangle=-45, headlabel=\"False\"] ;"
                );
            } else {
                let _ = writeln!(out, "{i} -> {l} ;");
                let _ = writeln!(out, "{i} -> {r} ;");
            }
        }
    }
    out.push_str("}\n");
    out
}

/// Escapes a name for a double-quoted DOT string.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn subtree_depth(tree: &Tree, i: usize) -> usize {
    let mut best = 0;
    let mut stack = vec![(i, 0usize)];
    while let Some((j, d)) = stack.pop() {
        best = best.max(d);
        if let Some((l, r)) = tree.children(j) {
            stack.push((l, d + 1));
            stack.push((r, d + 1));
        }
    }
    best
}
