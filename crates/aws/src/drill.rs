//! The fire drill's calls: `SetAlarmState` to ALARM (the alarm returns to its real state at
//! its next evaluation; no configuration changes), and `DescribeAlarmHistory` for its actions,
//! polled for every alarm at once (a few calls at a time) until each shows its action; and for
//! EventBridge rules, `TestEventPattern` (a few at a time) on each control's events, which sends
//! no event and pages nobody.

use std::time::{Duration, Instant};

use futures::StreamExt;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{HistoryItemType, StateValue};
use model::drill::{
    self, DrillOutcome, DrillResult, DrillTarget, HistoryItem, RuleDrill, RuleProbe,
};

use crate::errors::{self, CallError};
use crate::Aws;

/// How often the alarms' history is read while waiting.
const POLL: Duration = Duration::from_secs(2);

/// Calls in flight at once while triggering and polling alarms, and testing event patterns.
const AT_ONCE: usize = 8;

impl Aws {
    /// Sets every alarm to ALARM, then reads their histories (`AT_ONCE` alarms at a time) until
    /// each shows its action or the wait is over.
    pub async fn drill(&self, targets: Vec<DrillTarget>, wait: Duration) -> Vec<DrillResult> {
        // A little before the first call: the history's clock is AWS's, not this machine's.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        let since = now.map_or(0, |d| d.as_secs() as i64) - 5;
        let mut outcomes: Vec<Option<DrillOutcome>> = futures::stream::iter(&targets)
            .map(|t| self.trigger(t))
            .buffered(AT_ONCE)
            .collect()
            .await;
        let deadline = Instant::now() + wait;
        while outcomes.iter().any(Option::is_none) && Instant::now() < deadline {
            let polled: Vec<(usize, Option<DrillOutcome>)> = futures::stream::iter(
                targets
                    .iter()
                    .zip(&outcomes)
                    .enumerate()
                    .filter(|(_, (_, o))| o.is_none()),
            )
            .map(|(i, (t, _))| async move { (i, self.poll(t, since).await) })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
            for (i, outcome) in polled {
                outcomes[i] = outcome;
            }
            if outcomes.iter().any(Option::is_none) {
                tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())))
                    .await;
            }
        }
        let outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or(DrillOutcome::Unknown));
        let results = targets.into_iter().zip(outcomes);
        results
            .map(|(target, outcome)| DrillResult { target, outcome })
            .collect()
    }

    /// Sets a target's alarm to ALARM; the drill's outcome already when that fails.
    async fn trigger(&self, t: &DrillTarget) -> Option<DrillOutcome> {
        let reason = format!("trailwatch drill: {}", t.control);
        let set = self.set_alarm_state(&t.region, &t.alarm, &reason).await;
        set.err().map(|e| DrillOutcome::Failed {
            error: e.to_string(),
        })
    }

    /// A target's outcome from its alarm's history since `since`, if it has one yet.
    async fn poll(&self, t: &DrillTarget, since: i64) -> Option<DrillOutcome> {
        match self.alarm_actions(&t.region, &t.alarm, since).await {
            Ok(items) => drill::outcome(&items, since),
            Err(e) => Some(DrillOutcome::Failed {
                error: e.to_string(),
            }),
        }
    }

    /// Sets an alarm to ALARM with `reason`; the error is one line naming the action.
    async fn set_alarm_state(
        &self,
        region: &str,
        alarm: &str,
        reason: &str,
    ) -> Result<(), CallError> {
        self.count("cloudwatch:SetAlarmState");
        self.clients(region)
            .cloudwatch()
            .set_alarm_state()
            .alarm_name(alarm)
            .state_value(StateValue::Alarm)
            .state_reason(reason)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::write("cloudwatch:SetAlarmState", e))
    }

    /// The alarm's `Action` history since `since` (seconds since the Unix epoch), every page.
    async fn alarm_actions(
        &self,
        region: &str,
        alarm: &str,
        since: i64,
    ) -> Result<Vec<HistoryItem>, CallError> {
        let cloudwatch = self.clients(region).cloudwatch();
        crate::every_page(|token| async {
            self.count("cloudwatch:DescribeAlarmHistory");
            let page = cloudwatch
                .describe_alarm_history()
                .alarm_name(alarm)
                .history_item_type(HistoryItemType::Action)
                .start_date(DateTime::from_secs(since))
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::write("cloudwatch:DescribeAlarmHistory", e))?;
            let items = page.alarm_history_items().iter().map(|i| HistoryItem {
                timestamp: i.timestamp().map_or(0, |t| t.secs()),
                summary: i.history_summary().unwrap_or_default().to_string(),
                data: i.history_data().map(str::to_string),
            });
            Ok((items.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    /// Asks EventBridge, in each rule's region, whether the rule's pattern matches each of the
    /// probe's events (`AT_ONCE` calls at a time over every rule), and compares the answers
    /// with trailwatch's judgements.
    pub async fn drill_rules(&self, probes: &[RuleProbe]) -> Vec<RuleDrill> {
        let calls = probes
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.events.iter().map(move |e| (i, p, e.event.to_string())));
        let answers: Vec<(usize, Result<bool, String>)> = futures::stream::iter(calls)
            .map(|(i, p, event)| async move {
                let answer = self.test_event_pattern(&p.region, &p.pattern, event).await;
                (i, answer.map_err(|e| e.to_string()))
            })
            .buffered(AT_ONCE)
            .collect()
            .await;
        let mut per_rule: Vec<Vec<Result<bool, String>>> = vec![Vec::new(); probes.len()];
        for (i, answer) in answers {
            per_rule[i].push(answer);
        }
        probes
            .iter()
            .zip(per_rule)
            .map(|(probe, answers)| RuleDrill::from_answers(probe, answers))
            .collect()
    }

    /// `TestEventPattern` in `region`: whether `pattern` matches `event` by EventBridge's own
    /// matcher.
    async fn test_event_pattern(
        &self,
        region: &str,
        pattern: &str,
        event: String,
    ) -> Result<bool, CallError> {
        self.count("events:TestEventPattern");
        self.clients(region)
            .events()
            .test_event_pattern()
            .event_pattern(pattern)
            .event(event)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map(|answer| answer.result())
            .map_err(|e| errors::write("events:TestEventPattern", e))
    }
}
