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
