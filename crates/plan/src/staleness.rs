//! Whether a saved plan still describes the account it was made for: unchanged since it was
//! made, already carried out (the account holds every change it lists and a fresh plan has
//! nothing to do), changed — or not what planning again gives: a saved plan is applied only
//! when planning again from its recorded desired state, against the account as read now, gives
//! exactly its actions, so what a reviewer read in the file is all that can be written. The one
//! rule both a single-account and a many-account apply use.

use std::collections::BTreeMap;

use model::live::{Alarm, Snapshot, Topic};
use model::report::{AlarmSpec, FilterSpec, SubscriptionSpec};
use model::{Action, Control, Desired, Operation, Report};

use crate::fingerprint::{changed, fingerprints};

/// What the account is to a saved plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// Nothing the plan depends on changed: it can be applied.
    Current,
    /// The account already holds what the plan writes, and a fresh plan has nothing to do.
    Applied,
    /// These fingerprinted objects changed (see `fingerprint::fingerprints`).
    Changed(Vec<String>),
    /// Nothing changed, yet planning again does not give the plan's actions (the file was
    /// edited, or made by another version): the first difference.
    Differs(String),
}

/// The saved plan (`saved`, its `fingerprints`) against the account as read now (`snapshot`)
/// and planned now (`fresh`).
pub fn staleness(
    saved: &Report,
    saved_fingerprints: &BTreeMap<String, String>,
    snapshot: &Snapshot,
    fresh: &Report,
    selection: (&[Control], &Desired),
) -> Staleness {
    let (controls, desired) = selection;
    let now = fingerprints(snapshot, controls, desired, saved);
    let changed = changed(saved_fingerprints, &now);
    if changed.is_empty() {
        match first_difference(&saved.actions, &fresh.actions) {
            None => Staleness::Current,
            Some(difference) => Staleness::Differs(difference),
        }
    } else if fresh.actions.is_empty() && saved.actions.iter().all(|a| holds(snapshot, a)) {
        Staleness::Applied
    } else {
        Staleness::Changed(changed)
    }
}

/// The first way the saved actions differ from a fresh plan's, in words; `None` when they are
/// the same.
pub fn first_difference(saved: &[Action], fresh: &[Action]) -> Option<String> {
    for (s, f) in saved.iter().zip(fresh) {
        let (sv, fv) = (as_value(s), as_value(f));
        if let Some((path, was, now)) = differing_field(&sv, &fv, String::new()) {
            return Some(format!(
                "action {}'s `{path}` is {was} in the file but {now} when planned again",
                s.number
            ));
        }
    }
    match saved.len().cmp(&fresh.len()) {
        std::cmp::Ordering::Equal => None,
        _ => Some(format!(
            "the file has {} actions but planning again gives {}",
            saved.len(),
            fresh.len()
        )),
    }
}

fn as_value(action: &Action) -> serde_json::Value {
    serde_json::to_value(action).expect("an action serialises")
}

/// The first field, by path, whose values differ, with both values shown shortly.
fn differing_field(
    a: &serde_json::Value,
    b: &serde_json::Value,
    path: String,
) -> Option<(String, String, String)> {
    use serde_json::Value::Object;
    match (a, b) {
        (Object(x), Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            keys.into_iter().find_map(|k| {
                let (va, vb) = (x.get(k), y.get(k));
                let inner = match path.is_empty() {
                    true => k.clone(),
                    false => format!("{path}.{k}"),
                };
                match (va, vb) {
                    (Some(va), Some(vb)) => differing_field(va, vb, inner),
                    _ => Some((inner, shown(va), shown(vb))),
                }
            })
        }
        _ if a == b => None,
        _ => Some((path, shown(Some(a)), shown(Some(b)))),
    }
}

/// A value as one short piece of text.
fn shown(value: Option<&serde_json::Value>) -> String {
    let Some(value) = value else {
        return "absent".into();
    };
    let text = value.to_string();
    match text.chars().count() > 80 {
        true => text.chars().take(77).collect::<String>() + "…",
        false => text,
    }
}

/// True when the account holds what one action writes.
fn holds(snapshot: &Snapshot, action: &Action) -> bool {
    match &action.operation {
        Operation::PutMetricFilter { after, .. } => filter_holds(snapshot, &action.region, after),
        Operation::CreateTopic { after } => topic(snapshot, &action.region, &after.arn).is_some(),
        Operation::Subscribe { after } => subscribed(snapshot, &action.region, after),
        Operation::PutMetricAlarm { after, .. } => alarms(snapshot, &action.region)
            .iter()
            .any(|a| alarm_holds(a, after)),
    }
}

fn filter_holds(snapshot: &Snapshot, region: &str, spec: &FilterSpec) -> bool {
    let Some(Ok(filters)) = snapshot
        .log_group(region, &spec.log_group)
        .map(|g| g.filters.as_ref())
    else {
        return false;
    };
    filters.iter().any(|f| {
        f.name == spec.name
            && f.pattern == spec.pattern
            && f.metrics
                .iter()
                .any(|m| m.name == spec.metric_name && m.namespace == spec.namespace)
    })
}

fn topic<'a>(snapshot: &'a Snapshot, region: &str, arn: &str) -> Option<&'a Topic> {
    let topics = snapshot.region_state(region)?.topics.as_ref().ok()?;
    topics.iter().find(|t| t.arn == arn)
}

fn subscribed(snapshot: &Snapshot, region: &str, spec: &SubscriptionSpec) -> bool {
    topic(snapshot, region, &spec.topic_arn)
        .and_then(|t| t.subscriptions.as_ref().ok())
        .is_some_and(|subs| {
            subs.iter()
                .any(|s| s.protocol == spec.protocol && s.endpoint == spec.endpoint)
        })
}

fn alarms<'a>(snapshot: &'a Snapshot, region: &str) -> &'a [Alarm] {
    snapshot
        .region_state(region)
        .and_then(|r| r.alarms.as_ref().ok())
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn alarm_holds(alarm: &Alarm, spec: &AlarmSpec) -> bool {
    alarm.name == spec.name
        && alarm.metric_name.as_deref() == Some(spec.metric_name.as_str())
        && alarm.namespace.as_deref() == Some(spec.namespace.as_str())
        && alarm.actions_enabled == spec.actions_enabled
        && spec
            .alarm_actions
            .iter()
            .all(|a| alarm.alarm_actions.contains(a))
}
