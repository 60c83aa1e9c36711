//! The catalog's data file, `catalog.toml`: its schema, the consistency checks it must pass, and
//! the parsed catalog, built once and kept for the whole program.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::entry::{
    DefectKind, Edition, Entry, Kind, KnownDefect, Numbering, Request, Service, Standard,
};

/// The data file, compiled into the binary.
pub(super) const SOURCE: &str = include_str!("../catalog.toml");

/// Where the data file lives, for error messages.
const PATH: &str = "crates/model/src/catalog.toml";

/// The parsed file. The catalog's strings point into it, so it lives as long as the program.
static FILE: LazyLock<File> = LazyLock::new(|| parse(SOURCE).unwrap_or_else(|e| panic!("{e}")));

/// The catalog built from [`FILE`].
static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::build(&FILE));

/// The catalog: every benchmark version, oldest first, and every control in CIS order.
pub(super) struct Catalog {
    pub(super) benchmarks: Vec<&'static str>,
    pub(super) entries: Vec<Entry>,
}

/// The catalog, parsed on first use. Panics with the parse error if the compiled-in file is
/// malformed (a unit test parses it, so a build that passes its tests never does).
pub(super) fn catalog() -> &'static Catalog {
    &CATALOG
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    benchmarks: Vec<String>,
    #[serde(rename = "control")]
    controls: Vec<RawControl>,
}

/// One `[[control]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: String,
    title: String,
    security_hub_id: Option<String>,
    default_metric_name: String,
    #[serde(default = "cis")]
    standard: Standard,
    about: Option<String>,
    #[serde(default)]
    cis: Vec<RawNumbering>,
    #[serde(rename = "edition")]
    editions: Vec<RawEdition>,
}

/// A control is CIS's unless the file says otherwise.
fn cis() -> Standard {
    Standard::Cis
}

/// One entry of a control's `cis` list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumbering {
    from: String,
    to: String,
    id: String,
    level: u8,
}

/// One `[[control.edition]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    from: String,
    to: String,
    catches: Kind,
    source: Option<String>,
    events: Option<Vec<String>>,
    services: Option<Vec<RawService>>,
    #[serde(default, rename = "request")]
    requests: Vec<RawRequest>,
    #[serde(rename = "variant")]
    variants: Vec<RawVariant>,
}

/// One entry of an edition's `services` list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    source: String,
    events: Vec<String>,
}

/// One `[[control.edition.request]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    event: String,
    label: String,
    parameters: String,
}

/// One `[[control.edition.variant]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    pattern: String,
    meant: Option<String>,
    known_defect: Option<RawDefect>,
}

/// A `[control.edition.variant.known_defect]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefect {
    kind: DefectKind,
    why: String,
}

/// Why the catalog file was refused: it does not parse, or what is inconsistent where.
#[derive(Debug, thiserror::Error)]
pub(super) enum CatalogError {
    /// Not TOML of the catalog's schema.
    #[error("{PATH} does not parse: {0}")]
    Parse(toml::de::Error),
    /// Parsed, and inconsistent.
    #[error("{PATH}: {0}")]
    Inconsistent(Inconsistency),
}

/// What is inconsistent in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum Inconsistency {
    #[error("`benchmarks` is empty")]
    NoBenchmarks,
    #[error("benchmark `{0}` is listed twice")]
    BenchmarkTwice(String),
    #[error("control `{0}` is listed twice")]
    ControlTwice(String),
    #[error("control `{id}`: {problem}")]
    Control { id: String, problem: ControlProblem },
    #[error("controls `{first}` and `{second}` both have CIS id {cis_id} in {benchmark}")]
    SharedCisId {
        first: String,
        second: String,
        cis_id: String,
        benchmark: String,
    },
}

/// What is wrong with one control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ControlProblem {
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("it has no edition")]
    NoEdition,
    #[error("`cis`: {0}")]
    CisRange(RangeError),
    #[error("`cis` {from} to {to}: {problem}")]
    Numbering {
        from: String,
        to: String,
        problem: NumberingProblem,
    },
    #[error("edition: {0}")]
    EditionRange(RangeError),
    #[error("edition {from} to {to}: {problem}")]
    Edition {
        from: String,
        to: String,
        problem: EditionProblem,
    },
    #[error("`cis` ranges overlap in {0}")]
    CisOverlap(String),
    #[error("editions overlap in {0}")]
    EditionsOverlap(String),
    #[error("it has an edition but no `cis` id in {0}")]
    EditionWithoutCis(String),
    #[error("it has a `cis` id but no edition in {0}")]
    CisWithoutEdition(String),
    #[error("standard = \"trailwatch\" goes without `cis` and `security_hub_id`: it is part of no CIS version")]
    TrailwatchNumbered,
    #[error("standard = \"trailwatch\" needs an `about`: why the control exists and its noise")]
    TrailwatchWithoutAbout,
    #[error("`about` goes with standard = \"trailwatch\" only")]
    AboutOnCis,
    #[error("standard = \"trailwatch\" needs an edition in every version; {0} has none")]
    TrailwatchMissing(String),
}

/// What is wrong with a range of benchmark versions (`from`, `to`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum RangeError {
    #[error("unknown benchmark `{name}`; `benchmarks` lists {}", listed.join(", "))]
    UnknownBenchmark { name: String, listed: Vec<String> },
    #[error("`from` {from} comes after `to` {to}")]
    Reversed { from: String, to: String },
}

/// What is wrong with a CIS numbering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum NumberingProblem {
    #[error("level {0} is not 1 or 2")]
    Level(u8),
    #[error("`{0}` is not a CIS id such as 4.4")]
    CisId(String),
}

/// What is wrong with an edition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum EditionProblem {
    #[error("`source` and `events` must not be empty")]
    EmptyEvents,
    #[error("event `{0}` is listed twice")]
    EventTwice(String),
    #[error("catches = \"calls\" needs a `source` and `events`, or `services`")]
    CallsWithoutEvents,
    #[error("`source` and `events` go with catches = \"calls\" only")]
    EventsWithoutCalls,
    #[error("`services` goes without `source` and `events`")]
    ServicesAndSource,
    #[error("request of `{0}`: not one of the edition's `events`")]
    RequestOfOtherEvent(String),
    #[error("request of `{0}`: `parameters` is not a JSON object, or `label` is empty")]
    RequestParameters(String),
    #[error("it has no [[control.edition.variant]]")]
    NoVariant,
    #[error("a variant's `pattern` is empty")]
    EmptyPattern,
    #[error("pattern `{0}` is listed twice")]
    PatternTwice(String),
    #[error("the `meant` of `{0}` is empty or the pattern itself")]
    Meant(String),
    #[error("the known defect of `{0}` has no `why`")]
    DefectWithoutWhy(String),
}

/// Parses and checks a catalog file. Errors name the file and say what is wrong where.
pub(super) fn parse(text: &str) -> Result<File, CatalogError> {
    let file: File = toml::from_str(text).map_err(CatalogError::Parse)?;
    file.check().map_err(CatalogError::Inconsistent)?;
    Ok(file)
}

impl File {
    fn check(&self) -> Result<(), Inconsistency> {
        if self.benchmarks.is_empty() {
            return Err(Inconsistency::NoBenchmarks);
        }
        let mut seen = HashSet::new();
        if let Some(b) = self.benchmarks.iter().find(|b| !seen.insert(b.as_str())) {
            return Err(Inconsistency::BenchmarkTwice(b.clone()));
        }
        let mut ids = HashSet::new();
        for control in &self.controls {
            if !ids.insert(control.id.as_str()) {
                return Err(Inconsistency::ControlTwice(control.id.clone()));
            }
            control
                .check(&self.benchmarks)
                .map_err(|problem| Inconsistency::Control {
                    id: control.id.clone(),
                    problem,
                })?;
        }
        self.check_cis_ids_are_unique()
    }

    /// Two controls with one CIS id in one version would make `--controls 4.4` ambiguous.
    fn check_cis_ids_are_unique(&self) -> Result<(), Inconsistency> {
        for (at, benchmark) in self.benchmarks.iter().enumerate() {
            let mut owners: HashMap<&str, &str> = HashMap::new();
            for control in &self.controls {
                let numbering = control.cis.iter().find(|n| {
                    span(&self.benchmarks, &n.from, &n.to).is_ok_and(|(a, b)| (a..=b).contains(&at))
                });
                if let Some(n) = numbering {
                    if let Some(other) = owners.insert(&n.id, &control.id) {
                        return Err(Inconsistency::SharedCisId {
                            first: other.to_string(),
                            second: control.id.clone(),
                            cis_id: n.id.clone(),
                            benchmark: benchmark.clone(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

impl RawControl {
    fn check(&self, benchmarks: &[String]) -> Result<(), ControlProblem> {
        for (key, value) in [
            ("title", &self.title),
            ("default_metric_name", &self.default_metric_name),
        ] {
            if value.trim().is_empty() {
                return Err(ControlProblem::Empty(key));
            }
        }
        if self.editions.is_empty() {
            return Err(ControlProblem::NoEdition);
        }
        self.check_standard()?;
        let mut numbered = vec![0; benchmarks.len()];
        for n in &self.cis {
            let (a, b) = span(benchmarks, &n.from, &n.to).map_err(ControlProblem::CisRange)?;
            n.check().map_err(|problem| ControlProblem::Numbering {
                from: n.from.clone(),
                to: n.to.clone(),
                problem,
            })?;
            numbered[a..=b].iter_mut().for_each(|count| *count += 1);
        }
        let mut published = vec![0; benchmarks.len()];
        for e in &self.editions {
            let (a, b) = span(benchmarks, &e.from, &e.to).map_err(ControlProblem::EditionRange)?;
            e.check().map_err(|problem| ControlProblem::Edition {
                from: e.from.clone(),
                to: e.to.clone(),
                problem,
            })?;
            published[a..=b].iter_mut().for_each(|count| *count += 1);
        }
        for (at, benchmark) in benchmarks.iter().enumerate() {
            match (numbered[at], published[at]) {
                (0, 1) if self.standard == Standard::Trailwatch => {}
                (_, 0) if self.standard == Standard::Trailwatch => {
                    return Err(ControlProblem::TrailwatchMissing(benchmark.clone()))
                }
                (0, 0) | (1, 1) => {}
                (n, _) if n > 1 => return Err(ControlProblem::CisOverlap(benchmark.clone())),
                (_, e) if e > 1 => return Err(ControlProblem::EditionsOverlap(benchmark.clone())),
                (0, _) => return Err(ControlProblem::EditionWithoutCis(benchmark.clone())),
                _ => return Err(ControlProblem::CisWithoutEdition(benchmark.clone())),
            }
        }
        Ok(())
    }
}

impl RawControl {
    /// A trailwatch control has no CIS numbering and says why it exists; a CIS control does
    /// not need to.
    fn check_standard(&self) -> Result<(), ControlProblem> {
        match self.standard {
            Standard::Trailwatch if !self.cis.is_empty() || self.security_hub_id.is_some() => {
                Err(ControlProblem::TrailwatchNumbered)
            }
            Standard::Trailwatch if self.about.as_deref().is_none_or(|a| a.trim().is_empty()) => {
                Err(ControlProblem::TrailwatchWithoutAbout)
            }
            Standard::Cis if self.about.is_some() => Err(ControlProblem::AboutOnCis),
            _ => Ok(()),
        }
    }
}

impl RawNumbering {
    fn check(&self) -> Result<(), NumberingProblem> {
        if !matches!(self.level, 1 | 2) {
            return Err(NumberingProblem::Level(self.level));
        }
        let parts: Vec<&str> = self.id.split('.').collect();
        if parts.len() < 2
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(NumberingProblem::CisId(self.id.clone()));
        }
        Ok(())
    }
}

impl RawEdition {
    fn check(&self) -> Result<(), EditionProblem> {
        self.check_calls()?;
        self.check_requests()?;
        if self.variants.is_empty() {
            return Err(EditionProblem::NoVariant);
        }
        let mut seen = HashSet::new();
        for v in &self.variants {
            if v.pattern.trim().is_empty() {
                return Err(EditionProblem::EmptyPattern);
            }
            if !seen.insert(v.pattern.as_str()) {
                return Err(EditionProblem::PatternTwice(v.pattern.clone()));
            }
            if v.meant
                .as_ref()
                .is_some_and(|m| m.trim().is_empty() || *m == v.pattern)
            {
                return Err(EditionProblem::Meant(v.pattern.clone()));
            }
            if v.known_defect
                .as_ref()
                .is_some_and(|d| d.why.trim().is_empty())
            {
                return Err(EditionProblem::DefectWithoutWhy(v.pattern.clone()));
            }
        }
        Ok(())
    }
}

impl RawEdition {
    /// `calls` names its services (one by `source` and `events`, or a `services` list), each
    /// with its events, each once; other kinds name none.
    fn check_calls(&self) -> Result<(), EditionProblem> {
        if self.services.is_some() && (self.source.is_some() || self.events.is_some()) {
            return Err(EditionProblem::ServicesAndSource);
        }
        let has_calls = self.services.is_some() || self.source.is_some() || self.events.is_some();
        if self.catches != Kind::Calls {
            return match has_calls || !self.requests.is_empty() {
                true => Err(EditionProblem::EventsWithoutCalls),
                false => Ok(()),
            };
        }
        let services = self.raw_services();
        if services.is_empty() || (self.services.is_none() && self.events.is_none()) {
            return Err(EditionProblem::CallsWithoutEvents);
        }
        for (source, events) in services {
            if source.trim().is_empty() || events.is_empty() {
                return Err(EditionProblem::EmptyEvents);
            }
            let mut seen = HashSet::new();
            if let Some(e) = events.iter().find(|e| !seen.insert(e.as_str())) {
                return Err(EditionProblem::EventTwice(e.clone()));
            }
        }
        Ok(())
    }

    /// Each request is of one of the edition's events, labelled, with a JSON object.
    fn check_requests(&self) -> Result<(), EditionProblem> {
        let events: Vec<&String> = self.raw_services().into_iter().flat_map(|s| s.1).collect();
        for r in &self.requests {
            if !events.contains(&&r.event) {
                return Err(EditionProblem::RequestOfOtherEvent(r.event.clone()));
            }
            let object = serde_json::from_str::<serde_json::Value>(&r.parameters)
                .is_ok_and(|v| v.is_object());
            if !object || r.label.trim().is_empty() {
                return Err(EditionProblem::RequestParameters(r.event.clone()));
            }
        }
        Ok(())
    }

    /// The services as written: the `services` list, or the one of `source` and `events`.
    fn raw_services(&self) -> Vec<(&String, &Vec<String>)> {
        match (&self.services, &self.source, &self.events) {
            (Some(list), ..) => list.iter().map(|s| (&s.source, &s.events)).collect(),
            (None, Some(source), Some(events)) => vec![(source, events)],
            _ => Vec::new(),
        }
    }
}

/// The positions of `from` and `to` in `benchmarks`, checked to be known and in order.
fn span(benchmarks: &[String], from: &str, to: &str) -> Result<(usize, usize), RangeError> {
    let at = |b: &str| {
        benchmarks
            .iter()
            .position(|x| x == b)
            .ok_or_else(|| RangeError::UnknownBenchmark {
                name: b.to_string(),
                listed: benchmarks.to_vec(),
            })
    };
    let (a, b) = (at(from)?, at(to)?);
    if a > b {
        return Err(RangeError::Reversed {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    Ok((a, b))
}

impl Catalog {
    /// The catalog of a checked file; its strings point into the file.
    fn build(file: &'static File) -> Catalog {
        Catalog {
            benchmarks: file.benchmarks.iter().map(String::as_str).collect(),
            entries: file.controls.iter().map(entry).collect(),
        }
    }
}

fn entry(c: &'static RawControl) -> Entry {
    Entry {
        id: &c.id,
        title: &c.title,
        security_hub_id: c.security_hub_id.as_deref(),
        default_metric_name: &c.default_metric_name,
        standard: c.standard,
        about: c.about.as_deref(),
        numbering: c
            .cis
            .iter()
            .map(|n| Numbering {
                from: &n.from,
                to: &n.to,
                cis_id: &n.id,
                level: n.level,
            })
            .collect(),
        editions: c.editions.iter().map(edition).collect(),
    }
}

fn edition(e: &'static RawEdition) -> Edition {
    Edition {
        from: &e.from,
        to: &e.to,
        patterns: e.variants.iter().map(|v| v.pattern.as_str()).collect(),
        meant: e.variants.iter().map(|v| v.meant.as_deref()).collect(),
        known_defects: e
            .variants
            .iter()
            .filter_map(|v| {
                v.known_defect.as_ref().map(|d| KnownDefect {
                    pattern: &v.pattern,
                    kind: d.kind,
                    why: &d.why,
                })
            })
            .collect(),
        kind: e.catches,
        services: e
            .raw_services()
            .into_iter()
            .map(|(source, events)| Service {
                source,
                events: events.iter().map(String::as_str).collect(),
            })
            .collect(),
        events: unique_events(e),
        requests: e
            .requests
            .iter()
            .map(|r| Request {
                event: &r.event,
                label: &r.label,
                parameters: &r.parameters,
            })
            .collect(),
    }
}

/// Every event name of every service of an edition, each once, in the file's order.
fn unique_events(e: &'static RawEdition) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (_, events) in e.raw_services() {
        for event in events {
            if !out.contains(&event.as_str()) {
                out.push(event);
            }
        }
    }
    out
}
