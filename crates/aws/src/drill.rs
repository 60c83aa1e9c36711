//! The fire drill's two calls: `SetAlarmState` to ALARM (the alarm returns to its real state at
//! its next evaluation; no configuration changes), and `DescribeAlarmHistory` for its actions.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{HistoryItemType, StateValue};
use model::drill::HistoryItem;

use crate::errors::{self, CallError};
use crate::Aws;

impl Aws {
    /// Sets an alarm to ALARM with `reason`; the error is one line naming the action.
    pub async fn set_alarm_state(
        &self,
        region: &str,
        alarm: &str,
        reason: &str,
    ) -> Result<(), CallError> {
        self.count("cloudwatch:SetAlarmState");
        self.clients(region)
            .cloudwatch
            .set_alarm_state()
            .alarm_name(alarm)
            .state_value(StateValue::Alarm)
            .state_reason(reason)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::write("cloudwatch:SetAlarmState", e))
    }

    /// The alarm's `Action` history since `since` (seconds since the Unix epoch), every page.
    pub async fn alarm_actions(
        &self,
        region: &str,
        alarm: &str,
        since: i64,
    ) -> Result<Vec<HistoryItem>, CallError> {
        let cloudwatch = self.clients(region).cloudwatch;
        let mut pages = cloudwatch
            .describe_alarm_history()
            .alarm_name(alarm)
            .history_item_type(HistoryItemType::Action)
            .start_date(DateTime::from_secs(since))
            .into_paginator()
            .send();
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            self.count("cloudwatch:DescribeAlarmHistory");
            let page = page.map_err(|e| errors::write("cloudwatch:DescribeAlarmHistory", e))?;
            items.extend(page.alarm_history_items().iter().map(|i| HistoryItem {
                timestamp: i.timestamp().map_or(0, |t| t.secs()),
                summary: i.history_summary().unwrap_or_default().to_string(),
                data: i.history_data().map(str::to_string),
            }));
        }
        Ok(items)
    }
}
