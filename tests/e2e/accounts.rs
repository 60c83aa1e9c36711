//! Many accounts at once: `plan --accounts … --assume-role …` reads each through AssumeRole,
//! merges the results with `account_id` on every entry, isolates an account that cannot be
//! read, and reports API calls and wall time.

use serde_json::Value;

use crate::support::{json_of, Account, FaultProxy};
use crate::{compliant, trail_only, PAIR};

/// `plan --accounts LIST --assume-role trailwatch-audit` for the usual pair of controls, run with
/// `runner`'s base credentials.
fn plan_accounts(runner: &Account, list: &str) -> (i32, Value) {
    json_of(runner.trailwatch().env("AWS_PROFILE", "base").args([
        "plan",
        "--controls",
        PAIR,
        "--accounts",
        list,
        "--assume-role",
        "trailwatch-audit",
        "--json",
    ]))
}

fn summary_of<'a>(doc: &'a Value, account: &str) -> &'a Value {
    doc["summary"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == account)
        .unwrap_or_else(|| panic!("no summary for {account}: {doc:#}"))
}

#[test]
fn several_accounts_are_audited_in_one_run_and_merged() {
    let (a, b, c) = (Account::new(), Account::new(), Account::new());
    a.build(&compliant());
    b.build(&trail_only());
    let list = format!("{},{},{}", a.id, b.id, c.id);
    let (code, doc) = plan_accounts(&a, &list);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["controls"].as_array().unwrap().len(), 6);
    for (acct, compliant, non_compliant) in [(&a, 2, 0), (&b, 0, 2), (&c, 0, 2)] {
        let s = summary_of(&doc, &acct.id);
        assert_eq!(s["status"], "ok");
        assert_eq!(s["compliant"], compliant, "{s:#}");
        assert_eq!(s["non_compliant"], non_compliant, "{s:#}");
        assert_eq!(s["calls"]["cloudtrail:DescribeTrails"], 1, "{s:#}");
    }
    // Every entry says which account it is about.
    for array in ["controls", "actions", "trails"] {
        for entry in doc[array].as_array().unwrap() {
            let id = entry["account_id"].as_str().unwrap();
            assert!(
                [&a.id, &b.id, &c.id].contains(&&id.to_string()),
                "{entry:#}"
            );
        }
    }
    let actions_for_b = doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["account_id"] == b.id.as_str())
        .count();
    assert_eq!(actions_for_b, 5, "{doc:#}");
    assert!(doc["summary"]["wall_ms"].is_u64());

    // The human output ends with a per-account summary.
    let out = a
        .trailwatch()
        .env("AWS_PROFILE", "base")
        .args([
            "plan",
            "--controls",
            PAIR,
            "--accounts",
            &list,
            "--assume-role",
            "trailwatch-audit",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Accounts (3,"), "{text}");
    assert!(text.contains(&format!("✓ {}  2 compliant", a.id)), "{text}");
}

#[test]
fn an_account_that_cannot_be_assumed_is_an_error_and_the_others_complete() {
    let (a, b) = (Account::new(), Account::new());
    a.build(&compliant());
    b.build(&compliant());
    // The first AssumeRole (the first account, with one at a time) is denied.
    let proxy = FaultProxy::new("AssumeRole", 1, "AccessDenied");
    let list = format!("{},{}", a.id, b.id);
    let out = a
        .trailwatch_via(&proxy)
        .env("AWS_PROFILE", "base")
        .args([
            "plan",
            "--controls",
            PAIR,
            "--accounts",
            &list,
            "--assume-role",
            "trailwatch-audit",
            "--concurrency",
            "1",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed = summary_of(&doc, &a.id);
    assert_eq!(failed["status"], "error");
    let message = failed["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "cannot assume role `trailwatch-audit` in account {} (sts:AssumeRole: AuthorizationError: ",
            a.id
        )) && message.ends_with("check that the role exists there and trusts account 123456789012"),
        "{failed:#}"
    );
    let ok = summary_of(&doc, &b.id);
    assert_eq!(ok["status"], "ok");
    assert_eq!(ok["compliant"], 2);
}

#[test]
fn fifteen_controls_cost_no_more_calls_than_one() {
    let acct = Account::new();
    acct.build(&compliant());
    let calls = |args: &[&str]| {
        let (_, doc) = acct.json(args);
        doc["summary"]["calls"].clone()
    };
    let one = calls(&["plan", "--controls", "iam-policy-changes"]);
    let all = calls(&["plan"]);
    // The EventBridge rules are read once beside the rest, whatever the controls: the enabled
    // regions, then each region's default bus (the local server enables 17).
    assert_eq!(all["account:ListRegions"], 1);
    assert_eq!(all["events:ListRules"], 17);
    assert_eq!(one, all, "calls by action for one control and for fifteen");
    assert_eq!(all["logs:DescribeMetricFilters"], 1);
    // A page of alarms or less: one listing, no per-metric reads.
    assert_eq!(all["cloudwatch:DescribeAlarms"], 1);
    assert_eq!(all.get("cloudwatch:DescribeAlarmsForMetric"), None);
}

#[test]
fn account_flags_are_checked() {
    let acct = Account::new();
    for (args, expected) in [
        (
            vec!["plan", "--accounts", "123"],
            "is not an AWS account id",
        ),
        (
            vec!["plan", "--accounts", "111122223333"],
            "--accounts and --organization need --assume-role NAME",
        ),
        (
            vec!["plan", "--assume-role", "audit"],
            "--assume-role needs --accounts ID,... or --organization",
        ),
        (
            vec!["plan", "--organization", "--accounts", "111122223333"],
            "cannot be used with",
        ),
        (
            vec!["apply", "--assume-role", "audit"],
            "--assume-role needs --accounts ID,... or --organization",
        ),
        (
            vec!["apply", "p.json", "--accounts", "111122223333"],
            "a saved plan carries its own accounts",
        ),
        (vec!["plan", "--concurrency", "0"], "--concurrency"),
    ] {
        let (code, _, stderr) = acct.run(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn a_member_whose_trail_logs_to_an_audited_account_takes_its_verdict() {
    let (central, member) = (Account::new(), Account::new());
    central.build(&compliant());
    member.build(&serde_json::json!({
        "trails": [{"name": "org", "log_group": "cloudtrail/main", "log_group_account": central.id}],
    }));
    let list = format!("{},{}", central.id, member.id);
    let (code, doc) = plan_accounts(&central, &list);
    assert_eq!(code, 0, "{doc:#}");
    let member_controls: Vec<&Value> = doc["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["account_id"] == member.id.as_str())
        .collect();
    assert_eq!(member_controls.len(), 2);
    for c in member_controls {
        assert_eq!(c["status"], "compliant", "{c:#}");
        assert!(c["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("monitored centrally in account {}", central.id)));
    }
    // Only the account that owns the log group could get actions; here none are needed.
    assert!(doc["actions"].as_array().unwrap().is_empty());

    // Audited alone, the member cannot judge the control.
    let (_, doc) = member.json(&["plan", "--controls", PAIR]);
    assert_eq!(doc["controls"][0]["status"], "not_applicable");
}

#[test]
fn the_whole_organization_is_audited_from_its_management_account() {
    let management = Account::new();
    let mut spec = compliant();
    spec["organization"] = serde_json::json!({"accounts": ["dev", "prod"]});
    let created = management.build_reporting(&spec);
    let members: Vec<String> = created["organization_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(members.len(), 2);
    // Run as the management account (its own credentials), assuming the role in the others.
    let (code, doc) = management.json(&[
        "plan",
        "--controls",
        PAIR,
        "--organization",
        "--assume-role",
        "trailwatch-audit",
    ]);
    assert_eq!(code, 2, "{doc:#}");
    let ids: Vec<&str> = doc["summary"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&management.id.as_str()), "{ids:?}");
    for m in &members {
        assert!(ids.contains(&m.as_str()), "{ids:?}");
        assert_eq!(summary_of(&doc, m)["status"], "ok");
        assert_eq!(
            summary_of(&doc, m)["non_compliant"],
            2,
            "a new account has no trail"
        );
    }
    assert_eq!(summary_of(&doc, &management.id)["compliant"], 2);
    assert_eq!(doc["summary"]["calls"]["organizations:ListAccounts"], 1);
}
