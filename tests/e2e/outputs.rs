//! `--output FORMAT[=PATH]` and `plan --security-hub`: every format written from one read and
//! checked by an independent implementation (the SARIF schema, the OCSF models, the Security Hub
//! API model of the AWS SDK for Python and the local server), bad outputs refused before any
//! AWS call, and findings in Security Hub that resolve once the account is fixed.

use serde_json::{json, Value};

use crate::support::{in_days, status, validate, Account, FaultProxy};
use crate::{compliant, trail_only, CT, IAM};

const ROOT: &str = "root-account-usage";

/// IAM's chain holds, CloudTrail's has no filter, and root usage is waived in trailwatch.toml.
fn mixed() -> Account {
    let acct = Account::new();
    let mut spec = compliant();
    spec["filters"].as_array_mut().unwrap().truncate(1);
    spec["alarms"].as_array_mut().unwrap().truncate(1);
    acct.build(&spec);
    std::fs::write(
        acct.path().join("trailwatch.toml"),
        format!(
            "controls = [\"{IAM}\", \"{CT}\", \"{ROOT}\"]\n\n[[waiver]]\ncontrol = \"{ROOT}\"\nreason = \"break-glass only\"\nexpires = {}\n",
            in_days(30)
        ),
    )
    .unwrap();
    acct
}

fn read(acct: &Account, name: &str) -> String {
    std::fs::read_to_string(acct.path().join(name)).unwrap()
}

fn every_format() -> Vec<String> {
    ["sarif", "ocsf", "asff", "junit", "csv", "markdown", "human"]
        .iter()
        .map(|f| format!("--output={f}=out/plan.{f}"))
        .collect()
}

#[test]
fn every_format_comes_from_one_read_and_is_valid() {
    let acct = mixed();
    std::fs::create_dir(acct.path().join("out")).unwrap();
    let mut args = vec!["plan".to_string(), "--output".into(), "json".into()];
    args.extend(every_format());
    let out = acct.trailwatch().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON document");
    assert_eq!(status(&doc, IAM), "compliant");
    assert_eq!(status(&doc, CT), "non_compliant");
    assert_eq!(status(&doc, ROOT), "waived");
    let describe_trails = doc["summary"]["calls"]["cloudtrail:DescribeTrails"].as_u64();
    assert_eq!(describe_trails, Some(1), "one read for every document");

    assert_eq!(
        validate("sarif", &acct.path().join("out/plan.sarif")).trim(),
        "ok 2"
    );
    assert_eq!(
        validate("ocsf", &acct.path().join("out/plan.ocsf")).trim(),
        "ok 3"
    );
    let sarif: Value = serde_json::from_str(&read(&acct, "out/plan.sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results[0]["ruleId"], CT);
    assert_eq!(results[1]["ruleId"], ROOT);
    assert_eq!(
        results[1]["suppressions"][0]["justification"],
        "break-glass only"
    );
    // The account's folder is in no git repository: the file by its absolute URI, no base.
    let config = std::fs::canonicalize(acct.path().join("trailwatch.toml")).unwrap();
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"],
        json!({ "uri": format!("file://{}", config.display()) })
    );

    let junit = read(&acct, "out/plan.junit");
    assert!(
        junit.contains(r#"tests="3" failures="1" errors="0" skipped="1""#),
        "{junit}"
    );
    let csv = read(&acct, "out/plan.csv");
    assert_eq!(
        csv.lines().count(),
        4,
        "a header and a row per control:\n{csv}"
    );
    assert!(
        read(&acct, "out/plan.markdown").contains(&format!("| {} | 1 | 1 | 0 | 1 | 0 |", acct.id))
    );
    let human = read(&acct, "out/plan.human");
    assert!(human.starts_with("trailwatch plan: account"), "{human}");
    assert!(!human.contains('\u{1b}'), "no terminal styles in a file");
    let leftovers: Vec<_> = std::fs::read_dir(acct.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn sarif_names_a_config_outside_the_working_directory_relative_to_its_repository() {
    let acct = mixed();
    let repo = acct.path().join("infra-repo");
    std::fs::create_dir_all(repo.join("aws/prod")).unwrap();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .expect("git runs");
    assert!(git.success());
    let config = repo.join("aws/prod/trailwatch.toml");
    std::fs::rename(acct.path().join("trailwatch.toml"), &config).unwrap();
    let elsewhere = acct.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let out = acct
        .trailwatch()
        .current_dir(&elsewhere)
        .arg("plan")
        .arg("--config")
        .arg(&config)
        .arg("--output=sarif=plan.sarif")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let written = elsewhere.join("plan.sarif");
    assert_eq!(validate("sarif", &written).trim(), "ok 2");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    let sarif_run = &sarif["runs"][0];
    for result in sarif_run["results"].as_array().unwrap() {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"],
            json!({ "uri": "aws/prod/trailwatch.toml", "uriBaseId": "%SRCROOT%" })
        );
    }
    let root = std::fs::canonicalize(&repo).unwrap();
    assert_eq!(
        sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
}

#[test]
fn sarif_without_a_configuration_file_gives_every_result_a_location_code_scanning_takes() {
    let acct = Account::new();
    acct.build(&trail_only());
    let controls = format!("{IAM},{CT}");
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        &controls,
        "--output",
        "sarif=plan.sarif",
    ]);
    assert_eq!(code, 2, "{stderr}");
    // validate.py checks code scanning's needs too: a physical location with a path and a line.
    assert_eq!(
        validate("sarif", &acct.path().join("plan.sarif")).trim(),
        "ok 2"
    );
    let sarif: Value = serde_json::from_str(&read(&acct, "plan.sarif")).unwrap();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"],
            json!({ "uri": format!("aws/{}/us-east-1", acct.id), "uriBaseId": "%SRCROOT%" })
        );
    }
}

#[test]
fn hostile_text_in_the_configuration_file_leaves_every_document_valid() {
    let acct = mixed();
    let config = format!(
        "controls = [\"{IAM}\", \"{CT}\", \"{ROOT}\"]\n\n[[waiver]]\ncontrol = \"{ROOT}\"\nreason = \"break\\u0001glass | <b>only</b> ]]> \\u001b[31m\\r\\nsee &amp; runbook\"\nticket = \"=HYPERLINK(\\\"https://example.com\\\")\"\nexpires = {}\n",
        in_days(30)
    );
    std::fs::write(acct.path().join("trailwatch.toml"), config).unwrap();
    let mut args = vec!["plan".to_string()];
    args.extend(
        ["sarif", "ocsf", "junit", "csv", "markdown"].map(|f| format!("--output={f}=plan.{f}")),
    );
    let out = acct.trailwatch().args(&args).output().unwrap();
    let (code, stderr) = (out.status.code(), String::from_utf8_lossy(&out.stderr));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        validate("junit", &acct.path().join("plan.junit")).trim(),
        "ok 3"
    );
    assert_eq!(
        validate("sarif", &acct.path().join("plan.sarif")).trim(),
        "ok 2"
    );
    assert_eq!(
        validate("ocsf", &acct.path().join("plan.ocsf")).trim(),
        "ok 3"
    );
    let shown = "break␁glass | <b>only</b> ]]> ␛[31m";
    let junit = read(&acct, "plan.junit");
    assert!(
        junit.contains(
            "break␁glass | &lt;b&gt;only&lt;/b&gt; ]]&gt; ␛[31m&#10;see &amp;amp; runbook"
        ),
        "{junit}"
    );

    let csv = read(&acct, "plan.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(csv.lines().count(), 4, "a line per record:\n{csv}");
    let waived = rows
        .iter()
        .find(|r| &r[7] == "waived")
        .expect("the waived row");
    assert_eq!(&waived[10], format!("{shown} see &amp; runbook"));
    assert_eq!(&waived[12], "'=HYPERLINK(\"https://example.com\")");

    let markdown = read(&acct, "plan.markdown");
    let row = markdown
        .lines()
        .find(|l| l.contains("waived:"))
        .expect("the waived row");
    let cell =
        r"waived: break␁glass \| \<b\>only\</b\> \]\]\> ␛\[31m<br>see \&amp; runbook (until ";
    assert!(row.contains(cell), "{row}");
    assert!(
        !markdown.contains(|c: char| c.is_control() && c != '\n'),
        "{markdown}"
    );
}

#[test]
fn asff_is_accepted_by_the_security_hub_api_model_and_the_local_server() {
    let acct = mixed();
    acct.build(&json!({ "security_hub": true }));
    let (code, _, stderr) = acct.run(&["plan", "--output", "asff=findings.json"]);
    assert_eq!(code, 2, "{stderr}");
    let findings: Value = serde_json::from_str(&read(&acct, "findings.json")).unwrap();
    assert_eq!(findings.as_array().unwrap().len(), 3);
    let answer = acct.import_findings(&findings);
    assert_eq!(answer["FailedCount"], 0, "{answer:#}");
    assert_eq!(answer["SuccessCount"], 3, "{answer:#}");
    let compliance: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Compliance"]["Status"].as_str().unwrap())
        .collect();
    assert_eq!(compliance, ["PASSED", "FAILED", "FAILED"]);
    assert_eq!(findings[2]["Workflow"]["Status"], "SUPPRESSED");
}

#[test]
fn bad_outputs_are_refused_before_any_aws_call() {
    let acct = Account::new();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--output", "sarif", "--json"],
            "sarif and json would both go to stdout",
        ),
        (
            &[
                "--output", "csv", "--output", "markdown", "--output", "human",
            ],
            "would all go to stdout",
        ),
        (
            &["--output", "sarif=missing/dir/x.sarif"],
            "there is no directory `missing/dir`",
        ),
        (&["--output", "sarif=."], "is a directory"),
        (
            &["--output", "junit=a.xml", "--output", "csv=./a.xml"],
            "both write `./a.xml`",
        ),
    ];
    for (args, expected) in cases {
        let proxy = FaultProxy::recording();
        let out = acct
            .trailwatch_via(&proxy)
            .arg("plan")
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(proxy.calls().is_empty(), "{args:?} made AWS calls");
    }
    let (code, _, stderr) = acct.run(&["plan", "--output", "xml"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("use one of human, json, sarif, ocsf, asff, junit, csv, markdown"),
        "{stderr}"
    );
}

#[test]
fn an_existing_file_is_replaced_whole() {
    let acct = mixed();
    let path = acct.path().join("report.csv");
    std::fs::write(
        &path,
        "old contents that are longer than nothing\n".repeat(200),
    )
    .unwrap();
    let (code, stdout, stderr) = acct.run(&["plan", "--output", "csv=report.csv"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.contains("trailwatch plan:"),
        "human text stays on stdout"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("account_id,region,benchmark"), "{text}");
    assert!(!text.contains("old contents"));
}

#[test]
fn apply_writes_the_verified_state() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, _, stderr) = acct.run(&[
        "apply",
        "--auto-approve",
        "--controls",
        IAM,
        "--notify",
        "email:sec@example.com",
        "--output",
        "junit=after.xml",
        "--output",
        "sarif=after.sarif",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // The documents describe the account as read again after apply: nothing fails any more.
    assert_eq!(
        validate("sarif", &acct.path().join("after.sarif")).trim(),
        "ok 0"
    );
    let junit = read(&acct, "after.xml");
    assert!(
        junit.contains(r#"tests="1" failures="0" errors="0" skipped="0""#),
        "{junit}"
    );
}

#[test]
fn findings_go_to_security_hub_and_resolve_once_fixed() {
    let acct = Account::new();
    acct.build(&trail_only());
    let plan = ["plan", "--controls", IAM, "--security-hub"];
    let (code, _, stderr) = acct.run(&plan);
    assert_eq!(code, 1, "Security Hub is not enabled yet: {stderr}");
    assert!(
        stderr.contains("Security Hub is not enabled in account"),
        "{stderr}"
    );
    assert!(
        stderr.contains("aws securityhub enable-security-hub --region us-east-1"),
        "{stderr}"
    );

    acct.build(&json!({ "security_hub": true }));
    let (code, _, stderr) = acct.run(&plan);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("Security Hub: 1 finding(s) imported into account"),
        "{stderr}"
    );
    let found = acct.hub_findings();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["Compliance"]["Status"], "FAILED");
    assert_eq!(found[0]["AwsAccountId"], acct.id.as_str());

    let mut fix = compliant();
    fix["log_groups"] = json!([]);
    fix["trails"] = json!([]);
    acct.build(&fix);
    let (code, _, stderr) = acct.run(&plan);
    assert_eq!(code, 0, "{stderr}");
    let found = acct.hub_findings();
    assert_eq!(found.len(), 1, "the same finding, updated: {found:#?}");
    assert_eq!(found[0]["Compliance"]["Status"], "PASSED");
}

/// The Security Hub finding of `control`: (workflow status, note text, note author).
fn hub_workflow(acct: &Account, control: &str) -> (String, String, String) {
    let found = acct.hub_findings();
    let finding = found
        .iter()
        .find(|f| f["GeneratorId"].as_str().unwrap().ends_with(control))
        .unwrap_or_else(|| panic!("no finding of {control}: {found:#?}"));
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (
        text(&finding["Workflow"]["Status"]),
        text(&finding["Note"]["Text"]),
        text(&finding["Note"]["UpdatedBy"]),
    )
}

#[test]
fn a_waiver_after_import_suppresses_the_finding_and_its_end_reopens_it() {
    let acct = Account::new();
    acct.build(&trail_only());
    acct.build(&json!({ "security_hub": true }));
    let plan = [
        "plan",
        "--controls",
        &format!("{IAM},{CT}"),
        "--security-hub",
    ];
    let (code, _, stderr) = acct.run(&plan);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(hub_workflow(&acct, CT).0, "NEW");

    let config = acct.path().join("trailwatch.toml");
    let waiver = format!(
        "[[waiver]]\ncontrol = \"{CT}\"\nreason = \"CloudTrail is the landing zone's\"\nexpires = {}\n",
        in_days(30)
    );
    std::fs::write(&config, waiver).unwrap();
    let (code, _, stderr) = acct.run(&plan);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("; 1 suppressed (waived)"), "{stderr}");
    let (status, note, by) = hub_workflow(&acct, CT);
    assert_eq!((status.as_str(), by.as_str()), ("SUPPRESSED", "trailwatch"));
    assert!(note.contains("CloudTrail is the landing zone's"), "{note}");
    assert_eq!(
        hub_workflow(&acct, IAM).0,
        "NEW",
        "the other control stays open"
    );

    let (_, _, stderr) = acct.run(&plan);
    assert!(
        !stderr.contains("suppressed"),
        "nothing more to do: {stderr}"
    );

    std::fs::remove_file(&config).unwrap();
    let (code, _, stderr) = acct.run(&plan);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("; 1 reopened (waiver ended)"), "{stderr}");
    let (status, note, _) = hub_workflow(&acct, CT);
    assert_eq!(status, "NEW");
    assert!(note.contains("reopened by trailwatch"), "{note}");
}

#[test]
fn the_plan_shows_shared_findings_once_unless_asked_for_detail() {
    let acct = Account::new();
    acct.build(&trail_only());
    let shared = "- no metric filter on log group `cloudtrail/main`";
    let (_, text, _) = acct.run(&["plan", "--controls", &format!("{IAM},{CT}")]);
    assert_eq!(text.matches(shared).count(), 1, "{text}");
    assert!(text.contains("--detail"), "{text}");
    let (_, text, _) = acct.run(&["plan", "--controls", &format!("{IAM},{CT}"), "--detail"]);
    assert_eq!(text.matches(shared).count(), 2, "{text}");
}

#[test]
fn a_throttled_import_is_retried() {
    let acct = Account::new();
    acct.build(&trail_only());
    acct.build(&json!({ "security_hub": true }));
    let proxy = FaultProxy::new("BatchImportFindings", 1, "Throttling");
    let out = acct
        .trailwatch_via(&proxy)
        .args(["plan", "--controls", IAM, "--security-hub"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(proxy.faults(), 1, "the first import was throttled");
    assert!(
        stderr.contains("Security Hub: 1 finding(s) imported"),
        "{stderr}"
    );
    assert_eq!(acct.hub_findings().len(), 1);
}
