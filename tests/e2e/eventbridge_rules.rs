//! EventBridge rules as a second way of being told ([15]): rules on the default bus of every
//! enabled region (the test bridge answers `account:ListRegions` with the 17 regions AWS enables
//! by default), their states, SNS targets and invocations, judged per control; the CIS verdict
//! unchanged unless `--accept eventbridge`.

use serde_json::{json, Value};

use crate::support::{codes, control_of, json_of, messages, status, Account, FaultProxy};
use crate::{trail_only, CT, IAM};

/// The regions every account has enabled unless it opted out (the test bridge's answer).
const REGIONS: [&str; 17] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

const UNAUTHORIZED: &str = "unauthorized-api-calls";

/// A topic named `alerts` in each region, with a confirmed subscriber and a policy that lets
/// EventBridge publish.
fn topics(account: &Account, regions: &[&str]) -> Value {
    regions
        .iter()
        .map(|region| {
            json!({"name": "alerts", "region": region,
                   "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}],
                   "policy": {"Version": "2012-10-17", "Statement": [{
                       "Sid": "events", "Effect": "Allow",
                       "Principal": {"Service": "events.amazonaws.com"},
                       "Action": "sns:Publish",
                       "Resource": format!("arn:aws:sns:{region}:{}:alerts", account.id),
                       "Condition": {"StringEquals": {"aws:SourceAccount": account.id}}}]}})
        })
        .collect()
}

/// The account's trail and no metric filter, with these rules and topics in these regions.
pub(crate) fn account_with(rules: Value, regions: &[&str]) -> Account {
    let account = Account::new();
    let mut spec = trail_only();
    spec["topics"] = topics(&account, regions);
    spec["rules"] = rules;
    account.build(&spec);
    account
}

fn plan(account: &Account, controls: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["plan", "--controls", controls, "--json"];
    args.extend_from_slice(extra);
    json_of(account.trailwatch().args(&args))
}

pub(crate) fn iam_rule() -> Value {
    json!({"name": "iam-changes", "regions": ["us-east-1"], "topics": ["alerts"],
           "pattern": {"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"]}})
}

#[test]
fn a_rule_that_tells_someone_is_named_and_counted_only_when_accepted() {
    let account = account_with(json!([iam_rule()]), &["us-east-1"]);
    let (code, doc) = plan(&account, IAM, &[]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(
        status(&doc, IAM),
        "non_compliant",
        "CIS still wants a filter"
    );
    assert!(codes(&doc, IAM).contains(&"covered-by-eventbridge".to_string()));
    assert!(messages(&doc, IAM).contains("rule/iam-changes"), "{doc:#}");

    let (code, doc) = plan(&account, IAM, &["--accept", "eventbridge"]);
    assert_eq!(code, 0, "{doc:#}");
    let control = control_of(&doc, IAM);
    assert_eq!(control["status"], "compliant");
    assert_eq!(control["chain"]["kind"], "eventbridge");
    let rule = format!("arn:aws:events:us-east-1:{}:rule/iam-changes", account.id);
    assert_eq!(control["chain"]["rules"], json!([rule]));
    assert_eq!(
        doc["actions"],
        json!([]),
        "nothing to build for a covered control"
    );

    let accepted = [
        "plan",
        "--controls",
        IAM,
        "--accept",
        "eventbridge",
        "--detail",
    ];
    let (_, human, _) = account.run(&accepted);
    assert!(
        human.contains("rule/iam-changes` tells a confirmed subscriber"),
        "{human}"
    );
    assert!(human.contains("EventBridge (accepted) → rules"), "{human}");
    // Every format that lists compliant controls names the rule (SARIF lists only failures).
    for format in ["ocsf", "asff", "csv", "html"] {
        let args = [
            "plan",
            "--controls",
            IAM,
            "--accept",
            "eventbridge",
            "--output",
            format,
        ];
        let (_, document, _) = account.run(&args);
        assert!(
            document.contains("rule/iam-changes"),
            "{format}: {document}"
        );
    }
}

#[test]
fn the_configuration_file_accepts_eventbridge_too() {
    let account = account_with(json!([iam_rule()]), &["us-east-1"]);
    let config = account.path().join("trailwatch.toml");
    std::fs::write(&config, "accept = [\"eventbridge\"]\n").unwrap();
    let config = config.to_str().unwrap();
    let (code, doc) = plan(&account, IAM, &["--config", config]);
    assert_eq!((code, status(&doc, IAM)), (0, "compliant"), "{doc:#}");

    std::fs::write(account.path().join("bad.toml"), "accept = [\"sms\"]\n").unwrap();
    let bad = account.path().join("bad.toml");
    let (code, _, err) = account.run(&["plan", "--config", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("expected `eventbridge`"), "{err}");
}

#[test]
fn a_regional_control_needs_a_rule_in_every_enabled_region() {
    let rule = json!({"name": "trail-changes", "regions": ["us-east-1", "eu-west-1"],
                      "topics": ["alerts"], "pattern": {"source": ["aws.cloudtrail"]}});
    let account = account_with(json!([rule]), &["us-east-1", "eu-west-1"]);
    let (_, doc) = plan(&account, CT, &["--accept", "eventbridge"]);
    assert_eq!(status(&doc, CT), "non_compliant", "{doc:#}");
    assert!(codes(&doc, CT).contains(&"eventbridge-partial".to_string()));
    let said = messages(&doc, CT);
    assert!(
        said.contains("no enabled rule matches them in ap-northeast-1"),
        "{said}"
    );
    assert!(
        !said.contains("eu-west-1,"),
        "the regions it covers are not listed: {said}"
    );
    assert!(
        !doc["actions"].as_array().unwrap().is_empty(),
        "the filter is still planned"
    );
}

#[test]
fn read_only_events_need_a_rule_that_sees_them() {
    let denied = json!({"detail": {"errorCode": [{"suffix": "UnauthorizedOperation"}, {"prefix": "AccessDenied"}]}});
    let rule = |state: &str| {
        json!([{"name": "denied", "regions": REGIONS, "topics": ["alerts"],
                "state": state, "pattern": denied}])
    };
    let account = account_with(rule("ENABLED"), &REGIONS);
    let (_, doc) = plan(&account, UNAUTHORIZED, &["--accept", "eventbridge"]);
    assert_eq!(status(&doc, UNAUTHORIZED), "non_compliant", "{doc:#}");
    let said = messages(&doc, UNAUTHORIZED);
    assert!(
        said.contains("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") && said.contains("Decrypt"),
        "{said}"
    );

    let account = account_with(
        rule("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        &REGIONS,
    );
    let (code, doc) = plan(&account, UNAUTHORIZED, &["--accept", "eventbridge"]);
    assert_eq!(
        (code, status(&doc, UNAUTHORIZED)),
        (0, "compliant"),
        "{doc:#}"
    );
}

#[test]
fn a_rule_whose_deliveries_all_fail_tells_nobody() {
    let mut rule = iam_rule();
    rule["invocations"] = json!({"invoked": 4, "failed": 4});
    let account = account_with(json!([rule]), &["us-east-1"]);
    let (_, doc) = plan(&account, IAM, &["--accept", "eventbridge"]);
    assert_eq!(status(&doc, IAM), "non_compliant", "{doc:#}");
    assert!(messages(&doc, IAM).contains("FailedInvocations"), "{doc:#}");
}

#[test]
fn a_topic_without_a_policy_for_eventbridge_is_named() {
    let account = Account::new();
    let mut spec = trail_only();
    spec["topics"] = json!([{"name": "alerts",
        "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}],
        "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": "*"}]}}]);
    spec["rules"] = json!([iam_rule()]);
    account.build(&spec);
    let (_, doc) = plan(&account, IAM, &["--accept", "eventbridge"]);
    let said = messages(&doc, IAM);
    assert!(
        said.contains("does not let events.amazonaws.com publish"),
        "{said}"
    );
}

#[test]
fn regions_that_cannot_be_listed_are_cannot_tell() {
    let account = account_with(json!([iam_rule()]), &["us-east-1"]);
    let proxy = FaultProxy::new("ListRegions", 100, "AccessDenied");
    let (_, doc) =
        json_of(
            account
                .trailwatch_via(&proxy)
                .args(["plan", "--controls", IAM, "--json"]),
        );
    assert_eq!(status(&doc, IAM), "non_compliant", "{doc:#}");
    assert!(codes(&doc, IAM).contains(&"eventbridge-unread".to_string()));
    assert!(
        messages(&doc, IAM).contains("account:ListRegions"),
        "{doc:#}"
    );
    let (code, doc) = json_of(account.trailwatch_via(&proxy).args([
        "plan",
        "--controls",
        IAM,
        "--json",
        "--accept",
        "eventbridge",
    ]));
    assert_eq!((code, status(&doc, IAM)), (1, "error"), "{doc:#}");
}

#[test]
fn rules_forwarding_to_one_regions_bus_are_followed_there() {
    let account = Account::new();
    let central = format!("arn:aws:events:us-east-1:{}:event-bus/default", account.id);
    let others: Vec<&str> = REGIONS.into_iter().filter(|r| *r != "us-east-1").collect();
    let ct = json!({"source": ["aws.cloudtrail"]});
    let mut spec = trail_only();
    spec["topics"] = topics(&account, &["us-east-1"]);
    spec["rules"] = json!([
        {"name": "trail-changes", "regions": ["us-east-1"], "topics": ["alerts"], "pattern": ct},
        {"name": "to-central", "regions": others, "topics": [central], "pattern": ct},
    ]);
    account.build(&spec);
    let (code, doc) = plan(&account, CT, &["--accept", "eventbridge"]);
    assert_eq!((code, status(&doc, CT)), (0, "compliant"), "{doc:#}");
    let rules = control_of(&doc, CT)["chain"]["rules"].to_string();
    assert!(
        rules.contains("us-east-1") && rules.contains("rule/to-central"),
        "{rules}"
    );
    assert!(rules.contains("rule/trail-changes"), "{rules}");
}

#[test]
fn a_rule_missing_one_event_names_it() {
    let names = [
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
    ];
    let rule = json!({"name": "iam-changes", "regions": ["us-east-1"], "topics": ["alerts"],
                      "pattern": {"source": ["aws.iam"], "detail": {"eventName": names}}});
    let account = account_with(json!([rule]), &["us-east-1"]);
    let (_, doc) = plan(&account, IAM, &["--accept", "eventbridge"]);
    assert_eq!(status(&doc, IAM), "non_compliant", "{doc:#}");
    let said = messages(&doc, IAM);
    assert!(said.contains("missed DetachGroupPolicy;"), "{said}");
}

/// A member account forwards its IAM events (from us-east-1's default bus) to the security
/// account's bus `central`, whose rule tells the security account's topic; the bus lets in
/// `member` when `let_in`.
pub(crate) fn member_and_security(let_in: bool) -> (Account, Account) {
    let (member, security) = (Account::new(), Account::new());
    let central = format!("arn:aws:events:us-east-1:{}:event-bus/central", security.id);
    let allowed = if let_in { &member.id } else { &security.id };
    let mut spec = trail_only();
    spec["buses"] = json!([{"name": "central", "policy": {"Version": "2012-10-17", "Statement": [{
        "Sid": "members", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{allowed}:root")},
        "Action": "events:PutEvents", "Resource": central}]}}]);
    spec["topics"] = topics(&security, &["us-east-1"]);
    let mut told = iam_rule();
    told["bus"] = json!("central");
    spec["rules"] = json!([told]);
    security.build(&spec);
    let mut spec = trail_only();
    let mut forward = iam_rule();
    forward["topics"] = json!([central]);
    spec["rules"] = json!([forward]);
    member.build(&spec);
    (member, security)
}

/// `plan --accounts ACCOUNTS --accept eventbridge` of the IAM control, and the member's entry.
fn member_entry(member: &Account, accounts: &str) -> Value {
    let (_, doc) = json_of(member.trailwatch().env("AWS_PROFILE", "base").args([
        "plan",
        "--controls",
        IAM,
        "--accounts",
        accounts,
        "--assume-role",
        "trailwatch-audit",
        "--accept",
        "eventbridge",
        "--json",
    ]));
    let controls = doc["controls"].as_array().unwrap();
    let entry = controls
        .iter()
        .find(|c| c["account_id"] == member.id.as_str());
    entry
        .unwrap_or_else(|| panic!("no entry for {}: {doc:#}", member.id))
        .clone()
}

#[test]
fn a_rule_forwarding_to_another_account_of_the_run_is_followed_there() {
    let (member, security) = member_and_security(true);
    let both = format!("{},{}", member.id, security.id);
    let entry = member_entry(&member, &both);
    assert_eq!(entry["status"], "compliant", "{entry:#}");
    let rules = entry["chain"]["rules"].to_string();
    let on_central = format!("{}:rule/central/iam-changes", security.id);
    assert!(rules.contains(&on_central), "{rules}");

    // Without the security account in the run its bus is not read: named, not counted.
    let entry = member_entry(&member, &member.id);
    assert_eq!(entry["status"], "non_compliant", "{entry:#}");
    assert!(
        entry.to_string().contains("which is not part of this run"),
        "{entry:#}"
    );
}

#[test]
fn a_central_bus_that_does_not_let_the_member_in_tells_nobody() {
    let (member, security) = member_and_security(false);
    let both = format!("{},{}", member.id, security.id);
    let entry = member_entry(&member, &both);
    assert_eq!(entry["status"], "non_compliant", "{entry:#}");
    let why = format!("does not let account {} put events", member.id);
    assert!(entry.to_string().contains(&why), "{entry:#}");
}

/// The IAM actions of the EventBridge read (`account:ListRegions`, `events:…`) among `calls`.
fn eventbridge_calls(proxy: &FaultProxy) -> Vec<String> {
    let calls = proxy.calls().into_iter().map(|c| c.action);
    calls
        .filter(|a| a.starts_with("events:") || a == "account:ListRegions")
        .collect()
}

#[test]
fn apply_reads_the_rules_for_a_plan_someone_approves_and_skips_them_when_unasked() {
    let account = account_with(json!([iam_rule()]), &["us-east-1"]);
    // Asked: the plan to approve names the rule that already tells someone (answered no).
    let (_, screen) =
        crate::apply::on_a_terminal(&account, &format!("--controls {IAM}"), &[], "no");
    assert!(screen.contains("rule/iam-changes"), "{screen}");

    // With --accept eventbridge the rules decide the verdict: read, and nothing to write.
    let proxy = FaultProxy::recording();
    let accepted = ["apply", "--controls", IAM, "--accept", "eventbridge"];
    let (code, doc) = json_of(
        account
            .trailwatch_via(&proxy)
            .args(accepted)
            .args(["--auto-approve", "--json"]),
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["actions"], json!([]), "{doc:#}");
    assert!(eventbridge_calls(&proxy).contains(&"events:ListRules".to_string()));

    // Unasked and not accepted, they cannot change what is written: not read at all.
    let proxy = FaultProxy::recording();
    let (code, doc) = json_of(account.trailwatch_via(&proxy).args([
        "apply",
        "--controls",
        IAM,
        "--notify",
        "email:sec@example.com",
        "--auto-approve",
        "--json",
    ]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["verification"]["ok"], true,
        "written, awaiting confirmation: {doc:#}"
    );
    assert_eq!(eventbridge_calls(&proxy), Vec::<String>::new());
    // The control still waits for a person, and the report says the rules were not read.
    let notes = doc["notes"].to_string();
    assert!(notes.contains("EventBridge rules were not read"), "{notes}");
}
