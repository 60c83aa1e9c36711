//! What `trailwatch drill` asks EventBridge's own matcher (`TestEventPattern`) for each control
//! the report says EventBridge rules cover: per rule that tells a person of the control's
//! events, one event per distinct event of the control that arrives in the rule's region, as
//! EventBridge would deliver it to this account, with trailwatch's own judgement of it.

use std::collections::BTreeSet;

use model::drill::{ProbeEvent, RuleProbe};
use model::live::{EventBridgeRead, Rule};
use model::{Control, FindingCode, Report, Snapshot};
use serde_json::Value;

use crate::eventbridge::{arrives_in, coverage, in_region, Coverage};

/// The rules to ask about, per selected control the report says EventBridge covers, in the
/// order of the controls and of the rules the coverage names.
pub fn probes(report: &Report, snapshot: &Snapshot, controls: &[Control]) -> Vec<RuleProbe> {
    controls
        .iter()
        .filter(|c| is_covered(report, c.id))
        .flat_map(|control| control_probes(snapshot, control))
        .collect()
}

/// Whether the report says EventBridge rules cover the control (accepted or not).
fn is_covered(report: &Report, control: &str) -> bool {
    report
        .controls
        .iter()
        .filter(|c| c.id == control)
        .flat_map(|c| &c.findings)
        .any(|f| f.code == FindingCode::CoveredByEventbridge)
}

/// One probe per rule that covers the control.
fn control_probes(snapshot: &Snapshot, control: &Control) -> Vec<RuleProbe> {
    let Coverage::Covered { rules, .. } = coverage(snapshot, control) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|arn| find_rule(snapshot, arn))
        .map(|(region, rule)| probe(snapshot, control, region, rule))
        .collect()
}

/// The rule with this ARN and its region.
fn find_rule<'a>(snapshot: &'a Snapshot, arn: &str) -> Option<(&'a str, &'a Rule)> {
    let EventBridgeRead::Read(Ok(buses)) = &snapshot.eventbridge else {
        return None;
    };
    buses.iter().find_map(|bus| {
        let rules = bus.rules.as_ref().ok()?;
        let rule = rules.iter().find(|r| r.arn == arn)?;
        Some((bus.region.as_str(), rule))
    })
}

fn probe(snapshot: &Snapshot, control: &Control, region: &str, rule: &Rule) -> RuleProbe {
    RuleProbe {
        control: control.id.to_string(),
        rule: rule.arn.clone(),
        region: region.to_string(),
        pattern: rule.pattern.clone(),
        events: events(snapshot, control, region, &rule.pattern),
        invocations: rule.invocations.clone().map_err(|e| e.to_string()),
    }
}

/// The first record of each distinct event of the control that arrives in `region`, wrapped
/// as that region's bus receives it in this account, judged by trailwatch's matcher.
fn events(snapshot: &Snapshot, control: &Control, region: &str, pattern: &str) -> Vec<ProbeEvent> {
    // The coverage parsed this pattern to name the rule; a rule it cannot parse covers nothing.
    let pattern = eventpattern::parse(pattern).ok();
    let corpus = model::catalog::corpus(control);
    let mut seen = BTreeSet::new();
    corpus
        .iter()
        .filter(|(_, record)| arrives_in(record, region, &snapshot.partition))
        .filter(|(name, _)| seen.insert(*name))
        .map(|(name, record)| {
            let event = eventpattern::envelope(delivered(record, region, &snapshot.account_id));
            ProbeEvent {
                name: name.to_string(),
                trailwatch: pattern.as_ref().is_some_and(|p| p.matches(&event)),
                event,
            }
        })
        .collect()
}

/// The record as made in `region` and delivered to `account`'s bus.
fn delivered(record: &Value, region: &str, account: &str) -> Value {
    let mut record = in_region(record, region);
    if let Some(fields) = record.as_object_mut() {
        fields.insert("recipientAccountId".into(), Value::String(account.into()));
    }
    record
}
