//! `backtest --output html`: the backtest as a page in the report's style — per control the
//! alarmed pattern's matches per day as an SVG bar chart, the top event names and principals,
//! the events the account's filters miss, the account's EventBridge rules (matches, days with
//! one, the events none catches), and how often the alarm would have notified. Built
//! through the askama template `templates/backtest.html`.

use askama::Template;
use model::backtest::{
    AlarmOutcome, AlarmSource, Alarmed, Backtest, BacktestInput, BacktestSource, ControlBacktest,
    Count, DayCount, Missed, RuleMatches,
};

use super::page::{anchor, shown};
use crate::render::backtest::{alarm_rule, alarmed_days, source_label};

/// What the page is built from: the backtest and where its events came from.
pub struct BacktestRun<'a> {
    /// The benchmark whose published patterns were evaluated.
    pub benchmark: &'a str,
    /// The account whose filters and alarms were evaluated (none with `--published-only`).
    pub account: Option<&'a str>,
    /// Where the events came from.
    pub source: &'a BacktestSource,
    /// How much was read.
    pub input: &'a BacktestInput,
    /// The counts.
    pub report: &'a Backtest,
    /// trailwatch's version.
    pub version: &'a str,
}

/// The chart's drawing area, in SVG user units, below a row for the bars' numbers.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 120.0;
const TOP: f64 = 14.0;

/// The most bars that still get their number written above them.
const LABELLED: usize = 31;

/// The backtest as an HTML page.
pub fn document(run: &BacktestRun) -> String {
    let page = BacktestPage {
        version: run.version,
        standard: super::standard(run.benchmark),
        account: run.account.map(shown),
        window: window(run.report),
        source: source(run.source),
        input: *run.input,
        report: run.report,
        controls: run.report.controls.iter().map(control).collect(),
    };
    page.render().expect("the backtest's template renders")
}

#[derive(Template)]
#[template(path = "backtest.html")]
struct BacktestPage<'a> {
    version: &'a str,
    standard: String,
    account: Option<String>,
    window: String,
    source: String,
    input: BacktestInput,
    report: &'a Backtest,
    controls: Vec<ControlView>,
}

struct ControlView {
    anchor: String,
    id: String,
    title: String,
    patterns: Vec<PatternView>,
    chart: Option<Chart>,
    top_event_names: Vec<CountView>,
    top_principals: Vec<CountView>,
    missed: Option<MissedView>,
    rules: Option<RulesView>,
    alarm: AlarmView,
}

/// The account's EventBridge rules for a control, and the events none of them catches.
struct RulesView {
    rules: Vec<RuleView>,
    missed: MissedView,
}

struct RuleView {
    name: String,
    arn: String,
    region: String,
    state: String,
    pattern: String,
    matched: u64,
    /// Days with a match, of the days counted.
    active_days: usize,
    days: usize,
}

struct PatternView {
    source: String,
    pattern: String,
    matched: u64,
}

/// The alarmed pattern's matches per day as bars, with the same numbers as a table.
struct Chart {
    of: &'static str,
    bars: Vec<Bar>,
    max: u64,
    /// Few enough bars to write each one's number above it.
    labelled: bool,
}

struct Bar {
    day: String,
    events: u64,
    x: String,
    y: String,
    width: String,
    height: String,
    /// Where its number is written: the bar's middle, just above it.
    label_x: String,
    label_y: String,
}

struct CountView {
    name: String,
    events: u64,
}

struct MissedView {
    events: u64,
    first: Vec<MissedRow>,
}

struct MissedRow {
    time: String,
    name: String,
    principal: String,
    id: String,
}

struct AlarmView {
    which: String,
    rule: String,
    notifications: Option<u64>,
    breaching: u64,
    periods: u64,
    first: Vec<String>,
    cannot_tell: Option<String>,
}

fn window(report: &Backtest) -> String {
    match (&report.window, &report.span) {
        (Some(w), _) => format!("from {} to {}", w.from, w.to),
        (None, Some(s)) => format!("every event, {} to {}", s.first, s.last),
        (None, None) => "every event".to_string(),
    }
}

fn source(source: &BacktestSource) -> String {
    shown(&match source {
        BacktestSource::Archive { bucket, prefix, .. } => match prefix {
            Some(p) => format!("s3://{bucket}/{p}/"),
            None => format!("s3://{bucket}/"),
        },
        BacktestSource::Files { paths } => paths.join(", "),
    })
}

fn control(c: &ControlBacktest) -> ControlView {
    ControlView {
        anchor: anchor(&[&c.control]),
        id: c.control.clone(),
        title: c.title.clone(),
        patterns: c
            .patterns
            .iter()
            .map(|p| PatternView {
                source: shown(&source_label(&p.source)),
                pattern: shown(&p.pattern),
                matched: p.matched,
            })
            .collect(),
        chart: alarmed_days(c).map(|days| chart(days, c.alarmed)),
        top_event_names: counts(&c.top_event_names),
        top_principals: counts(&c.top_principals),
        missed: c.missed.as_ref().map(missed_view),
        rules: c.eventbridge.as_ref().map(|b| RulesView {
            rules: b.rules.iter().map(rule_view).collect(),
            missed: missed_view(&b.missed),
        }),
        alarm: alarm(c),
    }
}

/// A bar per day, scaled to the busiest day; a day without a match is a thin grey bar.
fn chart(days: &[DayCount], alarmed: Alarmed) -> Chart {
    let max = days.iter().map(|d| d.events).max().unwrap_or(0).max(1);
    let step = WIDTH / days.len().max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let height = (d.events as f64 / max as f64 * HEIGHT).max(1.0);
            let top = TOP + HEIGHT - height;
            Bar {
                day: d.day.clone(),
                events: d.events,
                x: format!("{:.2}", i as f64 * step + step * 0.1),
                y: format!("{top:.2}"),
                width: format!("{:.2}", step * 0.8),
                height: format!("{height:.2}"),
                label_x: format!("{:.2}", i as f64 * step + step * 0.5),
                label_y: format!("{:.2}", top - 3.0),
            }
        })
        .collect();
    let of = match alarmed {
        Alarmed::AccountFilters => "the account's filter",
        Alarmed::Published => "the published pattern",
    };
    Chart {
        of,
        labelled: days.len() <= LABELLED,
        bars,
        max,
    }
}

fn counts(counts: &[Count]) -> Vec<CountView> {
    counts
        .iter()
        .map(|c| CountView {
            name: shown(&c.name),
            events: c.events,
        })
        .collect()
}

fn missed_view(m: &Missed) -> MissedView {
    MissedView {
        events: m.events,
        first: m.first.iter().map(missed_row).collect(),
    }
}

fn rule_view(r: &RuleMatches) -> RuleView {
    RuleView {
        name: shown(&r.name),
        arn: shown(&r.arn),
        region: shown(&r.region),
        state: shown(&r.state),
        pattern: shown(&r.pattern),
        matched: r.matched,
        active_days: r.days.iter().filter(|d| d.events > 0).count(),
        days: r.days.len(),
    }
}

fn missed_row(e: &model::backtest::MissedEvent) -> MissedRow {
    MissedRow {
        time: shown(e.event_time.as_deref().unwrap_or("(no time)")),
        name: shown(e.event_name.as_deref().unwrap_or("(no name)")),
        principal: shown(&e.principal),
        id: shown(e.event_id.as_deref().unwrap_or("(no id)")),
    }
}

fn alarm(c: &ControlBacktest) -> AlarmView {
    let alarm = &c.alarm;
    let which = match &alarm.source {
        AlarmSource::Account { name, account_id } => {
            shown(&format!("alarm {name} in account {account_id}"))
        }
        AlarmSource::TrailwatchDefault => "the alarm trailwatch would create".to_string(),
    };
    let rule = alarm_rule(&alarm.settings);
    let (notifications, breaching, first, cannot_tell) = match &alarm.outcome {
        AlarmOutcome::Estimated {
            breaching_periods,
            notifications,
            first_notifications,
        } => (
            Some(*notifications),
            *breaching_periods,
            first_notifications.clone(),
            None,
        ),
        AlarmOutcome::CannotTell { reason } => (None, 0, Vec::new(), Some(shown(reason))),
    };
    AlarmView {
        which,
        rule,
        notifications,
        breaching,
        periods: alarm.periods,
        first,
        cannot_tell,
    }
}
