//! What a backtest is asked: per control, the account's filters and alarm, and the window.

use model::catalog::Control;
use model::cloudwatch::{ComparisonOperator, Statistic, TreatMissingData};
use model::live::RuleState;
use time::OffsetDateTime;

use crate::event::Instant;

/// One control to backtest, with what the account has for it.
#[derive(Debug, Clone)]
pub struct ControlSpec {
    /// The control as the selected benchmark version defines it (its `pattern` is the published
    /// one `apply` writes).
    pub control: Control,
    /// The account's metric filters for the control; empty when it has none.
    pub filters: Vec<BacktestFilter>,
    /// The account's alarm on the filters' metric; `None` to estimate with the alarm trailwatch
    /// would create (`model::desired::AlarmDefaults`).
    pub alarm: Option<BacktestAlarm>,
    /// The account's EventBridge rules for the control; `None` when they were not read.
    pub eventbridge: Option<BacktestRules>,
}

/// The EventBridge rules that may catch a control's events, in one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestRules {
    /// The account's partition (`aws`, `aws-cn`, `aws-us-gov`): where global services' events
    /// arrive.
    pub partition: String,
    /// The rules, in the order reported.
    pub rules: Vec<BacktestRule>,
    /// What could not be read or judged (the region list, a region's rules, a rule's pattern):
    /// the rules' counts may then miss what those would have caught.
    pub unread: Vec<String>,
}

/// One enabled rule of a region's default bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestRule {
    /// The rule's ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Its state.
    pub state: RuleState,
    /// Its event pattern (JSON text).
    pub pattern: String,
}

/// One of the account's metric filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestFilter {
    /// The account that holds its log group: the backtested account, or the one an
    /// organization trail sends its events to.
    pub account_id: String,
    /// Its log group.
    pub log_group: String,
    /// The filter name.
    pub name: String,
    /// The filter pattern.
    pub pattern: String,
    /// The `metricValue` it publishes per match: usually `1`; `$.field` values cannot be
    /// estimated.
    pub metric_value: String,
}

/// The account's alarm, as CloudWatch describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestAlarm {
    /// The account that holds it (the one that holds the filters' log group).
    pub account_id: String,
    /// The alarm name.
    pub name: String,
    /// `Period`, seconds.
    pub period: i32,
    /// `EvaluationPeriods`.
    pub evaluation_periods: i32,
    /// `DatapointsToAlarm` (`EvaluationPeriods` when not set).
    pub datapoints_to_alarm: Option<i32>,
    /// `Threshold`.
    pub threshold: f64,
    /// `ComparisonOperator`.
    pub comparison_operator: ComparisonOperator,
    /// `TreatMissingData` (`missing` when not set).
    pub treat_missing_data: Option<TreatMissingData>,
    /// `Statistic` or `ExtendedStatistic`; `None` for metric math.
    pub statistic: Option<Statistic>,
}

/// The time counted: from `from` (inclusive) to `to` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TallyWindow {
    pub(crate) from: Instant,
    pub(crate) to: Instant,
}

impl TallyWindow {
    /// The window from `from` (inclusive) to `to` (exclusive); `to` must come after `from`.
    pub fn new(from: OffsetDateTime, to: OffsetDateTime) -> Result<TallyWindow, SpecError> {
        if to <= from {
            return Err(SpecError(format!(
                "the window's end ({to}) must come after its start ({from})"
            )));
        }
        Ok(TallyWindow {
            from: Instant::of(from),
            to: Instant::of(to),
        })
    }

    /// True when `at` lies in the window.
    pub(crate) fn contains(&self, at: Instant) -> bool {
        self.from <= at && at < self.to
    }

    /// The first and last instants of the window.
    pub(crate) fn bounds(&self) -> Bounds {
        Bounds {
            first: self.from,
            last: self.to.just_before(),
        }
    }
}

/// The first and last instants of something (both inclusive): a window, or the events seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub first: Instant,
    pub last: Instant,
}

impl Bounds {
    /// The bounds grown to include `other`.
    pub(crate) fn union(self, other: Bounds) -> Bounds {
        Bounds {
            first: self.first.min(other.first),
            last: self.last.max(other.last),
        }
    }

    /// The indexes of the UTC days from the first instant to the last.
    pub(crate) fn days(self) -> Buckets {
        Buckets {
            first: self.first.day(),
            last: self.last.day(),
        }
    }

    /// The indexes of the `seconds`-long buckets from the first instant to the last.
    pub(crate) fn buckets(self, seconds: i64) -> Buckets {
        Buckets {
            first: self.first.bucket(seconds),
            last: self.last.bucket(seconds),
        }
    }
}

/// A run of bucket indexes (days or periods), both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Buckets {
    pub first: i64,
    pub last: i64,
}

impl Buckets {
    /// How many buckets.
    pub(crate) fn len(self) -> u64 {
        u64::try_from(self.last - self.first + 1).unwrap_or(0)
    }
}

/// A backtest that cannot be run as asked: a filter pattern that does not compile, a window
/// that ends before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}
