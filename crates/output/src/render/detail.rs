//! How much the human text shows: `--detail` or the summary.

/// How much of each control the plan (and a backtest) shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// One line per control with only its own findings; a finding several controls share is
    /// shown once, naming them, and compliant controls' chains are left out. A backtest groups
    /// quiet days, then weeks, so that each control fits on a screen, and lists 5 missed events.
    #[default]
    Summary,
    /// Every finding under every control, and each compliant control's chain; a backtest's
    /// every day and every missed event it kept.
    Full,
}
