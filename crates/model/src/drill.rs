//! The fire drill (`trailwatch drill`): which alarms it sets to ALARM, and how to read what
//! their history then says — as plain data, so the rule is tested without AWS.

use serde::Serialize;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(timestamp: i64, summary: &str, data: Option<&str>) -> HistoryItem {
        HistoryItem {
            timestamp,
            summary: summary.into(),
            data: data.map(str::to_string),
        }
    }

    #[test]
    fn the_history_after_the_drill_decides() {
        let ok = item(
            100,
            "Successfully executed action arn:aws:sns:us-east-1:1:t",
            None,
        );
        let failed = item(
            101,
            "Failed to execute action arn:aws:sns:us-east-1:1:t",
            Some("KMS.AccessDeniedException"),
        );
        let before = item(
            10,
            "Failed to execute action arn:aws:sns:us-east-1:1:t",
            None,
        );
        assert_eq!(outcome(&[], 100), None, "nothing yet");
        assert_eq!(
            outcome(std::slice::from_ref(&before), 100),
            None,
            "an earlier failure is not the drill's"
        );
        assert!(matches!(
            outcome(&[ok.clone(), before], 100),
            Some(DrillOutcome::Notified { .. })
        ));
        assert_eq!(
            outcome(&[ok, failed], 100),
            Some(DrillOutcome::Failed {
                error:
                    "Failed to execute action arn:aws:sns:us-east-1:1:t (KMS.AccessDeniedException)"
                        .into()
            }),
            "a failure wins"
        );
    }
}
