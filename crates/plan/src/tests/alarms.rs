//! Alarms: which count, which the plan updates (keeping the user's settings), and names it must not take.

use super::*;

#[test]
fn a_disabled_alarm_is_updated_keeping_its_other_actions() {
    let mut s = compliant();
    let mut a = alarm("a", "IAMPolicyChanges", Some("alerts"));
    a.actions_enabled = false;
    s.regions[0].alarms = Ok(vec![a]);
    let r = run(&s, &Desired::default());
    assert_eq!(codes(&r), vec!["alarm-actions-disabled"]);
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(!before.as_ref().unwrap().actions_enabled);
    assert!(after.actions_enabled);
    assert_eq!(
        after.ok_actions,
        vec!["arn:aws:sns:us-east-1:111122223333:ok-topic"]
    );
    assert_eq!(after.alarm_actions, vec![topic_arn("alerts")]);
    assert_eq!(after.period, 60, "the user's other settings are kept");
}

#[test]
fn an_alarm_in_the_wrong_namespace_does_not_count() {
    let mut s = compliant();
    let mut a = alarm("a", "IAMPolicyChanges", Some("alerts"));
    a.namespace = Some("Other".into());
    s.regions[0].alarms = Ok(vec![a]);
    let r = run(&s, &Desired::default());
    assert_eq!(codes(&r), vec!["no-alarm", "alarm-wrong-namespace"]);
    // The misconfigured alarm's topic has a confirmed subscriber: the new alarm reuses it.
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    assert!(r.notes[0].contains("reusing topic"), "{:?}", r.notes);
}

fn alerts_topic() -> Desired {
    Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..Desired::default()
    }
}

fn with_foreign_alarm(description: Option<&str>) -> Snapshot {
    let mut foreign = alarm(
        "trailwatch-iam-policy-changes",
        "SomethingElse",
        Some("alerts"),
    );
    foreign.description = description.map(str::to_string);
    snapshot(
        vec![trail("main")],
        vec![filter("f", iam().pattern, "IAMPolicyChanges")],
        vec![foreign],
        vec![topic("alerts", true)],
    )
}

#[test]
fn an_alarm_with_the_wanted_name_that_trailwatch_did_not_create_is_left_alone() {
    let r = run(
        &with_foreign_alarm(Some("the payments team's alarm")),
        &alerts_topic(),
    );
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(before.is_none());
    assert_eq!(after.name, "trailwatch-iam-policy-changes-2");
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("was not created by trailwatch") && n.contains("--adopt")),
        "{:?}",
        r.notes
    );
}

#[test]
fn adopt_takes_it_over_keeping_its_other_actions() {
    let desired = Desired {
        adopt: true,
        ..alerts_topic()
    };
    let r = run(&with_foreign_alarm(None), &desired);
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(before.as_ref().unwrap().metric_name, "SomethingElse");
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(after.metric_name, "IAMPolicyChanges");
    assert_eq!(
        after.ok_actions,
        vec!["arn:aws:sns:us-east-1:111122223333:ok-topic"]
    );
    assert_eq!(r.actions[0].change, Change::Update);
}

#[test]
fn trailwatchs_own_alarm_is_updated_without_adopt() {
    let r = run(
        &with_foreign_alarm(Some(
            "CIS 5.4 IAM policy changes are monitored (managed by trailwatch)",
        )),
        &alerts_topic(),
    );
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(before.is_some());
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
}
