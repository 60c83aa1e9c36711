//! `trailwatch drill`: each compliant control's alarm is set to ALARM and its history read for
//! the SNS action: notified, failed (with the history's error) or unknown within the wait. It
//! pages people, so it asks first.

use serde_json::{json, Value};

use crate::support::{json_of, Account, FaultProxy};
use crate::{compliant, trail_only, IAM};

fn drill(acct: &Account, proxy: Option<&FaultProxy>, extra: &[&str]) -> (i32, Value) {
    let mut cmd = match proxy {
        Some(proxy) => acct.trailwatch_via(proxy),
        None => acct.trailwatch(),
    };
    json_of(
        cmd.args(["drill", "--controls", IAM, "--yes", "--json"])
            .args(extra),
    )
}

#[test]
fn a_compliant_control_s_alarm_notifies_its_topic() {
    let acct = Account::new();
    acct.build(&compliant());
    let (code, doc) = drill(&acct, None, &[]);
    assert_eq!(code, 0, "{doc:#}");
    let result = &doc["results"][0];
    assert_eq!(result["control"], IAM);
    assert_eq!(result["alarm"], "iam-changes");
    assert_eq!(result["outcome"], "notified", "{result:#}");
    let topic = format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id);
    assert_eq!(result["topic"], topic.as_str());
    assert!(
        result["detail"].as_str().unwrap().contains(&topic),
        "{result:#}"
    );
    let states = acct.alarm_states();
    assert_eq!(
        states["iam-changes"],
        json!(["ALARM", "trailwatch drill: iam-policy-changes"])
    );
    assert_eq!(
        states["trail-changes"][0], "OK",
        "only the selected control's alarm"
    );
}

#[test]
fn a_failed_action_is_reported_with_the_history_s_error() {
    let acct = Account::new();
    acct.build(&compliant());
    let later = time::OffsetDateTime::now_utc().unix_timestamp() + 60;
    let failure = json!({"AlarmHistoryItems": [{
        "AlarmName": "iam-changes", "HistoryItemType": "Action", "Timestamp": later,
        "HistorySummary": "Failed to execute action arn:aws:sns:us-east-1:1:security-alerts",
        "HistoryData": "KMS.AccessDeniedException"}]});
    let proxy = FaultProxy::rewriting("DescribeAlarmHistory", &failure);
    let (code, doc) = drill(&acct, Some(&proxy), &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["results"][0]["outcome"], "failed");
    let error = doc["results"][0]["error"].as_str().unwrap();
    assert!(error.contains("KMS.AccessDeniedException"), "{error}");
}

#[test]
fn no_action_within_the_wait_is_unknown() {
    let acct = Account::new();
    acct.build(&compliant());
    let nothing = json!({"AlarmHistoryItems": []});
    let proxy = FaultProxy::rewriting("DescribeAlarmHistory", &nothing);
    let (code, doc) = drill(&acct, Some(&proxy), &["--wait", "1"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["results"][0]["outcome"], "unknown");
}

#[test]
fn the_drill_asks_first_and_needs_a_compliant_control() {
    let acct = Account::new();
    acct.build(&compliant());
    let out = acct
        .trailwatch()
        .args(["drill", "--controls", IAM])
        .write_stdin("")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("alarm `iam-changes`"),
        "it lists what it would trigger: {stderr}"
    );
    assert!(stderr.contains("pass `--yes`"), "{stderr}");

    let broken = Account::new();
    broken.build(&trail_only());
    let (code, _, stderr) = broken.run(&["drill", "--controls", IAM, "--yes"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no selected control is compliant"),
        "{stderr}"
    );
}

#[test]
fn the_drill_writes_no_terminal_styles_into_a_log_or_with_no_color() {
    let acct = Account::new();
    acct.build(&compliant());
    for no_color in [false, true] {
        let mut cmd = acct.trailwatch();
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        // stdout and stderr are pipes here, as when a scheduled drill is logged.
        let out = cmd
            .args(["drill", "--controls", IAM, "--yes", "--wait", "1"])
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(stderr.contains("alarm `iam-changes`"), "{stderr}");
        assert!(
            !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
            "NO_COLOR {no_color}: {stdout:?} {stderr:?}"
        );
    }
}

/// An account whose IAM events only an EventBridge rule tells a person of (3 invocations of
/// the last day, 1 failed), and no metric filter.
pub(crate) fn covered_by_a_rule() -> Account {
    let mut rule = crate::eventbridge_rules::iam_rule();
    rule["invocations"] = json!({"invoked": 3, "failed": 1});
    crate::eventbridge_rules::account_with(json!([rule]), &["us-east-1"])
}

/// The event names of the CIS pattern of `iam-policy-changes`: the control's events.
fn iam_events() -> usize {
    crate::IAM_PATTERN.matches("$.eventName=").count()
}

#[test]
fn an_eventbridge_rule_is_proven_by_aws_s_matcher_and_nobody_is_paged() {
    let acct = covered_by_a_rule();
    let proxy = FaultProxy::recording();
    // No `--yes`: nothing pages anyone, so the drill does not ask.
    let (code, doc) = json_of(acct.trailwatch_via(&proxy).args([
        "drill",
        "--controls",
        IAM,
        "--accept",
        "eventbridge",
        "--json",
    ]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["results"], json!([]), "no alarm to trigger");
    let rule = &doc["eventbridge"][0];
    let arn = format!("arn:aws:events:us-east-1:{}:rule/iam-changes", acct.id);
    assert_eq!(rule["control"], IAM);
    assert_eq!(rule["rule"], arn.as_str());
    assert_eq!(rule["region"], "us-east-1");
    assert_eq!(rule["outcome"], "agreed", "{rule:#}");
    assert_eq!(rule["tested"], iam_events(), "one event per event name");
    assert_eq!(rule["matched"], iam_events());
    assert_eq!(rule["invocations"], json!({"invoked": 3, "failed": 1}));
    assert_eq!(rule["notification_sent"], false);
    let actions: Vec<String> = proxy.calls().into_iter().map(|c| c.action).collect();
    let tested = actions
        .iter()
        .filter(|a| *a == "events:TestEventPattern")
        .count();
    assert_eq!(tested, iam_events(), "every answer is AWS's: {actions:?}");
    for never in [
        "events:PutEvents",
        "sns:Publish",
        "cloudwatch:SetAlarmState",
    ] {
        assert!(!actions.iter().any(|a| a == never), "{never}: {actions:?}");
    }

    // Not accepted, the control is still non-compliant, and its rule is drilled all the same.
    let (code, human, stderr) = acct.run(&["drill", "--controls", IAM]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("1 EventBridge rule(s) will be tested"),
        "{stderr}"
    );
    let proven = format!("✓ proven: AWS matched {0} of {0}", iam_events());
    assert!(human.contains(&proven), "{human}");
    assert!(human.contains("3 invocation(s), 1 failed"), "{human}");
    assert!(human.contains("nobody paged"), "{human}");
}

#[test]
fn aws_answering_otherwise_than_trailwatch_is_a_loud_disagreement() {
    let acct = covered_by_a_rule();
    let proxy = FaultProxy::rewriting("TestEventPattern", &json!({"Result": false}));
    let (code, doc) = drill(&acct, Some(&proxy), &["--accept", "eventbridge"]);
    assert_eq!(code, 1, "a disagreement fails the drill: {doc:#}");
    let rule = &doc["eventbridge"][0];
    assert_eq!(rule["outcome"], "disagreed", "{rule:#}");
    assert_eq!(rule["matched"], 0);
    let disagreements = rule["disagreements"].as_array().unwrap();
    assert_eq!(disagreements.len(), iam_events());
    assert!(
        disagreements.contains(&json!({"event": "CreatePolicy", "aws": false, "trailwatch": true}))
    );

    let out = acct
        .trailwatch_via(&proxy)
        .args(["drill", "--controls", IAM])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(human.contains("✗ DISAGREEMENT"), "{human}");
    assert!(human.contains("one of them is wrong"), "{human}");
}

#[test]
fn a_refused_test_is_one_line_for_the_rule() {
    let acct = covered_by_a_rule();
    let refusals = [
        ("AccessDenied", "events:TestEventPattern was denied"),
        (
            "InvalidEventPattern",
            "events:TestEventPattern failed: InvalidEventPatternException: Event pattern is not valid",
        ),
    ];
    for (error, says) in refusals {
        let proxy = FaultProxy::new("TestEventPattern", 1000, error);
        let (code, doc) = drill(&acct, Some(&proxy), &[]);
        assert_eq!(code, 1, "{doc:#}");
        let rule = &doc["eventbridge"][0];
        assert_eq!(rule["outcome"], "refused", "{rule:#}");
        let line = rule["error"].as_str().unwrap();
        assert!(line.starts_with(says) && !line.contains('\n'), "{line}");
    }
    let proxy = FaultProxy::new("TestEventPattern", 1000, "AccessDenied");
    let (code, human, _) = {
        let out = acct
            .trailwatch_via(&proxy)
            .args(["drill", "--controls", IAM])
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    assert_eq!(code, Some(1));
    let refused: Vec<&str> = human
        .lines()
        .filter(|l| l.contains("✗ not tested"))
        .collect();
    assert_eq!(refused.len(), 1, "one line for the rule: {human}");
    assert!(
        refused[0].contains("grant `events:TestEventPattern`"),
        "{human}"
    );
}
