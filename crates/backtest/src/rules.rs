//! One control's EventBridge counts: per rule, the CloudTrail records it would have caught (in
//! their EventBridge envelope, on its region's default bus, seen by its state), in total and per
//! day; and the events the published pattern catches that no rule does.

use serde_json::Value;

use model::backtest::{RuleMatches, RulesBacktest};

use crate::counts::{Counts, MissedList};
use crate::event::Event;
use crate::spec::{BacktestRule, BacktestRules, Buckets, SpecError};

/// A CloudTrail record as EventBridge delivers it: its event, and where it arrives in the
/// partition of the account's rules (worked out once per record for every control).
pub(crate) struct Delivered<'a> {
    pub(crate) event: Value,
    pub(crate) record: &'a Value,
    pub(crate) partition: &'a str,
    pub(crate) arrival: plan::Arrival<'a>,
}

/// The rules of one control, their patterns parsed, and their counts.
#[derive(Debug, Clone)]
pub(crate) struct RulesTally {
    partition: String,
    unread: Vec<String>,
    rules: Vec<ParsedRule>,
    /// One per rule.
    counts: Vec<Counts>,
    missed: MissedList,
}

/// A rule with its pattern parsed.
#[derive(Debug, Clone)]
struct ParsedRule {
    spec: BacktestRule,
    pattern: eventpattern::Pattern,
}

impl RulesTally {
    /// The empty counts of `rules`; a pattern EventBridge would refuse is refused, naming the
    /// rule.
    pub(crate) fn new(control: &str, rules: BacktestRules) -> Result<RulesTally, SpecError> {
        let parsed = rules
            .rules
            .into_iter()
            .map(|spec| match eventpattern::parse(&spec.pattern) {
                Ok(pattern) => Ok(ParsedRule { spec, pattern }),
                Err(e) => Err(SpecError(format!(
                    "control {control}: the pattern of EventBridge rule `{}` does not parse: {e}",
                    spec.arn
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RulesTally {
            partition: rules.partition,
            unread: rules.unread,
            counts: vec![Counts::default(); parsed.len()],
            rules: parsed,
            missed: MissedList::default(),
        })
    }

    /// The same rules with no counts.
    pub(crate) fn fork(&self) -> RulesTally {
        RulesTally {
            partition: self.partition.clone(),
            unread: self.unread.clone(),
            rules: self.rules.clone(),
            counts: vec![Counts::default(); self.counts.len()],
            missed: MissedList::default(),
        }
    }

    /// The partition its rules are in.
    pub(crate) fn partition(&self) -> &str {
        &self.partition
    }

    /// The patterns of its rules.
    pub(crate) fn patterns(&self) -> impl Iterator<Item = &eventpattern::Pattern> {
        self.rules.iter().map(|r| &r.pattern)
    }

    /// Counts one record: `delivered` is its EventBridge event and where it arrives (`None`
    /// when it is not a CloudTrail record, which no rule receives); `published` whether the
    /// published pattern matched it.
    pub(crate) fn add(&mut self, delivered: Option<&Delivered>, event: &Event, published: bool) {
        let mut caught = false;
        if let Some(delivered) = delivered {
            let arrival = match delivered.partition == self.partition {
                true => delivered.arrival,
                false => plan::Arrival::of(delivered.record, &self.partition),
            };
            for (rule, counts) in self.rules.iter().zip(&mut self.counts) {
                let spec = &rule.spec;
                let hit = arrival.seen_by(&spec.state, &spec.region)
                    && rule.pattern.matches(&delivered.event);
                counts.add(hit, event.time);
                caught |= hit;
            }
        }
        if published && !caught {
            self.missed.add(event);
        }
    }

    /// Adds the counts of the same rules from another tally.
    pub(crate) fn merge(&mut self, other: RulesTally) {
        assert_eq!(
            self.counts.len(),
            other.counts.len(),
            "merged tallies must count the same rules"
        );
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            mine.merge(theirs);
        }
        self.missed.merge(other.missed);
    }

    /// The rules' report; days cover `days`.
    pub(crate) fn finish(self, days: Option<Buckets>) -> RulesBacktest {
        RulesBacktest {
            unread: self.unread,
            rules: self
                .rules
                .into_iter()
                .zip(self.counts)
                .map(|(rule, counts)| RuleMatches {
                    days: counts.every_day(days),
                    matched: counts.matched,
                    undated: counts.undated,
                    arn: rule.spec.arn,
                    name: rule.spec.name,
                    region: rule.spec.region,
                    state: rule.spec.state.as_str().to_string(),
                    pattern: rule.spec.pattern,
                })
                .collect(),
            missed: self.missed.finish(),
        }
    }
}
