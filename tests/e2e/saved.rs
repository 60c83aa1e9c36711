//! Saved plans: `plan --out FILE` then `apply FILE` applies exactly that plan without prompting,
//! and refuses, writing nothing, when the account changed, the file is for another account, or
//! the file is not a usable plan.

use serde_json::{json, Value};

use crate::support::{actions, Account};
use crate::{compliant, trail_only, PAIR};

fn save(acct: &Account, extra: &[&str]) -> std::path::PathBuf {
    let path = acct.path().join("plan.json");
    let mut args = vec!["plan", "--controls", PAIR, "--out", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, _, stderr) = acct.run(&args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Saved the plan to"), "{stderr}");
    path
}

/// Applies a saved plan with stdin on a pipe and no --auto-approve: it must not prompt.
fn apply_file(acct: &Account, path: &std::path::Path) -> (i32, String, String) {
    let out = acct
        .trailwatch()
        .args(["apply", path.to_str().unwrap()])
        .write_stdin("")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_saved_plan_is_applied_exactly_and_without_a_prompt() {
    let acct = Account::new();
    acct.build(&trail_only());
    let path = save(&acct, &["--notify", "email:sec@example.com"]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["format"], "trailwatch-plan");
    assert_eq!(saved["version"], 2);
    let account = &saved["accounts"][0];
    assert_eq!(account["account_id"], acct.id.as_str());
    assert!(
        account.get("assume_role").is_none(),
        "the credentials' own account"
    );
    assert!(account["fingerprints"]["trails"].is_string());
    assert!(account["fingerprints"]["filters:us-east-1:cloudtrail/main"].is_string());
    assert_eq!(
        account["fingerprints"]["alarm:us-east-1:trailwatch-iam-policy-changes"],
        "absent"
    );

    let (code, stdout, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");
    assert!(!stderr.contains("confirm"), "{stderr}");
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");

    // The same file again: the account holds what it lists, so it has already been applied.
    let before = acct.dump(&[]);
    let (code, stdout, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("has already been applied"), "{stderr}");
    assert!(!stderr.contains("changed since"), "{stderr}");
    assert_eq!(acct.dump(&[]), before);
    let (code, doc) = acct.json(&["apply", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["outcomes"], json!([]));
    assert_eq!(doc["verification"]["ok"], true);
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("already been applied")),
        "{notes:?}"
    );
    assert_eq!(acct.dump(&[]), before);
}

#[test]
fn a_saved_plan_whose_result_was_changed_since_is_stale_not_applied() {
    let acct = Account::new();
    acct.build(&trail_only());
    let path = save(&acct, &["--notify", "email:sec@example.com"]);
    let (code, stdout, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // Someone rewrites one of the filters the plan made: the plan's result no longer holds.
    acct.build(&json!({
        "filters": [{"log_group": "cloudtrail/main", "name": "trailwatch-iam-policy-changes", "pattern": "{ $.eventName = CreatePolicy }", "metric": "IAMPolicyChanges"}],
    }));
    let (code, _, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 1);
    assert!(stderr.contains("the account changed since"), "{stderr}");
}

#[test]
fn a_saved_plan_is_refused_when_the_account_changed_and_nothing_is_written() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"][0]["actions_enabled"] = json!(false);
    acct.build(&spec);
    let path = save(&acct, &[]);
    // Someone adds a filter to the trail's log group between plan and apply.
    acct.build(&json!({
        "filters": [{"log_group": "cloudtrail/main", "name": "extra", "pattern": "{ $.eventName = X }", "metric": "X"}],
    }));
    let before = acct.dump(&[]);
    let (code, stdout, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("the account changed since"), "{stderr}");
    assert!(
        stderr.contains("filters:us-east-1:cloudtrail/main"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing was written; run `trailwatch plan --out"),
        "{stderr}"
    );
    assert_eq!(acct.dump(&[]), before);
}

#[test]
fn a_plan_for_another_account_or_a_bad_file_is_refused() {
    let a = Account::new();
    a.build(&trail_only());
    let path = save(&a, &[]);
    let b = Account::new();
    b.build(&trail_only());
    let before = b.dump(&[]);
    let (code, _, stderr) = apply_file(&b, &path);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(&format!(
            "is a plan for account {} but the credentials are for account {}",
            a.id, b.id
        )),
        "{stderr}"
    );
    assert_eq!(b.dump(&[]), before);

    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["version"] = json!(99);
    let cases: Vec<(String, &str)> = vec![
        (
            doc.to_string(),
            "version 99 plan file and this trailwatch reads versions 1 and 2",
        ),
        (text[..text.len() / 2].to_string(), "not JSON"),
        ("{}".into(), "it is not a trailwatch plan file"),
        (
            text.replace("\"actions\": [", "\"actions\": [42, "),
            "it is damaged",
        ),
    ];
    for (content, expected) in cases {
        let bad = a.path().join("bad.json");
        std::fs::write(&bad, content).unwrap();
        let before = a.dump(&[]);
        let (code, _, stderr) = apply_file(&a, &bad);
        assert_eq!(code, 1, "{expected}");
        assert!(
            stderr.contains(expected),
            "expected `{expected}` in {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert_eq!(a.dump(&[]), before);
    }
    let (code, _, stderr) = apply_file(&a, &a.path().join("missing.json"));
    assert_eq!(code, 1);
    assert!(stderr.contains("cannot read the plan file"), "{stderr}");
    let out = a
        .trailwatch()
        .args([
            "apply",
            path.to_str().unwrap(),
            "--controls",
            "iam-policy-changes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a saved plan carries its own selection"));
    // The good plan still applies.
    assert_eq!(
        apply_file(&a, &path).0,
        1,
        "no subscriber was planned, so apply reports it"
    );
    let (_, doc) = a.json(&["plan", "--controls", PAIR]);
    assert!(!actions(&doc).contains(&"put-metric-filter"), "{doc:#}");
}

#[test]
fn a_saved_plan_records_the_waivers_and_is_applied_as_made_when_the_file_changed() {
    let acct = Account::new();
    acct.build(&trail_only());
    let config = acct.path().join("trailwatch.toml");
    let waiver = format!("[[waiver]]\ncontrol = \"cloudtrail-config-changes\"\nreason = \"migrating trails\"\nexpires = {}\n", crate::support::in_days(60));
    std::fs::write(
        &config,
        format!(
            "notify = [\"sqs:arn:aws:sqs:us-east-1:{}:alerts\"]\n\n{waiver}",
            acct.id
        ),
    )
    .unwrap();
    let path = save(&acct, &[]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let account = &saved["accounts"][0];
    assert_eq!(
        account["desired"]["waivers"][0]["reason"],
        "migrating trails"
    );
    let waived: Vec<&Value> = account["report"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "waived")
        .collect();
    assert_eq!(waived.len(), 1, "{saved:#}");
    // The file changes after the plan was made: the plan is applied as made, and says so.
    std::fs::write(
        &config,
        format!(
            "notify = [\"sqs:arn:aws:sqs:us-east-1:{}:alerts\"]\n",
            acct.id
        ),
    )
    .unwrap();
    let (code, _, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("the configuration now differs"), "{stderr}");
}

#[test]
fn a_version_1_plan_file_is_still_applied() {
    let acct = Account::new();
    acct.build(&trail_only());
    let path = save(&acct, &["--notify", "email:sec@example.com"]);
    let v2: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let account = &v2["accounts"][0];
    let v1 = json!({
        "format": "trailwatch-plan",
        "version": 1,
        "trailwatch_version": v2["trailwatch_version"],
        "account_id": account["account_id"],
        "region": v2["region"],
        "benchmark": v2["benchmark"],
        "control_ids": v2["control_ids"],
        "desired": account["desired"],
        "fingerprints": account["fingerprints"],
        "report": account["report"],
    });
    std::fs::write(&path, v1.to_string()).unwrap();
    let (code, stdout, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");
}

/// Runs `apply` on a saved plan with more flags.
fn apply_with(acct: &Account, path: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["apply", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    acct.run(&args)
}

#[test]
fn a_plan_shows_its_digest_and_apply_applies_only_the_digest_it_is_given() {
    let acct = Account::new();
    acct.build(&trail_only());
    let path = save(&acct, &["--notify", "email:sec@example.com"]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let digest = saved["digest"].as_str().unwrap().to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    let (_, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(
        doc["digest"],
        digest.as_str(),
        "the same plan, the same digest"
    );
    let (_, text, _) = acct.run(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert!(text.contains(&format!("plan: {digest}")), "{text}");

    let other = format!("sha256:{}", "0".repeat(64));
    let before = acct.dump(&[]);
    let (code, _, stderr) = apply_with(&acct, &path, &["--expect-digest", &other]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--expect-digest") && stderr.contains(&digest),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(acct.dump(&[]), before, "nothing was written");

    let (code, stdout, stderr) = apply_with(&acct, &path, &["--expect-digest", &digest]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");
}

#[test]
fn a_saved_plan_edited_after_review_is_refused_and_nothing_is_written() {
    let acct = Account::new();
    acct.build(&trail_only());
    let path = save(&acct, &["--notify", "email:sec@example.com"]);
    let text = std::fs::read_to_string(&path).unwrap();
    let attacker = "arn:aws:sns:us-east-1:999999999999:attacker";
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    for action in plan["accounts"][0]["report"]["actions"]
        .as_array_mut()
        .unwrap()
    {
        if action["action"] == "put-metric-alarm" {
            action["after"]["alarm_actions"] = json!([attacker]);
        }
    }
    let before = acct.dump(&[]);

    // Edited, its recorded digest no longer matches.
    std::fs::write(&path, plan.to_string()).unwrap();
    let (code, _, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("edited after it was made"), "{stderr}");

    // Edited with the digest dropped (or recomputed): planning again does not give its actions.
    plan.as_object_mut().unwrap().remove("digest");
    std::fs::write(&path, plan.to_string()).unwrap();
    let (code, _, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("when planned again"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(acct.dump(&[]), before, "nothing was written");

    // Controls cut to one: planning again for it gives fewer actions than the file holds.
    let mut cut: Value = serde_json::from_str(&text).unwrap();
    cut.as_object_mut().unwrap().remove("digest");
    cut["control_ids"] = json!([cut["control_ids"][0]]);
    std::fs::write(&path, cut.to_string()).unwrap();
    let (code, _, stderr) = apply_file(&acct, &path);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("planning again gives") || stderr.contains("when planned again"),
        "{stderr}"
    );
    assert_eq!(acct.dump(&[]), before, "nothing was written");
}
