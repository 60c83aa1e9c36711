//! trailwatch's own `monitoring-changes` control (part of no CIS version): selected by slug or
//! `extras`, planned, applied, drilled and backtested like a CIS control, and named in the
//! security-tool documents without a CIS id.

use serde_json::{json, Value};

use crate::support::{actions, json_of, status, validate, Account};
use crate::trail_only;

const MONITORING: &str = "monitoring-changes";

/// The control's pattern, as the catalog publishes it (docs/controls.md shows the same).
fn published() -> String {
    let (code, doc) = json_of(
        assert_cmd::Command::cargo_bin("trailwatch")
            .unwrap()
            .args(["controls", "--json"]),
    );
    assert_eq!(code, 0, "{doc}");
    let controls = doc["controls"].as_array().unwrap();
    let control = controls.iter().find(|c| c["id"] == MONITORING).unwrap();
    assert_eq!(control["standard"], "trailwatch");
    assert!(control["cis_id"].is_null(), "{control}");
    control["pattern"].as_str().unwrap().to_string()
}

/// The account holds the filter apply wrote (the published pattern) and its alarm.
fn assert_apply_wrote_the_published_filter_and_its_alarm(acct: &Account) {
    let dump = acct.dump(&[]);
    let filters = dump["us-east-1"]["filters"].as_array().unwrap();
    let filter = filters
        .iter()
        .find(|f| f["name"] == "trailwatch-monitoring-changes")
        .expect("apply wrote the control's filter");
    assert_eq!(filter["pattern"], published().as_str());
    let alarms = dump["us-east-1"]["alarms"].as_array().unwrap();
    let alarm = alarms
        .iter()
        .find(|a| a["name"] == "trailwatch-monitoring-changes")
        .expect("apply wrote the control's alarm");
    assert_eq!(
        (alarm["metric"].as_str(), alarm["namespace"].as_str()),
        (Some("MonitoringChanges"), Some("CISBenchmark")),
        "{alarm}"
    );
}

#[test]
fn monitoring_changes_is_planned_applied_and_drilled_on_a_trail_only_account() {
    let acct = Account::new();
    acct.build(&trail_only());
    let notify = ["--notify", "email:sec@example.com"];
    let (code, plan) = acct.json(&[&["plan", "--controls", MONITORING][..], &notify].concat());
    assert_eq!(code, 2, "{plan:#}");
    assert_eq!(status(&plan, MONITORING), "non_compliant");
    assert!(plan["controls"][0]["cis_id"].is_null(), "{plan:#}");
    assert_eq!(
        actions(&plan),
        [
            "put-metric-filter",
            "create-topic",
            "subscribe",
            "put-metric-alarm"
        ]
    );

    let apply = [
        &["apply", "--controls", MONITORING, "--auto-approve"][..],
        &notify,
    ]
    .concat();
    let (code, doc) = acct.json(&apply);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["verification"]["ok"], true, "{doc:#}");
    assert_apply_wrote_the_published_filter_and_its_alarm(&acct);

    // Selected by `extras`, beside every CIS control; now it holds and nothing is left to do.
    let config = "extras = [\"monitoring-changes\"]\n";
    std::fs::write(acct.path().join("trailwatch.toml"), config).unwrap();
    let (_, plan) = acct.json(&["plan"]);
    let controls = plan["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 16, "the 15 CIS controls and the extra");
    assert_eq!(status(&plan, MONITORING), "compliant");
    let monitoring_actions = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.to_string().contains(MONITORING))
        .count();
    assert_eq!(monitoring_actions, 0, "{plan:#}");

    let (code, drill) =
        json_of(
            acct.trailwatch()
                .args(["drill", "--controls", MONITORING, "--yes", "--json"]),
        );
    assert_eq!(code, 0, "{drill:#}");
    assert_eq!(drill["results"][0]["control"], MONITORING);
    assert_eq!(
        drill["results"][0]["alarm"],
        "trailwatch-monitoring-changes"
    );

    // The backtest evaluates the filter apply wrote, and its alarm, like a CIS control's.
    let dir = tempfile::tempdir().unwrap();
    let file = corpus(dir.path());
    let file = file.to_str().unwrap();
    let (code, doc) = acct.json(&["backtest", "--controls", MONITORING, file]);
    assert_eq!(code, 0, "{doc:#}");
    let control = &doc["controls"][0];
    let patterns = control["patterns"].as_array().unwrap();
    assert_eq!(
        patterns.len(),
        2,
        "the published pattern and the filter: {control:#}"
    );
    assert_eq!(patterns[1]["matched"], caught().len(), "{control:#}");
    assert_eq!(
        control["alarm"]["outcome"]["notifications"], 3,
        "one a day: {control:#}"
    );
}

#[test]
fn monitoring_changes_documents_name_trailwatch_not_cis_and_are_valid() {
    let acct = Account::new();
    acct.build(&trail_only());
    acct.build(&json!({ "security_hub": true }));
    let out = acct.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let sarif = out.join("plan.sarif");
    let ocsf = out.join("plan.ocsf");
    let asff = out.join("plan.asff");
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        MONITORING,
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("ocsf={}", ocsf.display()),
        "--output",
        &format!("asff={}", asff.display()),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(validate("sarif", &sarif).trim(), "ok 1");
    assert_eq!(validate("ocsf", &ocsf).trim(), "ok 1");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["properties"]["standard"], "trailwatch", "{rule:#}");
    assert!(
        !rule.to_string().contains("CIS AWS Foundations"),
        "{rule:#}"
    );
    let ocsf: Value = serde_json::from_str(&std::fs::read_to_string(ocsf).unwrap()).unwrap();
    let standards = &ocsf[0]["compliance"]["standards"];
    assert_eq!(standards, &json!(["trailwatch monitoring controls"]));
    let findings: Value = serde_json::from_str(&std::fs::read_to_string(asff).unwrap()).unwrap();
    let answer = acct.import_findings(&findings);
    assert_eq!(
        answer["SuccessCount"], 1,
        "Security Hub's model takes it: {answer:#}"
    );
    let finding = &findings[0];
    assert!(
        finding["Compliance"].get("RelatedRequirements").is_none(),
        "{finding:#}"
    );
    assert!(
        !finding["Types"][0].as_str().unwrap().contains("CIS"),
        "{finding:#}"
    );
}

/// A CloudTrail record of `name` from `source`, with its request parameters.
fn call(source: &str, name: &str, parameters: Value, id: usize) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Admin/ops", "accountId": "111122223333"},
        "eventTime": format!("2026-11-0{}T10:{:02}:00Z", 1 + id % 3, id),
        "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7", "requestParameters": parameters,
        "eventID": format!("00000000-0000-4000-8000-{id:012}"),
        "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333",
    })
}

/// The changes to the chain's links the control exists to catch, each by its own service.
fn caught() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "logs.amazonaws.com",
            "DeleteMetricFilter",
            json!({"logGroupName": "cloudtrail/main", "filterName": "iam-changes"}),
        ),
        (
            "monitoring.amazonaws.com",
            "DisableAlarmActions",
            json!({"alarmNames": ["iam-changes"]}),
        ),
        (
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            json!({"alarmName": "trailwatch-iam-policy-changes", "namespace": "AWS/EC2", "metricName": "CPUUtilization"}),
        ),
        (
            "sns.amazonaws.com",
            "Unsubscribe",
            json!({"subscriptionArn": "arn:aws:sns:us-east-1:111122223333:alerts:1"}),
        ),
        (
            "events.amazonaws.com",
            "DisableRule",
            json!({"name": "securityhub-findings"}),
        ),
    ]
}

/// A CloudTrail log file of [`caught`] and of calls with the same names from other services or
/// on other alarms, which are not the chain's.
fn corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let missed = [
        (
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            json!({"alarmName": "TargetTracking-table/orders-AlarmHigh", "namespace": "AWS/DynamoDB", "metricName": "ConsumedReadCapacityUnits"}),
        ),
        (
            "lambda.amazonaws.com",
            "RemovePermission",
            json!({"functionName": "f", "statementId": "s"}),
        ),
        (
            "elasticloadbalancing.amazonaws.com",
            "DeleteRule",
            json!({"ruleArn": "arn"}),
        ),
        ("iam.amazonaws.com", "ListRoles", json!({})),
    ];
    let records: Vec<Value> = caught()
        .iter()
        .chain(&missed)
        .enumerate()
        .map(|(i, (source, name, parameters))| call(source, name, parameters.clone(), i))
        .collect();
    let file = dir.join("events.json");
    std::fs::write(&file, json!({ "Records": records }).to_string()).unwrap();
    file
}

#[test]
fn a_backtest_of_monitoring_changes_counts_each_link_changed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let file = corpus(dir.path());
    let caught = caught();
    let (code, doc) = json_of(
        assert_cmd::Command::cargo_bin("trailwatch")
            .unwrap()
            .args([
                "backtest",
                "--published-only",
                "--controls",
                MONITORING,
                "--json",
            ])
            .arg(&file)
            .env_remove("AWS_PROFILE")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    );
    assert_eq!(code, 0, "{doc:#}");
    let control = &doc["controls"][0];
    assert_eq!(control["control"], MONITORING, "{control:#}");
    assert_eq!(
        control["patterns"][0]["matched"],
        caught.len(),
        "{control:#}"
    );
    let names: Vec<&str> = control["top_event_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    for (_, name, _) in &caught {
        assert!(names.contains(name), "{name} in {names:?}");
    }
    assert!(
        !names.contains(&"RemovePermission") && !names.contains(&"DeleteRule"),
        "{names:?}"
    );
}
