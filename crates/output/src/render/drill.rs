//! `trailwatch drill` as text: what it will trigger and test, before it starts, and what each
//! alarm's history and AWS's matcher said.

use std::fmt::Write as _;

use model::drill::{DrillOutcome, DrillResult, DrillTarget, RuleDrill, RuleOutcome, RuleProbe};

use super::style::{paint, BOLD, GREEN, RED, YELLOW};

/// The disagreements a line names (the JSON document has them all).
const SHOWN: usize = 5;

/// What a drill will test and trigger, before it asks: the EventBridge rules, then the alarms.
pub fn drill_plan(targets: &[DrillTarget], probes: &[RuleProbe]) -> String {
    let mut out = String::new();
    if !probes.is_empty() {
        out.push_str(&drill_rules(probes));
    }
    if !targets.is_empty() {
        out.push_str(&drill_targets(targets));
    }
    out
}

/// What a drill will trigger, before it asks.
fn drill_targets(targets: &[DrillTarget]) -> String {
    let mut out = format!(
        "{}\n",
        paint(
            BOLD,
            format!("Drill: {} alarm(s) will be set to ALARM", targets.len())
        )
    );
    for t in targets {
        let _ = writeln!(
            out,
            "  {}  alarm `{}` ({}) → topic `{}`",
            paint(BOLD, &t.control),
            t.alarm,
            t.region,
            t.topic
        );
    }
    out.push_str(
        "Each returns to its real state at its next evaluation; no configuration changes.\n",
    );
    out
}

/// The drill's report: what each alarm's history showed, when alarms were triggered, and what
/// AWS's matcher said of each rule, when rules were tested.
pub fn drill_report(results: &[DrillResult], rules: &[RuleDrill], wait_seconds: u64) -> String {
    let mut out = String::new();
    if !results.is_empty() || rules.is_empty() {
        out.push_str(&drill_results(results, wait_seconds));
    }
    if !rules.is_empty() {
        out.push_str(&drill_rule_results(rules));
    }
    out
}

/// What each alarm's history showed after the drill.
fn drill_results(results: &[DrillResult], wait_seconds: u64) -> String {
    let mut out = format!("\n{}\n", paint(BOLD, "Drill"));
    for r in results {
        let line = match &r.outcome {
            DrillOutcome::Notified { detail } => format!("{} {detail}", paint(GREEN, "✓ notified")),
            DrillOutcome::Failed { error } => format!("{} {error}", paint(RED, "✗ failed")),
            DrillOutcome::Unknown => format!(
                "{} no action in the alarm's history within {wait_seconds} s (run again with a longer --wait, or check the alarm's history in the console)",
                paint(YELLOW, "? unknown")
            ),
        };
        let _ = writeln!(out, "  {}  {line}", paint(BOLD, &r.target.control));
    }
    out
}

/// The EventBridge rules a drill will test, before it starts.
fn drill_rules(probes: &[RuleProbe]) -> String {
    let mut out = format!(
        "{}\n",
        paint(
            BOLD,
            format!(
                "Drill: {} EventBridge rule(s) will be tested with TestEventPattern",
                probes.len()
            )
        )
    );
    for p in probes {
        let _ = writeln!(
            out,
            "  {}  rule `{}` ({}): {} event(s)",
            paint(BOLD, &p.control),
            p.rule,
            p.region,
            p.events.len()
        );
    }
    out.push_str("AWS's own matcher answers; no event is sent and nobody is paged.\n");
    out
}

/// What AWS's matcher said of each rule's events, with the rule's invocations.
fn drill_rule_results(rules: &[RuleDrill]) -> String {
    let mut out = format!(
        "\n{}\n",
        paint(
            BOLD,
            "EventBridge (TestEventPattern; no event sent, nobody paged)"
        )
    );
    for r in rules {
        let _ = writeln!(
            out,
            "  {}  rule `{}` ({})\n    {}; {}",
            paint(BOLD, &r.control),
            r.rule,
            r.region,
            rule_outcome(&r.outcome),
            invocations(r)
        );
    }
    out
}

fn rule_outcome(outcome: &RuleOutcome) -> String {
    match outcome {
        RuleOutcome::Agreed { tested, matched } => format!(
            "{}: AWS matched {matched} of {tested} event(s), as trailwatch judged",
            paint(GREEN, "✓ proven")
        ),
        RuleOutcome::Disagreed {
            tested,
            matched,
            disagreements,
        } => {
            let mut which: Vec<String> = disagreements
                .iter()
                .take(SHOWN)
                .map(|d| {
                    format!(
                        "{} (AWS: {}, trailwatch: {})",
                        d.event,
                        said(d.aws),
                        said(d.trailwatch)
                    )
                })
                .collect();
            if disagreements.len() > SHOWN {
                which.push(format!("{} more", disagreements.len() - SHOWN));
            }
            format!(
                "{}: AWS's matcher and trailwatch's disagree on {}: one of them is wrong, so this rule's verdict is unproven (please report it to trailwatch); AWS matched {matched} of {tested} event(s)",
                paint(RED, "✗ DISAGREEMENT"),
                which.join(", ")
            )
        }
        RuleOutcome::Refused { error } => format!("{}: {error}", paint(RED, "✗ not tested")),
    }
}

fn said(matched: bool) -> &'static str {
    match matched {
        true => "matches",
        false => "no match",
    }
}

fn invocations(r: &RuleDrill) -> String {
    match (&r.invocations, &r.invocations_error) {
        (Some(calls), _) => format!(
            "{} invocation(s), {} failed, in the day before the read",
            calls.invoked, calls.failed
        ),
        (None, Some(error)) => format!("invocations unread ({error})"),
        (None, None) => "invocations unread".to_string(),
    }
}
