//! Which of the account's EventBridge rules watch a control's events: the enabled rules of the
//! default buses, as read for the plan, that catch at least one record of the control's corpus
//! (the records the planner judges them on) in their region and state, by the planner's rule
//! (`plan::rule_sees`).

use model::live::{EventBridgeRead, Rule, Snapshot, DEFAULT_BUS};
use model::Control;
use serde_json::Value;

use crate::spec::{BacktestRule, BacktestRules};

/// The rules of the default buses for `control` (CloudTrail delivers to those; rules of the
/// buses they forward to are not counted); `None` when the rules were not read, or could not
/// be (no region list): a backtest cannot tell what they catch. A region whose rules could not
/// be read adds none.
pub(crate) fn rules_for(snapshot: &Snapshot, control: &Control) -> Option<BacktestRules> {
    let EventBridgeRead::Read(Ok(regions)) = &snapshot.eventbridge else {
        return None;
    };
    let corpus = model::catalog::corpus(control);
    let partition = snapshot.partition.as_str();
    let rules = regions
        .iter()
        .filter(|bus| bus.bus == DEFAULT_BUS)
        .flat_map(|bus| bus.rules.iter().flatten().map(|r| (bus.region.as_str(), r)))
        .filter(|(region, rule)| {
            let Ok(pattern) = eventpattern::parse(&rule.pattern) else {
                return false;
            };
            corpus.iter().any(|(_, record)| {
                let record = made_in(record, region);
                plan::rule_sees(&rule.state, region, &record, partition)
                    && pattern.matches(&eventpattern::envelope(record))
            })
        })
        .map(|(region, rule)| backtest_rule(region, rule))
        .collect();
    Some(BacktestRules {
        partition: partition.to_string(),
        rules,
    })
}

/// A corpus record as made in `region` (a global service's arrives in its home region
/// whatever this says).
fn made_in(record: &Value, region: &str) -> Value {
    let mut record = record.clone();
    if let Some(fields) = record.as_object_mut() {
        fields.insert("awsRegion".into(), Value::String(region.into()));
    }
    record
}

fn backtest_rule(region: &str, rule: &Rule) -> BacktestRule {
    BacktestRule {
        arn: rule.arn.clone(),
        name: rule.name.clone(),
        region: region.to_string(),
        state: rule.state.clone(),
        pattern: rule.pattern.clone(),
    }
}
