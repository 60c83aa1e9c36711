//! The JSON documents of `docs/json.md`, as typed structs: what `--json` prints for `plan`,
//! `apply`, `controls` and `pattern`. Field order is the documented order.

use std::collections::BTreeMap;
use std::time::Duration;

use apply::{ActionOutcome, Verification};
use model::report::{AccountResult, TrailResult, SCHEMA_VERSION};
use model::{Action, Control, ControlResult, Report, Status};
use serde::Serialize;

/// `trailwatch plan --json`, for one account or many.
#[derive(Debug, Serialize)]
pub struct PlanDocument<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The benchmark version.
    pub benchmark: &'a str,
    /// Every trail of every account read.
    pub trails: Vec<&'a TrailResult>,
    /// Every control of every account read.
    pub controls: Vec<&'a ControlResult>,
    /// Every action, per account in plan order.
    pub actions: Vec<&'a Action>,
    /// The plans' choices (prefixed with the account when there are several).
    pub notes: Vec<String>,
    /// Per account and in total: statuses, calls, time.
    pub summary: Summary,
    /// The digest of the plan's desired state and actions (`apply --expect-digest`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<&'a str>,
}

impl<'a> PlanDocument<'a> {
    /// The document for these accounts' results, taken `wall` in all; `many` for a run over
    /// several accounts (`--accounts`, `--organization`), whose notes name their account.
    pub fn new(
        benchmark: &'a str,
        results: &'a [AccountResult],
        wall: Duration,
        many: bool,
    ) -> Self {
        let reports = model::report::read_reports(results);
        let notes = reports
            .iter()
            .flat_map(|(account, rep)| {
                rep.notes.iter().map(move |n| match many {
                    true => format!("account {account}: {n}"),
                    false => n.clone(),
                })
            })
            .collect();
        PlanDocument {
            schema_version: SCHEMA_VERSION,
            benchmark,
            trails: reports.iter().flat_map(|(_, r)| r.trails.iter()).collect(),
            controls: reports
                .iter()
                .flat_map(|(_, r)| r.controls.iter())
                .collect(),
            actions: reports.iter().flat_map(|(_, r)| r.actions.iter()).collect(),
            notes,
            summary: Summary::new(results, wall),
            digest: None,
        }
    }
}

/// The `summary` object: per account, and in total.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// One entry per account, in the order given.
    pub accounts: Vec<AccountSummary>,
    /// The run's wall time.
    pub wall_ms: u64,
    /// API calls of the run, by IAM action.
    pub calls: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// The summary of these results.
    pub fn new(results: &[AccountResult], wall: Duration) -> Self {
        let mut calls: BTreeMap<&'static str, u64> = BTreeMap::new();
        for (action, n) in results.iter().flat_map(|r| r.calls.iter()) {
            *calls.entry(action).or_default() += n;
        }
        Summary {
            accounts: results.iter().map(AccountSummary::new).collect(),
            wall_ms: millis(wall),
            calls,
        }
    }
}

/// One account of the summary.
#[derive(Debug, Serialize)]
pub struct AccountSummary {
    /// The account.
    pub account_id: String,
    /// Its wall time.
    pub wall_ms: u64,
    /// Its API calls, by IAM action.
    pub calls: BTreeMap<&'static str, u64>,
    /// `ok` when it was read and planned, else `error`.
    pub status: &'static str,
    /// Controls by status, and actions, when it was read.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// How many controls of an account have each status, and how many actions it has.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Compliant controls.
    pub compliant: usize,
    /// Non-compliant controls.
    pub non_compliant: usize,
    /// Controls that do not apply.
    pub not_applicable: usize,
    /// Controls that could not be judged.
    pub error: usize,
    /// Controls a waiver covers.
    pub waived: usize,
    /// Planned actions.
    pub actions: usize,
}

impl AccountSummary {
    fn new(result: &AccountResult) -> Self {
        let (status, counts, message) = match &result.report {
            Ok(report) => ("ok", Some(Counts::of(report)), None),
            Err(e) => ("error", None, Some(e.clone())),
        };
        AccountSummary {
            account_id: result.account_id.clone(),
            wall_ms: millis(result.wall),
            calls: result.calls.clone(),
            status,
            counts,
            message,
        }
    }
}

impl Counts {
    fn of(report: &Report) -> Self {
        Counts {
            compliant: report.count(Status::Compliant),
            non_compliant: report.count(Status::NonCompliant),
            not_applicable: report.count(Status::NotApplicable),
            error: report.count(Status::Error),
            waived: report.count(Status::Waived),
            actions: report.actions.len(),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `trailwatch apply --json`: the state after apply, what was attempted, and the verdict.
#[derive(Debug, Serialize)]
pub struct ApplyDocument<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The benchmark version.
    pub benchmark: &'a str,
    /// The trails as read again after apply.
    pub trails: &'a [TrailResult],
    /// The controls as read again after apply.
    pub controls: &'a [ControlResult],
    /// What was planned and attempted.
    pub actions: &'a [Action],
    /// One per action.
    pub outcomes: &'a [ActionOutcome],
    /// The verdict on the account after apply.
    pub verification: &'a Verification,
    /// The plan's choices.
    pub notes: &'a [String],
}

impl<'a> ApplyDocument<'a> {
    /// The document for a plan, its outcomes, and the account read again.
    pub fn new(
        planned: &'a Report,
        outcomes: &'a [ActionOutcome],
        after: &'a Report,
        verification: &'a Verification,
    ) -> Self {
        ApplyDocument {
            schema_version: SCHEMA_VERSION,
            benchmark: &after.benchmark,
            trails: &after.trails,
            controls: &after.controls,
            actions: &planned.actions,
            outcomes,
            verification,
            notes: &planned.notes,
        }
    }
}

/// `trailwatch controls --json`.
#[derive(Debug, Serialize)]
pub struct ControlsDocument<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The benchmark version.
    pub benchmark: &'a str,
    /// Its controls.
    pub controls: &'a [Control],
}

impl<'a> ControlsDocument<'a> {
    /// The document for a version's controls.
    pub fn new(benchmark: &'a str, controls: &'a [Control]) -> Self {
        ControlsDocument {
            schema_version: SCHEMA_VERSION,
            benchmark,
            controls,
        }
    }
}

/// `trailwatch pattern explain --json`.
#[derive(Debug, Serialize)]
pub struct ExplainDocument {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `json`, `space-delimited`, `terms`, `regex` or `match-all`; `eventbridge` for an event
    /// pattern.
    pub kind: &'static str,
    /// The pattern as trailwatch prints it.
    pub pattern: String,
    /// The form equal for patterns that differ only in formatting and operand order.
    pub canonical: String,
    /// What `pattern explain` prints.
    pub explanation: String,
    /// The names of positive `$.eventName = X` conditions (of an event pattern: the exact
    /// values of `detail.eventName`).
    pub event_names: Vec<String>,
}

impl ExplainDocument {
    /// The document of a parsed pattern.
    pub fn new(p: &pattern::Pattern) -> ExplainDocument {
        let kind = match p {
            pattern::Pattern::MatchAll => "match-all",
            pattern::Pattern::Terms(_) => "terms",
            pattern::Pattern::Regex(_) => "regex",
            pattern::Pattern::Json(_) => "json",
            pattern::Pattern::Space(_) => "space-delimited",
        };
        ExplainDocument {
            schema_version: SCHEMA_VERSION,
            kind,
            pattern: p.to_string(),
            canonical: pattern::canonical(p),
            explanation: pattern::explain(p),
            event_names: pattern::event_names(p).into_iter().collect(),
        }
    }
}

impl ExplainDocument {
    /// The document of an EventBridge event pattern.
    pub fn event_pattern(p: &eventpattern::Pattern) -> ExplainDocument {
        ExplainDocument {
            schema_version: SCHEMA_VERSION,
            kind: "eventbridge",
            pattern: eventpattern::printed(p),
            canonical: eventpattern::canonical(p),
            explanation: eventpattern::explain(p),
            event_names: eventpattern::event_names(p),
        }
    }
}

/// `trailwatch pattern test --json`, named as the `TestMetricFilter` API names its fields.
#[derive(Debug, Serialize)]
pub struct TestDocument {
    /// The events that match.
    pub matches: Vec<TestMatch>,
    /// How many match.
    pub count: usize,
    /// How many events were read.
    pub events: usize,
}

/// One matching event.
#[derive(Debug, Serialize)]
pub struct TestMatch {
    /// Its 1-based number across every input.
    #[serde(rename = "eventNumber")]
    pub event_number: usize,
    /// The file it was read from (`-` for standard input).
    pub file: String,
    /// The line, or the record's compact JSON.
    #[serde(rename = "eventMessage")]
    pub event_message: String,
}

/// `trailwatch apply --json` over many accounts: each account's outcome, flat, and the
/// controls as read again after apply.
#[derive(Debug, Serialize)]
pub struct AccountsApplyDocument<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The benchmark version.
    pub benchmark: &'a str,
    /// One per account, in the order given.
    pub outcomes: &'a [apply::accounts::AccountOutcome],
    /// The controls of every account written to, as read again after apply.
    pub controls: Vec<&'a ControlResult>,
    /// How many accounts ended in each state.
    pub totals: BTreeMap<&'static str, usize>,
}

impl<'a> AccountsApplyDocument<'a> {
    /// The document of a multi-account apply.
    pub fn new(
        benchmark: &'a str,
        outcomes: &'a [apply::accounts::AccountOutcome],
        after: &'a [AccountResult],
    ) -> Self {
        let mut totals = BTreeMap::new();
        for o in outcomes {
            *totals.entry(o.state.as_str()).or_default() += 1;
        }
        AccountsApplyDocument {
            schema_version: SCHEMA_VERSION,
            benchmark,
            outcomes,
            controls: after
                .iter()
                .filter_map(|r| r.report.as_ref().ok())
                .flat_map(|r| r.controls.iter())
                .collect(),
            totals,
        }
    }
}

/// `trailwatch backtest --json`: where the events came from, how much was read, and the
/// backtest itself (its fields at the top level).
#[derive(Debug, Serialize)]
pub struct BacktestDocument<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The benchmark version whose published patterns were evaluated.
    pub benchmark: &'a str,
    /// The account whose filters and alarms were evaluated; absent with `--published-only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Where the events came from.
    pub source: model::backtest::BacktestSource,
    /// How much was read, and how fast.
    pub input: model::backtest::BacktestInput,
    /// The window, the counts and one result per control.
    #[serde(flatten)]
    pub backtest: &'a model::backtest::Backtest,
}

impl<'a> BacktestDocument<'a> {
    /// The document of a backtest.
    pub fn new(
        benchmark: &'a str,
        account_id: Option<String>,
        source: model::backtest::BacktestSource,
        input: model::backtest::BacktestInput,
        backtest: &'a model::backtest::Backtest,
    ) -> Self {
        BacktestDocument {
            schema_version: SCHEMA_VERSION,
            benchmark,
            account_id,
            source,
            input,
            backtest,
        }
    }
}

/// `trailwatch drill --json`.
#[derive(Debug, Serialize)]
pub struct DrillDocument<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// One per alarm triggered.
    pub results: &'a [model::drill::DrillResult],
    /// One per control and EventBridge rule that covers it, tested with `TestEventPattern`.
    pub eventbridge: &'a [model::drill::RuleDrill],
}

impl<'a> DrillDocument<'a> {
    /// The document of a drill.
    pub fn new(
        results: &'a [model::drill::DrillResult],
        eventbridge: &'a [model::drill::RuleDrill],
    ) -> Self {
        DrillDocument {
            schema_version: SCHEMA_VERSION,
            results,
            eventbridge,
        }
    }
}
