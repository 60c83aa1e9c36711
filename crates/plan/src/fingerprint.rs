//! Fingerprints of the live objects a plan depends on, so that applying a saved plan can refuse
//! when any of them changed since. What is covered is what can change the plan (see `scope`).

use std::collections::{BTreeMap, BTreeSet};

use model::digest::json_sha256_hex;
use model::live::Snapshot;
use model::{Control, Desired, Operation, Report};
use serde::Serialize;

use crate::scope::{matters, region_metrics};

/// The value recorded for an object that did not exist.
pub const ABSENT: &str = "absent";

/// How many bytes of the hash a fingerprint keeps.
const FINGERPRINT_BYTES: usize = 16;

fn digest<T: Serialize>(value: &T) -> String {
    json_sha256_hex(value, FINGERPRINT_BYTES)
}

/// Fingerprints by object key: `trails`; `filters:REGION:GROUP` for each log group read;
/// `alarm:REGION:NAME` for each alarm that can change the plan (`scope::matters`: on a metric
/// that matters or its name in another namespace, or with trailwatch's names) and each alarm
/// the plan writes (`absent` when it does not exist yet); `topics:REGION` for each region's
/// topics and subscriptions.
pub fn fingerprints(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
    report: &Report,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("trails".to_string(), digest(&snapshot.trails));
    for group in &snapshot.log_groups {
        out.insert(
            format!("filters:{}:{}", group.region, group.name),
            digest(&group.filters),
        );
    }
    for region in &snapshot.regions {
        out.insert(format!("topics:{}", region.region), digest(&region.topics));
        let metrics = region_metrics(snapshot, controls, desired, &region.region);
        match &region.alarms {
            Ok(alarms) => {
                for alarm in alarms.iter().filter(|a| matters(a, &metrics)) {
                    out.insert(
                        format!("alarm:{}:{}", region.region, alarm.name),
                        digest(alarm),
                    );
                }
            }
            Err(e) => {
                out.insert(format!("alarms:{}", region.region), digest(e));
            }
        }
    }
    for (region, name) in written_alarms(report) {
        out.entry(format!("alarm:{region}:{name}"))
            .or_insert_with(|| ABSENT.to_string());
    }
    out
}

fn written_alarms(report: &Report) -> BTreeSet<(String, String)> {
    report
        .actions
        .iter()
        .filter_map(|action| match &action.operation {
            Operation::PutMetricAlarm { after, .. } => {
                Some((action.region.clone(), after.name.clone()))
            }
            _ => None,
        })
        .collect()
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
