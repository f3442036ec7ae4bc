//! The one progress-callback type of the workspace.
//!
//! Libraries do not print: a routine that runs long (an SMO solve, GP
//! optimiser restarts, a Bayesian-optimisation campaign, training epochs)
//! takes a `&mut dyn FnMut(&Progress<'_>)` and reports through it. Examples and
//! the command line turn the reports into progress bars.
//!
//! ```
//! use voltai_core::progress::{Progress, ProgressFn};
//!
//! fn long_routine(progress: &mut ProgressFn<'_>) {
//!     for step in 1..=3 {
//!         progress(&Progress::new("demo", step).total(3).value("loss", 1.0 / step as f64));
//!     }
//! }
//! let mut seen = Vec::new();
//! long_routine(&mut |p| seen.push((p.step, p.get("loss"))));
//! assert_eq!(seen, vec![(1, Some(1.0)), (2, Some(0.5)), (3, Some(1.0 / 3.0))]);
//! ```

/// One report from a long-running routine.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress<'a> {
    /// What is running, e.g. `"smo"`, `"gp restarts"`, `"bo"`, `"epoch"`.
    pub task: &'static str,
    /// Steps done so far (1-based once the first step has finished).
    pub step: usize,
    /// Total number of steps, where known in advance.
    pub total: Option<usize>,
    /// Named figures of the current state (e.g. `("loss", 0.12)`), in a
    /// fixed order per task.
    pub values: Vec<(&'static str, f64)>,
    /// A free-form label for the step (e.g. the class pair of a one-vs-one
    /// SVM), where the task has one.
    pub label: Option<&'a str>,
}

impl<'a> Progress<'a> {
    /// A report of `step` steps done in `task`, without figures.
    pub fn new(task: &'static str, step: usize) -> Self {
        Progress {
            task,
            step,
            total: None,
            values: Vec::new(),
            label: None,
        }
    }

    /// Sets the known total number of steps.
    pub fn total(mut self, total: usize) -> Self {
        self.total = Some(total);
        self
    }

    /// Adds a named figure.
    pub fn value(mut self, name: &'static str, value: f64) -> Self {
        self.values.push((name, value));
        self
    }

    /// Sets the step's label.
    pub fn label(mut self, label: &'a str) -> Self {
        self.label = Some(label);
        self
    }

    /// The figure called `name`, if reported.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| *n == name).map(|p| p.1)
    }
}

/// The callback type every long-running routine takes.
pub type ProgressFn<'a> = dyn FnMut(&Progress<'_>) + 'a;

/// A callback that ignores every report, for callers that want none.
pub fn silent(_: &Progress<'_>) {}
