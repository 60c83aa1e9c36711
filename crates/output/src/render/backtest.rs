//! `trailwatch backtest` as text: per control, the matches of each pattern, a bar per day (quiet
//! days and then weeks grouped in a summary), what and who the alarmed patterns matched, what
//! the filters missed, what the account's EventBridge rules caught and missed, and the alarm's
//! estimate.

use std::fmt::Write as _;

use model::backtest::{
    AlarmEstimate, AlarmOutcome, AlarmSettings, AlarmSource, Alarmed, Backtest, BacktestInput,
    BacktestSource, ControlBacktest, Count, DayCount, Missed, PatternMatches, PatternSource,
    RulesBacktest,
};
use model::cloudwatch::StandardStatistic;

use super::chart::chart;
use super::detail::Detail;
use super::style::{paint, BOLD, DIM, GREEN, YELLOW};

/// The missed events a summary lists per control.
const MISSED_LISTED: usize = 5;

/// The whole report; a summary groups days and lists fewer missed events, so that each control
/// fits on a screen, and says so.
pub fn backtest(
    report: &Backtest,
    source: &BacktestSource,
    input: &BacktestInput,
    detail: Detail,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", header(report, source, input));
    let mut condensed = Condensed::default();
    for control in &report.controls {
        let section = control_section(control, detail);
        out.push('\n');
        out.push_str(&section.text);
        condensed.days |= section.condensed.days;
        condensed.missed |= section.condensed.missed;
    }
    if let Some(hint) = condensed.hint() {
        let _ = writeln!(out, "\n{}", paint(DIM, &hint));
    }
    out
}

/// One control's text, and what the summary left out of it.
struct Section {
    text: String,
    condensed: Condensed,
}

/// What a summary left out, for the closing hint that points to `--detail`.
#[derive(Debug, Clone, Copy, Default)]
struct Condensed {
    /// A chart has fewer rows than days.
    days: bool,
    /// A control lists fewer missed events than it kept.
    missed: bool,
}

impl Condensed {
    fn hint(self) -> Option<String> {
        let days = "days without a match (and, over long windows, weeks) are grouped";
        let missed = format!("at most {MISSED_LISTED} missed events are listed per control");
        let said = match (self.days, self.missed) {
            (false, false) => return None,
            (true, false) => format!("{days}; `--detail` shows every day"),
            (false, true) => format!("{missed}; `--detail` lists each one kept"),
            (true, true) => format!("{days} and {missed}; `--detail` shows every day and event"),
        };
        Some(format!("In this summary, {said}."))
    }
}

fn header(report: &Backtest, source: &BacktestSource, input: &BacktestInput) -> String {
    let from = match source {
        BacktestSource::Archive { bucket, prefix, .. } => match prefix {
            Some(p) => format!("s3://{bucket}/{p}/"),
            None => format!("s3://{bucket}/"),
        },
        BacktestSource::Files { paths } => paths.join(", "),
    };
    let window = match &report.window {
        Some(w) => format!("from {} to {}", w.from, w.to),
        None => "every event".to_string(),
    };
    let mut text = format!(
        "{} {window}: {} events in {} files from {from} ({:.1} MB in {:.1} s, {:.0} MB/s)",
        paint(BOLD, "Backtest"),
        input.events,
        input.files,
        input.bytes as f64 / 1e6,
        input.seconds,
        input.mb_per_second(),
    );
    if input.files == 0 {
        let _ = write!(text, "\n  {}", paint(YELLOW, "no log files were found: check the window, the paths, or the trail's bucket and prefix"));
    }
    if input.skipped > 0 {
        let _ = write!(
            text,
            "\n  {} files in the folders were skipped: their names are not those of log files (.json, .jsonl, .ndjson, .log, .gz)",
            input.skipped
        );
    }
    if report.duplicates > 0 {
        let _ = write!(
            text,
            "\n  {} duplicate events (an eventID of the same account read before) were dropped",
            report.duplicates
        );
    }
    if report.outside_window > 0 {
        let _ = write!(
            text,
            "\n  {} events outside the window were not counted",
            report.outside_window
        );
    }
    if report.undated > 0 {
        let _ = write!(
            text,
            "\n  {} events have no readable eventTime: counted, but in no day or alarm period",
            report.undated
        );
    }
    text
}

fn control_section(c: &ControlBacktest, detail: Detail) -> Section {
    let mut out = format!("{}  {}\n", paint(BOLD, &c.control), c.title);
    for p in &c.patterns {
        let _ = writeln!(out, "  {:>8}  {}", p.matched, source_label(&p.source));
    }
    let mut condensed = Condensed::default();
    if let Some(alarmed) = alarmed_days(c) {
        let chart = chart(alarmed, detail);
        out.push_str(&chart.text);
        condensed.days = chart.grouped;
    }
    list(&mut out, "top events", &c.top_event_names);
    list(&mut out, "top principals", &c.top_principals);
    if let Some(missed) = &c.missed {
        let caught = "the account's filters catch every event the published pattern catches";
        let lead = "the account's filters miss";
        condensed.missed |= missed_lines(&mut out, missed, (caught, lead), detail);
    }
    if let Some(bridge) = &c.eventbridge {
        condensed.missed |= rules_lines(&mut out, bridge, detail);
    }
    let _ = writeln!(out, "  {}", alarm_line(&c.alarm, c.alarmed));
    Section {
        text: out,
        condensed,
    }
}

/// The events no filter (or no rule) catches: a line saying how many, then the first ones
/// (fewer in a summary); `said` is the line when none is missed and the end of the count's
/// line. True when the summary left some out.
fn missed_lines(out: &mut String, missed: &Missed, said: (&str, &str), detail: Detail) -> bool {
    let (caught, lead) = said;
    let line = match missed.events {
        0 => paint(GREEN, caught),
        n => paint(
            YELLOW,
            format!("{n} events the published pattern catches, {lead}:"),
        ),
    };
    let _ = writeln!(out, "  {line}");
    let listed = match detail {
        Detail::Full => missed.first.len(),
        Detail::Summary => MISSED_LISTED.min(missed.first.len()),
    };
    for e in &missed.first[..listed] {
        let _ = writeln!(
            out,
            "    {}  {}  {}  {}",
            e.event_time.as_deref().unwrap_or("(no time)"),
            e.event_name.as_deref().unwrap_or("(no name)"),
            e.principal,
            paint(DIM, e.event_id.as_deref().unwrap_or("(no id)"))
        );
    }
    listed < missed.first.len()
}

/// The account's EventBridge rules for the control: each one's matches and busiest day, then
/// the events none of them catches. True when the summary left missed events out.
fn rules_lines(out: &mut String, bridge: &RulesBacktest, detail: Detail) -> bool {
    for unread in &bridge.unread {
        let what = format!("cannot tell what EventBridge rules catch here: {unread}");
        let _ = writeln!(out, "  {}", paint(YELLOW, what));
    }
    if bridge.rules.is_empty() && bridge.unread.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            paint(
                YELLOW,
                "no enabled EventBridge rule catches this control's events"
            )
        );
    }
    for rule in &bridge.rules {
        let _ = writeln!(
            out,
            "  {:>8}  EventBridge rule {} in {} ({}){}",
            rule.matched,
            rule.name,
            rule.region,
            rule.state,
            busiest(&rule.days)
        );
    }
    let caught = "the EventBridge rules catch every event the published pattern catches";
    missed_lines(
        out,
        &bridge.missed,
        (caught, "no EventBridge rule catches"),
        detail,
    )
}

/// `, on N of M days, most on DAY (K)` for days with matches; nothing without.
fn busiest(days: &[DayCount]) -> String {
    let active = days.iter().filter(|d| d.events > 0).count();
    let most = days
        .iter()
        .filter(|d| d.events > 0)
        .max_by(|a, b| a.events.cmp(&b.events).then_with(|| b.day.cmp(&a.day)));
    match most {
        Some(most) => format!(
            ", on {active} of {} days, most on {} ({})",
            days.len(),
            most.day,
            most.events
        ),
        None => String::new(),
    }
}

/// What a pattern of a backtest is: the published pattern, or a filter of the account.
pub(crate) fn source_label(source: &PatternSource) -> String {
    match source {
        PatternSource::Published => "published pattern".to_string(),
        PatternSource::Filter {
            name,
            log_group,
            account_id,
        } => format!("filter {name} on {log_group} in account {account_id}"),
    }
}

/// The days of the pattern the alarm watches: the first filter's when the account has filters,
/// else the published pattern's (the filters' union is not kept per day).
pub(crate) fn alarmed_days(c: &ControlBacktest) -> Option<&[DayCount]> {
    let pattern: Option<&PatternMatches> = match c.alarmed {
        Alarmed::Published => c.patterns.first(),
        Alarmed::AccountFilters => c.patterns.get(1),
    };
    pattern.map(|p| p.days.as_slice()).filter(|d| !d.is_empty())
}

fn list(out: &mut String, label: &str, counts: &[Count]) {
    if counts.is_empty() {
        return;
    }
    let items: Vec<String> = counts
        .iter()
        .map(|c| format!("{} {}", c.name, c.events))
        .collect();
    let _ = writeln!(out, "  {label}: {}", items.join(", "));
}

/// An alarm's rule in one line: `Sum >= 1 over 300 s, 1 of 1`.
pub(crate) fn alarm_rule(s: &AlarmSettings) -> String {
    format!(
        "{} {} {} over {} s, {} of {}",
        s.statistic.as_ref().map_or("?", StandardStatistic::as_str),
        s.comparison_operator,
        s.threshold,
        s.period,
        s.datapoints_to_alarm,
        s.evaluation_periods
    )
}

fn alarm_line(alarm: &AlarmEstimate, alarmed: Alarmed) -> String {
    let s = &alarm.settings;
    let which = match &alarm.source {
        AlarmSource::Account { name, account_id } => {
            format!("alarm {name} in account {account_id}")
        }
        AlarmSource::TrailwatchDefault => "the alarm trailwatch would create".to_string(),
    };
    let on = match alarmed {
        Alarmed::AccountFilters => "the account's filters",
        Alarmed::Published => "the published pattern",
    };
    let rule = alarm_rule(s);
    match &alarm.outcome {
        AlarmOutcome::Estimated { breaching_periods, notifications, .. } => format!(
            "{which} ({rule}, on {on}): {} notifications ({breaching_periods} of {} periods at or over the threshold)",
            paint(BOLD, notifications),
            alarm.periods
        ),
        AlarmOutcome::CannotTell { reason } => format!("{which} ({rule}): cannot tell how often it would notify: {reason}"),
    }
}
