//! EventBridge rules in a backtest: where a record arrives, which states see it, the matches per
//! day and the events no rule catches, and which of the account's rules watch a control.

use model::backtest::{Backtest, DayCount};
use model::catalog::cloudtrail_record;
use model::live::{BusPolicy, BusRegion, EventBridgeRead, Rule, RuleState, Snapshot, DEFAULT_BUS};
use serde_json::{json, Value};

use super::{control, record, rule, rules, run};
use crate::{BacktestRule, ControlSpec};

fn spec(id: &str, with: Vec<BacktestRule>) -> ControlSpec {
    ControlSpec {
        control: control(id),
        filters: vec![],
        alarm: None,
        eventbridge: Some(rules(with)),
    }
}

/// A security group change made in `region` at `time`.
fn ingress(region: &str, time: &str, id: &str) -> Value {
    let mut r = cloudtrail_record(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        "IAMUser",
    );
    r["awsRegion"] = json!(region);
    r["eventTime"] = json!(time);
    r["eventID"] = json!(id);
    r
}

/// Each rule's total matches, in order.
fn matched(report: &Backtest) -> Vec<u64> {
    let bridge = report.controls[0].eventbridge.as_ref().unwrap();
    bridge.rules.iter().map(|r| r.matched).collect()
}

const INGRESS: &str =
    r#"{"source": ["aws.ec2"], "detail": {"eventName": ["AuthorizeSecurityGroupIngress"]}}"#;

#[test]
fn a_rule_counts_the_records_of_its_own_region_per_day() {
    let events = [
        ingress("eu-west-1", "2026-11-01T10:00:00Z", "a"),
        ingress("eu-west-1", "2026-11-01T11:00:00Z", "b"),
        ingress("eu-west-1", "2026-11-03T09:00:00Z", "c"),
        ingress("us-east-1", "2026-11-02T09:00:00Z", "d"),
    ];
    let specs = vec![spec(
        "security-group-changes",
        vec![rule("sg", "eu-west-1", "ENABLED", INGRESS)],
    )];
    let report = run(specs, None, &events);
    let bridge = report.controls[0].eventbridge.as_ref().unwrap();
    let sg = &bridge.rules[0];
    assert_eq!(sg.matched, 3);
    let day = |day: &str, events| DayCount {
        day: day.into(),
        events,
    };
    assert_eq!(
        sg.days,
        [
            day("2026-11-01", 2),
            day("2026-11-02", 0),
            day("2026-11-03", 1)
        ]
    );
    // The us-east-1 change arrives on us-east-1's bus, where there is no rule.
    assert_eq!(bridge.missed.events, 1);
    assert_eq!(bridge.missed.first[0].event_id.as_deref(), Some("d"));
}

#[test]
fn a_rule_in_another_region_catches_nothing() {
    let events = [ingress("us-east-1", "2026-11-01T10:00:00Z", "a")];
    let specs = vec![spec(
        "security-group-changes",
        vec![rule("sg", "us-west-2", "ENABLED", INGRESS)],
    )];
    let report = run(specs, None, &events);
    assert_eq!(matched(&report), [0]);
    assert_eq!(
        report.controls[0]
            .eventbridge
            .as_ref()
            .unwrap()
            .missed
            .events,
        1
    );
}

#[test]
fn global_service_events_arrive_in_the_home_region_only() {
    // An IAM call recorded as made in eu-west-1 still reaches us-east-1's bus alone.
    let mut change = record("PutUserPolicy", "2026-11-01T10:00:00Z", "a", "IAMUser");
    change["awsRegion"] = json!("eu-west-1");
    let iam = r#"{"source": ["aws.iam"]}"#;
    let specs = vec![spec(
        "iam-policy-changes",
        vec![
            rule("home", "us-east-1", "ENABLED", iam),
            rule("made-in", "eu-west-1", "ENABLED", iam),
        ],
    )];
    let report = run(specs, None, &[change]);
    assert_eq!(matched(&report), [1, 0]);
    assert_eq!(
        report.controls[0]
            .eventbridge
            .as_ref()
            .unwrap()
            .missed
            .events,
        0
    );
}

#[test]
fn an_enabled_rule_does_not_see_read_only_records() {
    let mut listing = cloudtrail_record("s3.amazonaws.com", "ListBuckets", "Root");
    listing["readOnly"] = json!(true);
    listing["eventID"] = json!("list");
    let mut deleting = cloudtrail_record("s3.amazonaws.com", "DeleteBucket", "Root");
    deleting["eventID"] = json!("delete");
    let root = r#"{"detail": {"userIdentity": {"type": ["Root"]}}}"#;
    let specs = vec![spec(
        "root-account-usage",
        vec![
            rule("enabled", "us-east-1", "ENABLED", root),
            rule(
                "all",
                "us-east-1",
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                root,
            ),
            rule("off", "us-east-1", "DISABLED", root),
        ],
    )];
    let report = run(specs, None, &[listing, deleting]);
    assert_eq!(matched(&report), [1, 2, 0]);
}

#[test]
fn without_a_rule_every_published_match_is_missed() {
    let events = [
        ingress("eu-west-1", "2026-11-01T10:00:00Z", "a"),
        cloudtrail_record("s3.amazonaws.com", "ListBuckets", "IAMUser"),
    ];
    let report = run(vec![spec("security-group-changes", vec![])], None, &events);
    let bridge = report.controls[0].eventbridge.as_ref().unwrap();
    assert!(bridge.rules.is_empty());
    assert_eq!(bridge.missed.events, 1);
}

#[test]
fn a_pattern_eventbridge_refuses_is_refused_naming_the_rule() {
    let specs = vec![spec(
        "security-group-changes",
        vec![rule(
            "broken",
            "us-east-1",
            "ENABLED",
            r#"{"source": "aws.ec2"}"#,
        )],
    )];
    let error = crate::Tally::new(specs, None).unwrap_err().to_string();
    assert!(error.contains("rule/broken"), "{error}");
}

/// An account with nothing read.
fn empty() -> Snapshot {
    Snapshot {
        account_id: "111122223333".into(),
        region: "us-east-1".into(),
        partition: "aws".into(),
        trails: Ok(vec![]),
        log_groups: vec![],
        regions: vec![],
        eventbridge: EventBridgeRead::NotRead,
    }
}

fn bus_rule(name: &str, state: &str, pattern: &str) -> Rule {
    Rule {
        arn: format!("arn:aws:events:us-east-1:111122223333:rule/{name}"),
        name: name.into(),
        state: RuleState::parse(state),
        pattern: pattern.into(),
        targets: Ok(vec![]),
        invocations: Ok(None),
    }
}

#[test]
fn a_control_is_watched_by_the_enabled_rules_that_catch_its_events() {
    let snapshot = Snapshot {
        eventbridge: EventBridgeRead::Read(Ok(vec![BusRegion {
            account: "111122223333".into(),
            policy: BusPolicy::NotRead,
            region: "us-east-1".into(),
            bus: DEFAULT_BUS.into(),
            rules: Ok(vec![
                bus_rule("sg", "ENABLED", INGRESS),
                bus_rule("sg-off", "DISABLED", INGRESS),
                bus_rule("iam", "ENABLED", r#"{"source": ["aws.iam"]}"#),
            ]),
            topics: vec![],
        }])),
        ..empty()
    };
    let names = |id: &str| -> Vec<String> {
        let rules = crate::bridge::rules_for(&snapshot, &control(id)).unwrap();
        rules.rules.into_iter().map(|r| r.name).collect()
    };
    assert_eq!(names("security-group-changes"), ["sg"]);
    assert_eq!(names("iam-policy-changes"), ["iam"]);
    let not_read = empty();
    assert!(crate::bridge::rules_for(&not_read, &control("iam-policy-changes")).is_none());
}

#[test]
fn rules_that_could_not_be_read_or_judged_are_named_not_dropped() {
    let denied = model::live::ReadError {
        action: "events:ListRules".into(),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    };
    let bus = |region: &str, rules| BusRegion {
        account: "111122223333".into(),
        policy: BusPolicy::NotRead,
        region: region.into(),
        bus: DEFAULT_BUS.into(),
        rules,
        topics: vec![],
    };
    let snapshot = Snapshot {
        eventbridge: EventBridgeRead::Read(Ok(vec![
            bus(
                "us-east-1",
                Ok(vec![bus_rule(
                    "odd",
                    "ENABLED",
                    r#"{"a": [{"new-operator": 1}]}"#,
                )]),
            ),
            bus("eu-west-1", Err(denied.clone())),
        ])),
        ..empty()
    };
    let rules = crate::bridge::rules_for(&snapshot, &control("iam-policy-changes")).unwrap();
    assert!(
        rules.unread.iter().any(|u| u.contains("rule/odd")),
        "{:?}",
        rules.unread
    );
    assert!(
        rules
            .unread
            .iter()
            .any(|u| u.contains("the rules of eu-west-1")),
        "{:?}",
        rules.unread
    );
    let snapshot = Snapshot {
        eventbridge: EventBridgeRead::Read(Err(denied)),
        ..empty()
    };
    let rules = crate::bridge::rules_for(&snapshot, &control("iam-policy-changes")).unwrap();
    assert!(rules.rules.is_empty() && rules.unread[0].contains("events:ListRules"));
}

#[test]
fn a_sparse_parse_keeps_what_rules_read_through_arrays_of_objects() {
    let mut change = ingress("us-east-1", "2026-11-01T10:00:00Z", "a");
    change["resources"] = json!([
        {"type": "AWS::EC2::VPC", "ARN": "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"},
        {"type": "AWS::EC2::SecurityGroup", "ARN": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1"}
    ]);
    change["requestParameters"] =
        json!({"groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp"}]}});
    let pattern = r#"{"detail": {"resources": {"type": ["AWS::EC2::SecurityGroup"]}, "requestParameters": {"ipPermissions": {"items": {"ipProtocol": ["tcp"]}}}}}"#;
    let specs = vec![spec(
        "security-group-changes",
        vec![rule("typed", "us-east-1", "ENABLED", pattern)],
    )];
    let mut tally = crate::Tally::new(specs, None).unwrap();
    let sparse = tally.fields().parse(&change.to_string()).unwrap();
    assert!(sparse.get("userAgent").is_none(), "{sparse}");
    tally.add(&change.to_string(), &sparse);
    assert_eq!(matched(&tally.finish()), [1]);
}
