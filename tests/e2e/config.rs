//! The configuration file (`trailwatch.toml`): it alone reproduces a flag-driven run, flags
//! override it, `[accounts."ID"]` tables reach their accounts, waivers make a control `waived`
//! until they expire, and a bad file is refused with its line and column before any AWS call.

use serde_json::Value;

use crate::support::{actions, json_of, status, Account};
use crate::{trail_only, CT, IAM, PAIR};

fn write_config(acct: &Account, text: &str) {
    std::fs::write(acct.path().join("trailwatch.toml"), text).unwrap();
}

/// The document without what differs between any two runs (time and call counts).
fn stable(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("summary");
    doc
}

#[test]
fn a_file_alone_reproduces_a_flag_driven_run() {
    let acct = Account::new();
    acct.build(&trail_only());
    let flags = [
        "plan",
        "--controls",
        PAIR,
        "--namespace",
        "Audit",
        "--topic-name",
        "alerts",
        "--notify",
        "email:sec@example.com",
        "--match",
        "strict",
    ];
    let (by_flags_code, by_flags) = acct.json(&flags);
    write_config(
        &acct,
        &format!(
            "controls = {controls:?}\nnamespace = \"Audit\"\ntopic_name = \"alerts\"\nnotify = [\"email:sec@example.com\"]\nmatch = \"strict\"\n",
            controls = PAIR.split(',').collect::<Vec<_>>()
        ),
    );
    let (by_file_code, by_file) = acct.json(&["plan"]);
    assert_eq!(by_file_code, by_flags_code);
    assert_eq!(stable(by_file), stable(by_flags));
}

#[test]
fn flags_override_the_files_keys() {
    let acct = Account::new();
    acct.build(&trail_only());
    write_config(
        &acct,
        &format!("controls = [\"{IAM}\"]\nnamespace = \"FromFile\"\n"),
    );
    let (_, doc) = acct.json(&["plan", "--namespace", "FromFlag", "--controls", CT]);
    let filters = crate::support::actions_of(&doc, "put-metric-filter");
    assert_eq!(
        filters.len(),
        1,
        "--controls replaced the file's list: {doc:#}"
    );
    assert_eq!(filters[0]["after"]["namespace"], "FromFlag");
    assert_eq!(doc["controls"][0]["id"], CT);
}

#[test]
fn account_tables_reach_their_accounts_in_a_multi_account_run() {
    let (a, b) = (Account::new(), Account::new());
    a.build(&trail_only());
    b.build(&trail_only());
    write_config(
        &a,
        &format!(
            "controls = [\"{IAM}\"]\nassume_role = \"trailwatch-audit\"\nnotify = [\"email:all@example.com\"]\n\n[accounts.\"{}\"]\n\n[accounts.\"{}\"]\nnotify = [\"email:team-b@example.com\"]\nnamespace = \"TeamB\"\n",
            a.id, b.id
        ),
    );
    let (code, doc) = json_of(
        a.trailwatch()
            .env("AWS_PROFILE", "base")
            .args(["plan", "--json"]),
    );
    assert_eq!(code, 2, "{doc:#}");
    let of = |account: &str, action: &str| -> Vec<Value> {
        doc["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["account_id"] == account && x["action"] == action)
            .map(|x| x["after"].clone())
            .collect()
    };
    assert_eq!(of(&a.id, "subscribe")[0]["endpoint"], "all@example.com");
    assert_eq!(of(&b.id, "subscribe")[0]["endpoint"], "team-b@example.com");
    assert_eq!(
        of(&a.id, "put-metric-filter")[0]["namespace"],
        "CISBenchmark"
    );
    assert_eq!(of(&b.id, "put-metric-filter")[0]["namespace"], "TeamB");
}

#[test]
fn a_waived_control_exits_0_with_no_actions_and_shows_its_reason() {
    let acct = Account::new();
    let expires = crate::support::in_days(60);
    acct.build(&trail_only());
    write_config(
        &acct,
        &format!("controls = [\"{IAM}\"]\n\n[[waiver]]\ncontrol = \"{IAM}\"\nreason = \"sandbox without IAM users\"\nexpires = {expires}\nticket = \"SEC-7\"\n"),
    );
    let (code, doc) = acct.json(&["plan"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(status(&doc, IAM), "waived");
    assert!(actions(&doc).is_empty(), "{doc:#}");
    assert_eq!(doc["controls"][0]["waiver"]["ticket"], "SEC-7");
    let (code, text, _) = acct.run(&["plan"]);
    assert_eq!(code, 0);
    assert!(
        text.contains(&format!(
            "waived: sandbox without IAM users (until {expires}, SEC-7)"
        )),
        "{text}"
    );
}

#[test]
fn an_expired_waiver_brings_the_finding_back() {
    let acct = Account::new();
    acct.build(&trail_only());
    write_config(
        &acct,
        &format!("controls = [\"{IAM}\"]\n\n[[waiver]]\ncontrol = \"{IAM}\"\nreason = \"migration\"\nexpires = 2020-01-01\n"),
    );
    let (code, doc) = acct.json(&["plan"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(status(&doc, IAM), "non_compliant");
    let codes = crate::support::codes(&doc, IAM);
    assert!(codes.contains(&"waiver-expired".to_string()), "{codes:?}");
    assert!(!actions(&doc).is_empty());
}

#[test]
fn every_bad_file_is_refused_with_its_position_before_any_aws_call() {
    let acct = Account::new();
    let cases = [
        (
            "colour = 1\n",
            "trailwatch.toml:1:1: unknown field `colour`",
        ),
        ("level = \"x\"\n", "trailwatch.toml:1:9: invalid type"),
        (
            "controls = [\"nope\"]\n",
            "trailwatch.toml:1:13: unknown control `nope`",
        ),
        (
            "[[waiver]]\ncontrol = \"5.4\"\nexpires = 2027-01-01\n",
            "trailwatch.toml:1:1: missing field `reason`",
        ),
        (
            "[[waiver]]\ncontrol = \"5.4\"\nreason = \"r\"\nexpires = 2027-13-01\n",
            "trailwatch.toml:4:11: ",
        ),
        (
            "[[waiver]]\ncontrol = \"5.4\"\nreason = \"r\"\nexpires = 2099-01-01\n",
            "is more than a year after today",
        ),
    ];
    let mut failures = Vec::new();
    for (text, want) in cases {
        write_config(&acct, text);
        // An endpoint nobody listens on: an AWS call would fail with another error.
        let (code, stdout, stderr) = acct.run(&["plan", "--endpoint-url", "http://127.0.0.1:9"]);
        let line = stderr.trim();
        if code != 1 || !line.contains(want) || line.lines().count() != 1 || !stdout.is_empty() {
            failures.push(format!(
                "{text:?}: exit {code}, stderr {line:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn init_writes_a_starter_from_the_flags_that_plans_like_them_and_never_overwrites() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, _, stderr) = acct.run(&[
        "init",
        "--controls",
        IAM,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = acct.run(&["init"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("never overwrites"), "{stderr}");
    let (_, by_file) = acct.json(&["plan"]);
    let (_, by_flags) = acct.json(&[
        "plan",
        "--config",
        "/dev/null",
        "--controls",
        IAM,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(stable(by_file), stable(by_flags));
    // The effective settings, written back, are a file that gives the same run.
    let (code, effective, _) = acct.run(&["config", "--namespace", "Audit"]);
    assert_eq!(code, 0);
    assert!(effective.contains("namespace = \"Audit\""), "{effective}");
    assert!(
        effective.contains("notify = [\"email:sec@example.com\"]"),
        "{effective}"
    );
}

#[test]
fn config_schema_is_json_schema_naming_every_key() {
    let acct = Account::new();
    let (code, doc) = json_of(acct.trailwatch().args(["config", "--schema"]));
    assert_eq!(code, 0);
    assert_eq!(
        doc["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(doc["properties"]["waiver"].is_object(), "{doc:#}");
}
