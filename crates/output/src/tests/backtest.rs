//! The backtest's text: a summary fits each control on a screen (quiet days, then weeks,
//! grouped; five missed events) and says so; `--detail` shows every day and event.

use model::backtest::*;
use model::cloudwatch::{ComparisonOperator, StandardStatistic, TreatMissingData};

use super::plain;
use crate::render::{self, Detail};

/// `n` days from 2026-06-01, each with the matches `events` gives it.
pub(super) fn days(n: i64, events: impl Fn(i64) -> u64) -> Vec<DayCount> {
    let first = time::macros::date!(2026 - 06 - 01);
    (0..n)
        .map(|i| DayCount {
            day: (first + time::Duration::days(i)).to_string(),
            events: events(i),
        })
        .collect()
}

pub(super) fn missed(n: usize) -> Missed {
    let event = |i: usize| MissedEvent {
        event_id: Some(format!("id-{i}")),
        event_name: Some("AttachRolePolicy".into()),
        event_time: Some(format!("2026-06-01T00:{i:02}:00Z")),
        principal: "arn:aws:iam::111122223333:user/alice".into(),
    };
    Missed {
        events: 40,
        first: (0..n).map(event).collect(),
    }
}

pub(super) fn report(days: Vec<DayCount>, missed: Option<Missed>) -> Backtest {
    let matched = days.iter().map(|d| d.events).sum();
    let control = ControlBacktest {
        control: "iam-policy-changes".into(),
        title: "IAM policy changes are monitored".into(),
        patterns: vec![PatternMatches {
            source: PatternSource::Published,
            pattern: "{ $.eventName = CreatePolicy }".into(),
            matched,
            undated: 0,
            days,
        }],
        alarmed: Alarmed::Published,
        top_event_names: vec![],
        top_principals: vec![],
        missed,
        eventbridge: None,
        alarm: AlarmEstimate {
            source: AlarmSource::TrailwatchDefault,
            settings: AlarmSettings {
                statistic: Some(StandardStatistic::Sum),
                period: 300,
                evaluation_periods: 1,
                datapoints_to_alarm: 1,
                threshold: 1.0,
                comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
                treat_missing_data: TreatMissingData::NotBreaching,
            },
            periods: 1,
            outcome: AlarmOutcome::CannotTell {
                reason: "not estimated here".into(),
            },
        },
    };
    Backtest {
        window: None,
        span: None,
        events: matched,
        duplicates: 0,
        outside_window: 0,
        undated: 0,
        controls: vec![control],
    }
}

fn text(report: &Backtest, detail: Detail) -> String {
    let source = BacktestSource::Files {
        paths: vec!["trail/".into()],
    };
    plain(render::backtest(
        report,
        &source,
        &BacktestInput::default(),
        detail,
    ))
}

fn bars(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("    2026-"))
        .collect()
}

#[test]
fn four_busy_months_are_shown_by_the_week_and_detail_shows_each_day() {
    let busy = report(days(124, |i| 1 + (i as u64 % 5)), None);
    let summary = text(&busy, Detail::Summary);
    let weeks = bars(&summary);
    assert_eq!(weeks.len(), 18, "{summary}");
    assert!(
        weeks[0].starts_with("    2026-06-01 … 2026-06-07  "),
        "{summary}"
    );
    assert!(weeks[0].ends_with(" 18 (7 days)"), "{summary}");
    assert!(
        weeks[17].ends_with("(5 days)"),
        "124 days: 17 weeks and 5 days: {summary}"
    );
    assert!(summary.contains("`--detail` shows every day."), "{summary}");
    assert_eq!(bars(&text(&busy, Detail::Full)).len(), 124);
}

#[test]
fn a_week_with_matches_shows_every_day_and_no_hint() {
    let week = report(days(7, |i| i as u64), None);
    let summary = text(&week, Detail::Summary);
    let rows = bars(&summary);
    assert_eq!(rows.len(), 7, "{summary}");
    assert!(
        rows[0].ends_with(" 0"),
        "one quiet day is its own row: {summary}"
    );
    assert!(!summary.contains("--detail"), "{summary}");
    assert_eq!(summary, text(&week, Detail::Full));
}

#[test]
fn a_summary_lists_five_missed_events_and_detail_each_one_kept() {
    let missing = report(days(3, |_| 1), Some(missed(20)));
    let listed = |text: &str| {
        text.lines()
            .filter(|l| l.contains("AttachRolePolicy"))
            .count()
    };
    let summary = text(&missing, Detail::Summary);
    assert_eq!(listed(&summary), 5, "{summary}");
    assert!(
        summary.contains(
            "at most 5 missed events are listed per control; `--detail` lists each one kept."
        ),
        "{summary}"
    );
    assert_eq!(listed(&text(&missing, Detail::Full)), 20);
}

/// The report with one EventBridge rule that matched on some of `days`, and `missed`.
pub(super) fn with_rules(mut report: Backtest, days: Vec<DayCount>, missed: Missed) -> Backtest {
    let rule = RuleMatches {
        arn: "arn:aws:events:eu-west-1:111122223333:rule/iam-changes".into(),
        name: "iam-changes".into(),
        region: "eu-west-1".into(),
        state: "ENABLED".into(),
        pattern: r#"{"source":["aws.iam"]}"#.into(),
        matched: days.iter().map(|d| d.events).sum(),
        undated: 0,
        days,
    };
    report.controls[0].eventbridge = Some(RulesBacktest {
        rules: vec![rule],
        missed,
        unread: Vec::new(),
    });
    report
}

#[test]
fn each_rule_is_a_line_with_its_busiest_day_then_what_no_rule_catches() {
    let caught = days(3, |i| [2, 0, 5][i as usize]);
    let ruled = with_rules(report(days(3, |_| 9), None), caught, missed(20));
    let summary = text(&ruled, Detail::Summary);
    assert!(
        summary.contains("       7  EventBridge rule iam-changes in eu-west-1 (ENABLED), on 2 of 3 days, most on 2026-06-03 (5)"),
        "{summary}"
    );
    assert!(
        summary.contains("40 events the published pattern catches, no EventBridge rule catches:"),
        "{summary}"
    );
    let none = Missed {
        events: 0,
        first: vec![],
    };
    let all = text(
        &with_rules(report(days(3, |_| 1), None), days(3, |_| 1), none),
        Detail::Summary,
    );
    assert!(
        all.contains("the EventBridge rules catch every event the published pattern catches"),
        "{all}"
    );
}
