//! Least privilege, verified: every AWS action trailwatch calls, as recorded by the proxy in
//! front of the local server (not trailwatch's own count), must be granted by the command's
//! documented policy in `docs/iam/`, and every action a policy grants must be called by some
//! scenario of that command. The policy files are the expectation; nothing here lists actions.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::support::{root, Account, Call, FaultProxy, SOURCE_KEY};
use crate::{compliant, trail_only, IAM, PAIR};

const PLAN_POLICY: &str = "plan-policy.json";
const APPLY_POLICY: &str = "apply-policy.json";
const CALLER_POLICY: &str = "organization-caller-policy.json";
const HUB_POLICY: &str = "security-hub-policy.json";
const DRILL_POLICY: &str = "drill-policy.json";
const BACKTEST_POLICY: &str = "backtest-policy.json";

/// The actions an Allow policy in `docs/iam/` grants. `Statement` may be one object or a list,
/// `Action` one string or a list. Only exact action names are compared, so a wildcard (which
/// grants more than any list of calls can show to be needed) fails here.
fn granted(file: &str) -> BTreeSet<String> {
    let path = root().join("docs/iam").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let statements = match &doc["Statement"] {
        Value::Array(list) => list.clone(),
        one @ Value::Object(_) => vec![one.clone()],
        other => panic!("docs/iam/{file}: Statement is {other}"),
    };
    let mut actions = BTreeSet::new();
    for statement in &statements {
        assert_eq!(statement["Effect"], "Allow", "docs/iam/{file}: {statement}");
        let listed = match &statement["Action"] {
            Value::String(one) => vec![one.clone()],
            Value::Array(list) => list
                .iter()
                .map(|a| a.as_str().expect("an action name").to_string())
                .collect(),
            other => panic!("docs/iam/{file}: Action is {other} in {statement}"),
        };
        for action in listed {
            assert!(
                !action.contains('*'),
                "docs/iam/{file} grants `{action}`: name each action trailwatch calls instead"
            );
            actions.insert(action);
        }
    }
    actions
}

/// How the test starts trailwatch.
#[derive(Clone, Copy, PartialEq)]
enum RunAs {
    /// With the `base` profile: the static keys [`SOURCE_KEY`] are trailwatch's own identity.
    Base,
    /// With the `audit` profile, which assumes the account's role with the `base` keys.
    Profile,
}

/// The actions of one run of trailwatch, by which identity called them.
struct Run {
    /// What the run was, for failure messages.
    name: String,
    /// Called as the identity trailwatch runs as.
    caller: BTreeSet<String>,
    /// Called as the roles trailwatch itself assumed (`--accounts`, `--organization`).
    roles: BTreeSet<String>,
}

/// Splits a run's recorded calls by the key that signed them: the identity trailwatch runs as,
/// and the roles that identity assumed (each key an `sts:AssumeRole` it made returned).
fn attribute(name: &str, calls: &[Call], run_as: RunAs) -> Run {
    let issued_to = |signers: &BTreeSet<String>| -> BTreeSet<String> {
        calls
            .iter()
            .filter(|c| c.action == "sts:AssumeRole" && signers.contains(&c.key))
            .filter_map(|c| c.issued.clone())
            .collect()
    };
    let source = BTreeSet::from([SOURCE_KEY.to_string()]);
    let callers = match run_as {
        RunAs::Base => source,
        RunAs::Profile => issued_to(&source),
    };
    let role_keys = issued_to(&callers);
    let mut run = Run {
        name: name.to_string(),
        caller: BTreeSet::new(),
        roles: BTreeSet::new(),
    };
    for call in calls {
        if callers.contains(&call.key) {
            run.caller.insert(call.action.clone());
        } else if role_keys.contains(&call.key) {
            run.roles.insert(call.action.clone());
        } else if run_as == RunAs::Profile
            && call.key == SOURCE_KEY
            && call.action == "sts:AssumeRole"
        {
            // The SDK's profile credential provider resolving `AWS_PROFILE=audit`: it assumes
            // the test account's role with the `base` keys, and AWS_ENDPOINT_URL sends that
            // call through the proxy too. It is how the operator's own credentials reach the
            // audited account: it needs `sts:AssumeRole` in the caller's policy and the role's
            // trust, not the audited account's policy. Every other call of the run is signed
            // with the keys it returned.
        } else {
            panic!(
                "{name}: {} was signed by key {}, which is neither trailwatch's identity nor a role it assumed: {calls:#?}",
                call.action, call.key
            );
        }
    }
    run
}

/// Runs `trailwatch ARGS` for `acct` through a recording proxy, checks its exit code, and
/// returns its calls by identity. Only trailwatch's requests go through the proxy: the fixture
/// builder and the dumps talk to the local server directly.
fn record(name: &str, acct: &Account, run_as: RunAs, args: &[&str], code: i32) -> Run {
    let proxy = FaultProxy::recording();
    let mut cmd = acct.trailwatch_via(&proxy);
    if run_as == RunAs::Base {
        cmd.env("AWS_PROFILE", "base");
    }
    let out = cmd.args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{name}: trailwatch {args:?}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    attribute(name, &proxy.calls(), run_as)
}

/// Which runs called each action.
type Called = BTreeMap<String, BTreeSet<String>>;

fn called<'a>(runs: impl IntoIterator<Item = (&'a Run, &'a BTreeSet<String>)>) -> Called {
    let mut out = Called::new();
    for (run, actions) in runs {
        for action in actions {
            out.entry(action.clone())
                .or_default()
                .insert(run.name.clone());
        }
    }
    out
}

/// Actions called that `files` do not grant, as one message naming each and who called it.
fn ungranted(files: &[&str], calls: &Called) -> Option<String> {
    let grants: BTreeSet<String> = files.iter().flat_map(|f| granted(f)).collect();
    let missing: Vec<String> = calls
        .iter()
        .filter(|(action, _)| !grants.contains(*action))
        .map(|(action, runs)| format!("  {action} (called by: {})", join(runs)))
        .collect();
    let files = files
        .iter()
        .map(|f| format!("docs/iam/{f}"))
        .collect::<Vec<_>>();
    let verb = if files.len() == 1 { "does" } else { "do" };
    (!missing.is_empty()).then(|| {
        format!(
            "{} {verb} not grant these actions trailwatch called:\n{}",
            files.join(" and "),
            missing.join("\n")
        )
    })
}

/// Actions that only a run of several accounts calls: another account's event bus, read where
/// a rule forwards to it (`many_accounts_call_exactly_what_the_caller_and_plan_policies_grant`
/// shows it called).
const MANY_ACCOUNTS_ONLY: [&str; 1] = ["events:DescribeEventBus"];

/// Actions `file` grants that no run called, as one message naming each; for one account's
/// runs, but those only a run of several accounts calls.
fn unused(file: &str, calls: &Called, scenarios: &str) -> Option<String> {
    let one_account = !scenarios.starts_with("multi-account");
    let unused: Vec<String> = granted(file)
        .into_iter()
        .filter(|action| !calls.contains_key(action))
        .filter(|action| !(one_account && MANY_ACCOUNTS_ONLY.contains(&action.as_str())))
        .collect();
    (!unused.is_empty()).then(|| {
        format!(
            "docs/iam/{file} grants actions no {scenarios} scenario called (grant only what is called, or add the scenario that calls them): {}",
            unused.join(", ")
        )
    })
}

fn join(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join("; ")
}

/// Fails with every message at once.
fn assert_none(failures: Vec<Option<String>>) {
    let failures: Vec<String> = failures.into_iter().flatten().collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// A compliant account whose topic is encrypted with a customer-managed KMS key that lets
/// CloudWatch in (so the read asks KMS for the key and its policy).
fn kms_encrypted(acct: &Account) -> Value {
    let mut spec = compliant();
    spec["keys"] = json!([{"alias": "alerts", "policy": {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Owner", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{}:root", acct.id)},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "CloudWatch", "Effect": "Allow",
             "Principal": {"Service": "cloudwatch.amazonaws.com"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
        ],
    }}]);
    spec["topics"][0]["kms_key"] = json!("alias/alerts");
    spec
}

/// An account with more than a page of alarms, the IAM control's alarm missing (so the read
/// asks for alarms per metric).
fn many_alarms() -> Value {
    let mut spec = compliant();
    let mut alarms = vec![spec["alarms"][1].clone()];
    alarms.extend((0..110).map(|i| {
        json!({"name": format!("app-{i:03}"), "metric": format!("App{i}"), "topics": ["security-alerts"]})
    }));
    spec["alarms"] = json!(alarms);
    spec
}

/// An account with only a trail and, on its default bus, a rule for IAM's events (so the read
/// of the rules the open controls call for lists the rule's targets).
fn trail_with_rule() -> Value {
    let mut spec = trail_only();
    spec["rules"] = json!([{"name": "iam-changes", "pattern": {"source": ["aws.iam"]},
                            "topics": ["security-alerts"]}]);
    spec
}

/// The accounts whose reads take every path: (what it is, account, exit code of its plan).
fn scenario_accounts() -> Vec<(&'static str, Account, i32)> {
    let kms = Account::new();
    let spec = kms_encrypted(&kms);
    [
        ("a compliant account", Account::new(), compliant(), 0),
        (
            "an account with only a trail and an EventBridge rule",
            Account::new(),
            trail_with_rule(),
            2,
        ),
        (
            "a compliant account with a KMS-encrypted topic",
            kms,
            spec,
            0,
        ),
        (
            "an account with more than a page of alarms",
            Account::new(),
            many_alarms(),
            2,
        ),
    ]
    .into_iter()
    .map(|(name, acct, spec, code)| {
        acct.build(&spec);
        (name, acct, code)
    })
    .collect()
}

const NOTIFY: &[&str] = &["--notify", "email:sec@example.com"];

#[test]
fn plan_calls_exactly_what_the_plan_policy_grants() {
    let accounts = scenario_accounts();
    let mut runs = Vec::new();
    for (name, acct, code) in &accounts {
        let mut args = vec!["plan", "--controls", PAIR];
        args.extend_from_slice(NOTIFY);
        let name = format!("plan --notify of {name}");
        runs.push(record(&name, acct, RunAs::Profile, &args, *code));
    }
    let (_, acct, _) = &accounts[1];
    let file = acct.path().join("saved.plan");
    runs.push(record(
        "plan --out of an account with only a trail",
        acct,
        RunAs::Profile,
        &["plan", "--controls", PAIR, "--out", file.to_str().unwrap()],
        2,
    ));
    for run in &runs {
        assert!(run.roles.is_empty(), "{}: {:?}", run.name, run.roles);
    }
    let calls = called(runs.iter().map(|r| (r, &r.caller)));
    assert_none(vec![
        ungranted(&[PLAN_POLICY], &calls),
        unused(PLAN_POLICY, &calls, "plan"),
    ]);
}

#[test]
fn plan_security_hub_adds_exactly_what_its_policy_grants() {
    let acct = Account::new();
    acct.build(&trail_only());
    acct.build(&json!({ "security_hub": true }));
    let args = ["plan", "--controls", PAIR, "--security-hub"];
    // The findings exist before the waiver, so the recorded run suppresses one.
    let (code, _, stderr) = acct.run(&args);
    assert_eq!(code, 2, "{stderr}");
    std::fs::write(
        acct.path().join("trailwatch.toml"),
        format!(
            "[[waiver]]\ncontrol = \"{}\"\nreason = \"managed elsewhere\"\nexpires = {}\n",
            crate::CT,
            crate::support::in_days(30)
        ),
    )
    .unwrap();
    let run = record("plan --security-hub", &acct, RunAs::Profile, &args, 2);
    let calls = called([(&run, &run.caller)]);
    let hub_only: Called = calls
        .iter()
        .filter(|(action, _)| !granted(PLAN_POLICY).contains(*action))
        .map(|(a, r)| (a.clone(), r.clone()))
        .collect();
    assert_none(vec![
        ungranted(&[PLAN_POLICY, HUB_POLICY], &calls),
        unused(HUB_POLICY, &hub_only, "plan --security-hub"),
    ]);
}

#[test]
fn apply_calls_exactly_what_the_apply_policy_grants() {
    let accounts = scenario_accounts();
    let mut runs = Vec::new();
    for (name, acct, _) in &accounts {
        let mut args = vec!["apply", "--controls", PAIR, "--auto-approve"];
        args.extend_from_slice(NOTIFY);
        runs.push(record(
            &format!("apply --notify of {name}"),
            acct,
            RunAs::Profile,
            &args,
            0,
        ));
    }
    // Unasked, apply reads EventBridge rules only when they decide verdicts.
    let (name, acct, _) = &accounts[1];
    let accepted = ["--accept", "eventbridge", "--auto-approve"];
    let mut args = vec!["apply", "--controls", PAIR];
    args.extend_from_slice(&accepted);
    args.extend_from_slice(NOTIFY);
    runs.push(record(
        &format!("apply --accept eventbridge of {name}"),
        acct,
        RunAs::Profile,
        &args,
        0,
    ));
    // A saved plan (made without the proxy: making it is `plan`, checked above).
    let acct = Account::new();
    acct.build(&trail_only());
    let file = acct.path().join("saved.plan");
    let file = file.to_str().unwrap();
    let mut args = vec!["plan", "--controls", PAIR, "--out", file];
    args.extend_from_slice(NOTIFY);
    assert_eq!(acct.run(&args).0, 2);
    runs.push(record(
        "apply FILE of an account with only a trail",
        &acct,
        RunAs::Profile,
        &["apply", file],
        0,
    ));
    for run in &runs {
        assert!(run.roles.is_empty(), "{}: {:?}", run.name, run.roles);
    }
    let calls = called(runs.iter().map(|r| (r, &r.caller)));
    assert_none(vec![
        ungranted(&[APPLY_POLICY], &calls),
        unused(APPLY_POLICY, &calls, "apply"),
    ]);
}

#[test]
fn many_accounts_call_exactly_what_the_caller_and_plan_policies_grant() {
    let members = scenario_accounts();
    // A member whose rule forwards to the bus of another account of the run.
    let (member, security) = crate::eventbridge_rules::member_and_security(true);
    let list = members
        .iter()
        .map(|(_, a, _)| a.id.as_str())
        .chain([member.id.as_str(), security.id.as_str()])
        .collect::<Vec<_>>()
        .join(",");
    let role = ["--assume-role", "trailwatch-audit"];
    let mut args = vec!["plan", "--controls", PAIR, "--accounts", &list];
    args.extend_from_slice(&role);
    // The `base` keys' own account is not in the list: the caller only assumes roles.
    let accounts = record("plan --accounts", &members[0].1, RunAs::Base, &args, 2);

    let management = Account::new();
    let mut spec = compliant();
    spec["organization"] = json!({"accounts": ["dev", "prod"]});
    management.build(&spec);
    let mut args = vec!["plan", "--controls", PAIR, "--organization"];
    args.extend_from_slice(&role);
    // The management account is among the organization's: the caller reads it itself.
    let organization = record("plan --organization", &management, RunAs::Profile, &args, 2);

    let runs = [&accounts, &organization];
    for run in runs {
        assert!(
            !run.roles.is_empty(),
            "{}: no call as an assumed role",
            run.name
        );
    }
    let roles = called(runs.iter().map(|r| (*r, &r.roles)));
    let everyone = called(runs.iter().flat_map(|r| [(*r, &r.caller), (*r, &r.roles)]));
    assert_none(vec![
        ungranted(&[CALLER_POLICY], &called([(&accounts, &accounts.caller)])),
        // The management account is audited with the caller's own credentials.
        ungranted(
            &[CALLER_POLICY, PLAN_POLICY],
            &called([(&organization, &organization.caller)]),
        ),
        ungranted(&[PLAN_POLICY], &roles),
        unused(
            CALLER_POLICY,
            &called(runs.iter().map(|r| (*r, &r.caller))),
            "multi-account caller",
        ),
        unused(PLAN_POLICY, &everyone, "multi-account"),
    ]);
}

#[test]
fn apply_over_many_accounts_calls_what_the_caller_and_apply_policies_grant() {
    let (a, b) = (Account::new(), Account::new());
    a.build(&trail_only());
    b.build(&compliant());
    let list = format!("{},{}", a.id, b.id);
    let mut args = vec![
        "apply",
        "--controls",
        PAIR,
        "--accounts",
        &list,
        "--assume-role",
        "trailwatch-audit",
        "--auto-approve",
    ];
    args.extend_from_slice(NOTIFY);
    let run = record("apply --accounts", &a, RunAs::Base, &args, 0);
    assert!(
        run.roles.contains("logs:PutMetricFilter"),
        "{:?}",
        run.roles
    );
    assert_none(vec![
        ungranted(&[CALLER_POLICY], &called([(&run, &run.caller)])),
        ungranted(&[APPLY_POLICY], &called([(&run, &run.roles)])),
    ]);
}

#[test]
fn drill_adds_exactly_what_its_policy_grants() {
    let acct = Account::new();
    acct.build(&compliant());
    let args = ["drill", "--controls", PAIR, "--yes"];
    let run = record("drill", &acct, RunAs::Profile, &args, 0);
    // A control an EventBridge rule covers: its rule is tested with AWS's matcher.
    let covered = crate::drill::covered_by_a_rule();
    let args = ["drill", "--controls", IAM, "--accept", "eventbridge"];
    let rules_run = record("drill of a rule", &covered, RunAs::Profile, &args, 0);
    let calls = called([(&run, &run.caller), (&rules_run, &rules_run.caller)]);
    let drill_only: Called = calls
        .iter()
        .filter(|(action, _)| !granted(PLAN_POLICY).contains(*action))
        .map(|(a, r)| (a.clone(), r.clone()))
        .collect();
    assert_none(vec![
        ungranted(&[PLAN_POLICY, DRILL_POLICY], &calls),
        unused(DRILL_POLICY, &drill_only, "drill"),
    ]);
}

#[test]
fn backtest_adds_exactly_what_its_policy_grants() {
    let (acct, _) = crate::backtest::archived_account();
    let args = crate::backtest::BACKTEST_IAM;
    let run = record("backtest", &acct, RunAs::Profile, &args, 0);
    // A member of an organization trail reads the filters and alarms of the account that holds
    // the trail's log group through the role it assumes there.
    let (member, _) = crate::backtest::organization_member();
    let args = crate::backtest::member_backtest(&["--assume-role", "trailwatch-audit"]);
    let member_run = record("backtest of a member", &member, RunAs::Profile, &args, 0);
    assert!(
        !member_run.roles.is_empty(),
        "backtest of a member: no call as the assumed role"
    );
    let calls = called([(&run, &run.caller), (&member_run, &member_run.caller)]);
    let backtest_only: Called = calls
        .iter()
        .filter(|(action, _)| !granted(PLAN_POLICY).contains(*action))
        .map(|(a, r)| (a.clone(), r.clone()))
        // S3 calls KMS for the caller (an encrypted trail's files): no request shows it.
        .chain([(
            "kms:Decrypt".to_string(),
            BTreeSet::from(["S3, for an encrypted trail".to_string()]),
        )])
        .collect();
    assert_none(vec![
        ungranted(&[PLAN_POLICY, BACKTEST_POLICY], &calls),
        ungranted(&[PLAN_POLICY], &called([(&member_run, &member_run.roles)])),
        unused(BACKTEST_POLICY, &backtest_only, "backtest"),
    ]);
}
