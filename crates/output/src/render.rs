//! Human output: the plan, the apply outcomes and the verification, with ANSI styles that
//! `anstream` strips when stdout is not a terminal or `NO_COLOR` is set.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use apply::{ActionOutcome, Outcome, Verification};
use model::report::{AccountResult, AlarmSpec, FilterSpec};
use model::{Action, Change, Operation, Report, Status};
use similar::{ChangeTag, TextDiff};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const CYAN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));

/// `error:` in bold red.
pub fn error_label() -> String {
    let s = RED.bold();
    format!("{s}error:{s:#}")
}

/// `warning:` in bold yellow.
pub fn warning_label() -> String {
    let s = YELLOW.bold();
    format!("{s}warning:{s:#}")
}

fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

fn status_mark(status: Status) -> String {
    match status {
        Status::Compliant => paint(GREEN, "✓ compliant"),
        Status::NonCompliant => paint(RED, "✗ non_compliant"),
        Status::NotApplicable => paint(DIM, "- not_applicable"),
        Status::Error => paint(YELLOW.bold(), "! error"),
        Status::Waived => paint(CYAN, "~ waived"),
    }
}

/// The plan: each control's status with reasons, the plan's choices, then the numbered actions.
pub fn plan(report: &Report, region: &str) -> String {
    let mut out = String::new();
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
    trails(&mut out, report);
    controls(&mut out, report);
    if !report.notes.is_empty() && !report.actions.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Choices"));
        for note in &report.notes {
            let _ = writeln!(out, "  - {note}");
        }
        out.push('\n');
    }
    if report.actions.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "No changes."));
        if report.is_clean() {
            let _ = writeln!(out, "Every selected control is compliant.");
        } else {
            let _ = writeln!(
                out,
                "What is wrong above cannot be fixed by trailwatch's calls; follow the hints."
            );
        }
        return out;
    }
    let _ = writeln!(
        out,
        "{}",
        paint(BOLD, format!("Actions ({})", report.actions.len()))
    );
    for action in &report.actions {
        render_action(&mut out, action);
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
    out
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

fn controls(out: &mut String, report: &Report) {
    let _ = writeln!(out, "{}", paint(BOLD, "Controls"));
    let mut shown = std::collections::HashSet::new();
    for c in &report.controls {
        let _ = writeln!(
            out,
            "  {}  {} {}",
            status_mark(c.status),
            paint(BOLD, &c.id),
            paint(DIM, format!("(CIS {}: {})", c.cis_id, c.title))
        );
        if let Some(w) = c.waiver.as_ref().filter(|_| c.status == Status::Waived) {
            let ticket = w
                .ticket
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "      {} {} (until {}{ticket}); findings for information:",
                paint(CYAN, "waived:"),
                w.reason,
                w.expires
            );
        }
        for f in &c.findings {
            let _ = writeln!(out, "      - {}", f.message);
            // A hint shared by several controls (such as the topic's) is shown once.
            if let Some(hint) = f.hint.as_ref().filter(|h| shown.insert(h.as_str())) {
                let _ = writeln!(out, "        {} {hint}", paint(CYAN, "hint:"));
            }
        }
        if c.status == Status::Compliant {
            if let Some(chain) = &c.chain {
                let _ = writeln!(
                    out,
                    "      {}",
                    paint(
                        DIM,
                        format!(
                            "log group {} ({}) → filter {} → alarm {} → topic {}",
                            chain.log_group,
                            chain.region,
                            chain.filter.as_deref().unwrap_or("?"),
                            chain.alarm.as_deref().unwrap_or("?"),
                            chain.topic.as_deref().unwrap_or("?"),
                        )
                    )
                );
            }
        }
    }
    out.push('\n');
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
            match a.comparison_operator.as_str() {
                "GreaterThanOrEqualToThreshold" => ">=",
                "GreaterThanThreshold" => ">",
                "LessThanThreshold" => "<",
                "LessThanOrEqualToThreshold" => "<=",
                other => other,
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

/// The account as read again after apply.
pub fn verification(after: &Report, v: &Verification, applied: bool) -> String {
    let mut out = String::new();
    if applied {
        let _ = writeln!(
            out,
            "\n{}\n",
            paint(BOLD, "Verified (account read again after apply)")
        );
        controls(&mut out, after);
    }
    if !v.awaiting_confirmation.is_empty() {
        let _ = writeln!(
            out,
            "{} {} hold once the pending subscription is confirmed.",
            paint(YELLOW, "Awaiting confirmation:"),
            v.awaiting_confirmation.join(", ")
        );
    }
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
    out
}

/// The controls of one benchmark version as a table.
pub fn catalog(benchmark: &str, controls: &[model::Control]) -> String {
    let mut out = format!(
        "{}\n",
        paint(BOLD, format!("{} controls of {benchmark}", controls.len()))
    );
    for c in controls {
        let _ = writeln!(
            out,
            "  {:<6} {:<28} L{}  {}",
            c.cis_id,
            paint(BOLD, c.id),
            c.level,
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
    out
}

/// A multi-account plan: each readable account's plan, then the per-account summary.
pub fn many(results: &[AccountResult], region: &str, wall: std::time::Duration) -> String {
    let mut out = String::new();
    for report in results.iter().filter_map(|r| r.report.as_ref().ok()) {
        out.push_str(&plan(report, region));
        out.push('\n');
    }
    out.push_str(&accounts(results, wall));
    out
}

/// The per-account summary of a multi-account plan.
pub fn accounts(results: &[AccountResult], wall: std::time::Duration) -> String {
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
