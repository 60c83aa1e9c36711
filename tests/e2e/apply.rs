//! `trailwatch apply`: it writes what the plan showed, converges, and touches nothing else.

use serde_json::{json, Value};

use crate::support::{actions, codes, json_of, status, Account, FaultProxy};
use crate::{compliant, trail_only, CT, IAM, IAM_PATTERN, PAIR};

const NOTIFY: &[&str] = &["--notify", "email:sec@example.com"];

fn apply(acct: &Account, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["apply", "--controls", PAIR, "--auto-approve"];
    args.extend_from_slice(extra);
    acct.json(&args)
}

/// Resources that have nothing to do with the controls.
fn unrelated() -> Value {
    json!({
        "log_groups": [{"name": "cloudtrail/main"}, {"name": "app-logs"}],
        "filters": [
            {"log_group": "app-logs", "name": "errors", "pattern": "ERROR", "metric": "AppErrors", "namespace": "App"},
            {"log_group": "cloudtrail/main", "name": "console-logins", "pattern": "{ $.eventName = ConsoleLogin }", "metric": "Logins", "namespace": "Security"},
        ],
        "topics": [{"name": "app-pager", "subscriptions": [{"protocol": "email", "endpoint": "app@example.com"}]}],
        "alarms": [{"name": "app-errors", "metric": "AppErrors", "namespace": "App", "topics": ["app-pager"]}],
    })
}

fn entries<'a>(dump: &'a Value, kind: &str) -> &'a Vec<Value> {
    dump["us-east-1"][kind].as_array().unwrap()
}

fn named<'a>(items: &'a [Value], name: &str) -> Vec<&'a Value> {
    items.iter().filter(|i| i["name"] == name).collect()
}

#[test]
fn apply_fixes_an_account_with_only_a_trail_and_then_plan_is_clean() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, doc) = apply(&acct, NOTIFY);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        actions(&doc),
        vec![
            "put-metric-filter",
            "put-metric-filter",
            "create-topic",
            "subscribe",
            "put-metric-alarm",
            "put-metric-alarm"
        ]
    );
    for outcome in doc["outcomes"].as_array().unwrap() {
        assert_eq!(outcome["result"], "applied", "{outcome:#}");
    }
    assert_eq!(doc["verification"]["ok"], true);
    assert_eq!(status(&doc, IAM), "compliant");
    assert_eq!(status(&doc, CT), "compliant");

    // What apply wrote is really there, as planned.
    let dump = acct.dump(&[]);
    let topic = format!("arn:aws:sns:us-east-1:{}:trailwatch-cis-alarms", acct.id);
    let topics = entries(&dump, "topics");
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0]["arn"], topic.as_str());
    assert_eq!(topics[0]["subscriptions"][0][1], "sec@example.com");
    let alarm = named(entries(&dump, "alarms"), "trailwatch-iam-policy-changes")[0];
    assert_eq!(alarm["alarm_actions"], json!([topic]));
    assert_eq!(alarm["namespace"], "CISBenchmark");
    let filter = named(entries(&dump, "filters"), "trailwatch-iam-policy-changes")[0];
    assert_eq!(filter["pattern"], IAM_PATTERN);

    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(actions(&doc).is_empty());
}

#[test]
fn applying_twice_changes_nothing_the_second_time() {
    let acct = Account::new();
    acct.build(&trail_only());
    assert_eq!(apply(&acct, NOTIFY).0, 0);
    let before = acct.dump(&[]);
    let (code, doc) = apply(&acct, NOTIFY);
    assert_eq!(code, 0, "{doc:#}");
    assert!(actions(&doc).is_empty());
    assert!(doc["outcomes"].as_array().unwrap().is_empty());
    assert_eq!(acct.dump(&[]), before);
    let (code, text, _) = acct.run(&[
        "apply",
        "--controls",
        PAIR,
        "--auto-approve",
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 0);
    assert!(text.contains("No changes."), "{text}");
}

#[test]
fn unrelated_filters_alarms_topics_and_subscriptions_are_untouched() {
    let acct = Account::new();
    let mut spec = unrelated();
    spec["trails"] = trail_only()["trails"].clone();
    acct.build(&spec);
    let before = acct.dump(&[]);
    let (code, doc) = apply(&acct, NOTIFY);
    assert_eq!(code, 0, "{doc:#}");
    let after = acct.dump(&[]);
    for kind in ["filters", "alarms", "topics"] {
        for item in entries(&before, kind) {
            assert!(
                entries(&after, kind).contains(item),
                "{kind} entry changed or vanished: {item:#}"
            );
        }
    }
    // The only new things are the planned ones.
    assert_eq!(
        entries(&after, "filters").len(),
        entries(&before, "filters").len() + 2
    );
    assert_eq!(
        entries(&after, "alarms").len(),
        entries(&before, "alarms").len() + 2
    );
    assert_eq!(
        entries(&after, "topics").len(),
        entries(&before, "topics").len() + 1
    );
}

#[test]
fn updating_an_alarm_keeps_the_users_other_actions() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["topics"] = json!([
        {"name": "security-alerts", "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}]},
        {"name": "ops", "subscriptions": []},
    ]);
    spec["alarms"][0]["actions_enabled"] = json!(false);
    spec["alarms"][0]["ok_actions"] = json!([format!("arn:aws:sns:us-east-1:{}:ops", acct.id)]);
    acct.build(&spec);
    let (code, doc) = apply(&acct, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(actions(&doc), vec!["put-metric-alarm"]);
    let dump = acct.dump(&[]);
    let alarm = named(entries(&dump, "alarms"), "iam-changes")[0];
    assert_eq!(alarm["actions_enabled"], true);
    assert_eq!(
        alarm["alarm_actions"],
        json!([format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)])
    );
    assert_eq!(
        alarm["ok_actions"],
        json!([format!("arn:aws:sns:us-east-1:{}:ops", acct.id)])
    );
}

#[test]
fn after_writing_apply_reads_again_only_what_it_wrote() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"][0]["actions_enabled"] = json!(false);
    acct.build(&spec);
    let proxy = FaultProxy::recording();
    let args = ["apply", "--controls", PAIR, "--auto-approve", "--json"];
    let (code, doc) = json_of(acct.trailwatch_via(&proxy).args(args));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(actions(&doc), vec!["put-metric-alarm"]);
    // Judged on the alarm as read after the write: before it, its actions were off.
    assert_eq!(doc["verification"]["ok"], true, "{doc:#}");
    assert_eq!(status(&doc, IAM), "compliant");
    let calls: Vec<String> = proxy.calls().into_iter().map(|c| c.action).collect();
    let write = calls.iter().position(|c| c == "cloudwatch:PutMetricAlarm");
    let after = &calls[write.expect("the alarm was written") + 1..];
    assert_eq!(after, ["cloudwatch:DescribeAlarms"], "{calls:?}");
    // The plan's read, and the check's before writing.
    let trails = calls.iter().filter(|c| *c == "cloudtrail:DescribeTrails");
    assert_eq!(trails.count(), 2, "{calls:?}");
}

#[test]
fn apply_without_approval_on_a_pipe_refuses_and_writes_nothing() {
    let acct = Account::new();
    acct.build(&trail_only());
    let before = acct.dump(&[]);
    let out = acct
        .trailwatch()
        .args(["apply", "--notify", "email:sec@example.com"])
        .write_stdin("yes\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pass `--auto-approve`"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(acct.dump(&[]), before);
}

#[test]
fn apply_without_an_endpoint_writes_the_rest_and_reports_what_is_missing() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, doc) = apply(&acct, &[]);
    assert_eq!(
        code, 1,
        "nothing is subscribed, so the account does not comply: {doc:#}"
    );
    assert_eq!(doc["verification"]["ok"], false);
    assert_eq!(codes(&doc, IAM), vec!["topic-no-subscriber"]);
    // A second apply with an endpoint finishes the job with one call.
    let (code, doc) = apply(&acct, NOTIFY);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(actions(&doc), vec!["subscribe"]);
}

#[test]
fn apply_with_a_named_topic_creates_it_once_for_both_controls() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, doc) = apply(
        &acct,
        &[
            "--topic-name",
            "cis-alarms",
            "--notify",
            "email:sec@example.com",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    let dump = acct.dump(&[]);
    let topics = entries(&dump, "topics");
    assert_eq!(topics.len(), 1);
    assert_eq!(
        topics[0]["arn"],
        format!("arn:aws:sns:us-east-1:{}:cis-alarms", acct.id)
    );
}

/// Runs `trailwatch apply` on a pseudo-terminal (util-linux `script`), answering the prompt.
fn apply_on_a_terminal(acct: &Account, answer: &str) -> (i32, String) {
    let args = format!("--controls {PAIR} --notify email:sec@example.com");
    on_a_terminal(acct, &args, &[], answer)
}

/// Runs `trailwatch apply ARGS` for `acct` on a pseudo-terminal (util-linux `script`), with
/// these environment variables too, answering the prompt.
pub fn on_a_terminal(
    acct: &Account,
    args: &str,
    env: &[(&str, &str)],
    answer: &str,
) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("trailwatch");
    let command = format!("{} apply {args}", bin.display());
    let mut script = std::process::Command::new("script");
    acct.configure(&mut script);
    script.env("NO_COLOR", "1").envs(env.iter().copied());
    let mut child = script
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the command on a pseudo-terminal");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut screen = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut screen).unwrap();
        screen
    });
    // The answer waits in the terminal's input buffer until the prompt reads it; stdin stays
    // open until the command ends, so `script` does not hang up the terminal early.
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, format!("{answer}\n").as_bytes()).unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

#[test]
fn on_a_terminal_apply_asks_and_only_yes_applies() {
    let acct = Account::new();
    acct.build(&trail_only());
    let before = acct.dump(&[]);
    let (code, screen) = apply_on_a_terminal(&acct, "no");
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("Only 'yes' will be accepted"), "{screen}");
    assert!(
        screen.contains("apply cancelled; nothing was changed"),
        "{screen}"
    );
    assert_eq!(acct.dump(&[]), before);

    let (code, screen) = apply_on_a_terminal(&acct, "yes");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Apply complete"), "{screen}");
    assert_ne!(acct.dump(&[]), before);
}

#[test]
fn a_foreign_alarm_with_the_wanted_name_is_left_alone_unless_adopted() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"][0]["name"] = json!("trailwatch-iam-policy-changes");
    spec["alarms"][0]["metric"] = json!("SomethingElse");
    spec["alarms"][0]["ok_actions"] =
        json!([format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)]);
    acct.build(&spec);
    let (code, doc) = apply(&acct, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("--adopt")));
    let dump = acct.dump(&[]);
    let theirs = named(entries(&dump, "alarms"), "trailwatch-iam-policy-changes")[0];
    assert_eq!(theirs["metric"], "SomethingElse", "left alone");
    assert_eq!(
        named(entries(&dump, "alarms"), "trailwatch-iam-policy-changes-2")[0]["metric"],
        "IAMPolicyChanges"
    );

    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"][0]["name"] = json!("trailwatch-iam-policy-changes");
    spec["alarms"][0]["metric"] = json!("SomethingElse");
    spec["alarms"][0]["ok_actions"] =
        json!([format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)]);
    acct.build(&spec);
    let (code, doc) = apply(&acct, &["--adopt"]);
    assert_eq!(code, 0, "{doc:#}");
    let dump = acct.dump(&[]);
    let adopted = named(entries(&dump, "alarms"), "trailwatch-iam-policy-changes")[0];
    assert_eq!(adopted["metric"], "IAMPolicyChanges");
    assert_eq!(
        adopted["ok_actions"],
        json!([format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)])
    );
    assert!(named(entries(&dump, "alarms"), "trailwatch-iam-policy-changes-2").is_empty());
}

#[test]
fn a_created_topic_lets_only_the_accounts_alarms_publish() {
    let acct = Account::new();
    acct.build(&trail_only());
    assert_eq!(apply(&acct, NOTIFY).0, 0);
    let dump = acct.dump(&[]);
    let statements = dump["us-east-1"]["topics"][0]["policy"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    let cloudwatch = statements
        .iter()
        .find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com")
        .unwrap_or_else(|| panic!("{statements:#?}"));
    assert_eq!(cloudwatch["Action"], "sns:Publish");
    assert_eq!(
        cloudwatch["Condition"]["ArnLike"]["aws:SourceArn"],
        format!("arn:aws:cloudwatch:us-east-1:{}:alarm:*", acct.id)
    );
}

#[test]
fn a_topic_that_cannot_deliver_is_reported_and_not_changed() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["topics"][0]["policy"] = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{}:root", acct.id)},
        "Action": "sns:Publish",
        "Resource": format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)
    }]});
    acct.build(&spec);
    let before = acct.dump(&[]);
    let (code, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 2);
    assert_eq!(codes(&doc, IAM)[0], "topic-policy-blocks-cloudwatch");
    // A new topic is planned; the existing topic's policy is never touched.
    assert!(actions(&doc).contains(&"create-topic"), "{doc:#}");
    let (code, doc) = apply(&acct, NOTIFY);
    assert_eq!(code, 0, "{doc:#}");
    let after = acct.dump(&[]);
    let original = |d: &Value| {
        d["us-east-1"]["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["arn"].as_str().unwrap().ends_with(":security-alerts"))
            .unwrap()["policy"]
            .clone()
    };
    assert_eq!(original(&after), original(&before));
}

#[test]
fn a_topic_key_that_does_not_let_cloudwatch_in_is_a_finding() {
    let key_policy = |with_cloudwatch: bool, account: &str| {
        let mut statements = vec![json!({
            "Sid": "Owner", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
            "Action": "kms:*", "Resource": "*"
        })];
        if with_cloudwatch {
            statements.push(json!({
                "Sid": "CloudWatch", "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"
            }));
        }
        json!({"Version": "2012-10-17", "Statement": statements})
    };
    for (with_cloudwatch, expected) in [(false, "non_compliant"), (true, "compliant")] {
        let acct = Account::new();
        let mut spec = compliant();
        spec["keys"] =
            json!([{"alias": "alerts", "policy": key_policy(with_cloudwatch, &acct.id)}]);
        spec["topics"][0]["kms_key"] = json!("alias/alerts");
        acct.build(&spec);
        let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
        assert_eq!(status(&doc, IAM), expected, "{doc:#}");
        if !with_cloudwatch {
            assert_eq!(codes(&doc, IAM)[0], "topic-key-blocks-cloudwatch");
        }
    }
    let acct = Account::new();
    let mut spec = compliant();
    spec["topics"][0]["kms_key"] = json!("alias/aws/sns");
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(codes(&doc, IAM)[0], "topic-aws-managed-key", "{doc:#}");
}

#[test]
fn an_existing_default_topic_no_alarm_notifies_yet_is_read_when_needed_and_reused() {
    // A trail and trailwatch's default topic with its subscriber (say, from an apply that was
    // interrupted before its alarms): the plan reuses the topic instead of creating it.
    let acct = Account::new();
    let mut spec = trail_only();
    spec["topics"] = json!([
        {"name": "trailwatch-cis-alarms", "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}]}
    ]);
    acct.build(&spec);
    let (code, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        actions(&doc),
        vec![
            "put-metric-filter",
            "put-metric-filter",
            "put-metric-alarm",
            "put-metric-alarm"
        ],
        "{doc:#}"
    );
    let topic = format!("arn:aws:sns:us-east-1:{}:trailwatch-cis-alarms", acct.id);
    assert!(
        doc["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .starts_with(&format!("reusing topic `{topic}`"))),
        "{doc:#}"
    );
    assert_eq!(doc["actions"][2]["after"]["alarm_actions"], json!([topic]));
}

/// What an interrupted apply leaves: trailwatch's root-usage filter and no alarm. Root usage
/// catches IAM policy changes made by root, but the filter is root usage's and no other's.
#[test]
fn a_filter_left_for_one_control_is_never_rewritten_for_another() {
    const ROOT_PATTERN: &str = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }";
    let acct = Account::new();
    let mut spec = trail_only();
    spec["filters"] = json!([{"log_group": "cloudtrail/main", "name": "trailwatch-root-account-usage",
        "pattern": ROOT_PATTERN, "metric": "RootAccountUsage"}]);
    acct.build(&spec);
    let controls = ["--controls", "iam-policy-changes,root-account-usage"];
    let (_, doc) = acct.json(&[&["plan"][..], &controls, NOTIFY].concat());
    let filters = crate::support::actions_of(&doc, "put-metric-filter");
    assert_eq!(filters.len(), 1, "{doc:#}");
    assert_eq!(filters[0]["after"]["name"], "trailwatch-iam-policy-changes");
    assert_eq!(filters[0]["before"], Value::Null);
    let apply_args = [&["apply", "--auto-approve"][..], &controls, NOTIFY].concat();
    let (code, doc) = acct.json(&apply_args);
    assert_eq!(code, 0, "{doc:#}");
    let (_, doc) = acct.json(&[&["plan"][..], &controls, NOTIFY].concat());
    assert!(actions(&doc).is_empty(), "{doc:#}");
    let dump = acct.dump(&["us-east-1"]);
    let root = named(entries(&dump, "filters"), "trailwatch-root-account-usage");
    assert_eq!(root.len(), 1);
    assert_eq!(root[0]["pattern"], ROOT_PATTERN);
}

/// The common hardening of a topic policy denies publishing without TLS; CloudWatch publishes
/// over TLS, so the chain holds. `Bool` on a key trailwatch cannot know stays "cannot tell".
#[test]
fn a_topic_hardened_to_tls_only_still_delivers() {
    let policy = |acct: &Account, key: &str| {
        let arn = format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id);
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "CloudWatch", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
             "Action": "sns:Publish", "Resource": arn},
            {"Sid": "Hardening", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": arn,
             "Condition": {"Bool": {key: "false"}}},
        ]})
    };
    let acct = Account::new();
    let mut spec = compliant();
    spec["topics"][0]["policy"] = policy(&acct, "aws:SecureTransport");
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(status(&doc, IAM), "compliant");

    let other = Account::new();
    let mut spec = compliant();
    spec["topics"][0]["policy"] = policy(&other, "aws:MultiFactorAuthPresent");
    other.build(&spec);
    let (_, doc) = other.json(&["plan", "--controls", PAIR]);
    assert_eq!(status(&doc, IAM), "error", "{doc:#}");
    assert_eq!(codes(&doc, IAM)[0], "topic-policy-unclear");
}

/// A confirmed subscriber that is told nothing: SNS failed every notification of the last day.
#[test]
fn a_topic_whose_deliveries_fail_is_reported_and_partial_failures_warn() {
    for (deliveries, status_wanted, code_wanted, exit) in [
        (
            json!({"delivered": 0, "failed": 3}),
            "non_compliant",
            "topic-deliveries-failing",
            2,
        ),
        (
            json!({"delivered": 5, "failed": 1}),
            "compliant",
            "topic-deliveries-partly-failing",
            0,
        ),
    ] {
        let acct = Account::new();
        let mut spec = compliant();
        spec["topics"][0]["deliveries"] = deliveries;
        acct.build(&spec);
        let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
        assert_eq!(code, exit, "{doc:#}");
        assert_eq!(status(&doc, IAM), status_wanted, "{doc:#}");
        assert_eq!(codes(&doc, IAM), vec![code_wanted]);
        assert!(actions(&doc).is_empty(), "{doc:#}");
    }
}
