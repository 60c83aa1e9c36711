//! What can change a verdict or a plan, defined once: the metrics whose alarms matter for a log
//! group's filters, and which alarms matter at all. The reader fetches by it (the first read's
//! [`ReadScope`], and when a region has more than a page of alarms [`region_alarm_request`], in
//! the first read, or [`alarm_requests`], after it), and the saved plan's fingerprint covers
//! exactly it.

use std::collections::BTreeSet;

use model::desired::NAME_PREFIX;
use model::live::{
    Alarm, AlarmRequest, AlarmsRead, LogGroup, MetricFilter, MetricKey, ReadScope, RegionState,
    Snapshot,
};
use model::{Control, Desired, RulesRead, TopicChoice};

use crate::resources::{own_metric, resource_name};
use crate::verdict::{is_attempt, judge, serves};

/// What the first read fetches beyond trails and filters: the topic the user named,
/// trailwatch's alarm name prefix, and whether the EventBridge rules are read beside it. The default shared topic is read only when the plan turns to
/// it (`plan_or_read`): an account whose alarms already notify a good topic never needs it.
pub fn read_scope(desired: &Desired) -> ReadScope {
    let (topic_names, topic_arns) = match &desired.topic {
        TopicChoice::Auto => (Vec::new(), Vec::new()),
        TopicChoice::Name(name) => (vec![name.clone()], Vec::new()),
        TopicChoice::Arn(arn) => (Vec::new(), vec![arn.clone()]),
    };
    ReadScope {
        alarm_name_prefix: NAME_PREFIX.to_string(),
        topic_names,
        topic_arns,
        eventbridge: desired.rules == RulesRead::Read,
    }
}

/// The metrics whose alarms the audit and the planner look at for one log group: every metric
/// of a filter that serves a control, catches all its events, falls short of it, is named for
/// it, or publishes its metric — each also in the desired namespace, where an alarm on the right
/// name but the wrong namespace is reported — and, for a control no filter serves, its own
/// metric in the desired namespace (where trailwatch would create it).
pub fn alarm_metrics(
    controls: &[Control],
    desired: &Desired,
    filters: &[MetricFilter],
) -> BTreeSet<MetricKey> {
    let mut out = BTreeSet::new();
    for control in controls {
        let own = Own {
            metric: own_metric(control, desired),
            name: resource_name(control),
        };
        let mut served = false;
        for filter in filters {
            let verdict = judge(control, filter);
            let matches = serves(control, filter, &verdict, desired.match_mode);
            served |= matches && !filter.metrics.is_empty();
            if matches || is_relevant(control, &own, filter, &verdict) {
                for m in &filter.metrics {
                    out.insert(MetricKey::new(&m.name, &m.namespace));
                    out.insert(MetricKey::new(&m.name, &desired.namespace));
                }
            }
        }
        if !served {
            out.insert(own.metric);
        }
    }
    out
}

/// What trailwatch would name a control's filter and metric, made once per control rather than
/// once per filter.
struct Own {
    metric: MetricKey,
    name: String,
}

fn is_relevant(
    control: &Control,
    own: &Own,
    filter: &MetricFilter,
    verdict: &crate::verdict::Verdict,
) -> bool {
    verdict.catches_all()
        || is_attempt(control, filter, verdict)
        || filter.name == own.name
        || filter
            .metrics
            .iter()
            .any(|m| m.name == own.metric.name && m.namespace == own.metric.namespace)
}

/// The metrics that matter in one region: those of every log group read there.
pub fn region_metrics(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
    region: &str,
) -> BTreeSet<MetricKey> {
    let groups = snapshot.log_groups.iter().filter(|g| g.region == region);
    groups_metrics(groups, controls, desired)
}

/// The metrics that matter for these log groups' filters.
fn groups_metrics<'a>(
    groups: impl IntoIterator<Item = &'a LogGroup>,
    controls: &[Control],
    desired: &Desired,
) -> BTreeSet<MetricKey> {
    groups
        .into_iter()
        .flat_map(|g| alarm_metrics(controls, desired, g.filters.as_deref().unwrap_or(&[])))
        .collect()
}

/// Whether an alarm can change a verdict or a plan: it watches a metric that matters, or a
/// metric of the same name in another namespace (reported, and its topic may be reused), or it
/// has a name trailwatch may create.
pub fn matters(alarm: &Alarm, metrics: &BTreeSet<MetricKey>) -> bool {
    alarm.name.starts_with(NAME_PREFIX) || metrics.iter().any(|m| alarm.watches_name(&m.name))
}

/// The alarms still to read: in each region whose alarms were not all read, those on the
/// metrics that matter and those with trailwatch's names, when they were not read yet.
pub fn alarm_requests(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Vec<AlarmRequest> {
    (snapshot.regions.iter())
        .filter_map(|state| {
            let groups = snapshot
                .log_groups
                .iter()
                .filter(|g| g.region == state.region);
            region_alarm_request(groups, state, controls, desired)
        })
        .collect()
}

/// [`alarm_requests`] of one region, from the log groups read there: none when its alarms were
/// all read (or could not be), or when what matters was read already.
pub fn region_alarm_request<'a>(
    groups: impl IntoIterator<Item = &'a LogGroup>,
    state: &RegionState,
    controls: &[Control],
    desired: &Desired,
) -> Option<AlarmRequest> {
    if state.alarms.is_err() || state.alarms_read == AlarmsRead::All {
        return None;
    }
    let metrics: Vec<MetricKey> = groups_metrics(groups, controls, desired)
        .into_iter()
        .filter(|m| !state.alarms_read.covers(m))
        .collect();
    let name_prefix =
        (!state.alarms_read.covers_prefix(NAME_PREFIX)).then(|| NAME_PREFIX.to_string());
    (!metrics.is_empty() || name_prefix.is_some()).then(|| AlarmRequest {
        region: state.region.clone(),
        metrics,
        name_prefix,
    })
}
