//! Human output: the plan, the apply outcomes and the verification, with ANSI styles that
//! `anstream` strips when stdout is not a terminal or `NO_COLOR` is set.

use std::collections::HashSet;
use std::fmt::Write;
use std::time::Duration;

use apply::{ActionOutcome, Outcome, Verification};
use model::cloudwatch::ComparisonOperator;
use model::report::{AccountResult, AlarmSpec, ChainKind, ControlResult, FilterSpec, Finding};
use model::{Action, Change, Operation, Report, Status};
use similar::{ChangeTag, TextDiff};

pub(crate) mod backtest;
mod chart;
mod detail;
mod drill;
mod style;
pub use backtest::backtest;
pub use detail::Detail;
pub use drill::{drill_plan, drill_report};
use style::{paint, BOLD, CYAN, DIM, GREEN, RED, YELLOW};

/// `error:` in bold red.
pub fn error_label() -> String {
    let s = RED.bold();
    format!("{s}error:{s:#}")
}

/// A command-line parser's (clap's) message as one error line, without its own `error: `: its
/// first paragraph (a list it introduces, such as the missing arguments, joined onto it), each
/// value of `given` it quotes shortened as `quoted` shortens values.
pub fn usage_error(message: &str, given: &[&str]) -> String {
    let words: Vec<&str> = message
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let line = match words.is_empty() {
        true => "invalid arguments".to_string(),
        false => words.join(" "),
    };
    let line = given.iter().fold(line, |line, value| {
        line.replace(value, &quoted::shortened(value))
    });
    line.strip_prefix("error: ").unwrap_or(&line).to_string()
}

/// `warning:` in bold yellow.
pub fn warning_label() -> String {
    let s = YELLOW.bold();
    format!("{s}warning:{s:#}")
}

fn status_mark(status: Status) -> String {
    let style = match status {
        Status::Compliant => GREEN,
        Status::NonCompliant => RED,
        Status::NotApplicable => DIM,
        Status::Error => YELLOW.bold(),
        Status::Waived => CYAN,
    };
    paint(style, format!("{} {}", status.symbol(), status.as_str()))
}

/// What a summary left out, for the closing hint that points to `--detail`.
#[derive(Debug, Clone, Copy, Default)]
struct Condensed {
    /// Findings shared by several controls were shown once.
    findings: bool,
    /// Compliant controls' chains were left out.
    chains: bool,
}

impl Condensed {
    fn and(self, other: Condensed) -> Condensed {
        Condensed {
            findings: self.findings || other.findings,
            chains: self.chains || other.chains,
        }
    }

    /// The closing hint line, empty when nothing was condensed.
    fn hint(self) -> String {
        let what = match (self.findings, self.chains) {
            (false, false) => return String::new(),
            (true, false) => "every finding of every control",
            (false, true) => "the chain of each compliant control",
            (true, true) => "every finding of every control and each compliant chain",
        };
        format!(
            "{}\n",
            paint(DIM, format!("(run with --detail for {what})"))
        )
    }
}

/// A finding that several controls share (same code and message), shown once.
struct Shared<'a> {
    finding: &'a Finding,
    /// The slugs of the controls it affects, in report order.
    controls: Vec<&'a str>,
}

/// The plan: each control's status with reasons (in full, or with shared findings shown once,
/// per `detail`), the plan's choices, then the numbered actions.
pub fn plan(report: &Report, region: &str, detail: Detail) -> String {
    let mut out = String::new();
    let condensed = plan_body(&mut out, report, region, detail);
    out.push_str(&condensed.hint());
    out
}

/// The plan without the closing hint; says what it condensed.
fn plan_body(out: &mut String, report: &Report, region: &str, detail: Detail) -> Condensed {
    header(out, report, region);
    trails(out, report);
    let condensed = controls(out, report, detail);
    choices(out, report);
    if report.actions.is_empty() {
        no_changes(out, report);
    } else {
        actions(out, report);
    }
    condensed
}

fn header(out: &mut String, report: &Report, region: &str) {
    let account = report
        .controls
        .first()
        .map(|c| c.account_id.as_str())
        .unwrap_or("?");
    let _ = writeln!(
        out,
        "{} account {account}, trails listed in {region}, {}\n",
        paint(BOLD, "trailwatch plan:"),
        report.benchmark
    );
}

fn choices(out: &mut String, report: &Report) {
    if report.notes.is_empty() || report.actions.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(BOLD, "Choices"));
    for note in &report.notes {
        let _ = writeln!(out, "  - {note}");
    }
    out.push('\n');
}

fn no_changes(out: &mut String, report: &Report) {
    let _ = writeln!(out, "{}", paint(BOLD, "No changes."));
    if report.is_clean() {
        let _ = writeln!(out, "Every selected control is compliant.");
    } else {
        let _ = writeln!(
            out,
            "What is wrong above cannot be fixed by trailwatch's calls; follow the hints."
        );
    }
}

fn actions(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "{}",
        paint(BOLD, format!("Actions ({})", report.actions.len()))
    );
    for action in &report.actions {
        render_action(out, action);
    }
    let creates = report
        .actions
        .iter()
        .filter(|a| a.change == Change::Create)
        .count();
    let updates = report.actions.len() - creates;
    let _ = writeln!(
        out,
        "{} {creates} to create, {updates} to update, 0 to delete. Run `trailwatch apply` with the same flags to make these changes.",
        paint(BOLD, "Plan:")
    );
}

fn trails(out: &mut String, report: &Report) {
    if report.trails.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(BOLD, "Trails"));
    for t in &report.trails {
        let mark = if t.qualifies {
            paint(GREEN, "✓ qualifies")
        } else {
            paint(RED, "✗ does not qualify")
        };
        let _ = writeln!(
            out,
            "  {mark}  {} {}",
            paint(BOLD, &t.name),
            paint(DIM, format!("({})", t.home_region))
        );
        for f in &t.findings {
            let _ = writeln!(out, "      - {}", f.message);
        }
    }
    out.push('\n');
}

/// The controls: every finding under each (`Full`), or shared findings once and then one line
/// per control with its own findings (`Summary`).
fn controls(out: &mut String, report: &Report, detail: Detail) -> Condensed {
    match detail {
        Detail::Full => {
            full_controls(out, report);
            Condensed::default()
        }
        Detail::Summary => summary_controls(out, report),
    }
}

fn full_controls(out: &mut String, report: &Report) {
    let _ = writeln!(out, "{}", paint(BOLD, "Controls"));
    // A hint shared by several controls (such as the topic's) is shown once.
    let mut hints = HashSet::new();
    for c in &report.controls {
        status_line(out, c);
        waiver_line(out, c, true);
        for f in &c.findings {
            finding_lines(out, f, &mut hints);
        }
        chain_line(out, c);
    }
    out.push('\n');
}

fn summary_controls(out: &mut String, report: &Report) -> Condensed {
    let shared = shared_findings(report);
    let mut hints = HashSet::new();
    shared_section(out, report, &shared, &mut hints);
    let _ = writeln!(out, "{}", paint(BOLD, "Controls"));
    for c in &report.controls {
        let own: Vec<&Finding> = c
            .findings
            .iter()
            .filter(|f| !shared.iter().any(|s| same(s.finding, f)))
            .collect();
        status_line(out, c);
        waiver_line(out, c, !own.is_empty());
        for f in own {
            finding_lines(out, f, &mut hints);
        }
    }
    out.push('\n');
    Condensed {
        findings: !shared.is_empty(),
        chains: report
            .controls
            .iter()
            .any(|c| c.status == Status::Compliant && c.chain.is_some()),
    }
}

/// Whether two findings are the same finding: same code and same message.
fn same(a: &Finding, b: &Finding) -> bool {
    a.code == b.code && a.message == b.message
}

/// The findings that more than one control has, in the order they first appear.
fn shared_findings(report: &Report) -> Vec<Shared<'_>> {
    let mut all: Vec<Shared> = Vec::new();
    for c in &report.controls {
        for f in &c.findings {
            match all.iter_mut().find(|s| same(s.finding, f)) {
                Some(s) if !s.controls.contains(&c.id.as_str()) => s.controls.push(&c.id),
                Some(_) => {}
                None => all.push(Shared {
                    finding: f,
                    controls: vec![&c.id],
                }),
            }
        }
    }
    all.retain(|s| s.controls.len() > 1);
    all
}

fn shared_section<'a>(
    out: &mut String,
    report: &Report,
    shared: &[Shared<'a>],
    hints: &mut HashSet<&'a str>,
) {
    if shared.is_empty() {
        return;
    }
    let all: Vec<&str> = report.controls.iter().map(|c| c.id.as_str()).collect();
    let _ = writeln!(
        out,
        "{}",
        paint(BOLD, "Findings shared by several controls")
    );
    for s in shared {
        let _ = writeln!(out, "  - {}", s.finding.message);
        let _ = writeln!(out, "    {}", paint(DIM, affects(&s.controls, &all)));
        if let Some(hint) = s.finding.hint.as_ref().filter(|h| hints.insert(h.as_str())) {
            let _ = writeln!(out, "    {} {hint}", paint(CYAN, "hint:"));
        }
    }
    out.push('\n');
}

/// Which of the report's controls (`all`) a shared finding affects, as briefly as is exact.
fn affects(controls: &[&str], all: &[&str]) -> String {
    let (n, total) = (controls.len(), all.len());
    if n == total {
        return match n {
            2 => "affects both controls".to_string(),
            _ => format!("affects all {n} controls"),
        };
    }
    let others: Vec<&str> = all
        .iter()
        .filter(|c| !controls.contains(c))
        .copied()
        .collect();
    if n > 3 && others.len() <= 3 {
        return format!(
            "affects {n} of {total} controls: all but {}",
            others.join(", ")
        );
    }
    format!("affects {n} controls: {}", controls.join(", "))
}

/// `CIS 4.4`, or `trailwatch` for trailwatch's own controls (which have no CIS id).
fn label(c: &ControlResult) -> String {
    match &c.cis_id {
        Some(id) => format!("CIS {id}"),
        None => "trailwatch".to_string(),
    }
}

fn status_line(out: &mut String, c: &ControlResult) {
    let _ = writeln!(
        out,
        "  {}  {} {}",
        status_mark(c.status),
        paint(BOLD, &c.id),
        paint(DIM, format!("({}: {})", label(c), c.title))
    );
}

/// A waived control's waiver; `findings_follow` ends it with "findings for information:".
fn waiver_line(out: &mut String, c: &ControlResult, findings_follow: bool) {
    let Some(w) = c.waiver.as_ref().filter(|_| c.status == Status::Waived) else {
        return;
    };
    let ticket = w
        .ticket
        .as_deref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    let follow = if findings_follow {
        "; findings for information:"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "      {} {} (until {}{ticket}){follow}",
        paint(CYAN, "waived:"),
        w.reason,
        w.expires
    );
}

/// A finding, and its hint unless `hints` says it was shown already.
fn finding_lines<'a>(out: &mut String, f: &'a Finding, hints: &mut HashSet<&'a str>) {
    let _ = writeln!(out, "      - {}", f.message);
    if let Some(hint) = f.hint.as_ref().filter(|h| hints.insert(h.as_str())) {
        let _ = writeln!(out, "        {} {hint}", paint(CYAN, "hint:"));
    }
}

/// A compliant control's chain, dimmed.
fn chain_line(out: &mut String, c: &ControlResult) {
    let Some(chain) = c.chain.as_ref().filter(|_| c.status == Status::Compliant) else {
        return;
    };
    let line = match chain.kind {
        ChainKind::MetricFilter => format!(
            "log group {} ({}) → filter {} → alarm {} → topic {}",
            chain.log_group,
            chain.region,
            chain.filter.as_deref().unwrap_or("?"),
            chain.alarm.as_deref().unwrap_or("?"),
            chain.topic.as_deref().unwrap_or("?"),
        ),
        ChainKind::Eventbridge => format!(
            "EventBridge (accepted) → rules {} → topic {}",
            chain.rules.join(", "),
            chain.topic.as_deref().unwrap_or("?"),
        ),
    };
    let _ = writeln!(out, "      {}", paint(DIM, line));
}

fn render_action(out: &mut String, action: &Action) {
    let (mark, verb) = match action.change {
        Change::Create => (paint(GREEN, "+"), "create"),
        Change::Update => (paint(YELLOW, "~"), "update"),
    };
    let subject = match &action.operation {
        Operation::PutMetricFilter { after, .. } => {
            format!("filter `{}` on log group `{}`", after.name, after.log_group)
        }
        Operation::CreateTopic { after } => format!("topic `{}`", after.arn),
        Operation::Subscribe { after } => format!(
            "{}:{} to `{}`",
            after.protocol, after.endpoint, after.topic_arn
        ),
        Operation::PutMetricAlarm { after, .. } => format!("alarm `{}`", after.name),
    };
    let deps = if action.depends_on.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = action.depends_on.iter().map(|d| d.to_string()).collect();
        paint(DIM, format!(" (after {})", list.join(", ")))
    };
    let _ = writeln!(
        out,
        "  {}. {mark} {} {subject}{deps}",
        action.number,
        paint(BOLD, action.operation.name()),
    );
    let _ = writeln!(
        out,
        "       {} {verb} in {} for {}",
        paint(DIM, "·"),
        action.region,
        action.control_ids.join(", ")
    );
    let _ = writeln!(out, "       {} {}", paint(DIM, "why:"), action.reason);
    match &action.operation {
        Operation::PutMetricFilter { before, after } => filter_detail(out, before.as_ref(), after),
        Operation::PutMetricAlarm { before, after } => alarm_detail(out, before.as_ref(), after),
        _ => {}
    }
    out.push('\n');
}

fn filter_detail(out: &mut String, before: Option<&FilterSpec>, after: &FilterSpec) {
    let _ = writeln!(
        out,
        "       metric: {}/{} (value {})",
        after.namespace, after.metric_name, after.metric_value
    );
    let Some(before) = before else {
        let _ = writeln!(out, "       pattern: {}", paint(GREEN, &after.pattern));
        return;
    };
    let old = pretty_pattern(&before.pattern);
    let new = pretty_pattern(&after.pattern);
    let _ = writeln!(out, "       pattern (normalised, one clause per line):");
    let diff = TextDiff::from_lines(&old, &new);
    let _ = writeln!(out, "       {}", paint(RED, "--- before"));
    let _ = writeln!(out, "       {}", paint(GREEN, "+++ after"));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "       {}", paint(CYAN, hunk.header()));
        for change in hunk.iter_changes() {
            let line = change.value().trim_end_matches('\n');
            let text = match change.tag() {
                ChangeTag::Delete => paint(RED, format!("-{line}")),
                ChangeTag::Insert => paint(GREEN, format!("+{line}")),
                ChangeTag::Equal => format!(" {line}"),
            };
            let _ = writeln!(out, "       {text}");
        }
    }
}

/// A pattern laid out one clause per line in canonical order; unparsable text as it is.
fn pretty_pattern(text: &str) -> String {
    match pattern::parse(text) {
        Ok(p) => pattern::pretty(&p),
        Err(_) => format!("{}\n", text.trim()),
    }
}

fn alarm_detail(out: &mut String, before: Option<&AlarmSpec>, after: &AlarmSpec) {
    let summary = |a: &AlarmSpec| {
        format!(
            "{} of {}/{} {} {} over {} s × {}",
            a.statistic,
            a.namespace,
            a.metric_name,
            match &a.comparison_operator {
                ComparisonOperator::GreaterThanOrEqualToThreshold => ">=",
                ComparisonOperator::GreaterThanThreshold => ">",
                ComparisonOperator::LessThanThreshold => "<",
                ComparisonOperator::LessThanOrEqualToThreshold => "<=",
                other => other.as_str(),
            },
            a.threshold,
            a.period,
            a.evaluation_periods
        )
    };
    let Some(before) = before else {
        let _ = writeln!(out, "       watches: {}", summary(after));
        let _ = writeln!(out, "       notifies: {}", after.alarm_actions.join(", "));
        return;
    };
    let _ = writeln!(out, "       watches: {}", summary(after));
    if before.actions_enabled != after.actions_enabled {
        let _ = writeln!(
            out,
            "       actions_enabled: {} → {}",
            paint(RED, before.actions_enabled),
            paint(GREEN, after.actions_enabled)
        );
    }
    for arn in &before.alarm_actions {
        let _ = writeln!(out, "        alarm_actions: {arn} (kept)");
    }
    for arn in after
        .alarm_actions
        .iter()
        .filter(|a| !before.alarm_actions.contains(a))
    {
        let _ = writeln!(
            out,
            "       {}",
            paint(GREEN, format!("+alarm_actions: {arn}"))
        );
    }
    let kept = before.ok_actions.len() + before.insufficient_data_actions.len();
    if kept > 0 {
        let _ = writeln!(
            out,
            "        ok/insufficient-data actions: {kept} kept unchanged"
        );
    }
}

/// One line per executed action.
pub fn outcomes(actions: &[Action], outcomes: &[ActionOutcome]) -> String {
    let mut out = format!("\n{}\n", paint(BOLD, "Applying"));
    for (action, o) in actions.iter().zip(outcomes) {
        let line = match &o.outcome {
            Outcome::Applied { detail } => format!("{} {detail}", paint(GREEN, "done")),
            Outcome::Failed { error } => format!("{} {error}", paint(RED, "failed")),
            Outcome::Skipped { because_of } => format!(
                "{} because action {} did not succeed",
                paint(YELLOW, "skipped"),
                because_of
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Outcome::Interrupted => format!(
                "{} the run was interrupted before it started",
                paint(YELLOW, "not started")
            ),
        };
        let _ = writeln!(
            out,
            "  {}. {} {line}",
            action.number,
            action.operation.name()
        );
    }
    out
}

/// The account as read again after apply, its controls shown per `detail`.
pub fn verification(after: &Report, v: &Verification, applied: bool, detail: Detail) -> String {
    let mut out = String::new();
    let mut condensed = Condensed::default();
    if applied {
        let _ = writeln!(
            out,
            "\n{}\n",
            paint(BOLD, "Verified (account read again after apply)")
        );
        condensed = controls(&mut out, after, detail);
    }
    if !v.awaiting_confirmation.is_empty() {
        let _ = writeln!(
            out,
            "{} {} hold once the pending subscription is confirmed.",
            paint(YELLOW, "Awaiting confirmation:"),
            v.awaiting_confirmation.join(", ")
        );
    }
    verdict(&mut out, v);
    out.push_str(&condensed.hint());
    out
}

/// Whether apply left the account compliant, or what still stands in the way.
fn verdict(out: &mut String, v: &Verification) {
    if v.ok && v.awaiting_confirmation.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(GREEN.bold(), "Apply complete: the account complies.")
        );
    } else if v.ok {
        let _ = writeln!(
            out,
            "{}",
            paint(
                GREEN.bold(),
                "Apply complete: the account complies once the subscription is confirmed."
            )
        );
    } else {
        if !v.still_failing.is_empty() {
            let _ = writeln!(
                out,
                "{} {} still do not comply; see the findings above.",
                paint(RED.bold(), "Not compliant:"),
                v.still_failing.join(", ")
            );
        }
        if v.actions_left > 0 {
            let _ = writeln!(
                out,
                "{} a new plan still has {} action(s); run `trailwatch plan` to see them.",
                paint(RED.bold(), "Not converged:"),
                v.actions_left
            );
        }
    }
}

/// The controls of one benchmark version as a table, then trailwatch's own controls (part of no
/// CIS version, selected by slug).
pub fn catalog(benchmark: &str, controls: &[model::Control]) -> String {
    let (cis, own): (Vec<&model::Control>, Vec<&model::Control>) =
        controls.iter().partition(|c| c.cis_id.is_some());
    let mut out = format!(
        "{}\n",
        paint(BOLD, format!("{} controls of {benchmark}", cis.len()))
    );
    catalog_rows(&mut out, &cis);
    if !own.is_empty() {
        let heading =
            "trailwatch's own controls (part of no CIS version; select them by slug or `extras`)";
        let _ = writeln!(out, "\n{}", paint(BOLD, heading));
        catalog_rows(&mut out, &own);
    }
    out
}

fn catalog_rows(out: &mut String, controls: &[&model::Control]) {
    for c in controls {
        let level = c.level.map_or("  ".to_string(), |l| format!("L{l}"));
        let _ = writeln!(
            out,
            "  {:<6} {} {level}  {}",
            c.cis_id.as_deref().unwrap_or("-"),
            // Padded before it is styled: the style's escape codes are not columns.
            paint(BOLD, format!("{:<28}", c.id)),
            c.title
        );
        let _ = writeln!(
            out,
            "         {}",
            paint(
                DIM,
                format!(
                    "Security Hub {}; metric {}; {} published pattern{}",
                    c.security_hub_id.unwrap_or("-"),
                    c.default_metric_name,
                    c.variants.len(),
                    if c.variants.len() == 1 { "" } else { "s" }
                )
            )
        );
    }
}

/// A multi-account plan: each readable account's plan (per `detail`), then the per-account
/// summary, then at most one `--detail` hint.
pub fn many(results: &[AccountResult], region: &str, wall: Duration, detail: Detail) -> String {
    let mut out = String::new();
    let mut condensed = Condensed::default();
    for report in results.iter().filter_map(|r| r.report.as_ref().ok()) {
        condensed = condensed.and(plan_body(&mut out, report, region, detail));
        out.push('\n');
    }
    out.push_str(&accounts(results, wall));
    out.push_str(&condensed.hint());
    out
}

/// A multi-account plan about to be applied: [`many`], then how many actions in how many of
/// the accounts.
pub fn many_to_apply(
    results: &[AccountResult],
    region: &str,
    wall: std::time::Duration,
    detail: Detail,
) -> String {
    let reports = model::report::read_reports(results);
    let actions: usize = reports.iter().map(|(_, r)| r.actions.len()).sum();
    let with_actions = reports
        .iter()
        .filter(|(_, r)| !r.actions.is_empty())
        .count();
    many(results, region, wall, detail)
        + &format!(
            "\nPlan: {actions} action(s) in {with_actions} of {} account(s).\n",
            results.len()
        )
}

/// The per-account summary of a multi-account plan.
pub fn accounts(results: &[AccountResult], wall: Duration) -> String {
    let mut out = format!(
        "{}\n",
        paint(
            BOLD,
            format!("Accounts ({}, {:.1} s)", results.len(), wall.as_secs_f64())
        )
    );
    for r in results {
        let calls: u64 = r.calls.values().sum();
        let line = match &r.report {
            Ok(report) => {
                let mark = if report.has_errors() {
                    paint(YELLOW.bold(), "!")
                } else if report.is_clean() {
                    paint(GREEN, "✓")
                } else {
                    paint(RED, "✗")
                };
                format!(
                    "{mark} {}  {} compliant, {} non_compliant, {} not_applicable, {} error; {} action(s)",
                    r.account_id,
                    report.count(Status::Compliant),
                    report.count(Status::NonCompliant),
                    report.count(Status::NotApplicable),
                    report.count(Status::Error),
                    report.actions.len()
                )
            }
            Err(e) => format!("{} {}  {e}", paint(YELLOW.bold(), "!"), r.account_id),
        };
        let _ = writeln!(
            out,
            "  {line} {}",
            paint(DIM, format!("({calls} calls, {} ms)", r.wall.as_millis()))
        );
    }
    out
}

/// The outcome of a multi-account apply: a line per account, then the totals.
pub fn account_outcomes(
    outcomes: &[apply::accounts::AccountOutcome],
    wall: std::time::Duration,
) -> String {
    use apply::accounts::AccountState;
    let mut out = format!(
        "\n{}\n",
        paint(
            BOLD,
            format!(
                "Apply ({} accounts, {:.1} s)",
                outcomes.len(),
                wall.as_secs_f64()
            )
        )
    );
    for o in outcomes {
        let mark = match o.state {
            AccountState::Applied | AccountState::NothingToDo | AccountState::AlreadyApplied => {
                paint(GREEN, "✓")
            }
            AccountState::AwaitingConfirmation => paint(YELLOW, "~"),
            AccountState::Failed | AccountState::Unreachable | AccountState::Refused => {
                paint(RED, "✗")
            }
            AccountState::Stale | AccountState::Interrupted => paint(YELLOW.bold(), "!"),
        };
        let error = o
            .error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {mark} {}  {:<21} {} done, {} failed{error}",
            o.account_id,
            o.state.as_str(),
            o.actions_done,
            o.actions_failed
        );
    }
    let mut totals: Vec<(&str, usize)> = Vec::new();
    for o in outcomes {
        match totals.iter_mut().find(|(s, _)| *s == o.state.as_str()) {
            Some((_, n)) => *n += 1,
            None => totals.push((o.state.as_str(), 1)),
        }
    }
    let totals: Vec<String> = totals.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let _ = writeln!(out, "{} {}", paint(BOLD, "Total:"), totals.join(", "));
    if outcomes.iter().any(|o| o.state == AccountState::Stale) {
        let _ = writeln!(
            out,
            "Stale accounts changed since the plan was made and were not written: plan them again."
        );
    }
    out
}

/// One event `pattern test` matched, as its text lists it: the event's number and its first
/// 200 characters.
pub fn test_match(event_number: usize, message: &str) -> String {
    let shown: String = message.chars().take(200).collect();
    let more = if shown.len() < message.len() {
        " …"
    } else {
        ""
    };
    format!("{event_number:>6}  {shown}{more}\n")
}

/// The last line of `pattern test`'s text: how many of the events read matched.
pub fn test_summary(count: usize, total: usize) -> String {
    format!(
        "{count} of {total} event{} match{}\n",
        if total == 1 { "" } else { "s" },
        if count == 1 { "es" } else { "" }
    )
}

/// The line that ends a plan: its digest, which `apply --expect-digest` pins.
pub fn digest_line(digest: &str) -> String {
    format!("{} {digest}\n", paint(BOLD, "plan:"))
}

/// What Security Hub took, a line per account (the refused findings and errors as error
/// lines), and whether it took every finding of every account.
pub fn security_hub(sent: &[model::asff::Sent]) -> (String, bool) {
    let mut text = String::new();
    let mut all = true;
    for s in sent {
        let imported = match &s.outcome {
            Ok(imported) => imported,
            Err(e) => {
                all = false;
                let _ = writeln!(text, "{} {e}", error_label());
                continue;
            }
        };
        let refused = match imported.failed.len() {
            0 => String::new(),
            n => format!("; {n} refused"),
        };
        let _ = writeln!(
            text,
            "Security Hub: {} finding(s) imported into account {} in {}{}{refused}",
            imported.imported,
            s.account,
            s.region,
            hub_workflow(imported)
        );
        for f in &imported.failed {
            all = false;
            let _ = writeln!(
                text,
                "{} Security Hub refused finding `{}` in account {} ({}: {})",
                error_label(),
                f.id,
                s.account,
                f.code,
                f.message
            );
        }
    }
    (text, all)
}

/// `; N suppressed (waived), M reopened (waiver ended)`, naming only what happened.
fn hub_workflow(imported: &model::asff::Imported) -> String {
    let mut text = String::new();
    if imported.suppressed > 0 {
        text += &format!("; {} suppressed (waived)", imported.suppressed);
    }
    if imported.reopened > 0 {
        text += &format!("; {} reopened (waiver ended)", imported.reopened);
    }
    text
}
