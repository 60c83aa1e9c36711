//! The command-line contract: bad input gives one clear line and exit 1 without writing; the
//! JSON document's shape; exit codes.

use std::time::Duration;

use crate::support::{each, Account};
use crate::{trail_only, PAIR};

/// Runs a command that must fail: exit 1, one line on stderr starting with `error: ` and
/// containing `expect`, nothing on stdout. Says what differed, naming the command, if not.
fn refusal_problem(acct: &Account, args: &[&str], expect: &str) -> Option<String> {
    let (code, stdout, stderr) = acct.run(args);
    let mut problems = Vec::new();
    if code != 1 {
        problems.push(format!("exit {code}, not 1"));
    }
    if stderr.trim().lines().count() != 1 || !stderr.starts_with("error: ") {
        problems.push("stderr is not one `error: ` line".to_string());
    }
    if !stderr.contains(expect) {
        problems.push(format!("stderr lacks `{expect}`"));
    }
    if !stdout.is_empty() {
        problems.push("stdout is not empty".to_string());
    }
    (!problems.is_empty()).then(|| {
        let mut text = format!(
            "{args:?}: {}\n    stderr: {}",
            problems.join("; "),
            stderr.trim()
        );
        if !stdout.is_empty() {
            text.push_str(&format!("\n    stdout: {}", stdout.trim()));
        }
        text
    })
}

/// A bad input: the arguments, and a text its one-line error must contain.
type BadInput = (Vec<String>, &'static str);

fn bad(args: &[&str], expect: &'static str) -> BadInput {
    (args.iter().map(|a| a.to_string()).collect(), expect)
}

/// Bad selections of controls, benchmark, level and match mode.
fn bad_selections() -> Vec<BadInput> {
    vec![
        bad(
            &["plan", "--controls", "root-usage"],
            "unknown control `root-usage` in cis-7.0; valid controls: unauthorized-api-calls (5.1)",
        ),
        bad(
            &["apply", "--auto-approve", "--controls", "9.9"],
            "unknown control `9.9`",
        ),
        bad(
            &["plan", "--controls", "iam-policy-changes,root"],
            "unknown control `root`",
        ),
        bad(
            &["apply", "--auto-approve", "--controls", "3.4"],
            "unknown control `3.4` in cis-7.0",
        ),
        bad(
            &["plan", "--benchmark", "cis-9.9"],
            "unknown benchmark `cis-9.9`; valid benchmarks: cis-1.2",
        ),
        bad(
            &["plan", "--benchmark", "cis-5"],
            "unknown benchmark `cis-5`",
        ),
        bad(
            &[
                "apply",
                "--auto-approve",
                "--benchmark",
                "cis-1.2",
                "--controls",
                "organizations-changes",
            ],
            "control `organizations-changes` is not part of cis-1.2",
        ),
        bad(
            &["plan", "--benchmark", "cis-5.0", "--controls", "5.4"],
            "unknown control `5.4` in cis-5.0",
        ),
        bad(
            &[
                "apply",
                "--auto-approve",
                "--level",
                "1",
                "--controls",
                "unauthorized-api-calls",
            ],
            "no control of cis-7.0 matches the selection",
        ),
        bad(&["plan", "--level", "3"], "--level"),
        bad(&["plan", "--level", "x"], "--level"),
        bad(&["plan", "--match", "fuzzy"], "--match"),
    ]
}

/// Other bad flags and patterns.
fn bad_flags() -> Vec<BadInput> {
    vec![
        bad(
            &["plan", "--frobnicate"],
            "unexpected argument '--frobnicate'",
        ),
        bad(
            &["plan", "--namespace", ""],
            "not a usable metric namespace",
        ),
        bad(
            &["plan", "--namespace", "AWS/Logs"],
            "not a usable metric namespace",
        ),
        bad(&["plan", "--endpoint-url", "localhost"], "not a URL"),
        bad(
            &["plan", "--endpoint-url", "ftp://127.0.0.1:21"],
            "not a URL",
        ),
        bad(
            &["pattern", "test", "{ $.eventName = }"],
            "the pattern has a syntax error at column 17",
        ),
        bad(
            &["pattern", "explain", "{ $.a IS NOT NULL }"],
            "`IS NOT` is not supported",
        ),
    ]
}

/// Bad `--notify` endpoints.
fn bad_endpoints() -> Vec<BadInput> {
    let notify =
        |endpoint: &str, expect| bad(&["apply", "--auto-approve", "--notify", endpoint], expect);
    vec![
        notify("security@example.com", "PROTOCOL:ENDPOINT"),
        bad(
            &[
                "apply",
                "--controls",
                PAIR,
                "--auto-approve",
                "--notify",
                "pager:x",
            ],
            "unknown protocol `pager`",
        ),
        bad(
            &[
                "apply",
                "--controls",
                PAIR,
                "--auto-approve",
                "--notify",
                "email:nobody",
            ],
            "not a valid email endpoint",
        ),
        notify("email:", "not a valid email endpoint"),
        notify(
            "https:http://hooks.example.com",
            "not a valid https endpoint",
        ),
        notify("sqs:my-queue", "not a valid sqs endpoint"),
        notify("sms:", "not a valid sms endpoint"),
    ]
}

/// Bad `--topic-arn` and `--topic-name` values, some only known bad once the account is read.
fn bad_topics(account: &str) -> Vec<BadInput> {
    let arn = |arn: &str, expect| bad(&["apply", "--auto-approve", "--topic-arn", arn], expect);
    let name = |name: &str| {
        bad(
            &["apply", "--auto-approve", "--topic-name", name],
            "not a valid SNS topic name",
        )
    };
    vec![
        arn("arn:aws:sns:us-east-1:12:x", "not an SNS topic ARN"),
        arn("security-alerts", "not an SNS topic ARN"),
        arn(
            "arn:aws:sqs:us-east-1:123456789012:q",
            "not an SNS topic ARN",
        ),
        arn(
            "arn:aws:sns:us-east-1:123456789012:",
            "not an SNS topic ARN",
        ),
        bad(
            &[
                "apply",
                "--controls",
                PAIR,
                "--auto-approve",
                "--topic-name",
                "bad name",
            ],
            "not a valid SNS topic name",
        ),
        name(""),
        name(&"t".repeat(257)),
        bad(
            &[
                "apply",
                "--auto-approve",
                "--topic-name",
                "a",
                "--topic-arn",
                "arn:aws:sns:us-east-1:123456789012:b",
            ],
            "cannot be used with",
        ),
        arn(
            &format!("arn:aws:sns:us-east-1:{account}:missing"),
            "does not exist in account",
        ),
        arn(
            &format!("arn:aws:sns:eu-west-1:{account}:x"),
            "alarms can only notify topics in their own region",
        ),
    ]
}

#[test]
fn bad_input_is_one_line_exit_1_and_no_writes() {
    let acct = Account::new();
    acct.build(&trail_only());
    let mut cases = bad_selections();
    cases.extend(bad_flags());
    cases.extend(bad_endpoints());
    cases.extend(bad_topics(&acct.id));
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let before = acct.dump(&[]);
    // Every case runs, so one failure shows all the inputs that are not refused as they should.
    let problems: Vec<String> = cases
        .iter()
        .filter_map(|(args, expect)| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            refusal_problem(&acct, &args, expect)
        })
        .collect();
    assert!(
        problems.is_empty(),
        "{} of {} bad inputs were not refused as expected (exit 1, one `error: ` line with the expected text, nothing on stdout):\n  {}",
        problems.len(),
        cases.len(),
        problems.join("\n  ")
    );
    assert_eq!(
        acct.dump(&[]),
        before,
        "a refused command wrote to the account"
    );
}

#[test]
fn an_error_quotes_at_most_a_line_of_a_huge_value() {
    let huge = "a".repeat(100_000);
    let value = format!("ab\"{}", "a".repeat(900));
    let pattern = format!("{{ $.x = {value} }}");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["plan", "--topic-name", &huge],
            "is not a valid SNS topic name",
        ),
        (vec!["plan", "--controls", &huge], "unknown control `"),
        (vec!["plan", "--notify", &huge], "is not PROTOCOL:ENDPOINT"),
        (vec!["plan", "--region", &huge], "unknown AWS region `"),
        (
            vec!["plan", "--accounts", &huge],
            "is not an AWS account id",
        ),
        (vec!["plan", "--endpoint-url", &huge], "is not a URL"),
        (vec!["plan", "--output", &huge], "unknown output format `"),
        (vec!["backtest", "--since", &huge, "."], "is not a duration"),
        (
            vec!["backtest", "--input-format", &huge, "."],
            "unknown input format `",
        ),
        (
            vec!["controls", "--benchmark", &huge],
            "unknown benchmark `",
        ),
        (
            vec!["pattern", "explain", &huge],
            "more than AWS allows at column 1025: 100000 characters, where AWS allows 1024",
        ),
        (vec!["pattern", "explain", &pattern], "found `ab\"aaa"),
    ];
    let acct = Account::new();
    for (args, expect) in cases {
        let line = error_line(acct.trailwatch().args(&args));
        // A value is shown by its start and end (with its length, where trailwatch words the
        // message); the 100,000-character pattern only by its length.
        let shown = line.contains('…') || args[1] == "explain";
        assert!(
            line.contains(expect) && shown && !line.contains(&"a".repeat(61)) && line.len() < 1000,
            "{} {}: {line:.2000}",
            args[0],
            args[1]
        );
    }
}

#[test]
fn plan_exit_codes_follow_terraforms_detailed_exit_code() {
    let acct = Account::new();
    acct.build(&trail_only());
    assert_eq!(acct.run(&["plan", "--controls", PAIR]).0, 2);
    assert_eq!(
        acct.run(&[
            "apply",
            "--controls",
            PAIR,
            "--auto-approve",
            "--notify",
            "email:a@example.com"
        ])
        .0,
        0
    );
    assert_eq!(acct.run(&["plan", "--controls", PAIR]).0, 0);
}

#[test]
fn the_json_plan_carries_account_and_region_on_every_entry() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 2);
    assert_eq!(doc["schema_version"], 1);
    for c in doc["controls"].as_array().unwrap() {
        assert_eq!(c["account_id"], acct.id.as_str());
        assert!(c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["message"].is_string()));
    }
    let actions = doc["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 6);
    for (i, a) in actions.iter().enumerate() {
        assert_eq!(a["number"], i + 1);
        assert_eq!(a["account_id"], acct.id.as_str());
        assert_eq!(a["region"], "us-east-1");
        assert!(a["control_ids"].as_array().is_some_and(|c| !c.is_empty()));
        assert!(a["after"].is_object());
        assert!(a["reason"].is_string());
    }
}

#[test]
fn controls_lists_each_versions_catalog() {
    let acct = Account::new();
    let (code, doc) = acct.json(&["controls"]);
    assert_eq!(code, 0);
    assert_eq!(doc["benchmark"], "cis-7.0");
    let ids = each(&doc, "controls", "id");
    assert_eq!(ids.len(), 16, "15 CIS controls, then trailwatch's own");
    assert_eq!(ids[0], "unauthorized-api-calls");
    assert_eq!(ids[14], "organizations-changes");
    assert_eq!(ids[15], "monitoring-changes");
    assert_eq!(doc["controls"][15]["standard"], "trailwatch");
    assert!(doc["controls"][15]["cis_id"].is_null());
    assert_eq!(doc["controls"][3]["cis_id"], "5.4");
    let (_, doc) = acct.json(&["controls", "--benchmark", "cis-1.2"]);
    assert_eq!(
        each(&doc, "controls", "id").len(),
        15,
        "no Organizations control in v1.2; trailwatch's own in every version"
    );
    assert_eq!(doc["controls"][3]["cis_id"], "3.4");
    let (code, text, _) = acct.run(&["controls", "--benchmark", "cis-5.0"]);
    assert_eq!(code, 0);
    assert!(text.contains("15 controls of cis-5.0"), "{text}");
    assert!(text.contains("4.10   security-group-changes"), "{text}");
    assert!(
        text.contains("trailwatch's own controls (part of no CIS version")
            && text.contains("-      monitoring-changes"),
        "{text}"
    );
}

/// Runs a prepared command that must fail before touching AWS: exit 1, nothing on stdout, one
/// line on stderr; returns that line.
fn error_line(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(stderr.lines().count(), 1, "one line expected: {stderr}");
    stderr
}

#[test]
fn an_unreachable_endpoint_fails_fast_with_a_clear_error() {
    let acct = Account::new();
    let args = ["plan", "--endpoint-url", "http://127.0.0.1:9"];
    let line = error_line(acct.trailwatch().args(args));
    assert_eq!(
        line,
        "error: cannot reach AWS at http://127.0.0.1:9: connection refused; check the network, `--endpoint-url` and `AWS_ENDPOINT_URL`"
    );
    // "Fast" without a clock: the AWS SDK's own log of the same run shows that each of the
    // three first calls, made at once (sts:GetCallerIdentity, cloudtrail:DescribeTrails and,
    // beside them, account:ListRegions for the EventBridge rules) stopped after the 3
    // configured attempts, and that between attempts it waited only the standard retry's
    // jittered backoff (at most 1 s, then 2 s), not a connect or attempt timeout.
    let out = acct
        .trailwatch()
        .env("RUST_LOG", "aws_smithy_runtime=debug")
        .args(args)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    let gave_up = log
        .matches("not retrying because we are out of attempts attempts=3 max_attempts=3")
        .count();
    assert_eq!(gave_up, 3, "three calls, 3 attempts each: {log}");
    let waits: Vec<Duration> = log
        .lines()
        .filter_map(|l| l.split("delaying for ").nth(1))
        .map(|d| debug_duration(d.trim()))
        .collect();
    assert_eq!(waits.len(), 3 * 2, "a backoff before each retry: {log}");
    assert!(
        waits.iter().all(|w| *w <= Duration::from_secs(2)),
        "backoffs {waits:?}"
    );
    assert!(!log.contains("timed out"), "{log}");
}

/// A `Duration` from its `Debug` text, such as `1.5s`, `60.41ms`, `250µs` or `0ns`.
fn debug_duration(text: &str) -> Duration {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or_else(|| panic!("no unit in `{text}`"));
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().unwrap_or_else(|e| panic!("`{text}`: {e}"));
    let seconds = match unit {
        "s" => number,
        "ms" => number / 1e3,
        "µs" => number / 1e6,
        "ns" => number / 1e9,
        _ => panic!("unknown unit in `{text}`"),
    };
    Duration::from_secs_f64(seconds)
}

#[test]
fn a_missing_region_is_reported() {
    let acct = Account::new();
    let empty = acct.path().join("empty-config");
    let line = error_line(
        acct.trailwatch()
            .env("AWS_PROFILE", "base")
            .env("AWS_CONFIG_FILE", &empty)
            .arg("plan"),
    );
    assert!(line.contains("profile `base` gives no region"), "{line}");
    let line = error_line(
        acct.trailwatch()
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", &empty)
            .arg("plan"),
    );
    assert!(
        line.contains("no AWS region is configured; pass `--region"),
        "{line}"
    );
}

#[test]
fn missing_credentials_are_reported_with_what_to_do() {
    let acct = Account::new();
    let none = acct.path().join("none");
    let line = error_line(
        acct.trailwatch()
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", &none)
            .env("AWS_SHARED_CREDENTIALS_FILE", &none)
            .args(["plan", "--region", "us-east-1"]),
    );
    assert!(
        line.contains("no usable AWS credentials; set `AWS_PROFILE`"),
        "{line}"
    );
}
