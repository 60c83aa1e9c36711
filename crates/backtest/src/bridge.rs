//! Which of the account's EventBridge rules watch a control's events: the enabled rules of the
//! default buses, as read for the plan, that catch at least one record of the control's corpus
//! (the records the planner judges them on) in their region and state, by the planner's rule
//! (`plan::rule_sees`).

use model::live::{EventBridgeRead, Rule, Snapshot, DEFAULT_BUS};
use model::Control;

use crate::spec::{BacktestRule, BacktestRules};

/// The rules of the default buses for `control` (CloudTrail delivers to those; rules of the
/// buses they forward to are not counted); `None` when the rules were not read. What could not
/// be read or judged — the region list, a region's rules, a pattern — is named in `unread`, so
/// the report says it cannot tell rather than showing fewer rules.
pub(crate) fn rules_for(snapshot: &Snapshot, control: &Control) -> Option<BacktestRules> {
    let partition = snapshot.partition.as_str();
    let regions = match &snapshot.eventbridge {
        EventBridgeRead::NotRead => return None,
        EventBridgeRead::Read(Err(e)) => {
            return Some(BacktestRules {
                partition: partition.to_string(),
                rules: Vec::new(),
                unread: vec![e.to_string()],
            })
        }
        EventBridgeRead::Read(Ok(regions)) => regions,
    };
    let unread = unread(regions);
    let corpus = model::catalog::corpus(control);
    let rules = regions
        .iter()
        .filter(|bus| bus.bus == DEFAULT_BUS && bus.account == snapshot.account_id)
        .flat_map(|bus| bus.rules.iter().flatten().map(|r| (bus.region.as_str(), r)))
        .filter(|(region, rule)| {
            let Ok(pattern) = eventpattern::parse(&rule.pattern) else {
                return false;
            };
            corpus.iter().any(|(_, record)| {
                let record = plan::in_region(record, region);
                plan::rule_sees(&rule.state, region, &record, partition)
                    && pattern.matches(&eventpattern::envelope(record))
            })
        })
        .map(|(region, rule)| backtest_rule(region, rule))
        .collect();
    Some(BacktestRules {
        partition: partition.to_string(),
        rules,
        unread,
    })
}

/// The default buses' rules that could not be read, and the rules whose patterns trailwatch
/// cannot read.
fn unread(regions: &[model::live::BusRegion]) -> Vec<String> {
    let mut unread = Vec::new();
    for bus in regions.iter().filter(|bus| bus.bus == DEFAULT_BUS) {
        match &bus.rules {
            Err(e) => unread.push(format!("the rules of {}: {e}", bus.region)),
            Ok(rules) => unread.extend(rules.iter().filter_map(|rule| {
                let refused = eventpattern::parse(&rule.pattern).err()?;
                Some(format!("rule `{}`: {refused}", rule.arn))
            })),
        }
    }
    unread
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
