//! The fire drill (`trailwatch drill`): which alarms it sets to ALARM, and how to read what
//! their history then says; which EventBridge rules it asks AWS's own matcher about, and how to
//! read AWS's answers — as plain data, so the rules are tested without AWS.

use serde::Serialize;
use serde_json::Value;

use crate::live::Invocations;
use crate::{Report, Status};

/// A compliant control's alarm the drill triggers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillTarget {
    /// The control.
    pub control: String,
    /// The alarm's region.
    pub region: String,
    /// The alarm.
    pub alarm: String,
    /// The topic it notifies.
    pub topic: String,
}

/// The alarms a drill triggers: one per compliant control, through the chain that holds.
pub fn targets(report: &Report) -> Vec<DrillTarget> {
    report
        .controls
        .iter()
        .filter(|c| c.status == Status::Compliant)
        .filter_map(|c| {
            let chain = c.chain.as_ref()?;
            Some(DrillTarget {
                control: c.id.clone(),
                region: chain.region.clone(),
                alarm: chain.alarm.clone()?,
                topic: chain.topic.clone()?,
            })
        })
        .collect()
}

/// One `Action` entry of an alarm's history (`DescribeAlarmHistory`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    /// When, in seconds since the Unix epoch.
    pub timestamp: i64,
    /// `HistorySummary`, such as `Successfully executed action arn:aws:sns:…` or
    /// `Failed to execute action arn:aws:sns:…`.
    pub summary: String,
    /// `HistoryData`: the details (for a failure, the error).
    pub data: Option<String>,
}

/// What the drill found for one alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DrillOutcome {
    /// The alarm's SNS action succeeded: the topic took the notification.
    Notified {
        /// The history's summary.
        detail: String,
    },
    /// The action failed (or the alarm could not be set); the history's failure text.
    Failed {
        /// Why.
        error: String,
    },
    /// No action in the alarm's history within the wait.
    Unknown,
}

/// One alarm's drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillResult {
    /// The alarm triggered.
    #[serde(flatten)]
    pub target: DrillTarget,
    /// What its history showed.
    #[serde(flatten)]
    pub outcome: DrillOutcome,
}

/// The outcome the history shows for actions at or after `since` (a failure wins over a
/// success); `None` while it shows none.
pub fn outcome(items: &[HistoryItem], since: i64) -> Option<DrillOutcome> {
    let recent: Vec<&HistoryItem> = items.iter().filter(|i| i.timestamp >= since).collect();
    if let Some(failed) = recent.iter().find(|i| i.summary.starts_with("Failed")) {
        let error = match &failed.data {
            Some(data) => format!("{} ({data})", failed.summary),
            None => failed.summary.clone(),
        };
        return Some(DrillOutcome::Failed { error });
    }
    recent
        .iter()
        .find(|i| i.summary.starts_with("Successfully"))
        .map(|i| DrillOutcome::Notified {
            detail: i.summary.clone(),
        })
}

/// A rule EventBridge tells a person through, for one control the report says it covers: the
/// control's events the drill asks `TestEventPattern` about, in the rule's region.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleProbe {
    /// The control.
    pub control: String,
    /// The rule's ARN.
    pub rule: String,
    /// The rule's region (its default bus).
    pub region: String,
    /// The rule's event pattern, as EventBridge holds it.
    pub pattern: String,
    /// One event per distinct event of the control that arrives in the region.
    pub events: Vec<ProbeEvent>,
    /// The rule's invocations over the day before the read: `None` when there were none
    /// (CloudWatch publishes no data then), or why they could not be read.
    pub invocations: Result<Option<Invocations>, String>,
}

/// One of a control's events, as EventBridge would deliver it, and trailwatch's judgement of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeEvent {
    /// What the event is (the event name, or the catalog's label for it).
    pub name: String,
    /// The CloudTrail record in its EventBridge envelope.
    pub event: Value,
    /// Whether trailwatch's own matcher says the rule's pattern matches it.
    pub trailwatch: bool,
}

/// What AWS's matcher said of one rule's events, with the rule's invocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDrill {
    /// The control.
    pub control: String,
    /// The rule's ARN.
    pub rule: String,
    /// The rule's region.
    pub region: String,
    /// What AWS answered.
    #[serde(flatten)]
    pub outcome: RuleOutcome,
    /// The rule's invocations over the day before the read (zero when CloudWatch had no
    /// data); `None` when they could not be read.
    pub invocations: Option<Invocations>,
    /// Why the invocations could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocations_error: Option<String>,
    /// Always false: the drill sends no event (EventBridge takes none with an `aws.` source)
    /// and pages nobody.
    pub notification_sent: bool,
}

/// AWS's answers for one rule's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RuleOutcome {
    /// AWS answered for every event, as trailwatch judged each.
    Agreed {
        /// Events tested.
        tested: usize,
        /// Events AWS's matcher matched.
        matched: usize,
    },
    /// AWS answered for every event, and for some not as trailwatch judged: one matcher is
    /// wrong.
    Disagreed {
        /// Events tested.
        tested: usize,
        /// Events AWS's matcher matched.
        matched: usize,
        /// The events judged differently.
        disagreements: Vec<Disagreement>,
    },
    /// AWS refused a call (access denied, a pattern it does not accept, no answer): the first
    /// refusal, in one line.
    Refused {
        /// Why.
        error: String,
    },
}

/// An event AWS's matcher and trailwatch's judge differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The event.
    pub event: String,
    /// Whether AWS matched it.
    pub aws: bool,
    /// Whether trailwatch matched it.
    pub trailwatch: bool,
}

impl RuleDrill {
    /// The drill of `probe` from AWS's answers, one per event in order (`Ok(matched)`, or the
    /// call's error in one line).
    pub fn from_answers(probe: &RuleProbe, answers: Vec<Result<bool, String>>) -> RuleDrill {
        let (invocations, invocations_error) = match &probe.invocations {
            Ok(calls) => (Some(calls.unwrap_or_default()), None),
            Err(e) => (None, Some(e.clone())),
        };
        RuleDrill {
            control: probe.control.clone(),
            rule: probe.rule.clone(),
            region: probe.region.clone(),
            outcome: compare(&probe.events, answers),
            invocations,
            invocations_error,
            notification_sent: false,
        }
    }

    /// Whether AWS's matcher proved the rule as trailwatch judged it.
    pub fn agreed(&self) -> bool {
        matches!(self.outcome, RuleOutcome::Agreed { .. })
    }
}

/// AWS's answers against trailwatch's judgements; the first error wins.
fn compare(events: &[ProbeEvent], answers: Vec<Result<bool, String>>) -> RuleOutcome {
    let answers: Vec<bool> = match answers.into_iter().collect() {
        Ok(answers) => answers,
        Err(error) => return RuleOutcome::Refused { error },
    };
    let disagreements: Vec<Disagreement> = events
        .iter()
        .zip(&answers)
        .filter(|(e, aws)| e.trailwatch != **aws)
        .map(|(e, aws)| Disagreement {
            event: e.name.clone(),
            aws: *aws,
            trailwatch: e.trailwatch,
        })
        .collect();
    let (tested, matched) = (answers.len(), answers.iter().filter(|m| **m).count());
    match disagreements.is_empty() {
        true => RuleOutcome::Agreed { tested, matched },
        false => RuleOutcome::Disagreed {
            tested,
            matched,
            disagreements,
        },
    }
}
