//! The resources the plan writes: which existing filter or alarm it may change and which it must
//! leave alone, the names of new ones, and the specs it writes (CIS alarm defaults, topic policy).

use model::arn::LogGroupRef;
use model::desired::NAME_PREFIX;
use model::live::{Alarm, MetricFilter, MetricKey};
use model::report::{AlarmSpec, FilterSpec};
use model::{Control, Desired};

use crate::builder::Claims;
use crate::verdict::{explain_miss, is_attempt, judge};

/// Marks the alarms trailwatch creates (in their description), so it knows which it may change.
pub const MANAGED_MARKER: &str = "(managed by trailwatch)";

/// The name trailwatch gives the filter and the alarm it creates for a control.
pub fn resource_name(control: &Control) -> String {
    format!("{NAME_PREFIX}{}", control.id)
}

/// The first of `base`, `base-2`, `base-3`, … that is not taken: the one rule for new names.
pub(crate) fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// The metric trailwatch publishes for a control: its default metric in the desired namespace.
pub fn own_metric(control: &Control, desired: &Desired) -> MetricKey {
    MetricKey::new(control.default_metric_name, &desired.namespace)
}

/// A filter with trailwatch's name for the control that publishes a metric trailwatch would
/// not create is someone else's, like an alarm trailwatch did not create.
pub(crate) fn is_foreign_namesake(
    filter: &MetricFilter,
    control: &Control,
    desired: &Desired,
) -> bool {
    let own = own_metric(control, desired);
    filter.name == resource_name(control)
        && filter
            .metrics
            .iter()
            .any(|m| m.name != own.name || m.namespace != own.namespace)
}

/// What the plan writes for one resource: the spec, what it replaces, why, and a note for the
/// report when it chose to leave something alone.
pub(crate) struct Choice<T> {
    pub after: T,
    pub before: Option<T>,
    pub reason: String,
    pub note: Option<String>,
}

/// Chooses the filter to write: update one that is meant for this control, else create ours.
pub(crate) fn plan_filter(
    desired: &Desired,
    control: &Control,
    group: &LogGroupRef,
    filters: &[MetricFilter],
    claims: &mut Claims,
) -> Choice<FilterSpec> {
    let claimed = |f: &MetricFilter| claims.has_filter(&group.region, &group.name, &f.name);
    let candidate = filter_to_update(desired, control, filters).filter(|(f, _)| !claimed(f));
    if let Some((filter, reason)) = candidate {
        claims.claim_filter(&group.region, &group.name, &filter.name);
        return corrected(desired, control, group, filter, reason);
    }
    let ours = resource_name(control);
    let name = free_name(&ours, |name| {
        filters.iter().any(|f| f.name == name)
            || claims.has_filter(&group.region, &group.name, name)
    });
    claims.claim_filter(&group.region, &group.name, &name);
    let own = own_metric(control, desired);
    let note = filters
        .iter()
        .find(|f| is_foreign_namesake(f, control, desired) && !desired.adopt)
        .map(|f| format!(
            "filter `{ours}` on log group `{}` publishes a metric trailwatch would not create ({}): it is left alone and the new filter gets a distinct name (pass --adopt to take `{ours}` over instead)",
            group.name, metrics_of(f)
        ));
    Choice {
        after: FilterSpec {
            log_group: group.name.clone(),
            name,
            pattern: control.written(desired.match_mode).to_string(),
            metric_name: own.name,
            namespace: own.namespace,
            metric_value: "1".into(),
            default_value: None,
        },
        before: None,
        reason: format!(
            "no metric filter on log group `{}` catches the control's events",
            group.name
        ),
        note,
    }
}

fn metrics_of(filter: &MetricFilter) -> String {
    let names: Vec<String> = filter
        .metrics
        .iter()
        .map(|m| format!("`{}/{}`", m.namespace, m.name))
        .collect();
    names.join(", ")
}

/// The existing filter the plan corrects, and why: trailwatch's own, an attempt at the control,
/// or one that publishes the control's metric. Someone else's filter with trailwatch's name is
/// never among them, unless `--adopt`.
fn filter_to_update<'a>(
    desired: &Desired,
    control: &Control,
    filters: &'a [MetricFilter],
) -> Option<(&'a MetricFilter, String)> {
    let ours = resource_name(control);
    let own = own_metric(control, desired);
    let allowed = |f: &&MetricFilter| desired.adopt || !is_foreign_namesake(f, control, desired);
    let named = filters.iter().filter(allowed).find(|f| f.name == ours).map(|f| {
        let reason = if is_foreign_namesake(f, control, desired) {
            format!("filter `{}` was not created by trailwatch; --adopt takes it over for this control, correcting its pattern and keeping its metric", f.name)
        } else {
            format!("filter `{}` is trailwatch's filter for this control but its pattern differs from the CIS pattern", f.name)
        };
        (f, reason)
    });
    named
        .or_else(|| {
            filters.iter().filter(allowed).find_map(|f| {
                let verdict = judge(control, f);
                is_attempt(control, f, &verdict).then(|| {
                    (
                        f,
                        format!(
                            "{}; the plan corrects its pattern and keeps its name and metric",
                            explain_miss(f, &verdict)
                        ),
                    )
                })
            })
        })
        .or_else(|| {
            filters
                .iter()
                .filter(allowed)
                .find(|f| {
                    f.metrics
                        .iter()
                        .any(|m| m.name == own.name && m.namespace == own.namespace)
                })
                .map(|f| (f, metric_reason(control, f, &own.name)))
        })
}

/// Why a filter that publishes the control's metric is corrected: what it misses, if it
/// catches any of the control's events.
fn metric_reason(control: &Control, filter: &MetricFilter, metric: &str) -> String {
    let verdict = judge(control, filter);
    match verdict.caught.is_empty() {
        true => format!("filter `{}` publishes the control's metric `{metric}` but does not catch the control's events", filter.name),
        false => format!("{}; it publishes the control's metric `{metric}`, so the plan corrects its pattern and keeps its name and metric", explain_miss(filter, &verdict)),
    }
}

/// The update of an existing filter: the control's pattern, its name and metric kept.
fn corrected(
    desired: &Desired,
    control: &Control,
    group: &LogGroupRef,
    filter: &MetricFilter,
    reason: String,
) -> Choice<FilterSpec> {
    let metric = filter.metrics.first();
    let before = FilterSpec {
        log_group: group.name.clone(),
        name: filter.name.clone(),
        pattern: filter.pattern.clone(),
        metric_name: metric.map(|m| m.name.clone()).unwrap_or_default(),
        namespace: metric.map(|m| m.namespace.clone()).unwrap_or_default(),
        metric_value: metric.map(|m| m.value.clone()).unwrap_or_default(),
        default_value: metric.and_then(|m| m.default_value),
    };
    let mut after = before.clone();
    after.pattern = control.written(desired.match_mode).to_string();
    if metric.is_none() {
        let own = own_metric(control, desired);
        after.metric_name = own.name;
        after.namespace = own.namespace;
        after.metric_value = "1".into();
    }
    Choice {
        after,
        before: Some(before),
        reason,
        note: None,
    }
}

/// Where an alarm is planned: the desired state, the region and its alarms, and the topic it
/// must notify.
pub(crate) struct AlarmSite<'a> {
    pub desired: &'a Desired,
    pub region: &'a str,
    pub alarms: &'a [Alarm],
    pub topic_arn: &'a str,
}

/// Chooses the alarm to write: fix the existing alarm on the metric, else create ours.
pub(crate) fn plan_alarm(
    site: &AlarmSite,
    control: &Control,
    metric: &MetricKey,
    existing: Option<&Alarm>,
    claims: &mut Claims,
) -> Choice<AlarmSpec> {
    if let Some(alarm) = existing.filter(|a| !claims.has_alarm(site.region, &a.name)) {
        claims.claim_alarm(site.region, &alarm.name);
        return enable_and_notify(alarm, metric, site.topic_arn);
    }
    let ours = resource_name(control);
    let namesake = site
        .alarms
        .iter()
        .find(|a| a.name == ours && !claims.has_alarm(site.region, &a.name));
    let mut note = None;
    if let Some(other) = namesake {
        let managed = is_managed(other);
        if managed || site.desired.adopt {
            claims.claim_alarm(site.region, &other.name);
            return take_over(site, control, metric, other, managed);
        }
        note = Some(format!(
            "alarm `{ours}` in {} watches another metric and was not created by trailwatch: it is left alone and the new alarm gets a distinct name (pass --adopt to take `{ours}` over instead)",
            site.region
        ));
    }
    let name = free_name(&ours, |name| {
        site.alarms.iter().any(|a| a.name == name) || claims.has_alarm(site.region, name)
    });
    claims.claim_alarm(site.region, &name);
    let topics = vec![site.topic_arn.to_string()];
    Choice {
        after: fresh_alarm(
            site.desired,
            control,
            metric,
            name,
            [topics, Vec::new(), Vec::new()],
        ),
        before: None,
        reason: format!(
            "no alarm watches metric `{}` in namespace `{}`",
            metric.name, metric.namespace
        ),
        note,
    }
}

fn is_managed(alarm: &Alarm) -> bool {
    alarm
        .description
        .as_deref()
        .is_some_and(|d| d.contains(MANAGED_MARKER))
}

/// The update of the alarm on the metric: actions enabled and the topic added, the rest kept.
fn enable_and_notify(alarm: &Alarm, metric: &MetricKey, topic_arn: &str) -> Choice<AlarmSpec> {
    let before = alarm_spec(alarm, metric);
    let mut after = before.clone();
    after.actions_enabled = true;
    add_topic(&mut after.alarm_actions, topic_arn);
    let mut why = Vec::new();
    if !alarm.actions_enabled {
        why.push("its actions are disabled".to_string());
    }
    if !alarm.alarm_actions.iter().any(|a| a == topic_arn) {
        why.push(format!("it does not notify `{topic_arn}`"));
    }
    Choice {
        after,
        before: Some(before),
        reason: format!(
            "alarm `{}` watches the metric but {}; the update keeps its other settings and actions",
            alarm.name,
            why.join(" and ")
        ),
        note: None,
    }
}

/// The update of the alarm with trailwatch's name: pointed at the metric, its actions kept.
fn take_over(
    site: &AlarmSite,
    control: &Control,
    metric: &MetricKey,
    other: &Alarm,
    managed: bool,
) -> Choice<AlarmSpec> {
    let before = alarm_spec(other, metric);
    let mut actions = before.alarm_actions.clone();
    add_topic(&mut actions, site.topic_arn);
    let kept = [
        actions,
        before.ok_actions.clone(),
        before.insufficient_data_actions.clone(),
    ];
    let after = fresh_alarm(site.desired, control, metric, other.name.clone(), kept);
    let reason = if managed {
        format!("trailwatch's alarm `{}` watches another metric; the update points it at `{}` and keeps its other actions", other.name, metric.name)
    } else {
        format!("alarm `{}` was not created by trailwatch; --adopt takes it over for this control, keeping its other actions", other.name)
    };
    Choice {
        after,
        before: Some(before),
        reason,
        note: None,
    }
}

fn add_topic(actions: &mut Vec<String>, topic_arn: &str) {
    if !actions.iter().any(|a| a == topic_arn) {
        actions.push(topic_arn.to_string());
    }
}

/// An alarm with the CIS defaults; `actions` are `[alarm, OK, insufficient data]` actions.
fn fresh_alarm(
    desired: &Desired,
    control: &Control,
    metric: &MetricKey,
    name: String,
    actions: [Vec<String>; 3],
) -> AlarmSpec {
    let d = &desired.alarm;
    let [alarm_actions, ok_actions, insufficient_data_actions] = actions;
    AlarmSpec {
        name,
        description: Some(format!("{} {MANAGED_MARKER}", control.heading())),
        metric_name: metric.name.clone(),
        namespace: metric.namespace.clone(),
        statistic: d.statistic.clone(),
        period: d.period,
        evaluation_periods: d.evaluation_periods,
        threshold: d.threshold,
        comparison_operator: d.comparison_operator.clone(),
        treat_missing_data: Some(d.treat_missing_data.clone()),
        actions_enabled: true,
        alarm_actions,
        ok_actions,
        insufficient_data_actions,
    }
}

/// An existing alarm as a spec, its unknown settings filled with the CIS defaults.
fn alarm_spec(alarm: &Alarm, metric: &MetricKey) -> AlarmSpec {
    let d = model::desired::AlarmDefaults::default();
    AlarmSpec {
        name: alarm.name.clone(),
        description: alarm.description.clone(),
        metric_name: alarm
            .metric_name
            .clone()
            .unwrap_or_else(|| metric.name.clone()),
        namespace: alarm
            .namespace
            .clone()
            .unwrap_or_else(|| metric.namespace.clone()),
        statistic: alarm.statistic.clone().unwrap_or(d.statistic),
        period: alarm.period.unwrap_or(d.period),
        evaluation_periods: alarm.evaluation_periods.unwrap_or(d.evaluation_periods),
        threshold: alarm.threshold.unwrap_or(d.threshold),
        comparison_operator: alarm
            .comparison_operator
            .clone()
            .unwrap_or(d.comparison_operator),
        treat_missing_data: alarm.treat_missing_data.clone(),
        actions_enabled: alarm.actions_enabled,
        alarm_actions: alarm.alarm_actions.clone(),
        ok_actions: alarm.ok_actions.clone(),
        insufficient_data_actions: alarm.insufficient_data_actions.clone(),
    }
}

/// The access policy of a topic trailwatch creates: the account keeps every right on it, and
/// CloudWatch may publish to it for the account's alarms only.
pub fn topic_policy(topic_arn: &str, account: &str, region: &str) -> String {
    let partition = model::arn::partition_of(region);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountOwner",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
                "Action": [
                    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                    "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic", "SNS:Publish"
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "CloudWatchAlarms",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:{partition}:cloudwatch:{region}:{account}:alarm:*")}},
            }
        ]
    })
    .to_string()
}
