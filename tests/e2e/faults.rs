//! Apply under faults, through a fault-injecting proxy in front of the local server: a failure
//! at any single step is reported, dependants are skipped, independent actions still run, and
//! running apply again converges.

use serde_json::Value;

use crate::support::{actions, json_of, Account, FaultProxy};
use crate::{trail_only, PAIR};

/// `apply` of the usual pair of controls, every call going through `proxy`.
fn apply_via(acct: &Account, proxy: &FaultProxy) -> (i32, Value) {
    json_of(acct.trailwatch_via(proxy).args([
        "apply",
        "--controls",
        PAIR,
        "--auto-approve",
        "--notify",
        "email:sec@example.com",
        "--json",
    ]))
}

fn outcomes(doc: &Value) -> Vec<(String, String)> {
    doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["action"].as_str().unwrap().to_string(),
                o["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The error of the failed outcome of an apply document.
fn failed_error(doc: &Value) -> String {
    let outcomes = doc["outcomes"].as_array().unwrap();
    let failed = outcomes.iter().find(|o| o["result"] == "failed").unwrap();
    failed["error"].as_str().unwrap().to_string()
}

#[test]
fn a_failure_at_each_step_is_reported_and_the_next_apply_converges() {
    for (operation, failed_action) in [
        ("PutMetricFilter", "put-metric-filter"),
        ("CreateTopic", "create-topic"),
        ("Subscribe", "subscribe"),
        ("PutMetricAlarm", "put-metric-alarm"),
    ] {
        let acct = Account::new();
        acct.build(&trail_only());
        let proxy = FaultProxy::new(operation, 1, "AccessDenied");
        let (code, doc) = apply_via(&acct, &proxy);
        assert_eq!(code, 1, "{operation}");
        let results = outcomes(&doc);
        let failed: Vec<&(String, String)> =
            results.iter().filter(|(_, r)| r == "failed").collect();
        assert_eq!(failed.len(), 1, "{operation}: {results:?}");
        assert_eq!(failed[0].0, failed_action, "{operation}");
        let error = failed_error(&doc);
        assert!(
            error.contains("was denied") && error.contains("grant `"),
            "{operation}: {error}"
        );
        match operation {
            // The first filter's alarm cannot run; the other control's filter and alarm still do.
            "PutMetricFilter" => {
                assert_eq!(
                    results.iter().filter(|(_, r)| r == "skipped").count(),
                    1,
                    "{results:?}"
                );
                assert_eq!(
                    results
                        .iter()
                        .filter(|(a, r)| a == "put-metric-alarm" && r == "applied")
                        .count(),
                    1
                );
            }
            // Without the topic, nothing that notifies it runs: the subscription and both alarms.
            "CreateTopic" => {
                assert_eq!(
                    results.iter().filter(|(_, r)| r == "skipped").count(),
                    3,
                    "{results:?}"
                );
                assert_eq!(
                    results
                        .iter()
                        .filter(|(a, r)| a == "put-metric-filter" && r == "applied")
                        .count(),
                    2
                );
            }
            _ => assert!(results.iter().all(|(_, r)| r != "skipped"), "{results:?}"),
        }
        drop(proxy);

        // Without the fault, apply finishes the job and the account complies.
        let (code, doc) = acct.json(&[
            "apply",
            "--controls",
            PAIR,
            "--auto-approve",
            "--notify",
            "email:sec@example.com",
        ]);
        assert_eq!(code, 0, "{operation}: {doc:#}");
        assert!(!actions(&doc).is_empty(), "{operation}");
        let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
        assert_eq!(code, 0, "{operation}: {doc:#}");
    }
}

#[test]
fn throttling_is_retried_and_succeeds() {
    let acct = Account::new();
    acct.build(&trail_only());
    // Two throttled attempts, then the call goes through: the SDK's retries absorb it.
    let proxy = FaultProxy::new("PutMetricAlarm", 2, "Throttling");
    let (code, doc) = apply_via(&acct, &proxy);
    assert_eq!(code, 0, "{doc:#}");
    assert!(outcomes(&doc).iter().all(|(_, r)| r == "applied"));
    let put_alarms = proxy
        .calls()
        .iter()
        .filter(|c| c.action == "cloudwatch:PutMetricAlarm")
        .count();
    assert_eq!(proxy.faults(), 2, "the proxy throttled twice");
    // Both alarms were written, and each throttled request was sent again.
    assert_eq!(put_alarms, 2 + 2, "PutMetricAlarm requests");
}

#[test]
fn a_denied_read_is_reported_as_an_error_naming_the_action() {
    let acct = Account::new();
    acct.build(&trail_only());
    let proxy = FaultProxy::new("DescribeMetricFilters", 1, "AccessDenied");
    let out = acct
        .trailwatch_via(&proxy)
        .args(["plan", "--controls", PAIR, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in doc["controls"].as_array().unwrap() {
        assert_eq!(c["status"], "error", "{c:#}");
        assert!(c["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("logs:DescribeMetricFilters"));
        assert_eq!(
            c["findings"][0]["hint"],
            "grant `logs:DescribeMetricFilters` to the identity trailwatch runs as"
        );
    }
    assert!(actions(&doc).is_empty());
}

#[test]
fn expired_credentials_say_to_refresh_them() {
    let acct = Account::new();
    let proxy = FaultProxy::new("GetCallerIdentity", 1, "ExpiredToken");
    let out = acct.trailwatch_via(&proxy).args(["plan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the AWS credentials have expired"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn an_interrupt_lets_the_call_in_flight_finish_reports_what_was_not_done_and_a_rerun_converges() {
    let acct = Account::new();
    acct.build(&trail_only());
    let proxy = FaultProxy::slow(250);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("trailwatch"));
    acct.configure(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL", &proxy.url)
        .args(["apply", "--controls", PAIR, "--auto-approve"])
        .args(["--notify", "email:sec@example.com", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let wrote = || {
        proxy
            .calls()
            .iter()
            .any(|c| c.action == "logs:PutMetricFilter")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !wrote() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(wrote(), "apply never started writing");
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("Interrupt received"), "{stderr}");
    assert!(stderr.contains("not started; run apply again"), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("the outcome document");
    let results = outcomes(&doc);
    assert_eq!(
        results[0].1, "applied",
        "the call in flight finished: {results:?}"
    );
    assert!(
        results.iter().any(|(_, r)| r == "interrupted"),
        "no new call started: {results:?}"
    );
    assert!(
        results
            .iter()
            .all(|(_, r)| r == "applied" || r == "interrupted"),
        "{results:?}"
    );

    let (code, doc) = acct.json(&[
        "apply",
        "--controls",
        PAIR,
        "--auto-approve",
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    let (_, plan) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(actions(&plan).len(), 0, "converged: {plan:#}");
}
