//! The alarm estimate: the metric of each period from the matches in it, each period judged
//! against the threshold, and the alarm's state walked period by period as CloudWatch evaluates
//! it. What cannot be estimated from matches alone (anomaly detection, percentiles, metric
//! values read from the event) is reported as such, never guessed.
//!
//! Missing data: a period without a match has no data point (the filters publish no default
//! value). `breaching` treats it as breaching; `notBreaching`, `missing` and `ignore` treat it as
//! not breaching. For `missing` and `ignore` that is an approximation: CloudWatch keeps the
//! alarm's state (`ignore`) or evaluates only the periods with data (`missing`), so an alarm
//! that stays in `ALARM` across a quiet stretch may send fewer notifications than estimated.
//! Before the first period evaluated, the alarm is in the state all-missing data gives it.

use std::collections::BTreeMap;

use model::backtest::{AlarmEstimate, AlarmOutcome, AlarmSettings, AlarmSource};
use model::cloudwatch::{ComparisonOperator, StandardStatistic, Statistic, TreatMissingData};
use model::desired::AlarmDefaults;

use crate::event::Instant;
use crate::spec::{BacktestAlarm, Bounds};

/// How many notification times the report lists.
const LISTED_NOTIFICATIONS: usize = 20;

/// Matches per period (index since the epoch), per alarmed pattern (by position).
pub(crate) type PeriodCounts = BTreeMap<i64, Vec<u64>>;

/// The alarm of one control, ready to judge periods.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    source: AlarmSource,
    settings: AlarmSettings,
    judge: Result<Judge, CannotTell>,
}

/// The settings, checked and typed.
#[derive(Debug, Clone)]
struct Judge {
    period: i64,
    evaluation_periods: i64,
    datapoints_to_alarm: i64,
    threshold: f64,
    operator: Operator,
    missing_breaches: bool,
    statistic: Rate,
}

/// The static comparison operators.
#[derive(Debug, Clone, Copy)]
enum Operator {
    AtLeast,
    Above,
    Below,
    AtMost,
}

/// How a period's data point follows from its matches.
#[derive(Debug, Clone)]
enum Rate {
    /// `Sum`: the metric value of each alarmed pattern (by position) times its matches.
    Sum(Vec<f64>),
    /// `SampleCount`: the matches.
    SampleCount,
    /// `Average`, `Minimum`, `Maximum` of one constant value: that value.
    Constant(f64),
}

impl Rule {
    /// The rule of `alarm`, or of the alarm trailwatch would create when `None`; `values` are
    /// the `metricValue`s of the alarmed patterns, in order.
    pub(crate) fn new(alarm: Option<&BacktestAlarm>, values: &[&str]) -> Rule {
        let settings = settings(alarm);
        let judge = judge(&settings, values);
        Rule {
            source: match alarm {
                Some(a) => AlarmSource::Account {
                    name: a.name.clone(),
                    account_id: a.account_id.clone(),
                },
                None => AlarmSource::TrailwatchDefault,
            },
            settings,
            judge,
        }
    }

    /// The period, in seconds, when the alarm can be estimated (the periods worth counting).
    pub(crate) fn period(&self) -> Option<i64> {
        self.judge.as_ref().ok().map(|j| j.period)
    }

    /// The estimate over the periods from `bounds` (none when no event was dated).
    pub(crate) fn estimate(&self, data: &PeriodCounts, bounds: Option<Bounds>) -> AlarmEstimate {
        let period = i64::from(self.settings.period);
        let periods = match bounds {
            Some(b) if period > 0 => b.buckets(period).len(),
            _ => 0,
        };
        let outcome = match (&self.judge, bounds) {
            (Err(reason), _) => AlarmOutcome::CannotTell {
                reason: reason.to_string(),
            },
            (Ok(judge), Some(b)) => judge.walk(data, b),
            (Ok(_), None) => AlarmOutcome::Estimated {
                breaching_periods: 0,
                notifications: 0,
                first_notifications: Vec::new(),
            },
        };
        AlarmEstimate {
            source: self.source.clone(),
            settings: self.settings.clone(),
            periods,
            outcome,
        }
    }
}

/// The settings of `alarm`, defaults filled in, or CIS's for the alarm trailwatch would create.
fn settings(alarm: Option<&BacktestAlarm>) -> AlarmSettings {
    match alarm {
        Some(a) => AlarmSettings {
            statistic: standard(a.statistic.as_ref()),
            period: a.period,
            evaluation_periods: a.evaluation_periods,
            datapoints_to_alarm: a.datapoints_to_alarm.unwrap_or(a.evaluation_periods),
            threshold: a.threshold,
            comparison_operator: a.comparison_operator.clone(),
            treat_missing_data: a
                .treat_missing_data
                .clone()
                .unwrap_or(TreatMissingData::Missing),
        },
        None => {
            let d = AlarmDefaults::default();
            AlarmSettings {
                statistic: standard(Some(&d.statistic)),
                period: d.period,
                evaluation_periods: d.evaluation_periods,
                datapoints_to_alarm: d.evaluation_periods,
                threshold: d.threshold,
                comparison_operator: d.comparison_operator,
                treat_missing_data: d.treat_missing_data,
            }
        }
    }
}

/// A standard statistic; an extended one is not (the report's `statistic` is then null).
fn standard(statistic: Option<&Statistic>) -> Option<StandardStatistic> {
    match statistic? {
        Statistic::Standard(s) => Some(s.clone()),
        Statistic::Extended(_) => None,
    }
}

/// Why the alarm's behaviour cannot be told from matches.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum CannotTell {
    #[error("the alarm's period ({period}) and evaluation periods ({evaluation_periods}) must be positive")]
    NotPositive {
        period: i32,
        evaluation_periods: i32,
    },
    #[error("the alarm's datapoints to alarm ({datapoints_to_alarm}) is not between 1 and its evaluation periods ({evaluation_periods})")]
    DatapointsOutOfRange {
        datapoints_to_alarm: i32,
        evaluation_periods: i32,
    },
    #[error("the alarm's threshold ({0}) is not a number")]
    Threshold(f64),
    #[error("the alarm compares with an anomaly detection band ({0}), which depends on the metric's history in CloudWatch")]
    AnomalyBand(ComparisonOperator),
    #[error("unknown comparison operator `{0}`")]
    UnknownOperator(String),
    #[error("unknown treatment of missing data `{0}`")]
    UnknownTreatment(String),
    #[error("the alarm uses an extended statistic or metric math")]
    ExtendedOrMetricMath,
    #[error("the alarm's statistic is {0} and the filters publish different metric values")]
    DifferentValues(StandardStatistic),
    #[error("the alarm's statistic {0} cannot be told from the matches")]
    UnknownStatistic(String),
    #[error("the filter publishes `{0}` per match, a value read from each event")]
    ValueFromEvent(String),
}

/// The settings checked, or why the alarm's behaviour cannot be told from matches.
fn judge(s: &AlarmSettings, values: &[&str]) -> Result<Judge, CannotTell> {
    if s.period <= 0 || s.evaluation_periods < 1 {
        return Err(CannotTell::NotPositive {
            period: s.period,
            evaluation_periods: s.evaluation_periods,
        });
    }
    if !(1..=s.evaluation_periods).contains(&s.datapoints_to_alarm) {
        return Err(CannotTell::DatapointsOutOfRange {
            datapoints_to_alarm: s.datapoints_to_alarm,
            evaluation_periods: s.evaluation_periods,
        });
    }
    if !s.threshold.is_finite() {
        return Err(CannotTell::Threshold(s.threshold));
    }
    Ok(Judge {
        period: i64::from(s.period),
        evaluation_periods: i64::from(s.evaluation_periods),
        datapoints_to_alarm: i64::from(s.datapoints_to_alarm),
        threshold: s.threshold,
        operator: operator(&s.comparison_operator)?,
        missing_breaches: missing_breaches(&s.treat_missing_data)?,
        statistic: statistic(s.statistic.as_ref(), values)?,
    })
}

fn operator(operator: &ComparisonOperator) -> Result<Operator, CannotTell> {
    match operator {
        ComparisonOperator::GreaterThanOrEqualToThreshold => Ok(Operator::AtLeast),
        ComparisonOperator::GreaterThanThreshold => Ok(Operator::Above),
        ComparisonOperator::LessThanThreshold => Ok(Operator::Below),
        ComparisonOperator::LessThanOrEqualToThreshold => Ok(Operator::AtMost),
        ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold
        | ComparisonOperator::LessThanLowerThreshold
        | ComparisonOperator::GreaterThanUpperThreshold => {
            Err(CannotTell::AnomalyBand(operator.clone()))
        }
        ComparisonOperator::Unknown(other) => Err(CannotTell::UnknownOperator(other.clone())),
    }
}

fn missing_breaches(treat: &TreatMissingData) -> Result<bool, CannotTell> {
    match treat {
        TreatMissingData::Breaching => Ok(true),
        TreatMissingData::NotBreaching | TreatMissingData::Missing | TreatMissingData::Ignore => {
            Ok(false)
        }
        TreatMissingData::Unknown(other) => Err(CannotTell::UnknownTreatment(other.clone())),
    }
}

/// The statistic over the alarmed patterns' metric values.
fn statistic(statistic: Option<&StandardStatistic>, values: &[&str]) -> Result<Rate, CannotTell> {
    let Some(standard) = statistic else {
        return Err(CannotTell::ExtendedOrMetricMath);
    };
    let numbers = values
        .iter()
        .map(|v| number(v))
        .collect::<Result<Vec<f64>, CannotTell>>()?;
    let constant = numbers
        .first()
        .copied()
        .filter(|first| numbers.iter().all(|n| n == first));
    use StandardStatistic::{Average, Maximum, Minimum, SampleCount, Sum, Unknown};
    match (standard, constant) {
        (Sum, _) => Ok(Rate::Sum(numbers)),
        (SampleCount, _) => Ok(Rate::SampleCount),
        (Average | Minimum | Maximum, Some(value)) => Ok(Rate::Constant(value)),
        (Average | Minimum | Maximum, None) => Err(CannotTell::DifferentValues(standard.clone())),
        (Unknown(other), _) => Err(CannotTell::UnknownStatistic(other.clone())),
    }
}

/// A metric value that is a number; `$.field` values depend on each event.
fn number(value: &str) -> Result<f64, CannotTell> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| CannotTell::ValueFromEvent(value.to_string()))
}

impl Judge {
    /// The data point of a period from its matches per alarmed pattern.
    fn value(&self, counts: &[u64]) -> f64 {
        match &self.statistic {
            Rate::Sum(values) => counts.iter().zip(values).map(|(c, v)| *c as f64 * v).sum(),
            Rate::SampleCount => counts.iter().sum::<u64>() as f64,
            Rate::Constant(value) => *value,
        }
    }

    fn breaches(&self, value: f64) -> bool {
        match self.operator {
            Operator::AtLeast => value >= self.threshold,
            Operator::Above => value > self.threshold,
            Operator::Below => value < self.threshold,
            Operator::AtMost => value <= self.threshold,
        }
    }

    /// Walks the alarm's state over every period of `bounds`.
    fn walk(&self, data: &PeriodCounts, bounds: Bounds) -> AlarmOutcome {
        let range = bounds.buckets(self.period);
        let mut walk = Walk::new(self, data);
        walk.run(range.first, range.last);
        let breaching_data = data.values().filter(|c| self.breaches(self.value(c)));
        let mut breaching_periods = breaching_data.count() as u64;
        if self.missing_breaches {
            breaching_periods += range.len() - data.len() as u64;
        }
        AlarmOutcome::Estimated {
            breaching_periods,
            notifications: walk.notifications,
            first_notifications: walk.first,
        }
    }
}

/// The alarm's state, period by period.
struct Walk<'a> {
    judge: &'a Judge,
    data: &'a PeriodCounts,
    /// The state when every period evaluated is missing.
    idle: bool,
    /// True in `ALARM`.
    alarm: bool,
    /// Breaching periods among the last `evaluation_periods`.
    breaching: i64,
    notifications: u64,
    first: Vec<String>,
}

impl<'a> Walk<'a> {
    fn new(judge: &'a Judge, data: &'a PeriodCounts) -> Walk<'a> {
        Walk {
            judge,
            data,
            idle: judge.missing_breaches,
            alarm: judge.missing_breaches,
            breaching: 0,
            notifications: 0,
            first: Vec::new(),
        }
    }

    /// Evaluates the periods `first..=last`. Only the periods within `evaluation_periods` of a
    /// data point can differ from the all-missing state; the others settle to it.
    fn run(&mut self, first: i64, last: i64) {
        let span = self.judge.evaluation_periods;
        let mut next: Option<i64> = None;
        for &with_data in self.data.range(first..=last).map(|(p, _)| p) {
            let start = next.map_or(with_data, |n| n.max(with_data));
            if let Some(n) = next.filter(|n| *n < start) {
                self.turn(n, self.idle);
            }
            for p in start..=(with_data + span - 1).min(last) {
                self.step(p, next == Some(p));
                next = Some(p + 1);
            }
        }
        if let Some(n) = next.filter(|n| *n <= last) {
            self.turn(n, self.idle);
        }
    }

    /// Evaluates period `p`; `contiguous` when `p - 1` was evaluated, else the periods before
    /// `p` in its evaluation range are all missing.
    fn step(&mut self, p: i64, contiguous: bool) {
        let span = self.judge.evaluation_periods;
        self.breaching = if contiguous {
            self.breaching + i64::from(self.breaches(p)) - i64::from(self.breaches(p - span))
        } else {
            i64::from(self.breaches(p)) + (span - 1) * i64::from(self.judge.missing_breaches)
        };
        self.turn(p, self.breaching >= self.judge.datapoints_to_alarm);
    }

    fn breaches(&self, period: i64) -> bool {
        match self.data.get(&period) {
            Some(counts) => self.judge.breaches(self.judge.value(counts)),
            None => self.judge.missing_breaches,
        }
    }

    /// The state after evaluating period `p`; entering `ALARM` notifies at the period's end.
    fn turn(&mut self, p: i64, alarm: bool) {
        if alarm && !self.alarm {
            self.notifications += 1;
            if self.first.len() < LISTED_NOTIFICATIONS {
                let end = (p + 1) * self.judge.period;
                self.first.push(Instant::from_seconds(end).rfc3339());
            }
        }
        self.alarm = alarm;
    }
}
