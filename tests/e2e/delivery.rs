//! The input end of the chain: a trail whose delivery to CloudWatch Logs fails, has stalled, or
//! has no role to write with does not qualify, with a finding that names the role to fix
//! (the local server never reports delivery trouble, so the proxy writes it into
//! `GetTrailStatus`).

use serde_json::{json, Value};

use crate::support::{json_of, Account, FaultProxy};
use crate::{compliant, IAM};

fn plan_via(acct: &Account, proxy: &FaultProxy) -> (i32, Value) {
    json_of(
        acct.trailwatch_via(proxy)
            .args(["plan", "--controls", IAM, "--json"]),
    )
}

fn trail_codes(doc: &Value) -> Vec<&str> {
    doc["trails"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn a_failing_delivery_disqualifies_the_trail_and_names_its_role() {
    let acct = Account::new();
    acct.build(&compliant());
    let error = json!({"LatestCloudWatchLogsDeliveryError": "AccessDeniedException"});
    let (code, doc) = plan_via(&acct, &FaultProxy::rewriting("GetTrailStatus", &error));
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["trails"][0]["qualifies"], false, "{doc:#}");
    assert_eq!(trail_codes(&doc), ["trail-logs-delivery-failing"]);
    let finding = &doc["trails"][0]["findings"][0];
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("AccessDeniedException"),
        "{finding:#}"
    );
    let role = format!("arn:aws:iam::{}:role/cloudtrail-to-logs", acct.id);
    assert!(
        finding["hint"].as_str().unwrap().contains(&role),
        "{finding:#}"
    );
    assert_eq!(doc["controls"][0]["status"], "non_compliant");
    assert!(
        doc["actions"].as_array().unwrap().is_empty(),
        "trails are never changed"
    );
}

#[test]
fn a_delivery_silent_for_over_a_day_disqualifies_the_trail() {
    let acct = Account::new();
    acct.build(&compliant());
    let two_days_ago = json!({"LatestCloudWatchLogsDeliveryTime": now() - 2 * 86_400});
    let (code, doc) = plan_via(
        &acct,
        &FaultProxy::rewriting("GetTrailStatus", &two_days_ago),
    );
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(
        trail_codes(&doc),
        ["trail-logs-delivery-stalled"],
        "{doc:#}"
    );
    let message = doc["trails"][0]["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("(48 hours before this read)"), "{message}");

    let an_hour_ago = json!({"LatestCloudWatchLogsDeliveryTime": now() - 3_600});
    let (code, doc) = plan_via(
        &acct,
        &FaultProxy::rewriting("GetTrailStatus", &an_hour_ago),
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["trails"][0]["qualifies"], true);
}

#[test]
fn a_trail_without_a_logs_role_does_not_qualify() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["trails"][0]["logs_role"] = json!(false);
    acct.build(&spec);
    let (code, doc) = json_of(
        acct.trailwatch()
            .args(["plan", "--controls", IAM, "--json"]),
    );
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(trail_codes(&doc), ["trail-no-logs-role"], "{doc:#}");
    let hint = doc["trails"][0]["findings"][0]["hint"].as_str().unwrap();
    assert!(hint.contains("--cloud-watch-logs-role-arn"), "{hint}");
}
