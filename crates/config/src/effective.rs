//! The effective settings written back as a configuration file (`trailwatch config`), and the
//! commented starter file (`trailwatch init`). What is written parses back to the same settings.

use model::desired::Waiver;
use model::{MatchMode, TopicChoice};
use toml::{Table, Value};

use crate::settings::{Destination, Settings};

/// The settings as a file: every key, in the documented order.
pub fn to_table(settings: &Settings) -> Table {
    let mut t = Table::new();
    t.insert("benchmark".into(), settings.benchmark.clone().into());
    if !settings.controls.is_empty() {
        t.insert("controls".into(), strings(&settings.controls));
    }
    if !settings.extras.is_empty() {
        t.insert("extras".into(), strings(&settings.extras));
    }
    if let Some(level) = settings.level {
        t.insert("level".into(), i64::from(level).into());
    }
    t.insert("match".into(), match_name(settings.match_mode).into());
    if let Some(region) = &settings.region {
        t.insert("region".into(), region.clone().into());
    }
    destination(&mut t, &settings.destination);
    accounts(&mut t, settings);
    t.insert("organization".into(), settings.organization.into());
    t.insert("concurrency".into(), i64::from(settings.concurrency).into());
    t.insert("adopt".into(), settings.adopt.into());
    if settings.accept_eventbridge {
        t.insert("accept".into(), Value::Array(vec!["eventbridge".into()]));
    }
    if !settings.waivers.is_empty() {
        let waivers = settings
            .waivers
            .iter()
            .map(|w| Value::Table(waiver(w)))
            .collect();
        t.insert("waiver".into(), Value::Array(waivers));
    }
    t
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::from).collect())
}

fn match_name(mode: MatchMode) -> &'static str {
    match mode {
        MatchMode::Semantic => "semantic",
        MatchMode::Strict => "strict",
    }
}

fn destination(t: &mut Table, d: &Destination) {
    t.insert("namespace".into(), d.namespace.clone().into());
    match &d.topic {
        TopicChoice::Auto => {}
        TopicChoice::Name(name) => {
            t.insert("topic_name".into(), name.clone().into());
        }
        TopicChoice::Arn(arn) => {
            t.insert("topic_arn".into(), arn.clone().into());
        }
    }
    let notify: Vec<String> = d.notify.iter().map(|e| e.label()).collect();
    if !notify.is_empty() {
        t.insert("notify".into(), strings(&notify));
    }
    if let Some(role) = &d.assume_role {
        t.insert("assume_role".into(), role.clone().into());
    }
}

/// `accounts` as tables when some account has its own settings, else as a list.
fn accounts(t: &mut Table, settings: &Settings) {
    if settings.per_account.is_empty() {
        if !settings.accounts.is_empty() {
            t.insert("accounts".into(), strings(&settings.accounts));
        }
        return;
    }
    let mut tables = Table::new();
    for account in &settings.accounts {
        let mut table = Table::new();
        if let Some(d) = settings.per_account.get(account) {
            destination(&mut table, d);
        }
        tables.insert(account.clone(), Value::Table(table));
    }
    t.insert("accounts".into(), Value::Table(tables));
}

fn waiver(w: &Waiver) -> Table {
    let mut t = Table::new();
    t.insert("control".into(), w.control.clone().into());
    if let Some(accounts) = &w.accounts {
        t.insert("accounts".into(), strings(accounts));
    }
    t.insert("reason".into(), w.reason.clone().into());
    t.insert("expires".into(), w.expires.clone().into());
    if let Some(ticket) = &w.ticket {
        t.insert("ticket".into(), ticket.clone().into());
    }
    t
}

/// A commented starter file: the keys the flags gave, and the others commented out with their
/// defaults, each with a line saying what it is.
pub fn starter(settings: &Settings, given: &[&str]) -> String {
    let table = to_table(settings);
    let mut out = String::from(
        "# trailwatch configuration (docs/config.md). Flags given on the command line override\n# these keys; `trailwatch config --schema` prints a JSON Schema for editors.\n\n",
    );
    for (key, about) in KEYS {
        let value = table.get(*key).map(|v| v.to_string());
        let line = format!(
            "{key} = {}",
            value.unwrap_or_else(|| example(key).to_string())
        );
        let line = if given.contains(key) {
            line
        } else {
            format!("# {line}")
        };
        out.push_str(&format!("# {about}\n{line}\n\n"));
    }
    out.push_str("# An exception: the control is reported `waived` until `expires` (at most a year ahead).\n");
    out.push_str("# [[waiver]]\n# control = \"iam-policy-changes\"\n# accounts = [\"111122223333\"]\n# reason = \"why\"\n# expires = 2027-01-31\n# ticket = \"SEC-1\"\n");
    out
}

/// Each top-level key, with a line about it.
const KEYS: &[(&str, &str)] = &[
    ("benchmark", "The CIS AWS Foundations Benchmark version."),
    (
        "controls",
        "Controls by slug or the version's CIS id (default: every control).",
    ),
    (
        "extras",
        "trailwatch's own controls added to the selection (part of no CIS version).",
    ),
    ("level", "Only controls of this profile level: 1 or 2."),
    ("match", "How filters are judged: semantic or strict."),
    ("region", "The region trails are listed in."),
    ("namespace", "The namespace of new metrics."),
    (
        "topic_name",
        "The SNS topic to notify, by name (or topic_arn for an existing one).",
    ),
    ("notify", "Endpoints to subscribe, as PROTOCOL:ENDPOINT."),
    (
        "accounts",
        "The accounts of a multi-account run (a list, or [accounts.\"ID\"] tables).",
    ),
    (
        "organization",
        "Audit every active account of the organization.",
    ),
    (
        "assume_role",
        "The role assumed in each account of a multi-account run.",
    ),
    ("concurrency", "How many accounts are read at once."),
    (
        "adopt",
        "Take over a filter or alarm with trailwatch's name that trailwatch did not create.",
    ),
    (
        "accept",
        "Count a control EventBridge rules cover as compliant (CIS asks for metric filters).",
    ),
];

fn example(key: &str) -> &'static str {
    match key {
        "controls" => "[\"iam-policy-changes\"]",
        "extras" => "[\"monitoring-changes\"]",
        "accept" => "[\"eventbridge\"]",
        "level" => "1",
        "region" => "\"us-east-1\"",
        "topic_name" => "\"security-alerts\"",
        "notify" => "[\"email:security@example.com\"]",
        "accounts" => "[\"111122223333\"]",
        "assume_role" => "\"SecurityAudit\"",
        _ => "\"\"",
    }
}
