//! What a filter's pattern does with a control's events: evaluated against the control's
//! generated CloudTrail corpus, remembered per pattern, and explained when it falls short.

use std::sync::Arc;

use crate::memo::{ByText, REMEMBERED_PATTERNS};

use model::catalog::Catches;
use model::live::MetricFilter;
use model::{Control, MatchMode};
use serde_json::Value;

/// What a filter's pattern does with a control's events, decided by evaluating it against the
/// control's positive corpus (see `model::catalog::corpus`).
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Event names with at least one record the filter does not match, in catalog order.
    pub missed: Vec<&'static str>,
    /// Event names the filter matches in at least one record.
    pub caught: Vec<&'static str>,
    /// Conditions inside `&&` groups that excluded records the rest of the group accepted.
    pub blocking: Vec<String>,
    /// How many of the everyday, unrelated events it matches, of how many.
    pub noise: Share,
    /// The pattern's syntax error, if it does not parse.
    pub error: Option<String>,
    /// Event names the pattern names in positive `$.eventName = X` conditions.
    pub named: Vec<String>,
    /// How many records of the control's corpus it matches, of how many.
    pub records: Share,
}

/// How many events of a set a pattern matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    /// Matched.
    pub matched: usize,
    /// Of how many.
    pub of: usize,
}

impl Verdict {
    /// True when the filter matches every record of the corpus.
    pub fn catches_all(&self) -> bool {
        self.error.is_none() && self.missed.is_empty()
    }

    /// True when it also matches most everyday events: its alarm would be noise.
    pub fn too_broad(&self) -> bool {
        self.noise.of > 0 && self.noise.matched * 4 >= self.noise.of * 3
    }
}

/// Evaluates a filter pattern against the control's corpus.
pub fn judge_filter(corpus: &[(&'static str, Value)], filter: &MetricFilter) -> Verdict {
    match pattern::compile(&filter.pattern) {
        Ok(compiled) => evaluate(corpus, &compiled),
        Err(e) => Verdict {
            missed: unique(corpus.iter().map(|(label, _)| *label)),
            caught: Vec::new(),
            blocking: Vec::new(),
            noise: Share::default(),
            error: Some(e.to_string()),
            named: Vec::new(),
            records: Share {
                matched: 0,
                of: corpus.len(),
            },
        },
    }
}

fn evaluate(corpus: &[(&'static str, Value)], compiled: &pattern::Compiled) -> Verdict {
    let (hits, misses): (Vec<_>, Vec<_>) = corpus
        .iter()
        .partition(|(_, record)| compiled.matches_json(record));
    let blocking = unique(
        misses
            .iter()
            .flat_map(|(_, record)| pattern::blocking_conditions(compiled, record)),
    );
    let noise = model::catalog::noise_corpus();
    Verdict {
        missed: unique(misses.iter().map(|(event, _)| *event)),
        caught: unique(hits.iter().map(|(event, _)| *event)),
        blocking,
        noise: Share {
            matched: noise.iter().filter(|e| compiled.matches_json(e)).count(),
            of: noise.len(),
        },
        error: None,
        named: pattern::event_names(compiled.pattern())
            .into_iter()
            .collect(),
        records: Share {
            matched: hits.len(),
            of: corpus.len(),
        },
    }
}

/// The items in first-seen order, each once.
fn unique<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The event names a control's own patterns name.
pub fn event_names(control: &Control) -> Vec<&'static str> {
    match control.catches {
        Catches::Calls { events, .. } => events.to_vec(),
        Catches::SigninWithoutMfa | Catches::ConsoleAuthFailures => vec!["ConsoleLogin"],
        Catches::Unauthorized | Catches::RootUsage => Vec::new(),
    }
}

/// The verdict on a filter for a control, remembered per kind of catch and pattern text: every
/// account of a run (and the read scope, the planner and the fingerprint) asks about the same
/// few patterns, and each answer costs a compile and a pass over the corpus (`memo.rs`).
pub fn judge(control: &Control, filter: &MetricFilter) -> Arc<Verdict> {
    static MEMO: ByText<CatchKey, Verdict> = ByText::new(REMEMBERED_PATTERNS);
    MEMO.get(CatchKey::of(control.catches), &filter.pattern, || {
        judge_filter(&model::catalog::corpus(control), filter)
    })
}

/// A kind of catch as the memo of verdicts keys it: a `Calls` by where its lists are (the
/// catalog's entries live for the whole run, and every control of one edition points at the
/// same lists), not by what they hold, whose hashing and comparing cost more than the rest of a
/// lookup, on each of the thousand lookups an account makes. Two editions with equal lists at
/// different places are two keys: a verdict worked out twice, never a wrong one.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum CatchKey {
    /// The addresses and lengths of its services, events and requests.
    Calls([(usize, usize); 3]),
    /// The other kinds, which hold nothing.
    Other(std::mem::Discriminant<Catches>),
}

impl CatchKey {
    fn of(catches: Catches) -> CatchKey {
        match catches {
            Catches::Calls {
                services,
                events,
                requests,
            } => CatchKey::Calls([
                (services.as_ptr() as usize, services.len()),
                (events.as_ptr() as usize, events.len()),
                (requests.as_ptr() as usize, requests.len()),
            ]),
            other => CatchKey::Other(std::mem::discriminant(&other)),
        }
    }
}

/// True when the filter serves the control under the match mode: in `semantic` mode it catches
/// every event of the control; in `strict` mode it is one of the version's published patterns.
pub fn serves(
    control: &Control,
    filter: &MetricFilter,
    verdict: &Verdict,
    mode: MatchMode,
) -> bool {
    match mode {
        MatchMode::Semantic => verdict.catches_all(),
        MatchMode::Strict => is_published_variant(control, filter),
    }
}

/// True when a filter is meant for this control: it catches every event of the control, or
/// the control is what it is for (below). `backtest` evaluates these as the account's filters
/// for it.
pub fn is_for(control: &Control, filter: &MetricFilter, verdict: &Verdict) -> bool {
    verdict.catches_all() || intent(control, filter, verdict).is_some()
}

/// Why a filter is taken to be meant for a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// It has trailwatch's name for the control (`trailwatch-<control>`, `-2`, …).
    Named,
    /// It publishes the control's default metric (in any namespace).
    Metric,
    /// It catches most of the control's events, names no other events and serves no other
    /// control.
    MostEvents,
}

/// The one rule for which control a filter is meant for. Its name or metric says so first:
/// trailwatch's names and the controls' default metrics each belong to one control and no
/// other. Otherwise a filter is meant for a control when it catches most of its events (by
/// record, not by event name: a root-usage filter catches every event name once, when root
/// makes the call) and names no other events — never because some events overlap. A filter
/// that serves one control is never taken for an attempt at another.
pub fn intent(control: &Control, filter: &MetricFilter, verdict: &Verdict) -> Option<Intent> {
    if let Some(owner) = owner_by_name(&filter.name) {
        return (owner == control.id).then_some(Intent::Named);
    }
    if let Some(owner) = owner_by_metric(filter) {
        return (owner == control.id).then_some(Intent::Metric);
    }
    let own = event_names(control);
    let most = catches_most(verdict) && verdict.named.iter().all(|e| own.contains(&e.as_str()));
    (most && !serves_another(control, filter)).then_some(Intent::MostEvents)
}

/// True when a filter that falls short is an attempt at this control by what it catches: the
/// only kind of filter the plan corrects in place without trailwatch's name or the control's
/// metric. A filter that also serves other events (a combined "security changes" filter, say)
/// is left alone.
pub fn is_attempt(control: &Control, filter: &MetricFilter, verdict: &Verdict) -> bool {
    !verdict.catches_all() && intent(control, filter, verdict) == Some(Intent::MostEvents)
}

/// True when a filter that falls short is worth explaining under this control: it is meant for
/// it, it catches most of its events (a combined filter that also names other events, say), or
/// it names some of the control's events and no others (a narrower attempt). A filter that
/// shares an event name or two with the control, or catches its events only when root makes
/// them, is another control's business.
pub fn is_near_miss(control: &Control, filter: &MetricFilter, verdict: &Verdict) -> bool {
    let own = event_names(control);
    let names_only_own =
        !verdict.named.is_empty() && verdict.named.iter().all(|e| own.contains(&e.as_str()));
    let claimed = owner_by_name(&filter.name).or_else(|| owner_by_metric(filter));
    match claimed {
        Some(owner) => owner == control.id,
        None => catches_most(verdict) || (names_only_own && !verdict.caught.is_empty()),
    }
}

/// True when a pattern matches more than half of the control's records.
fn catches_most(verdict: &Verdict) -> bool {
    verdict.error.is_none() && verdict.records.matched * 2 > verdict.records.of
}

/// The control whose trailwatch name a filter has, if any: `trailwatch-<control>` or
/// `trailwatch-<control>-N` (the names `resources::free_name` gives).
pub fn owner_by_name(name: &str) -> Option<&'static str> {
    let rest = name.strip_prefix(model::desired::NAME_PREFIX)?;
    model::catalog::entries()
        .iter()
        .map(|e| e.id)
        .filter(|id| {
            rest.strip_prefix(id).is_some_and(|tail| {
                tail.is_empty()
                    || tail
                        .strip_prefix('-')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
        })
        .max_by_key(|id| id.len())
}

/// The control whose default metric a filter publishes, if any (in any namespace).
pub fn owner_by_metric(filter: &MetricFilter) -> Option<&'static str> {
    model::catalog::entries()
        .iter()
        .find(|e| {
            filter
                .metrics
                .iter()
                .any(|m| m.name == e.default_metric_name)
        })
        .map(|e| e.id)
}

/// True when the filter catches every event of another control the benchmark can run (CIS or
/// trailwatch's own).
fn serves_another(control: &Control, filter: &MetricFilter) -> bool {
    model::catalog::all(control.benchmark)
        .unwrap_or_default()
        .iter()
        .filter(|other| other.id != control.id && other.catches != control.catches)
        .any(|other| judge(other, filter).catches_all())
}

/// Explains what a filter that falls short does not catch, and why.
pub fn explain_miss(filter: &MetricFilter, verdict: &Verdict) -> String {
    if let Some(error) = &verdict.error {
        return format!(
            "filter `{}` has a pattern that does not parse ({error})",
            filter.name
        );
    }
    let list = if verdict.missed.len() > 6 {
        format!(
            "{} and {} more",
            verdict.missed[..5].join(", "),
            verdict.missed.len() - 5
        )
    } else {
        verdict.missed.join(", ")
    };
    let mut text = format!("filter `{}` does not catch {list}", filter.name);
    if !verdict.blocking.is_empty() {
        let clauses: Vec<String> = verdict.blocking.iter().map(|c| format!("`{c}`")).collect();
        let (noun, verb) = if clauses.len() == 1 {
            ("the clause", "narrows")
        } else {
            ("the clauses", "narrow")
        };
        text.push_str(&format!(": {noun} {} {verb} it", clauses.join(" and ")));
    }
    text
}

/// True when the filter's parsed pattern is one of the control's published variants, up to
/// whitespace, quoting, operand order and redundant parentheses (`--match strict`).
pub fn is_published_variant(control: &Control, filter: &MetricFilter) -> bool {
    control
        .variants
        .iter()
        .any(|v| pattern::equivalent(v, &filter.pattern))
}
