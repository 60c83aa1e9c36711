//! Sample live state for tests of the crates above `model`: an account with a qualifying trail,
//! and builders for its filters, alarms and topics. Compiled only with the `sample` feature,
//! which only dev-dependencies turn on.

use crate::live::*;
use crate::report::{AlarmSpec, FilterSpec};
use crate::{Action, Control, Operation};

/// The sample account.
pub const ACCOUNT: &str = "111122223333";
/// Its region.
pub const REGION: &str = "us-east-1";
/// The clock of sample reads: 2026-11-29T12:00:00Z.
pub const SAMPLE_NOW: i64 = 1_795_953_600;
/// The log group its trail sends to.
pub const GROUP: &str = "trail-logs";

/// A control of the default benchmark version, by slug.
pub fn control(id: &str) -> Control {
    crate::catalog::select(crate::catalog::default_benchmark(), &[id.into()], None).unwrap()[0]
        .clone()
}

/// The IAM policy changes control.
pub fn iam() -> Control {
    control("iam-policy-changes")
}

/// The CloudTrail configuration changes control.
pub fn ct() -> Control {
    control("cloudtrail-config-changes")
}

/// A qualifying trail that sends to [`GROUP`].
pub fn trail(name: &str) -> Trail {
    Trail {
        arn: format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"),
        name: name.into(),
        home_region: REGION.into(),
        is_multi_region: true,
        is_organization_trail: false,
        log_group_arn: Some(format!(
            "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"
        )),
        is_logging: Ok(true),
        logs_delivery: crate::live::LogsDelivery {
            role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs")),
            latest_error: None,
            latest_delivery: Some(SAMPLE_NOW - 300),
            read_at: SAMPLE_NOW,
        },
        selectors: Ok(EventSelectors {
            basic: vec![BasicSelector {
                read_write_type: "All".into(),
                include_management_events: true,
            }],
            advanced: vec![],
        }),
        archive: None,
    }
}

/// A filter publishing `metric` in `CISBenchmark`.
pub fn filter(name: &str, pattern: &str, metric: &str) -> MetricFilter {
    MetricFilter {
        name: name.into(),
        pattern: pattern.into(),
        metrics: vec![MetricTransformation {
            name: metric.into(),
            namespace: "CISBenchmark".into(),
            value: "1".into(),
            default_value: None,
        }],
    }
}

/// An alarm on `metric` in `CISBenchmark`, notifying `topic` if given, with an OK action.
pub fn alarm(name: &str, metric: &str, topic: Option<&str>) -> Alarm {
    Alarm {
        name: name.into(),
        description: None,
        metric_name: Some(metric.into()),
        namespace: Some("CISBenchmark".into()),
        has_dimensions: false,
        actions_enabled: true,
        alarm_actions: topic.map(|t| vec![topic_arn(t)]).unwrap_or_default(),
        ok_actions: vec!["arn:aws:sns:us-east-1:111122223333:ok-topic".into()],
        insufficient_data_actions: vec![],
        statistic: Some(crate::cloudwatch::Statistic::SUM),
        period: Some(60),
        evaluation_periods: Some(1),
        threshold: Some(1.0),
        comparison_operator: Some(
            crate::cloudwatch::ComparisonOperator::GreaterThanOrEqualToThreshold,
        ),
        treat_missing_data: None,
        datapoints_to_alarm: None,
    }
}

/// The ARN of the sample account's topic `name`.
pub fn topic_arn(name: &str) -> String {
    format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}")
}

/// A topic with one email subscription, confirmed or pending.
pub fn topic(name: &str, confirmed: bool) -> Topic {
    Topic {
        arn: topic_arn(name),
        subscriptions: Ok(vec![Subscription {
            arn: if confirmed {
                format!("{}:abc", topic_arn(name))
            } else {
                "PendingConfirmation".into()
            },
            protocol: "email".into(),
            endpoint: "sec@example.com".into(),
        }]),
        deliveries: Ok(None),
        attributes: Ok(TopicAttributes::default()),
    }
}

/// The sample account with these trails, filters (on [`GROUP`]), alarms and topics.
pub fn snapshot(
    trails: Vec<Trail>,
    filters: Vec<MetricFilter>,
    alarms: Vec<Alarm>,
    topics: Vec<Topic>,
) -> Snapshot {
    Snapshot {
        account_id: ACCOUNT.into(),
        region: REGION.into(),
        partition: "aws".into(),
        trails: Ok(trails),
        log_groups: vec![LogGroup {
            region: REGION.into(),
            name: GROUP.into(),
            filters: Ok(filters),
        }],
        regions: vec![RegionState {
            region: REGION.into(),
            alarms: Ok(alarms),
            alarms_read: AlarmsRead::All,
            topics_read: topics.iter().map(|t| t.arn.clone()).collect(),
            topics: Ok(topics),
        }],
        // As `plan` reads it: the EventBridge rules read, and none there.
        eventbridge: crate::live::EventBridgeRead::Read(Ok(Vec::new())),
    }
}

/// The sample account where the IAM control holds.
pub fn compliant() -> Snapshot {
    snapshot(
        vec![trail("main")],
        vec![filter("f", iam().pattern, "IAMPolicyChanges")],
        vec![alarm("a", "IAMPolicyChanges", Some("alerts"))],
        vec![topic("alerts", true)],
    )
}

/// Applies one action to the snapshot as AWS would: a filter's name is unique in its log
/// group and an alarm's in its region (a put replaces), a created topic has no subscriber, a
/// subscription a person confirms is pending. For tests of apply's convergence.
pub fn write(s: &mut Snapshot, action: &Action) {
    match &action.operation {
        Operation::PutMetricFilter { after, .. } => put_filter(s, &action.region, after),
        Operation::CreateTopic { after } => {
            let state = region_mut(s, &action.region);
            state.topics.as_mut().unwrap().push(Topic {
                arn: after.arn.clone(),
                subscriptions: Ok(vec![]),
                attributes: Ok(TopicAttributes {
                    policy: after.policy.clone(),
                    ..TopicAttributes::default()
                }),
                deliveries: Ok(None),
            });
        }
        Operation::Subscribe { after } => {
            let state = region_mut(s, &action.region);
            let topic = state
                .topics
                .as_mut()
                .unwrap()
                .iter_mut()
                .find(|t| t.arn == after.topic_arn)
                .expect("subscribing to a topic that exists");
            let arn = if crate::desired::needs_confirmation(&after.protocol) {
                "PendingConfirmation".to_string()
            } else {
                format!("{}:sub", after.topic_arn)
            };
            topic.subscriptions.as_mut().unwrap().push(Subscription {
                arn,
                protocol: after.protocol.clone(),
                endpoint: after.endpoint.clone(),
            });
        }
        Operation::PutMetricAlarm { after, .. } => put_alarm(s, &action.region, after),
    }
}

fn region_mut<'a>(s: &'a mut Snapshot, region: &str) -> &'a mut RegionState {
    s.regions
        .iter_mut()
        .find(|r| r.region == region)
        .expect("a region of the plan was read")
}

fn put_filter(s: &mut Snapshot, region: &str, spec: &FilterSpec) {
    let group = s
        .log_groups
        .iter_mut()
        .find(|g| g.region == region && g.name == spec.log_group)
        .expect("the group exists");
    let filters = group.filters.as_mut().unwrap();
    filters.retain(|f| f.name != spec.name);
    filters.push(MetricFilter {
        name: spec.name.clone(),
        pattern: spec.pattern.clone(),
        metrics: vec![MetricTransformation {
            name: spec.metric_name.clone(),
            namespace: spec.namespace.clone(),
            value: spec.metric_value.clone(),
            default_value: spec.default_value,
        }],
    });
}

fn put_alarm(s: &mut Snapshot, region: &str, spec: &AlarmSpec) {
    let alarms = region_mut(s, region).alarms.as_mut().unwrap();
    alarms.retain(|a| a.name != spec.name);
    alarms.push(Alarm {
        name: spec.name.clone(),
        description: spec.description.clone(),
        metric_name: Some(spec.metric_name.clone()),
        namespace: Some(spec.namespace.clone()),
        has_dimensions: false,
        actions_enabled: spec.actions_enabled,
        alarm_actions: spec.alarm_actions.clone(),
        ok_actions: spec.ok_actions.clone(),
        insufficient_data_actions: spec.insufficient_data_actions.clone(),
        statistic: Some(spec.statistic.clone()),
        period: Some(spec.period),
        evaluation_periods: Some(spec.evaluation_periods),
        threshold: Some(spec.threshold),
        comparison_operator: Some(spec.comparison_operator.clone()),
        treat_missing_data: spec.treat_missing_data.clone(),
        datapoints_to_alarm: None,
    });
}
