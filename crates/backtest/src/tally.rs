//! The tally: events in, counts kept, a `model::backtest::Backtest` out. One tally per worker,
//! merged at the end; every count is a sum or a bounded ordered list, so the merge order does
//! not change the result. A tally and its forks share one set of the records seen, so a record
//! read twice (by any of them) is counted once.

use std::sync::Arc;

use pattern::Segment;
use serde_json::Value;

use model::backtest::{Backtest, Span};

use crate::control::ControlTally;
use crate::event::{Event, Instant, FIELDS};
use crate::rules::Delivered;
use crate::seen::Seen;
use crate::spec::{Bounds, ControlSpec, SpecError, TallyWindow};

/// Counts of events per control, over an optional window.
#[derive(Debug, Clone)]
pub struct Tally {
    window: Option<TallyWindow>,
    controls: Vec<ControlTally>,
    totals: Totals,
    /// The records counted by this tally and its forks.
    seen: Arc<Seen>,
    /// The partition of the first control whose EventBridge rules are counted; `None` when no
    /// control's are.
    partition: Option<String>,
}

/// What the tally counts of every event, whatever the controls.
#[derive(Debug, Clone, Default)]
struct Totals {
    events: u64,
    duplicates: u64,
    outside_window: u64,
    undated: u64,
    /// The first and last times of the dated events counted.
    span: Option<Bounds>,
}

impl Tally {
    /// A tally of `specs`, counting the events of `window` (every event when `None`). Refuses a
    /// published or filter pattern that does not compile, naming it.
    pub fn new(specs: Vec<ControlSpec>, window: Option<TallyWindow>) -> Result<Tally, SpecError> {
        let controls = specs
            .into_iter()
            .map(ControlTally::new)
            .collect::<Result<Vec<_>, _>>()?;
        let partition = controls
            .iter()
            .find_map(ControlTally::rules_partition)
            .map(str::to_string);
        Ok(Tally {
            window,
            controls,
            totals: Totals::default(),
            seen: Arc::default(),
            partition,
        })
    }

    /// An empty tally of the same controls and window, for another worker (nothing recompiled),
    /// sharing the set of records seen: a record counted by one is a duplicate to every other.
    pub fn fork(&self) -> Tally {
        Tally {
            window: self.window,
            controls: self.controls.iter().map(ControlTally::fork).collect(),
            totals: Totals::default(),
            seen: Arc::clone(&self.seen),
            partition: self.partition.clone(),
        }
    }

    /// The fields a sparse parse of each event must hold ([`pattern::Fields::parse`]): those
    /// the tally reads ([`FIELDS`]) and every path the JSON patterns select.
    pub fn fields(&self) -> pattern::Fields {
        let mut fields = FIELDS
            .iter()
            .fold(pattern::Fields::default(), |f, path| f.with(path));
        for compiled in self.controls.iter().flat_map(ControlTally::patterns) {
            fields.add_pattern(compiled.pattern());
        }
        if self.partition.is_some() {
            fields = plan::RULE_SEES_FIELDS
                .iter()
                .fold(fields, |f, path| f.with(path));
        }
        for rule in self.controls.iter().flat_map(ControlTally::rule_patterns) {
            add_rule_fields(&mut fields, rule);
        }
        fields
    }

    /// Counts one event: its message as read (text patterns match it) and its JSON, parsed
    /// whole or sparsely with [`Tally::fields`] (JSON patterns match it; `Null` when the
    /// message is not JSON). A record whose account and `eventID` were seen before, by this
    /// tally or a fork of it, is counted as a duplicate only; one without an `eventID` counts.
    pub fn add(&mut self, message: &str, parsed: &Value) {
        self.totals.events += 1;
        let event = Event::read(parsed);
        if event
            .id
            .is_some_and(|id| !self.seen.first(event.account, id))
        {
            self.totals.duplicates += 1;
            return;
        }
        match event.time {
            Some(at) if self.window.is_some_and(|w| !w.contains(at)) => {
                self.totals.outside_window += 1;
                return;
            }
            Some(at) => self.totals.span = Some(grow(self.totals.span, at)),
            None => self.totals.undated += 1,
        }
        let delivered = delivered(parsed, self.partition.as_deref());
        for control in &mut self.controls {
            control.add(message, parsed, &event, delivered.as_ref());
        }
    }

    /// Adds the counts of `other`, a tally of the same specs and window (from [`Tally::fork`], so
    /// that records are deduplicated across both; one from [`Tally::new`] with the same
    /// arguments adds up too, but a record both counted is counted twice). Panics when its
    /// controls differ.
    pub fn merge(&mut self, other: Tally) {
        assert_eq!(
            self.controls.len(),
            other.controls.len(),
            "merged tallies must count the same controls"
        );
        self.totals.events += other.totals.events;
        self.totals.duplicates += other.totals.duplicates;
        self.totals.outside_window += other.totals.outside_window;
        self.totals.undated += other.totals.undated;
        self.totals.span = match (self.totals.span, other.totals.span) {
            (Some(a), Some(b)) => Some(a.union(b)),
            (a, b) => a.or(b),
        };
        for (mine, theirs) in self.controls.iter_mut().zip(other.controls) {
            mine.merge(theirs);
        }
    }

    /// The report: controls in the order given, days and periods over the window (or the span of
    /// the events counted when there is no window).
    pub fn finish(self) -> Backtest {
        let bounds = self.window.map(|w| w.bounds()).or(self.totals.span);
        Backtest {
            window: self.window.map(|w| model::backtest::Window {
                from: w.from.rfc3339(),
                to: w.to.rfc3339(),
            }),
            span: self.totals.span.map(|s| Span {
                first: s.first.rfc3339(),
                last: s.last.rfc3339(),
            }),
            events: self.totals.events,
            duplicates: self.totals.duplicates,
            outside_window: self.totals.outside_window,
            undated: self.totals.undated,
            controls: self
                .controls
                .into_iter()
                .map(|c| c.finish(bounds))
                .collect(),
        }
    }
}

/// `span` grown to include `at`.
fn grow(span: Option<Bounds>, at: Instant) -> Bounds {
    let point = Bounds {
        first: at,
        last: at,
    };
    span.map_or(point, |s| s.union(point))
}

/// Adds what an event pattern reads of a record to `fields`: each path of its projection,
/// through objects or through the elements of arrays of objects at every step (a pattern
/// matches an array by any of its elements); everything when it reads `detail` whole.
fn add_rule_fields(fields: &mut pattern::Fields, rule: &eventpattern::Pattern) {
    let Some(projection) = eventpattern::projection(rule) else {
        fields.add(&[]);
        return;
    };
    for path in projection.paths() {
        for segments in through_arrays(&path) {
            fields.add(&segments);
        }
    }
}

/// The selector paths of a path of keys, with or without `[*]` after each key but the last.
fn through_arrays(keys: &[&str]) -> Vec<Vec<Segment>> {
    let Some((last, before)) = keys.split_last() else {
        return vec![Vec::new()];
    };
    let mut out = vec![Vec::new()];
    for key in before {
        out = out
            .into_iter()
            .flat_map(|mut plain: Vec<Segment>| {
                plain.push(Segment::Key((*key).to_string()));
                let mut each = plain.clone();
                each.push(Segment::AnyIndex);
                [plain, each]
            })
            .collect();
    }
    for path in &mut out {
        path.push(Segment::Key((*last).to_string()));
    }
    out
}

/// The record's EventBridge event and where it arrives in `partition`, when rules are counted
/// (`partition` is given) and it is a CloudTrail record: made once, for every control's rules.
fn delivered<'a>(record: &'a Value, partition: Option<&'a str>) -> Option<Delivered<'a>> {
    let partition = partition.filter(|_| eventpattern::is_cloudtrail_record(record))?;
    Some(Delivered {
        event: eventpattern::envelope(record.clone()),
        record,
        partition,
        arrival: plan::Arrival::of(record, partition),
    })
}
