//! Tests of the tally on realistic CloudTrail records (`model::catalog::cloudtrail_record`).

use model::backtest::{AlarmOutcome, AlarmSource, Alarmed, Backtest, Count, PatternSource};
use model::catalog::{cloudtrail_record, Control};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use model::live::RuleState;

use crate::{
    BacktestAlarm, BacktestFilter, BacktestRule, BacktestRules, ControlSpec, Tally, TallyWindow,
    FIELDS,
};

mod rules;
mod window;

const IAM: &str = "iam.amazonaws.com";

fn control(id: &str) -> Control {
    model::catalog::select(model::catalog::default_benchmark(), &[id.into()], None).unwrap()[0]
        .clone()
}

/// A CloudTrail record of `name` (an IAM API) by `user` at `time`, with id `id`.
fn record(name: &str, time: &str, id: &str, user: &str) -> Value {
    let mut r = cloudtrail_record(IAM, name, user);
    r["eventTime"] = json!(time);
    r["eventID"] = json!(id);
    r
}

/// The rules, in the standard partition.
fn rules(rules: Vec<BacktestRule>) -> BacktestRules {
    BacktestRules {
        unread: Vec::new(),
        partition: "aws".into(),
        rules,
    }
}

fn rule(name: &str, region: &str, state: &str, pattern: &str) -> BacktestRule {
    BacktestRule {
        arn: format!("arn:aws:events:{region}:111122223333:rule/{name}"),
        name: name.into(),
        region: region.into(),
        state: RuleState::parse(state),
        pattern: pattern.into(),
    }
}

fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

fn window(from: &str, to: &str) -> Option<TallyWindow> {
    Some(TallyWindow::new(at(from), at(to)).unwrap())
}

/// The IAM control with the account's filters and alarm.
fn iam(filters: Vec<BacktestFilter>, alarm: Option<BacktestAlarm>) -> ControlSpec {
    ControlSpec {
        control: control("iam-policy-changes"),
        filters,
        alarm,
        eventbridge: None,
    }
}

fn filter(name: &str, pattern: &str) -> BacktestFilter {
    BacktestFilter {
        account_id: "111122223333".into(),
        log_group: "trail-logs".into(),
        name: name.into(),
        pattern: pattern.into(),
        metric_value: "1".into(),
    }
}

/// An alarm of `period` seconds, `m` of `n` periods at or above `threshold`.
fn alarm(period: i32, n: i32, m: i32, threshold: f64) -> BacktestAlarm {
    BacktestAlarm {
        account_id: "111122223333".into(),
        name: "iam-changes".into(),
        period,
        evaluation_periods: n,
        datapoints_to_alarm: Some(m),
        threshold,
        comparison_operator: "GreaterThanOrEqualToThreshold".into(),
        treat_missing_data: Some("notBreaching".into()),
        statistic: Some("Sum".into()),
    }
}

fn run(specs: Vec<ControlSpec>, window: Option<TallyWindow>, events: &[Value]) -> Backtest {
    let mut tally = Tally::new(specs, window).unwrap();
    for e in events {
        tally.add(&e.to_string(), e);
    }
    tally.finish()
}

/// The alarm outcome of the first control as (breaching periods, notifications, times).
fn estimated(report: &Backtest) -> (u64, u64, Vec<String>) {
    match &report.controls[0].alarm.outcome {
        AlarmOutcome::Estimated {
            breaching_periods,
            notifications,
            first_notifications,
        } => (
            *breaching_periods,
            *notifications,
            first_notifications.clone(),
        ),
        other => panic!("not estimated: {other:?}"),
    }
}

fn days(report: &Backtest, pattern: usize) -> Vec<(String, u64)> {
    report.controls[0].patterns[pattern]
        .days
        .iter()
        .map(|d| (d.day.clone(), d.events))
        .collect()
}

#[test]
fn days_of_the_window_are_all_listed_empty_ones_included() {
    let events = [
        record("PutUserPolicy", "2026-11-01T08:00:00Z", "e1", "IAMUser"),
        record(
            "AttachRolePolicy",
            "2026-11-01T23:59:59Z",
            "e2",
            "AssumedRole",
        ),
        record("DeletePolicy", "2026-11-03T00:00:00Z", "e3", "Root"),
        record("ListRoles", "2026-11-02T10:00:00Z", "e4", "IAMUser"),
    ];
    let window = window("2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z");
    let report = run(vec![iam(vec![], None)], window, &events);
    let c = &report.controls[0];
    assert_eq!((report.events, c.patterns.len()), (4, 1));
    assert_eq!(c.patterns[0].source, PatternSource::Published);
    assert_eq!(c.patterns[0].matched, 3);
    let expected = [
        ("2026-11-01", 2),
        ("2026-11-02", 0),
        ("2026-11-03", 1),
        ("2026-11-04", 0),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(d, n)| (d.to_string(), *n)).collect();
    assert_eq!(days(&report, 0), expected);
    assert_eq!(c.alarmed, Alarmed::Published);
    assert_eq!(c.missed, None);
    assert_eq!(c.alarm.source, AlarmSource::TrailwatchDefault);
    assert_eq!(c.alarm.periods, 4 * 288);
    assert_eq!(c.top_principals[0].name, "arn:aws:iam::111122223333:root");
    let w = report.window.unwrap();
    assert_eq!(
        (w.from.as_str(), w.to.as_str()),
        ("2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z")
    );
}

#[test]
fn a_filter_that_misses_published_events_lists_them_in_order() {
    let puts = "{ ($.eventName = PutUserPolicy) || ($.eventName = PutRolePolicy) }";
    let events = [
        record("DeletePolicy", "2026-11-02T09:00:00Z", "e5", "Root"),
        record("PutUserPolicy", "2026-11-01T08:00:00Z", "e1", "IAMUser"),
        record(
            "AttachRolePolicy",
            "2026-11-01T09:00:00Z",
            "e3",
            "AssumedRole",
        ),
        record(
            "AttachRolePolicy",
            "2026-11-01T09:00:00Z",
            "e2",
            "AssumedRole",
        ),
        record("PutRolePolicy", "2026-11-02T08:00:00Z", "e4", "AssumedRole"),
        record("ListRoles", "2026-11-02T08:00:00Z", "e6", "AssumedRole"),
    ];
    let report = run(vec![iam(vec![filter("puts", puts)], None)], None, &events);
    let c = &report.controls[0];
    assert_eq!(c.alarmed, Alarmed::AccountFilters);
    let counts: Vec<u64> = c.patterns.iter().map(|p| p.matched).collect();
    assert_eq!(counts, [5, 2]);
    assert_eq!(
        c.patterns[1].source,
        PatternSource::Filter {
            name: "puts".into(),
            log_group: "trail-logs".into(),
            account_id: "111122223333".into(),
        }
    );
    let missed = c.missed.as_ref().unwrap();
    assert_eq!(missed.events, 3);
    let ids: Vec<&str> = missed
        .first
        .iter()
        .map(|m| m.event_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["e2", "e3", "e5"]);
    assert_eq!(missed.first[2].event_name.as_deref(), Some("DeletePolicy"));
    assert_eq!(
        missed.first[2].event_time.as_deref(),
        Some("2026-11-02T09:00:00Z")
    );
    assert_eq!(missed.first[2].principal, "arn:aws:iam::111122223333:root");
    // The top lists are of the filter's matches, not the published pattern's.
    let names: Vec<&str> = c.top_event_names.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["PutRolePolicy", "PutUserPolicy"]);
    // No window: the days run from the first event to the last.
    assert_eq!(days(&report, 0).len(), 2);
}

#[test]
fn the_missed_list_keeps_the_first_twenty() {
    let events: Vec<Value> = (0..50)
        .rev()
        .map(|i| {
            record(
                "DeletePolicy",
                &format!("2026-11-01T10:{i:02}:00Z"),
                &format!("e{i:02}"),
                "Root",
            )
        })
        .collect();
    let report = run(
        vec![iam(vec![filter("none", "{ $.eventName = Nothing }")], None)],
        None,
        &events,
    );
    let missed = report.controls[0].missed.clone().unwrap();
    assert_eq!((missed.events, missed.first.len()), (50, 20));
    assert_eq!(missed.first[0].event_id.as_deref(), Some("e00"));
    assert_eq!(missed.first[19].event_id.as_deref(), Some("e19"));
}

#[test]
fn consecutive_breaching_periods_notify_once_with_threshold_one() {
    let events = [
        record("PutUserPolicy", "2026-11-01T12:00:10Z", "e1", "IAMUser"),
        record("PutUserPolicy", "2026-11-01T12:04:59Z", "e2", "IAMUser"),
        record("PutUserPolicy", "2026-11-01T12:05:30Z", "e3", "IAMUser"),
        record("PutUserPolicy", "2026-11-01T12:20:00Z", "e4", "IAMUser"),
    ];
    let window = window("2026-11-01T12:00:00Z", "2026-11-01T13:00:00Z");
    let report = run(vec![iam(vec![], None)], window, &events);
    assert_eq!(report.controls[0].alarm.periods, 12);
    let times = ["2026-11-01T12:05:00Z", "2026-11-01T12:25:00Z"].map(String::from);
    assert_eq!(estimated(&report), (3, 2, times.to_vec()));
}

#[test]
fn periods_align_on_the_epoch_not_on_the_first_event() {
    // 12:03 and 12:06 are in different 300 s periods (12:00–12:05, 12:05–12:10): two breaching
    // periods in a row, one notification; with threshold 2 neither breaches.
    let events = [
        record("PutUserPolicy", "2026-11-01T12:03:00Z", "e1", "IAMUser"),
        record("PutUserPolicy", "2026-11-01T12:06:00Z", "e2", "IAMUser"),
    ];
    let one = run(
        vec![iam(vec![], Some(alarm(300, 1, 1, 1.0)))],
        None,
        &events,
    );
    assert_eq!(estimated(&one).0, 2);
    let two = run(
        vec![iam(vec![], Some(alarm(300, 1, 1, 2.0)))],
        None,
        &events,
    );
    assert_eq!(estimated(&two), (0, 0, vec![]));
}

#[test]
fn threshold_three_needs_three_matches_in_a_period() {
    let mut events: Vec<Value> = (0..2)
        .map(|i| {
            record(
                "PutUserPolicy",
                &format!("2026-11-01T12:0{i}:00Z"),
                &format!("a{i}"),
                "IAMUser",
            )
        })
        .collect();
    events.extend((0..3).map(|i| {
        record(
            "DeletePolicy",
            &format!("2026-11-01T12:1{i}:00Z"),
            &format!("b{i}"),
            "Root",
        )
    }));
    let spec = iam(
        vec![filter("all", control("iam-policy-changes").pattern)],
        Some(alarm(300, 1, 1, 3.0)),
    );
    let report = run(
        vec![spec],
        window("2026-11-01T12:00:00Z", "2026-11-01T12:30:00Z"),
        &events,
    );
    assert_eq!(
        report.controls[0].alarm.source,
        AlarmSource::Account {
            name: "iam-changes".into(),
            account_id: "111122223333".into(),
        }
    );
    assert_eq!(
        estimated(&report),
        (1, 1, vec!["2026-11-01T12:15:00Z".to_string()])
    );
}

#[test]
fn two_of_three_datapoints_alarm_on_the_second_breach_within_three_periods() {
    // Breaching minutes 0, 2, 4, and 10: ALARM at 2 (0, 2 of 0–2), OK at 3 (2 of 1–3 only), ALARM
    // at 4 (2, 4 of 2–4); the lone breach at 10 does not alarm.
    let minutes = [0, 2, 4, 10];
    let events: Vec<Value> = minutes
        .iter()
        .map(|m| {
            record(
                "PutUserPolicy",
                &format!("2026-11-01T12:{m:02}:30Z"),
                &format!("e{m}"),
                "IAMUser",
            )
        })
        .collect();
    let window = window("2026-11-01T12:00:00Z", "2026-11-01T12:20:00Z");
    let report = run(
        vec![iam(vec![], Some(alarm(60, 3, 2, 1.0)))],
        window,
        &events,
    );
    let times = ["2026-11-01T12:03:00Z", "2026-11-01T12:05:00Z"].map(String::from);
    assert_eq!(estimated(&report), (4, 2, times.to_vec()));
}

#[test]
fn missing_data_treated_as_breaching_keeps_the_alarm_on() {
    let mut spec = alarm(300, 1, 1, 1.0);
    spec.treat_missing_data = Some("breaching".into());
    spec.comparison_operator = "LessThanThreshold".into();
    // Quiet periods breach (missing is breaching); a period with a match does not (1 < 1 is
    // false): OK there, and ALARM again after it, at the end of the next period.
    let events = [record(
        "PutUserPolicy",
        "2026-11-01T12:07:00Z",
        "e1",
        "IAMUser",
    )];
    let report = run(
        vec![iam(vec![], Some(spec))],
        window("2026-11-01T12:00:00Z", "2026-11-01T12:30:00Z"),
        &events,
    );
    assert_eq!(
        estimated(&report),
        (5, 1, vec!["2026-11-01T12:15:00Z".to_string()])
    );
}

#[test]
fn undated_and_out_of_window_events_are_reported_not_dropped() {
    let mut undated = record("PutUserPolicy", "yesterday", "u1", "IAMUser");
    let mut no_time = record("DeletePolicy", "", "u2", "IAMUser");
    no_time.as_object_mut().unwrap().remove("eventTime");
    undated["eventID"] = json!("u1");
    let events = [
        undated,
        no_time,
        record("PutUserPolicy", "2026-10-31T23:59:59Z", "o1", "IAMUser"),
        record("PutUserPolicy", "2026-11-02T00:00:00Z", "o2", "IAMUser"),
        record("PutUserPolicy", "2026-11-01T10:00:00Z", "in", "IAMUser"),
    ];
    let puts = filter("puts", "{ $.eventName = PutUserPolicy }");
    let report = run(
        vec![iam(vec![puts], None)],
        window("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
        &events,
    );
    assert_eq!(
        (report.events, report.outside_window, report.undated),
        (5, 2, 2)
    );
    let c = &report.controls[0];
    assert_eq!((c.patterns[0].matched, c.patterns[0].undated), (3, 2));
    assert_eq!((c.patterns[1].matched, c.patterns[1].undated), (2, 1));
    assert_eq!(days(&report, 0), vec![("2026-11-01".to_string(), 1)]);
    let missed = c.missed.as_ref().unwrap();
    assert_eq!(missed.events, 1);
    assert_eq!(
        (
            missed.first[0].event_id.as_deref(),
            missed.first[0].event_time.as_deref()
        ),
        (Some("u2"), None)
    );
    let span = report.span.unwrap();
    assert_eq!(
        (span.first.as_str(), span.last.as_str()),
        ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z")
    );
}

#[test]
fn a_filter_pattern_that_does_not_compile_is_refused_by_name() {
    let broken = filter("half-written", "{ ($.eventName = PutUserPolicy ");
    let err = Tally::new(vec![iam(vec![broken], None)], None).unwrap_err();
    assert!(err.0.contains("iam-policy-changes"), "{err}");
    assert!(
        err.0.contains("`half-written` on log group `trail-logs`"),
        "{err}"
    );
}

#[test]
fn a_window_must_end_after_it_starts() {
    let t = at("2026-11-01T00:00:00Z");
    assert!(TallyWindow::new(t, t).is_err());
}

#[test]
fn what_cannot_be_told_from_matches_is_said_not_guessed() {
    let events = [record(
        "PutUserPolicy",
        "2026-11-01T12:00:00Z",
        "e1",
        "IAMUser",
    )];
    let reason = |spec: ControlSpec| match run(vec![spec], None, &events).controls[0]
        .alarm
        .outcome
        .clone()
    {
        AlarmOutcome::CannotTell { reason } => reason,
        other => panic!("guessed {other:?}"),
    };
    let mut anomaly = alarm(300, 1, 1, 1.0);
    anomaly.comparison_operator = "GreaterThanUpperThreshold".into();
    assert!(reason(iam(vec![], Some(anomaly))).contains("anomaly detection"));
    let mut bytes = filter("bytes", "{ $.eventName = PutUserPolicy }");
    bytes.metric_value = "$.bytes".into();
    assert!(reason(iam(vec![bytes], Some(alarm(300, 1, 1, 1.0)))).contains("`$.bytes`"));
    let mut math = alarm(300, 1, 1, 1.0);
    math.statistic = None;
    assert!(reason(iam(vec![], Some(math))).contains("extended statistic"));
    let mut p99 = alarm(300, 1, 1, 1.0);
    p99.statistic = Some("p99".into());
    assert!(reason(iam(vec![], Some(p99))).contains("extended statistic"));
    let mut sideways = alarm(300, 1, 1, 1.0);
    sideways.comparison_operator = "Sideways".into();
    assert_eq!(
        reason(iam(vec![], Some(sideways))),
        "unknown comparison operator `Sideways`"
    );
}

#[test]
fn average_of_a_constant_value_is_that_value() {
    let mut average = alarm(300, 1, 1, 1.0);
    average.statistic = Some("Average".into());
    let events = [record(
        "PutUserPolicy",
        "2026-11-01T12:00:00Z",
        "e1",
        "IAMUser",
    )];
    let report = run(vec![iam(vec![], Some(average))], None, &events);
    assert_eq!(estimated(&report).1, 1);
}

/// A month of varied events: IAM changes by three kinds of principals, everyday events,
/// undated ones and some outside the window.
fn history() -> Vec<Value> {
    let names = [
        "PutUserPolicy",
        "AttachRolePolicy",
        "DeletePolicy",
        "ListRoles",
        "CreatePolicy",
    ];
    let users = ["IAMUser", "AssumedRole", "Root"];
    (0..300)
        .map(|i: usize| {
            let time = match i % 37 {
                0 => "not a time".to_string(),
                1 => "2026-12-05T00:00:00Z".to_string(),
                _ => format!(
                    "2026-11-{:02}T{:02}:{:02}:00Z",
                    1 + i % 28,
                    i % 24,
                    (i * 7) % 60
                ),
            };
            record(
                names[i % names.len()],
                &time,
                &format!("id-{i:03}"),
                users[i % users.len()],
            )
        })
        .collect()
}

fn varied_specs() -> Vec<ControlSpec> {
    let puts = filter(
        "puts",
        "{ ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) }",
    );
    let attach = filter("attach", "{ $.eventName = AttachRolePolicy }");
    let mut attach = attach;
    attach.log_group = "other-logs".into();
    let mut iam = iam(vec![puts, attach], Some(alarm(3600, 3, 2, 1.0)));
    iam.eventbridge = Some(rules(vec![
        rule(
            "puts",
            "us-east-1",
            "ENABLED",
            r#"{"detail": {"eventName": ["PutUserPolicy", "DeletePolicy"]}}"#,
        ),
        rule(
            "elsewhere",
            "eu-west-1",
            "ENABLED",
            r#"{"source": ["aws.iam"]}"#,
        ),
    ]));
    vec![
        iam,
        ControlSpec {
            control: control("root-account-usage"),
            filters: vec![],
            alarm: None,
            eventbridge: Some(rules(vec![rule(
                "root",
                "us-east-1",
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                r#"{"detail": {"userIdentity": {"type": ["Root"]}}}"#,
            )])),
        },
    ]
}

#[test]
fn merged_tallies_equal_one_tally_in_any_order() {
    let events = history();
    let window = window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
    let whole = run(varied_specs(), window, &events);
    assert!(whole.outside_window > 0 && whole.undated > 0);
    assert!(whole.controls[0].missed.as_ref().unwrap().events > 20);
    assert!(estimated(&whole).1 > 1);
    let bridge = whole.controls[0].eventbridge.as_ref().unwrap();
    assert!(bridge.rules[0].matched > 0 && bridge.missed.events > 20);
    let first = Tally::new(varied_specs(), window).unwrap();
    let mut parts = [first.fork(), first.fork(), first.fork()];
    for (i, e) in events.iter().enumerate() {
        parts[(i * 7 / 3) % 3].add(&e.to_string(), e);
    }
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let mut merged = first.fork();
        for i in order {
            merged.merge(parts[i].clone());
        }
        assert_eq!(merged.finish(), whole, "order {order:?}");
    }
}

/// `full` reduced to the dotted `paths`, as a sparse reader parses it.
#[test]
fn a_sparse_parse_with_the_fields_asked_gives_the_same_report() {
    let mut specs = varied_specs();
    specs.push(ControlSpec {
        control: control("unauthorized-api-calls"),
        filters: vec![],
        alarm: None,
        eventbridge: None,
    });
    let mut events = history();
    let mut refused = record(
        "DeletePolicy",
        "2026-11-03T10:00:00Z",
        "denied",
        "AssumedRole",
    );
    refused["errorCode"] = json!("AccessDenied");
    events.push(refused);
    let tally_specs = specs.clone();
    let tally = Tally::new(specs, None).unwrap();
    let fields = tally.fields();
    let asked: Vec<&str> = FIELDS
        .iter()
        .copied()
        .chain(["errorCode", "sourceIPAddress", "userIdentity.type"])
        .collect();
    // An event holding every path asked (and one more) keeps exactly those through the parse.
    let mut probe = json!({"unrelated": "dropped"});
    for f in &asked {
        let parts: Vec<&str> = f.split('.').collect();
        let mut at = &mut probe;
        for key in &parts[..parts.len() - 1] {
            at = at
                .as_object_mut()
                .unwrap()
                .entry(*key)
                .or_insert_with(|| json!({}));
        }
        at[parts[parts.len() - 1]] = json!("x");
    }
    let kept = fields.parse(&probe.to_string()).unwrap();
    for f in &asked {
        let found = f.split('.').try_fold(&kept, |node, key| node.get(key));
        assert!(found.is_some(), "{f} in {kept}");
    }
    assert!(kept.get("unrelated").is_none(), "{kept}");
    // Two tallies, not two forks: forks share the records seen, and each must count them all.
    let (mut whole, mut thin) = (tally.fork(), Tally::new(tally_specs, None).unwrap());
    for e in &events {
        whole.add(&e.to_string(), e);
        thin.add(&e.to_string(), &fields.parse(&e.to_string()).unwrap());
    }
    let (whole, thin) = (whole.finish(), thin.finish());
    assert_eq!(whole.controls[2].patterns[0].matched, 1);
    let root = whole.controls[1].eventbridge.as_ref().unwrap();
    assert!(root.rules[0].matched > 0, "{root:?}");
    assert_eq!(thin, whole);
}

#[test]
fn top_lists_keep_ten_most_first_ties_by_name() {
    let events: Vec<Value> = (0..12)
        .flat_map(|i| {
            (0..if i == 11 { 2 } else { 1 }).map(move |copy| {
                let id = format!("e{i}-{copy}");
                let mut r = record("PutUserPolicy", "2026-11-01T12:00:00Z", &id, "IAMUser");
                r["userIdentity"]["arn"] = json!(format!("arn:aws:iam::111122223333:user/u{i:02}"));
                r
            })
        })
        .collect();
    let report = run(vec![iam(vec![], None)], None, &events);
    let top = &report.controls[0].top_principals;
    assert_eq!(top.len(), 10);
    assert_eq!(
        top[0],
        Count {
            name: "arn:aws:iam::111122223333:user/u11".into(),
            events: 2
        }
    );
    assert_eq!(top[1].name, "arn:aws:iam::111122223333:user/u00");
}

#[test]
fn the_report_round_trips_through_json() {
    let report = run(varied_specs(), None, &history());
    let text = serde_json::to_string(&report).unwrap();
    assert_eq!(serde_json::from_str::<Backtest>(&text).unwrap(), report);
}

#[test]
fn a_tally_can_move_to_a_worker_thread() {
    fn send<T: Send + 'static>(_: &T) {}
    send(&Tally::new(varied_specs(), None).unwrap());
}

/// Every event of `history()` read twice: once as it is and once as another log file delivers
/// the same record again.
fn delivered_twice() -> Vec<Value> {
    let events = history();
    events.iter().chain(events.iter().rev()).cloned().collect()
}

#[test]
fn a_record_delivered_twice_counts_once_and_the_copies_are_reported() {
    let window = window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
    let once = run(varied_specs(), window, &history());
    let twice = run(varied_specs(), window, &delivered_twice());
    assert_eq!((twice.events, twice.duplicates), (600, 300));
    assert_eq!(once.duplicates, 0);
    assert_eq!(twice.controls, once.controls);
    assert_eq!(
        (twice.outside_window, twice.undated, twice.span.clone()),
        (once.outside_window, once.undated, once.span.clone())
    );
}

#[test]
fn the_same_event_id_in_another_account_or_without_an_id_is_not_a_duplicate() {
    let first = record("PutUserPolicy", "2026-11-01T12:00:00Z", "same", "IAMUser");
    let mut other_account = first.clone();
    other_account["recipientAccountId"] = json!("444455556666");
    let mut no_id = first.clone();
    no_id.as_object_mut().unwrap().remove("eventID");
    let events = [first, other_account, no_id.clone(), no_id];
    let report = run(vec![iam(vec![], None)], None, &events);
    assert_eq!((report.events, report.duplicates), (4, 0));
    assert_eq!(report.controls[0].patterns[0].matched, 4);
}

#[test]
fn forks_drop_a_record_another_fork_counted_whatever_the_merge_order() {
    let events = delivered_twice();
    let window = window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
    let whole = run(varied_specs(), window, &history());
    let first = Tally::new(varied_specs(), window).unwrap();
    let mut parts = [first.fork(), first.fork(), first.fork()];
    for (i, e) in events.iter().enumerate() {
        parts[(i * 7 / 3) % 3].add(&e.to_string(), e);
    }
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let mut merged = first.fork();
        for i in order {
            merged.merge(parts[i].clone());
        }
        let merged = merged.finish();
        assert_eq!((merged.events, merged.duplicates), (600, 300));
        assert_eq!(merged.controls, whole.controls, "order {order:?}");
    }
}

#[test]
fn forks_on_threads_count_each_record_once() {
    let events = delivered_twice();
    let first = Tally::new(varied_specs(), None).unwrap();
    let parts: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(150)
            .map(|chunk| {
                let mut part = first.fork();
                scope.spawn(move || {
                    chunk.iter().for_each(|e| part.add(&e.to_string(), e));
                    part
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut merged = first.fork();
    parts.into_iter().for_each(|p| merged.merge(p));
    let merged = merged.finish();
    assert_eq!((merged.events, merged.duplicates), (600, 300));
    assert_eq!(
        merged.controls,
        run(varied_specs(), None, &history()).controls
    );
}
