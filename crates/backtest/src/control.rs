//! One control's counts: matches per pattern and day, the alarmed matches' event names,
//! principals and periods, and the events the account's filters miss.

use std::collections::HashMap;

use pattern::Compiled;
use serde_json::Value;

use model::backtest::{Alarmed, ControlBacktest, Count, PatternSource};
use model::catalog::Control;

use crate::alarm::{PeriodCounts, Rule};
use crate::counts::{Counts, MissedList};
use crate::event::Event;
use crate::rules::{Delivered, RulesTally};
use crate::spec::{BacktestFilter, Bounds, ControlSpec, SpecError};

/// How many names the top lists keep.
const TOP: usize = 10;
/// The name counted when an event has no `eventName`.
const UNKNOWN: &str = "unknown";

/// The counts of one control.
#[derive(Debug, Clone)]
pub(crate) struct ControlTally {
    control: Control,
    published: Compiled,
    filters: Vec<Filter>,
    rule: Rule,
    /// The published pattern's, then each filter's.
    patterns: Vec<Counts>,
    names: HashMap<String, u64>,
    principals: HashMap<String, u64>,
    periods: PeriodCounts,
    missed: MissedList,
    /// The account's EventBridge rules for the control, when they were read.
    rules: Option<RulesTally>,
}

/// One of the account's filters, compiled.
#[derive(Debug, Clone)]
struct Filter {
    spec: BacktestFilter,
    compiled: Compiled,
}

impl ControlTally {
    /// The empty counts of `spec`, its patterns compiled.
    pub(crate) fn new(spec: ControlSpec) -> Result<ControlTally, SpecError> {
        let id = spec.control.id;
        let published = pattern::compile(spec.control.pattern).map_err(|e| {
            SpecError(format!(
                "control {id}: the published pattern does not compile: {e}"
            ))
        })?;
        let filters = spec
            .filters
            .into_iter()
            .map(|f| compile_filter(id, f))
            .collect::<Result<Vec<_>, _>>()?;
        let values: Vec<&str> = match filters.is_empty() {
            true => vec!["1"],
            false => filters
                .iter()
                .map(|f| f.spec.metric_value.as_str())
                .collect(),
        };
        let rule = Rule::new(spec.alarm.as_ref(), &values);
        let rules = spec
            .eventbridge
            .map(|rules| RulesTally::new(id, rules))
            .transpose()?;
        Ok(ControlTally {
            patterns: vec![Counts::default(); filters.len() + 1],
            control: spec.control,
            published,
            filters,
            rule,
            names: HashMap::new(),
            principals: HashMap::new(),
            periods: PeriodCounts::new(),
            missed: MissedList::default(),
            rules,
        })
    }

    /// The same control with no counts.
    pub(crate) fn fork(&self) -> ControlTally {
        ControlTally {
            control: self.control.clone(),
            published: self.published.clone(),
            filters: self.filters.clone(),
            rule: self.rule.clone(),
            patterns: vec![Counts::default(); self.patterns.len()],
            names: HashMap::new(),
            principals: HashMap::new(),
            periods: PeriodCounts::new(),
            missed: MissedList::default(),
            rules: self.rules.as_ref().map(RulesTally::fork),
        }
    }

    /// Its patterns: the published one, then the account's filters'.
    pub(crate) fn patterns(&self) -> impl Iterator<Item = &Compiled> {
        std::iter::once(&self.published).chain(self.filters.iter().map(|f| &f.compiled))
    }

    /// The patterns of its EventBridge rules, if they were read.
    pub(crate) fn rule_patterns(&self) -> impl Iterator<Item = &eventpattern::Pattern> {
        self.rules.iter().flat_map(RulesTally::patterns)
    }

    /// The partition of the account's EventBridge rules, when they are counted for it.
    pub(crate) fn rules_partition(&self) -> Option<&str> {
        self.rules.as_ref().map(RulesTally::partition)
    }

    /// Counts one event of the window (or undated); `delivered` is its EventBridge event, when
    /// it is a CloudTrail record and rules are counted.
    pub(crate) fn add(
        &mut self,
        message: &str,
        parsed: &Value,
        event: &Event,
        delivered: Option<&Delivered>,
    ) {
        let published = matches(&self.published, message, parsed);
        self.patterns[0].add(published, event.time);
        if let Some(rules) = &mut self.rules {
            rules.add(delivered, event, published);
        }
        let mut first_hit = None;
        for (i, filter) in self.filters.iter().enumerate() {
            let hit = matches(&filter.compiled, message, parsed);
            self.patterns[i + 1].add(hit, event.time);
            if hit && first_hit.is_none() {
                first_hit = Some(i);
            }
        }
        let alarmed = match self.filters.is_empty() {
            true => published.then_some(0),
            false => first_hit,
        };
        if let Some(source) = alarmed {
            self.add_alarmed(source, event);
        }
        if published && !self.filters.is_empty() && first_hit.is_none() {
            self.missed.add(event);
        }
    }

    /// Counts a match of the alarmed patterns, by the first of them that matched (`source`).
    fn add_alarmed(&mut self, source: usize, event: &Event) {
        bump(&mut self.names, event.name.unwrap_or(UNKNOWN));
        bump(&mut self.principals, event.principal);
        if let (Some(at), Some(period)) = (event.time, self.rule.period()) {
            let width = self.filters.len().max(1);
            self.periods
                .entry(at.bucket(period))
                .or_insert_with(|| vec![0; width])[source] += 1;
        }
    }

    /// Adds the counts of the same control from another tally.
    pub(crate) fn merge(&mut self, other: ControlTally) {
        assert!(
            self.control.id == other.control.id && self.patterns.len() == other.patterns.len(),
            "merged tallies must count the same controls and filters"
        );
        for (mine, theirs) in self.patterns.iter_mut().zip(other.patterns) {
            mine.merge(theirs);
        }
        add_all(&mut self.names, other.names);
        add_all(&mut self.principals, other.principals);
        for (period, counts) in other.periods {
            let mine = self
                .periods
                .entry(period)
                .or_insert_with(|| vec![0; counts.len()]);
            mine.iter_mut().zip(counts).for_each(|(m, c)| *m += c);
        }
        self.missed.merge(other.missed);
        match (&mut self.rules, other.rules) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (None, None) => {}
            _ => panic!("merged tallies must count the same rules"),
        }
    }

    /// The control's report; days and periods cover `bounds`.
    pub(crate) fn finish(self, bounds: Option<Bounds>) -> ControlBacktest {
        let days = bounds.map(Bounds::days);
        let alarm = self.rule.estimate(&self.periods, bounds);
        let has_filters = !self.filters.is_empty();
        let sources = std::iter::once((PatternSource::Published, self.control.pattern.to_string()))
            .chain(self.filters.into_iter().map(|f| {
                let source = PatternSource::Filter {
                    name: f.spec.name,
                    log_group: f.spec.log_group,
                    account_id: f.spec.account_id,
                };
                (source, f.spec.pattern)
            }));
        ControlBacktest {
            control: self.control.id.to_string(),
            title: self.control.title.to_string(),
            patterns: sources
                .zip(self.patterns)
                .map(|((source, pattern), counts)| counts.finish(source, pattern, days))
                .collect(),
            alarmed: match has_filters {
                true => Alarmed::AccountFilters,
                false => Alarmed::Published,
            },
            top_event_names: top(self.names),
            top_principals: top(self.principals),
            missed: has_filters.then(|| self.missed.finish()),
            alarm,
            eventbridge: self.rules.map(|r| r.finish(days)),
        }
    }
}

fn compile_filter(control: &str, spec: BacktestFilter) -> Result<Filter, SpecError> {
    match pattern::compile(&spec.pattern) {
        Ok(compiled) => Ok(Filter { spec, compiled }),
        Err(e) => Err(SpecError(format!(
            "control {control}: the pattern of filter `{}` on log group `{}` does not compile: {e}",
            spec.name, spec.log_group
        ))),
    }
}

/// JSON patterns match the parsed event, the others the message as read.
fn matches(compiled: &Compiled, message: &str, parsed: &Value) -> bool {
    match compiled.is_json() {
        true => compiled.matches_json(parsed),
        false => compiled.matches(message),
    }
}

fn bump(counts: &mut HashMap<String, u64>, name: &str) {
    match counts.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            counts.insert(name.to_string(), 1);
        }
    }
}

fn add_all(counts: &mut HashMap<String, u64>, other: HashMap<String, u64>) {
    for (name, n) in other {
        *counts.entry(name).or_insert(0) += n;
    }
}

/// The `TOP` names counted most, most first, ties by name.
fn top(counts: HashMap<String, u64>) -> Vec<Count> {
    let mut all: Vec<Count> = counts
        .into_iter()
        .map(|(name, events)| Count { name, events })
        .collect();
    all.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.name.cmp(&b.name)));
    all.truncate(TOP);
    all
}
