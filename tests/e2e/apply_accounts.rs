//! Fixing many accounts: `apply --accounts … --assume-role …` plans every account, asks once and
//! applies each; a saved plan of several accounts is applied exactly, an account that changed
//! since is left alone and reported stale, and running again converges.

use serde_json::{json, Value};

use crate::apply::on_a_terminal;
use crate::support::{json_of, Account, FaultProxy};
use crate::{compliant, trail_only, IAM, PAIR};

const ROLE: &str = "trailwatch-audit";

fn outcome<'a>(doc: &'a Value, account: &Account) -> &'a Value {
    doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["account_id"] == account.id.as_str())
        .unwrap_or_else(|| panic!("no outcome for {}: {doc:#}", account.id))
}

fn many(runner: &Account, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = runner.trailwatch();
    cmd.env("AWS_PROFILE", "base").args(args);
    cmd
}

fn plan_clean(runner: &Account, list: &str) -> i32 {
    let (code, _) = json_of(&mut many(
        runner,
        &[
            "plan",
            "--controls",
            PAIR,
            "--accounts",
            list,
            "--assume-role",
            ROLE,
            "--json",
        ],
    ));
    code
}

#[test]
fn every_account_is_fixed_after_one_confirmation() {
    let (a, b, c) = (Account::new(), Account::new(), Account::new());
    a.build(&compliant());
    b.build(&trail_only());
    c.build(&trail_only());
    let list = format!("{},{},{}", a.id, b.id, c.id);
    let args = [
        "apply",
        "--controls",
        PAIR,
        "--accounts",
        &list,
        "--assume-role",
        ROLE,
        "--notify",
        "email:sec@example.com",
    ];
    // Without a terminal to ask on and without --auto-approve, nothing is written.
    let out = many(&a, &args).write_stdin("").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("action(s) in 2 of 3 account(s)"),
        "{stdout}"
    );
    assert_eq!(plan_clean(&a, &list), 2, "nothing was written");

    let (code, doc) = json_of(many(&a, &args).arg("--auto-approve").arg("--json"));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(outcome(&doc, &a)["state"], "nothing-to-do");
    for acct in [&b, &c] {
        let o = outcome(&doc, acct);
        assert_eq!(o["state"], "applied", "{o:#}");
        assert_eq!(
            o["actions_done"], 6,
            "two filters, a topic, a subscription, two alarms: {o:#}"
        );
        assert_eq!(o["actions_failed"], 0, "{o:#}");
    }
    assert_eq!(doc["totals"]["applied"], 2);
    assert_eq!(plan_clean(&a, &list), 0, "every account complies now");
}

#[test]
fn a_saved_plan_of_several_accounts_skips_the_ones_that_changed() {
    let (b, c) = (Account::new(), Account::new());
    b.build(&trail_only());
    c.build(&trail_only());
    let list = format!("{},{}", b.id, c.id);
    let file = b.path().join("org.plan");
    let file = file.to_str().unwrap();
    let plan = [
        "plan",
        "--controls",
        PAIR,
        "--accounts",
        &list,
        "--assume-role",
        ROLE,
        "--notify",
        "email:sec@example.com",
        "--out",
        file,
    ];
    let out = many(&b, &plan).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["accounts"][1]["assume_role"], ROLE);

    // Someone adds a filter to c's log group after the plan was made.
    c.build(
        &json!({"filters": [{"log_group": "cloudtrail/main", "name": "mine",
        "pattern": "{ $.eventName = CreateUser }", "metric": "Users"}]}),
    );
    let before = c.dump(&[]);
    let (code, doc) = json_of(&mut many(&b, &["apply", file, "--json"]));
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(outcome(&doc, &b)["state"], "applied", "{doc:#}");
    let stale = outcome(&doc, &c);
    assert_eq!(stale["state"], "stale", "{stale:#}");
    assert!(
        stale["error"]
            .as_str()
            .unwrap()
            .contains("filters:us-east-1:cloudtrail/main"),
        "{stale:#}"
    );
    assert_eq!(
        c.dump(&[]),
        before,
        "nothing was written to the stale account"
    );

    // Plan and apply again: what was done is not repeated, the rest converges.
    assert_eq!(many(&b, &plan).output().unwrap().status.code(), Some(2));
    let (code, doc) = json_of(&mut many(&b, &["apply", file, "--json"]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(outcome(&doc, &b)["state"], "nothing-to-do");
    assert_eq!(outcome(&doc, &c)["state"], "applied");
}

#[test]
fn a_failure_in_one_account_does_not_stop_the_others() {
    let (a, b) = (Account::new(), Account::new());
    a.build(&trail_only());
    b.build(&trail_only());
    let list = format!("{},{}", a.id, b.id);
    let args = [
        "apply",
        "--controls",
        IAM,
        "--accounts",
        &list,
        "--assume-role",
        ROLE,
        "--notify",
        "email:sec@example.com",
        "--auto-approve",
    ];
    // One account's alarm write is denied (one at a time: the first account's).
    let proxy = FaultProxy::new("PutMetricAlarm", 1, "AccessDenied");
    let (code, doc) = json_of(
        a.trailwatch_via(&proxy)
            .env("AWS_PROFILE", "base")
            .args(args)
            .args(["--concurrency", "1", "--json"]),
    );
    assert_eq!(code, 1, "{doc:#}");
    let failed = outcome(&doc, &a);
    assert_eq!(failed["state"], "failed", "{failed:#}");
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("put-metric-alarm"), "{failed:#}");
    assert_eq!(outcome(&doc, &b)["state"], "applied");
    // Again, in human text: a line per account and the totals.
    let out = many(&a, &args).output().unwrap();
    let (code, text) = (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    );
    assert_eq!(
        code,
        Some(0),
        "the rerun finishes the failed account: {text}"
    );
    assert!(text.contains(&format!("{}  applied", a.id)), "{text}");
    assert!(text.contains(&format!("{}  nothing-to-do", b.id)), "{text}");
    assert!(text.contains("Total: 1 applied, 1 nothing-to-do"), "{text}");
}

#[test]
fn an_unreachable_account_is_reported_and_the_others_applied() {
    let (a, b) = (Account::new(), Account::new());
    a.build(&trail_only());
    b.build(&trail_only());
    let list = format!("{},{}", a.id, b.id);
    let file = a.path().join("org.plan");
    let file = file.to_str().unwrap();
    let out = many(
        &a,
        &[
            "plan",
            "--controls",
            IAM,
            "--accounts",
            &list,
            "--assume-role",
            ROLE,
            "--notify",
            "email:sec@example.com",
            "--out",
            file,
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // At apply time the first account's role can no longer be assumed.
    let proxy = FaultProxy::new("AssumeRole", 1, "AccessDenied");
    let (code, doc) = json_of(a.trailwatch_via(&proxy).env("AWS_PROFILE", "base").args([
        "apply",
        file,
        "--json",
        "--concurrency",
        "1",
    ]));
    assert_eq!(code, 1, "{doc:#}");
    let o = outcome(&doc, &a);
    assert_eq!(o["state"], "unreachable", "{o:#}");
    assert!(
        o["error"].as_str().unwrap().contains("cannot assume role"),
        "{o:#}"
    );
    assert_eq!(outcome(&doc, &b)["state"], "applied");
}

#[test]
fn an_organization_trail_is_fixed_in_the_account_that_owns_its_log_group() {
    let (central, member) = (Account::new(), Account::new());
    central.build(&trail_only());
    member.build(&json!({
        "trails": [{"name": "org", "log_group": "cloudtrail/main", "log_group_account": central.id}],
    }));
    let list = format!("{},{}", central.id, member.id);
    let before = member.dump(&[]);
    let (code, doc) = json_of(&mut many(
        &central,
        &[
            "apply",
            "--controls",
            PAIR,
            "--accounts",
            &list,
            "--assume-role",
            ROLE,
            "--notify",
            "email:sec@example.com",
            "--auto-approve",
            "--json",
        ],
    ));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(outcome(&doc, &central)["state"], "applied");
    assert_eq!(outcome(&doc, &member)["state"], "nothing-to-do");
    assert_eq!(member.dump(&[]), before, "nothing is written to the member");
    assert_eq!(
        plan_clean(&central, &list),
        0,
        "the member is monitored centrally"
    );
}

#[test]
fn on_a_terminal_one_yes_applies_every_account() {
    let (a, b) = (Account::new(), Account::new());
    a.build(&trail_only());
    b.build(&trail_only());
    let list = format!("{},{}", a.id, b.id);
    let args = format!(
        "--controls {PAIR} --accounts {list} --assume-role {ROLE} --notify email:sec@example.com"
    );
    let base = [("AWS_PROFILE", "base")];
    let (code, screen) = on_a_terminal(&a, &args, &base, "no");
    assert_eq!(code, 1, "{screen}");
    assert_eq!(
        screen.matches("Only 'yes' will be accepted").count(),
        1,
        "asked once: {screen}"
    );
    assert_eq!(plan_clean(&a, &list), 2, "nothing was written");
    let (code, screen) = on_a_terminal(&a, &args, &base, "yes");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Total: 2 applied"), "{screen}");
    assert_eq!(plan_clean(&a, &list), 0);
}
