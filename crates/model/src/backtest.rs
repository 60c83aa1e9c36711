//! The result of a backtest (`trailwatch backtest`): per control, how often the published pattern
//! and the account's filters matched CloudTrail history, and how often the control's alarm
//! would have notified. Plain data, computed by the `backtest` crate: days are `YYYY-MM-DD`
//! strings and times RFC 3339 strings, both in UTC.

use crate::cloudwatch::{ComparisonOperator, StandardStatistic, TreatMissingData};
use serde::{Deserialize, Serialize};

/// A whole backtest: the events read and one result per selected control, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// The window asked for, if any: events outside it were read but not counted.
    pub window: Option<Window>,
    /// The first and last `eventTime` of the events counted, when any had one.
    pub span: Option<Span>,
    /// Every event read, in the window or not, duplicates included.
    pub events: u64,
    /// Events read again: the same `recipientAccountId` and `eventID` as an event read before
    /// (a record delivered in more than one log file, or folders that overlap). Counted nowhere
    /// else.
    pub duplicates: u64,
    /// Events read whose `eventTime` lies outside the window: counted nowhere else.
    pub outside_window: u64,
    /// Counted events without a readable `eventTime`: in the totals, in no day or period.
    pub undated: u64,
    /// One result per control.
    pub controls: Vec<ControlBacktest>,
}

/// A window of time: from `from` (inclusive) to `to` (exclusive), RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The first instant counted.
    pub from: String,
    /// The first instant no longer counted.
    pub to: String,
}

/// The first and last event times seen (both inclusive), RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The earliest `eventTime`.
    pub first: String,
    /// The latest `eventTime`.
    pub last: String,
}

/// What one control's patterns did with the events, and what its alarm would have done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlBacktest {
    /// The control's slug.
    pub control: String,
    /// The control's title.
    pub title: String,
    /// The published pattern first, then each of the account's filters in the order given.
    pub patterns: Vec<PatternMatches>,
    /// Which patterns feed the alarm (and the top lists below).
    pub alarmed: Alarmed,
    /// The event names the alarmed patterns matched most (at most 10; most first, ties by name).
    pub top_event_names: Vec<Count>,
    /// The principals whose events the alarmed patterns matched most (at most 10, as above):
    /// `userIdentity.arn`, else `principalId`, else `invokedBy`, else `type`, else `unknown`.
    pub top_principals: Vec<Count>,
    /// Events the published pattern matched and none of the account's filters did; `None` when
    /// the account has no filter for the control.
    pub missed: Option<Missed>,
    /// The alarm's estimated behaviour.
    pub alarm: AlarmEstimate,
    /// What the account's EventBridge rules did with the same events; `None` when the rules
    /// were not read (every control compliant by its filters, `--published-only`, or the
    /// read failed).
    #[serde(default)]
    pub eventbridge: Option<RulesBacktest>,
}

/// What the account's EventBridge rules for a control caught.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesBacktest {
    /// The enabled rules of the default buses that catch at least one of the control's events
    /// as the planner judges them (its corpus, in the rule's region and state), in the order
    /// read.
    pub rules: Vec<RuleMatches>,
    /// Events the published pattern matched and no rule caught (every one when there is no
    /// rule).
    pub missed: Missed,
    /// What could not be read or judged (the region list, a region's rules, a rule's pattern):
    /// trailwatch cannot tell what those would have caught.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

/// How many events one EventBridge rule caught, in total and per day: CloudTrail records
/// arriving on its region's default bus (a global service's in the partition's home region,
/// any other in its own `awsRegion`), seen by its state, matched by its pattern in their
/// EventBridge envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMatches {
    /// The rule's ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Its state, as EventBridge writes it.
    pub state: String,
    /// Its event pattern (JSON text).
    pub pattern: String,
    /// Events caught (dated in the window, or undated).
    pub matched: u64,
    /// Of those, the events without a readable `eventTime`.
    pub undated: u64,
    /// Matches per UTC day, as for [`PatternMatches::days`].
    pub days: Vec<DayCount>,
}

/// Which patterns the alarm counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alarmed {
    /// The account's filters: an event counts when at least one of them matches it.
    AccountFilters,
    /// The published pattern (the account has no filter for the control).
    Published,
}

/// How many events one pattern matched, in total and per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternMatches {
    /// Where the pattern comes from.
    pub source: PatternSource,
    /// The pattern text.
    pub pattern: String,
    /// Events matched (dated in the window, or undated).
    pub matched: u64,
    /// Of those, the events without a readable `eventTime` (in no day).
    pub undated: u64,
    /// Matches per UTC day, every day of the window (or of the span of the events when no
    /// window was given), in order, days without a match included.
    pub days: Vec<DayCount>,
}

/// Where a pattern comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PatternSource {
    /// The benchmark's published pattern (the one `apply` writes).
    Published,
    /// One of the account's metric filters.
    Filter {
        /// The filter name.
        name: String,
        /// Its log group.
        log_group: String,
        /// The account that holds the log group: the backtested account, or the one its
        /// organization trail sends to.
        account_id: String,
    },
}

/// Events on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// Events matched that day.
    pub events: u64,
}

/// Events counted under one name (an event name or a principal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// The name.
    pub name: String,
    /// Events counted.
    pub events: u64,
}

/// The events the account's filters miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missed {
    /// How many there were.
    pub events: u64,
    /// The first 20 by `eventTime` then `eventID` (undated ones last).
    pub first: Vec<MissedEvent>,
}

/// One event the account's filters miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedEvent {
    /// `eventID`, when the event has one.
    pub event_id: Option<String>,
    /// `eventName`, when the event has one.
    pub event_name: Option<String>,
    /// `eventTime` (RFC 3339, UTC), when readable.
    pub event_time: Option<String>,
    /// The principal, as in [`ControlBacktest::top_principals`].
    pub principal: String,
}

/// What the control's alarm would have done over the window (or the span of the events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmEstimate {
    /// The account's alarm, or the one trailwatch would create.
    pub source: AlarmSource,
    /// The settings evaluated.
    pub settings: AlarmSettings,
    /// Periods evaluated: the window's, or those from the first event to the last.
    pub periods: u64,
    /// What the alarm would have done, or why that cannot be told.
    pub outcome: AlarmOutcome,
}

/// Which alarm is estimated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AlarmSource {
    /// The account's alarm on the control's metric.
    Account {
        /// The alarm name.
        name: String,
        /// The account that holds it.
        account_id: String,
    },
    /// The account has none: the alarm trailwatch would create (CIS defaults).
    TrailwatchDefault,
}

/// An alarm's settings as evaluated (defaults filled in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmSettings {
    /// `Statistic`; `None` for an extended statistic or metric math.
    pub statistic: Option<StandardStatistic>,
    /// `Period`, seconds.
    pub period: i32,
    /// `EvaluationPeriods`.
    pub evaluation_periods: i32,
    /// `DatapointsToAlarm` (`EvaluationPeriods` when the alarm does not set it).
    pub datapoints_to_alarm: i32,
    /// `Threshold`.
    pub threshold: f64,
    /// `ComparisonOperator`.
    pub comparison_operator: ComparisonOperator,
    /// `TreatMissingData` (`missing` when the alarm does not set it).
    pub treat_missing_data: TreatMissingData,
}

/// What the alarm would have done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AlarmOutcome {
    /// Estimated from the matches per period.
    Estimated {
        /// Periods evaluated as breaching (missing ones too when missing data is `breaching`).
        breaching_periods: u64,
        /// Transitions into `ALARM`: the notifications sent.
        notifications: u64,
        /// When the first 20 were sent (RFC 3339): the end of the period whose evaluation
        /// turned the alarm to `ALARM`.
        first_notifications: Vec<String>,
    },
    /// trailwatch cannot tell, and does not guess.
    CannotTell {
        /// Why, in one line.
        reason: String,
    },
}

/// Where a backtest's events came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BacktestSource {
    /// The account's trail archive in S3.
    Archive {
        /// The bucket.
        bucket: String,
        /// The trail's key prefix, if any.
        prefix: Option<String>,
        /// The log files listed for the window's days.
        files: u64,
    },
    /// Local files and folders.
    Files {
        /// The paths given.
        paths: Vec<String>,
    },
}

/// How much a backtest read, and how fast.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BacktestInput {
    /// Files read.
    pub files: u64,
    /// Files in the folders given that are not log files by their names (a `README.md`), left
    /// unread.
    #[serde(default)]
    pub skipped: u64,
    /// Bytes of decompressed input.
    pub bytes: u64,
    /// Events read.
    pub events: u64,
    /// Seconds spent reading and evaluating (listing and fetching included).
    pub seconds: f64,
}

impl BacktestInput {
    /// Both counts added (the seconds are the run's, not a sum).
    pub fn plus(&self, other: &BacktestInput) -> BacktestInput {
        BacktestInput {
            files: self.files + other.files,
            skipped: self.skipped + other.skipped,
            bytes: self.bytes + other.bytes,
            events: self.events + other.events,
            seconds: self.seconds.max(other.seconds),
        }
    }

    /// Decompressed megabytes (10^6 bytes) per second.
    pub fn mb_per_second(&self) -> f64 {
        match self.seconds > 0.0 {
            true => self.bytes as f64 / 1e6 / self.seconds,
            false => 0.0,
        }
    }
}
