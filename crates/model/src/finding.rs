//! The stable codes of findings: one enum, serialised as today's kebab-case strings, with the
//! meaning and remedy that `docs/json.md` lists (generated from here, kept current by a test).

use serde::{Deserialize, Serialize};

/// What a finding is about. The serialised form (`no-trail`, …) is part of the JSON schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    /// The account has no trail.
    NoTrail,
    /// No trail meets every requirement.
    NoQualifyingTrail,
    /// A trail is single-region.
    TrailNotMultiRegion,
    /// A trail is not logging.
    TrailNotLogging,
    /// A trail's selectors miss read or write management events.
    TrailNotAllManagementEvents,
    /// A trail does not deliver to CloudWatch Logs.
    TrailNoCloudwatchLogs,
    /// A trail's log group ARN cannot be parsed.
    TrailBadLogGroupArn,
    /// A trail has no role to write to CloudWatch Logs with.
    TrailNoLogsRole,
    /// A trail's latest delivery to CloudWatch Logs failed.
    TrailLogsDeliveryFailing,
    /// A logging trail has delivered nothing to CloudWatch Logs for over a day.
    TrailLogsDeliveryStalled,
    /// The trail's log group does not exist.
    LogGroupMissing,
    /// The qualifying trail's log group is in another account.
    MonitoredCentrally,
    /// No filter catches the control's events.
    NoMatchingFilter,
    /// A filter catches some of the control's events but not all.
    FilterPatternDiffers,
    /// With `--match strict`: a filter catches every event but is not a published pattern.
    FilterNotPublished,
    /// An unparenthesised `&&` chain is one operand of a `||`.
    PrecedenceTrap,
    /// The filter also matches most everyday events.
    FilterTooBroad,
    /// The matching filter publishes no metric.
    FilterWithoutMetric,
    /// No alarm watches the filter's metric.
    NoAlarm,
    /// An alarm watches the metric name in another namespace.
    AlarmWrongNamespace,
    /// The alarm's actions are disabled.
    AlarmActionsDisabled,
    /// The alarm notifies no SNS topic.
    AlarmNoSnsAction,
    /// The alarm's topic does not exist.
    TopicNotFound,
    /// The topic has no subscriber.
    TopicNoSubscriber,
    /// The topic has no confirmed subscriber; apply subscribes the `--notify` endpoints.
    TopicNoConfirmedSubscriber,
    /// The topic's only subscriptions await confirmation.
    SubscriptionPending,
    /// The topic's access policy does not let CloudWatch publish.
    TopicPolicyBlocksCloudwatch,
    /// The topic is encrypted with the AWS-managed key.
    TopicAwsManagedKey,
    /// The topic's customer-managed key does not grant CloudWatch what it needs.
    TopicKeyBlocksCloudwatch,
    /// trailwatch cannot tell whether the topic's access policy lets CloudWatch publish.
    TopicPolicyUnclear,
    /// trailwatch cannot tell whether the topic's customer-managed key lets CloudWatch use it.
    TopicKeyPolicyUnclear,
    /// The topic failed every notification of the day before the read.
    TopicDeliveriesFailing,
    /// The topic failed some notifications of the day before the read (a warning).
    TopicDeliveriesPartlyFailing,
    /// The topic's delivery metrics could not be read (a warning).
    TopicDeliveriesUnread,
    /// EventBridge rules tell a person of every event of the control (the CIS verdict still
    /// wants a metric filter unless `--accept eventbridge`).
    CoveredByEventbridge,
    /// EventBridge rules tell a person of some of the control's events, not all.
    EventbridgePartial,
    /// Whether EventBridge rules cover the control could not be read.
    EventbridgeUnread,
    /// A read failed.
    ReadError,
    /// A waiver of the control expired: it is judged normally again.
    WaiverExpired,
}

impl FindingCode {
    /// Every code, in the order `docs/json.md` lists them.
    pub const ALL: &'static [FindingCode] = &[
        FindingCode::NoTrail,
        FindingCode::NoQualifyingTrail,
        FindingCode::TrailNotMultiRegion,
        FindingCode::TrailNotLogging,
        FindingCode::TrailNotAllManagementEvents,
        FindingCode::TrailNoCloudwatchLogs,
        FindingCode::TrailBadLogGroupArn,
        FindingCode::TrailNoLogsRole,
        FindingCode::TrailLogsDeliveryFailing,
        FindingCode::TrailLogsDeliveryStalled,
        FindingCode::LogGroupMissing,
        FindingCode::MonitoredCentrally,
        FindingCode::NoMatchingFilter,
        FindingCode::FilterPatternDiffers,
        FindingCode::FilterNotPublished,
        FindingCode::PrecedenceTrap,
        FindingCode::FilterTooBroad,
        FindingCode::FilterWithoutMetric,
        FindingCode::NoAlarm,
        FindingCode::AlarmWrongNamespace,
        FindingCode::AlarmActionsDisabled,
        FindingCode::AlarmNoSnsAction,
        FindingCode::TopicNotFound,
        FindingCode::TopicNoSubscriber,
        FindingCode::TopicNoConfirmedSubscriber,
        FindingCode::SubscriptionPending,
        FindingCode::TopicPolicyBlocksCloudwatch,
        FindingCode::TopicAwsManagedKey,
        FindingCode::TopicKeyBlocksCloudwatch,
        FindingCode::TopicPolicyUnclear,
        FindingCode::TopicKeyPolicyUnclear,
        FindingCode::TopicDeliveriesFailing,
        FindingCode::TopicDeliveriesPartlyFailing,
        FindingCode::TopicDeliveriesUnread,
        FindingCode::CoveredByEventbridge,
        FindingCode::EventbridgePartial,
        FindingCode::EventbridgeUnread,
        FindingCode::ReadError,
        FindingCode::WaiverExpired,
    ];

    /// The code as it appears in output, such as `no-trail`.
    pub fn as_str(self) -> &'static str {
        self.doc().0
    }

    /// `(code, meaning, fixed by apply?)`: one row of the table in `docs/json.md`.
    fn doc(self) -> (&'static str, &'static str, &'static str) {
        use FindingCode::*;
        match self {
            NoTrail => ("no-trail", "the account has no trail", "no"),
            NoQualifyingTrail => ("no-qualifying-trail", "no trail meets every requirement; the trail findings follow", "no"),
            TrailNotMultiRegion => ("trail-not-multi-region", "a trail is single-region", "no"),
            TrailNotLogging => ("trail-not-logging", "a trail is not logging", "no"),
            TrailNotAllManagementEvents => ("trail-not-all-management-events", "a trail's selectors miss read or write management events", "no"),
            TrailNoCloudwatchLogs => ("trail-no-cloudwatch-logs", "a trail does not deliver to CloudWatch Logs", "no"),
            TrailBadLogGroupArn => ("trail-bad-log-group-arn", "a trail's log group ARN cannot be parsed", "no"),
            TrailNoLogsRole => ("trail-no-logs-role", "a trail sends to a log group but has no `CloudWatchLogsRoleArn`, so CloudTrail cannot write there; the trail does not qualify", "no — give the trail a role"),
            TrailLogsDeliveryFailing => ("trail-logs-delivery-failing", "`GetTrailStatus` reports `LatestCloudWatchLogsDeliveryError`: the trail's delivery to its log group is failing; the trail does not qualify, and the hint names its role", "no — fix the role"),
            TrailLogsDeliveryStalled => ("trail-logs-delivery-stalled", "a logging trail's latest delivery to CloudWatch Logs (`LatestCloudWatchLogsDeliveryTime`) is more than 24 hours before the read; the trail does not qualify", "no — fix the role or the trail"),
            LogGroupMissing => ("log-group-missing", "the trail's log group does not exist", "no — create it or fix the trail"),
            MonitoredCentrally => ("monitored-centrally", "the qualifying trail's log group is in another account (status `not_applicable`; with `--accounts`/`--organization`, the status of that account's control)", "no — audit that account"),
            NoMatchingFilter => ("no-matching-filter", "no filter on the trail's log group has the control's pattern", "yes"),
            FilterPatternDiffers => ("filter-pattern-differs", "a filter catches some of the control's events but not all; the message names the missed events and any `&&` clause that excluded them", "yes (pattern corrected, or a new filter beside it)"),
            FilterNotPublished => ("filter-not-published", "with `--match strict`: a filter catches every event but is not one of the version's published patterns", "yes (a new filter)"),
            PrecedenceTrap => ("precedence-trap", "warning: an unparenthesised `&&` chain is one operand of a `||`, so its conditions apply only to that operand", "no — `trailwatch pattern explain` shows the grouping"),
            FilterTooBroad => ("filter-too-broad", "warning on a compliant control: the filter also matches most everyday events, so its alarm will be noise", "no — narrow the pattern"),
            FilterWithoutMetric => ("filter-without-metric", "the matching filter publishes no metric", "yes"),
            NoAlarm => ("no-alarm", "no alarm watches the filter's metric (name and namespace)", "yes"),
            AlarmWrongNamespace => ("alarm-wrong-namespace", "an alarm watches the filter's metric name in the namespace trailwatch is configured with (`--namespace`), not the filter's (alarms in third namespaces are not read)", "yes (new alarm)"),
            AlarmActionsDisabled => ("alarm-actions-disabled", "the alarm's actions are disabled", "yes"),
            AlarmNoSnsAction => ("alarm-no-sns-action", "the alarm notifies no SNS topic", "yes"),
            TopicNotFound => ("topic-not-found", "the alarm's topic does not exist in the account and region", "yes"),
            TopicNoSubscriber => ("topic-no-subscriber", "the topic has no subscriber and no `--notify` endpoint was given", "with `--notify`"),
            TopicNoConfirmedSubscriber => ("topic-no-confirmed-subscriber", "the topic has no confirmed subscriber; apply subscribes the `--notify` endpoints", "confirmation by a person"),
            SubscriptionPending => ("subscription-pending", "the topic's only subscriptions await confirmation", "confirmation by a person"),
            TopicPolicyBlocksCloudwatch => ("topic-policy-blocks-cloudwatch", "the topic's access policy does not let `cloudwatch.amazonaws.com` publish", "yes (another topic; the policy is never changed)"),
            TopicAwsManagedKey => ("topic-aws-managed-key", "the topic is encrypted with `alias/aws/sns`, which CloudWatch cannot use", "yes (another topic)"),
            TopicKeyBlocksCloudwatch => ("topic-key-blocks-cloudwatch", "the topic's customer-managed key does not grant CloudWatch `kms:Decrypt` and `kms:GenerateDataKey*`", "yes (another topic)"),
            TopicPolicyUnclear => ("topic-policy-unclear", "trailwatch cannot tell whether the topic's access policy lets `cloudwatch.amazonaws.com` publish: a statement that could decide it uses a condition key or operator trailwatch does not evaluate (it knows `aws:SourceArn`, `aws:SourceAccount` and `aws:SourceOwner` with the `String…`/`Arn…` equality and wildcard operators), or holds for some of the account's alarms and not others; the message names the statement (status `error` when nothing else stands between the control and compliance)", "no — check the statement by hand"),
            TopicKeyPolicyUnclear => ("topic-key-policy-unclear", "the same for the policy of the topic's customer-managed key and `kms:Decrypt`, `kms:GenerateDataKey*`", "no — check the statement by hand"),
            TopicDeliveriesFailing => ("topic-deliveries-failing", "the topic has a confirmed subscriber, but over the 24 hours before the read SNS failed every notification it tried and delivered none (`AWS/SNS` `NumberOfNotificationsFailed` and `NumberOfNotificationsDelivered`): an email address that bounces, an endpoint that is down", "no — check the subscription endpoints"),
            TopicDeliveriesPartlyFailing => ("topic-deliveries-partly-failing", "warning on a compliant control: over the 24 hours before the read SNS failed some of the topic's notifications and delivered others", "no — check the subscription endpoints"),
            TopicDeliveriesUnread => ("topic-deliveries-unread", "warning: the topic's delivery metrics could not be read (`cloudwatch:GetMetricData`), so whether its deliveries fail is not known; the message names the error", "no — grant `cloudwatch:GetMetricData`"),
            CoveredByEventbridge => ("covered-by-eventbridge", "enabled EventBridge rules on the default bus catch every event of the control in every region they can arrive in and reach a topic with a confirmed subscriber that lets `events.amazonaws.com` publish; the message names the rules. Without `--accept eventbridge` the CIS verdict (metric filters) is unchanged; with it the control is `compliant` and its chain's `kind` is `eventbridge`", "not needed — or `--accept eventbridge`"),
            EventbridgePartial => ("eventbridge-partial", "EventBridge rules catch some of the control's events but not all: the message names the regions without a working rule, the events missed, rules in state `ENABLED` where read-only events need `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`, and targets that cannot deliver", "no — change the rules (trailwatch never writes EventBridge rules)"),
            EventbridgeUnread => ("eventbridge-unread", "whether EventBridge rules cover the control could not be read (`account:ListRegions`, `events:ListRules`, `events:ListTargetsByRule`); with `--accept eventbridge` the control is `error` when nothing else makes it compliant", "no — grant the read"),
            WaiverExpired => ("waiver-expired", "a waiver of the control in the configuration file expired on the date it names; the control is judged normally again", "no — fix the control, or renew the waiver with a new reason and date"),
            ReadError => ("read-error", "a read failed; the message names the IAM action, and the hint the permission to grant when it was denied (status `error`)", "no"),
        }
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The table of finding codes in `docs/json.md`, between its markers.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | meaning | fixed by apply? |\n|---|---|---|\n");
    for code in FindingCode::ALL {
        let (name, meaning, fixed) = code.doc();
        out.push_str(&format!("| `{name}` | {meaning} | {fixed} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serialises_as_its_documented_name() {
        for code in FindingCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "{code:?}");
            let back: FindingCode = serde_json::from_value(json).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn docs_json_md_lists_every_finding_code() {
        const START: &str = "<!-- finding-codes:start -->\n";
        const END: &str = "<!-- finding-codes:end -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/json.md");
        let text = std::fs::read_to_string(path).unwrap();
        let (head, rest) = text
            .split_once(START)
            .expect("docs/json.md has the start marker");
        let (current, tail) = rest
            .split_once(END)
            .expect("docs/json.md has the end marker");
        let wanted = markdown_table();
        if std::env::var_os("UPDATE_DOCS").is_some() && current != wanted {
            std::fs::write(path, format!("{head}{START}{wanted}{END}{tail}")).unwrap();
            return;
        }
        assert!(
            current == wanted,
            "the finding codes in docs/json.md are stale: run `UPDATE_DOCS=1 cargo test -p model`"
        );
    }
}
