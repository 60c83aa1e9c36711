//! Fingerprints of the live objects a plan read or will touch, so that applying a saved plan can
//! refuse when any of them changed since.

use std::collections::{BTreeMap, BTreeSet};

use model::live::Snapshot;
use model::{Control, Operation, Report};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The value recorded for an object that did not exist.
pub const ABSENT: &str = "absent";

fn digest<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).expect("plain data serialises");
    let hash = Sha256::digest(&bytes);
    hash.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Fingerprints by object key: `trails`; `filters:REGION:GROUP` for each log group read;
/// `alarm:REGION:NAME` for each alarm on a metric those filters publish (or a control's default
/// metric) and each alarm the plan writes (`absent` when it does not exist yet); `topics:REGION`
/// for each region's topics and subscriptions.
pub fn fingerprints(
    snapshot: &Snapshot,
    controls: &[Control],
    namespace: &str,
    report: &Report,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("trails".to_string(), digest(&snapshot.trails));
    let mut metrics: BTreeSet<(String, String)> = controls
        .iter()
        .map(|c| (c.default_metric_name.to_string(), namespace.to_string()))
        .collect();
    for group in &snapshot.log_groups {
        out.insert(
            format!("filters:{}:{}", group.region, group.name),
            digest(&group.filters),
        );
        if let Ok(filters) = &group.filters {
            for f in filters {
                for m in &f.metrics {
                    metrics.insert((m.name.clone(), m.namespace.clone()));
                }
            }
        }
    }
    let mut written: BTreeSet<(String, String)> = BTreeSet::new();
    for action in &report.actions {
        if let Operation::PutMetricAlarm { after, .. } = &action.operation {
            written.insert((action.region.clone(), after.name.clone()));
        }
    }
    for region in &snapshot.regions {
        out.insert(format!("topics:{}", region.region), digest(&region.topics));
        match &region.alarms {
            Ok(alarms) => {
                for alarm in alarms {
                    let relevant = metrics.iter().any(|(name, ns)| {
                        alarm.metric_name.as_deref() == Some(name)
                            && alarm.namespace.as_deref() == Some(ns)
                    }) || written
                        .contains(&(region.region.clone(), alarm.name.clone()));
                    if relevant {
                        out.insert(
                            format!("alarm:{}:{}", region.region, alarm.name),
                            digest(alarm),
                        );
                    }
                }
            }
            Err(e) => {
                out.insert(format!("alarms:{}", region.region), digest(e));
            }
        }
    }
    for (region, name) in written {
        out.entry(format!("alarm:{region}:{name}"))
            .or_insert_with(|| ABSENT.to_string());
    }
    out
}

/// The keys whose fingerprints differ between a saved plan and now (added, removed or changed).
pub fn changed(saved: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> Vec<String> {
    let keys: BTreeSet<&String> = saved.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter(|k| {
            saved.get(*k).map(String::as_str).unwrap_or(ABSENT)
                != now.get(*k).map(String::as_str).unwrap_or(ABSENT)
        })
        .cloned()
        .collect()
}
