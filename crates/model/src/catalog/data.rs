//! The catalog's data file, `catalog.toml`: its schema, the consistency checks it must pass, and
//! the parsed catalog, built once and kept for the whole program.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::{DefectKind, Edition, Entry, Kind, KnownDefect, Numbering};

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
    cis: Vec<RawNumbering>,
    #[serde(rename = "edition")]
    editions: Vec<RawEdition>,
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
    #[serde(rename = "variant")]
    variants: Vec<RawVariant>,
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

/// Parses and checks a catalog file. Errors name the file and say what is wrong where.
pub(super) fn parse(text: &str) -> Result<File, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("{PATH} does not parse: {e}"))?;
    file.check().map_err(|e| format!("{PATH}: {e}"))?;
    Ok(file)
}

impl File {
    fn check(&self) -> Result<(), String> {
        if self.benchmarks.is_empty() {
            return Err("`benchmarks` is empty".into());
        }
        let mut seen = HashSet::new();
        if let Some(b) = self.benchmarks.iter().find(|b| !seen.insert(b.as_str())) {
            return Err(format!("benchmark `{b}` is listed twice"));
        }
        let mut ids = HashSet::new();
        for control in &self.controls {
            if !ids.insert(control.id.as_str()) {
                return Err(format!("control `{}` is listed twice", control.id));
            }
            control
                .check(&self.benchmarks)
                .map_err(|e| format!("control `{}`: {e}", control.id))?;
        }
        self.check_cis_ids_are_unique()
    }

    /// Two controls with one CIS id in one version would make `--controls 4.4` ambiguous.
    fn check_cis_ids_are_unique(&self) -> Result<(), String> {
        for (at, benchmark) in self.benchmarks.iter().enumerate() {
            let mut owners: HashMap<&str, &str> = HashMap::new();
            for control in &self.controls {
                let numbering = control.cis.iter().find(|n| {
                    span(&self.benchmarks, &n.from, &n.to).is_ok_and(|(a, b)| (a..=b).contains(&at))
                });
                if let Some(n) = numbering {
                    if let Some(other) = owners.insert(&n.id, &control.id) {
                        return Err(format!(
                            "controls `{other}` and `{}` both have CIS id {} in {benchmark}",
                            control.id, n.id
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl RawControl {
    fn check(&self, benchmarks: &[String]) -> Result<(), String> {
        for (key, value) in [
            ("title", &self.title),
            ("default_metric_name", &self.default_metric_name),
        ] {
            if value.trim().is_empty() {
                return Err(format!("`{key}` is empty"));
            }
        }
        if self.editions.is_empty() {
            return Err("it has no edition".into());
        }
        let mut numbered = vec![0; benchmarks.len()];
        for n in &self.cis {
            let (a, b) = span(benchmarks, &n.from, &n.to).map_err(|e| format!("`cis`: {e}"))?;
            n.check()
                .map_err(|e| format!("`cis` {} to {}: {e}", n.from, n.to))?;
            numbered[a..=b].iter_mut().for_each(|count| *count += 1);
        }
        let mut published = vec![0; benchmarks.len()];
        for e in &self.editions {
            let (a, b) = span(benchmarks, &e.from, &e.to).map_err(|m| format!("edition: {m}"))?;
            e.check()
                .map_err(|m| format!("edition {} to {}: {m}", e.from, e.to))?;
            published[a..=b].iter_mut().for_each(|count| *count += 1);
        }
        for (at, benchmark) in benchmarks.iter().enumerate() {
            match (numbered[at], published[at]) {
                (0, 0) | (1, 1) => {}
                (n, _) if n > 1 => return Err(format!("`cis` ranges overlap in {benchmark}")),
                (_, e) if e > 1 => return Err(format!("editions overlap in {benchmark}")),
                (0, _) => return Err(format!("it has an edition but no `cis` id in {benchmark}")),
                _ => return Err(format!("it has a `cis` id but no edition in {benchmark}")),
            }
        }
        Ok(())
    }
}

impl RawNumbering {
    fn check(&self) -> Result<(), String> {
        if !matches!(self.level, 1 | 2) {
            return Err(format!("level {} is not 1 or 2", self.level));
        }
        let parts: Vec<&str> = self.id.split('.').collect();
        if parts.len() < 2
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(format!("`{}` is not a CIS id such as 4.4", self.id));
        }
        Ok(())
    }
}

impl RawEdition {
    fn check(&self) -> Result<(), String> {
        match (self.catches, &self.source, &self.events) {
            (Kind::Calls, Some(source), Some(events)) => {
                if source.trim().is_empty() || events.is_empty() {
                    return Err("`source` and `events` must not be empty".into());
                }
                let mut seen = HashSet::new();
                if let Some(e) = events.iter().find(|e| !seen.insert(e.as_str())) {
                    return Err(format!("event `{e}` is listed twice"));
                }
            }
            (Kind::Calls, ..) => {
                return Err("catches = \"calls\" needs a `source` and `events`".into());
            }
            (_, None, None) => {}
            _ => {
                return Err("`source` and `events` go with catches = \"calls\" only".into());
            }
        }
        if self.variants.is_empty() {
            return Err("it has no [[control.edition.variant]]".into());
        }
        let mut seen = HashSet::new();
        for v in &self.variants {
            if v.pattern.trim().is_empty() {
                return Err("a variant's `pattern` is empty".into());
            }
            if !seen.insert(v.pattern.as_str()) {
                return Err(format!("pattern `{}` is listed twice", v.pattern));
            }
            if v.meant
                .as_ref()
                .is_some_and(|m| m.trim().is_empty() || *m == v.pattern)
            {
                return Err(format!(
                    "the `meant` of `{}` is empty or the pattern itself",
                    v.pattern
                ));
            }
            if v.known_defect
                .as_ref()
                .is_some_and(|d| d.why.trim().is_empty())
            {
                return Err(format!("the known defect of `{}` has no `why`", v.pattern));
            }
        }
        Ok(())
    }
}

/// The positions of `from` and `to` in `benchmarks`, checked to be known and in order.
fn span(benchmarks: &[String], from: &str, to: &str) -> Result<(usize, usize), String> {
    let at = |b: &str| {
        benchmarks.iter().position(|x| x == b).ok_or_else(|| {
            format!(
                "unknown benchmark `{b}`; `benchmarks` lists {}",
                benchmarks.join(", ")
            )
        })
    };
    let (a, b) = (at(from)?, at(to)?);
    if a > b {
        return Err(format!("`from` {from} comes after `to` {to}"));
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
        source: e.source.as_deref().unwrap_or_default(),
        events: e.events.iter().flatten().map(String::as_str).collect(),
    }
}
