//! Counts kept per pattern or rule: matches in total and per day, and the events missed (how
//! many, and the first ones). Sums and bounded sorted lists, so merging in any order gives the
//! same counts.

use std::collections::BTreeMap;

use model::backtest::{DayCount, Missed, MissedEvent, PatternMatches, PatternSource};

use crate::event::{day_text, Event, Instant};
use crate::spec::Buckets;

/// How many missed events the report lists.
const LISTED_MISSED: usize = 20;

/// One pattern's matches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    pub(crate) matched: u64,
    pub(crate) undated: u64,
    /// Per day index, days with matches only.
    days: BTreeMap<i64, u64>,
}

impl Counts {
    pub(crate) fn add(&mut self, hit: bool, time: Option<Instant>) {
        if !hit {
            return;
        }
        self.matched += 1;
        match time {
            Some(at) => *self.days.entry(at.day()).or_insert(0) += 1,
            None => self.undated += 1,
        }
    }

    pub(crate) fn merge(&mut self, other: Counts) {
        self.matched += other.matched;
        self.undated += other.undated;
        for (day, n) in other.days {
            *self.days.entry(day).or_insert(0) += n;
        }
    }

    /// The report of a pattern's matches, with every day of `days`.
    pub(crate) fn finish(
        self,
        source: PatternSource,
        pattern: String,
        days: Option<Buckets>,
    ) -> PatternMatches {
        PatternMatches {
            source,
            pattern,
            matched: self.matched,
            undated: self.undated,
            days: self.every_day(days),
        }
    }

    /// The matches of every day of `days`, days without one included.
    pub(crate) fn every_day(&self, days: Option<Buckets>) -> Vec<DayCount> {
        let every_day = days.into_iter().flat_map(|d| d.first..=d.last);
        every_day
            .map(|day| DayCount {
                day: day_text(day),
                events: self.days.get(&day).copied().unwrap_or(0),
            })
            .collect()
    }
}

/// The events the account's filters miss: how many, and the first ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct MissedList {
    events: u64,
    /// Sorted, at most `LISTED_MISSED`.
    first: Vec<Missing>,
}

/// A missed event, ordered by time (undated last), then id, name and principal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Missing {
    undated: bool,
    time: Option<Instant>,
    id: Option<String>,
    name: Option<String>,
    principal: String,
}

/// The order of missed events, borrowed.
type Key<'a> = (
    bool,
    Option<Instant>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
);

impl Missing {
    fn key(&self) -> Key<'_> {
        let (id, name) = (self.id.as_deref(), self.name.as_deref());
        (self.undated, self.time, id, name, &self.principal)
    }
}

fn key<'a>(event: &Event<'a>) -> Key<'a> {
    (
        event.time.is_none(),
        event.time,
        event.id,
        event.name,
        event.principal,
    )
}

impl MissedList {
    pub(crate) fn add(&mut self, event: &Event) {
        self.events += 1;
        let full = self.first.len() >= LISTED_MISSED;
        if full
            && self
                .first
                .last()
                .is_some_and(|last| key(event) >= last.key())
        {
            return;
        }
        let missing = Missing {
            undated: event.time.is_none(),
            time: event.time,
            id: event.id.map(str::to_string),
            name: event.name.map(str::to_string),
            principal: event.principal.to_string(),
        };
        let at = self.first.partition_point(|m| *m <= missing);
        self.first.insert(at, missing);
        self.first.truncate(LISTED_MISSED);
    }

    pub(crate) fn merge(&mut self, other: MissedList) {
        self.events += other.events;
        self.first.extend(other.first);
        self.first.sort();
        self.first.truncate(LISTED_MISSED);
    }

    pub(crate) fn finish(self) -> Missed {
        Missed {
            events: self.events,
            first: self
                .first
                .into_iter()
                .map(|m| MissedEvent {
                    event_id: m.id,
                    event_name: m.name,
                    event_time: m.time.map(Instant::rfc3339),
                    principal: m.principal,
                })
                .collect(),
        }
    }
}
