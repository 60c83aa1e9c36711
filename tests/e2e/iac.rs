//! `plan --emit terraform`: the plan's actions as Terraform, checked by an independent HCL2
//! parser (python-hcl2) against the JSON plan of the same read, and nothing written to AWS.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{python, root, Account};
use crate::{compliant, trail_only, IAM_PATTERN, PAIR};

/// `validate_terraform.py` on the emitted file and the plan's JSON document.
fn validate(tf: &Path, plan: &Path) -> String {
    let out = Command::new(python())
        .arg(root().join("tests/support/validate_terraform.py"))
        .args([tf, plan])
        .output()
        .expect("run validate_terraform.py");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} is not valid:\n{printed}{}",
        tf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    printed
}

/// An existing topic with a subscriber, the IAM filter missing two events (it must change), and
/// no alarms.
fn broken() -> Account {
    let acct = Account::new();
    let mut spec = compliant();
    let narrow = IAM_PATTERN.replace(
        "||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)",
        "",
    );
    spec["filters"][0]["pattern"] = json!(narrow);
    spec["alarms"] = json!([]);
    acct.build(&spec);
    acct
}

#[test]
fn a_broken_account_as_terraform_carries_every_action_once_and_writes_nothing() {
    let acct = broken();
    let before = acct.dump(&["us-east-1"]);
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        PAIR,
        "--topic-name",
        "security-alerts",
        "--notify",
        "email:oncall@example.com",
        "--emit",
        "terraform=fix.tf",
        "--output",
        "json=plan.json",
    ]);
    assert_eq!(code, 2, "{stderr}");
    let tf = acct.path().join("fix.tf");
    let checked = validate(&tf, &acct.path().join("plan.json"));
    assert_eq!(
        checked.trim(),
        "ok 4",
        "filter update, subscription, two alarms"
    );
    let text = std::fs::read_to_string(&tf).unwrap();
    assert!(
        text.contains("id       = \"cloudtrail/main:iam-changes\""),
        "{text}"
    );
    assert!(
        text.contains("default     = \"oncall@example.com\""),
        "{text}"
    );
    assert_eq!(
        acct.dump(&["us-east-1"]),
        before,
        "plan --emit writes nothing to AWS"
    );
}

#[test]
fn a_new_topic_is_referenced_by_its_alarms_and_subscription() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:oncall@example.com",
        "--emit",
        "terraform=fix.tf",
        "--output",
        "json=plan.json",
    ]);
    assert_eq!(code, 2, "{stderr}");
    let tf = acct.path().join("fix.tf");
    validate(&tf, &acct.path().join("plan.json"));
    let text = std::fs::read_to_string(&tf).unwrap();
    assert!(
        text.contains("aws_sns_topic.trailwatch_cis_alarms.arn"),
        "{text}"
    );
}

#[test]
fn terraform_goes_to_stdout_without_a_path() {
    let acct = Account::new();
    acct.build(&compliant());
    let (code, stdout, stderr) = acct.run(&["plan", "--controls", PAIR, "--emit", "terraform"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("# The plan has no action: nothing to create or change."));
    assert!(stdout.contains("source  = \"hashicorp/aws\""), "{stdout}");
}

#[test]
fn bad_emits_are_refused_with_one_line() {
    let acct = Account::new();
    let (code, _, stderr) = acct.run(&["plan", "--emit", "pulumi"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("unknown --emit format `pulumi`; use one of terraform"),
        "{stderr}"
    );
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--accounts",
        "111122223333",
        "--assume-role",
        "r",
        "--emit",
        "terraform=x.tf",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--emit terraform writes one account's plan"),
        "{stderr}"
    );
    let (code, _, stderr) = acct.run(&["plan", "--emit", "terraform", "--output", "sarif"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("sarif and terraform would both go to stdout"),
        "{stderr}"
    );
}

/// `cfn-lint` on a template: no error, no warning.
fn cfn_lint(template: &Path) {
    let cfn_lint = python().with_file_name("cfn-lint");
    let out = Command::new(cfn_lint)
        .arg(template)
        .output()
        .expect("run cfn-lint");
    assert!(
        out.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_broken_account_as_cloudformation_passes_cfn_lint_and_lists_its_imports() {
    let acct = broken();
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        PAIR,
        "--topic-name",
        "security-alerts",
        "--notify",
        "email:oncall@example.com",
        "--emit",
        "cloudformation=fix.yaml",
        "--emit",
        "cloudformation-resources-to-import=import.json",
        "--emit",
        "cloudformation-import-template=import.yaml",
    ]);
    assert_eq!(code, 2, "{stderr}");
    cfn_lint(&acct.path().join("fix.yaml"));
    cfn_lint(&acct.path().join("import.yaml"));
    let import = std::fs::read_to_string(acct.path().join("import.yaml")).unwrap();
    assert!(import.contains("FilterName: \"iam-changes\""), "{import}");
    let pattern = import
        .lines()
        .find(|l| l.contains("FilterPattern:"))
        .unwrap();
    assert!(
        !pattern.contains("AttachGroupPolicy"),
        "as it is now: {pattern}"
    );
    let imports: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(acct.path().join("import.json")).unwrap())
            .unwrap();
    assert_eq!(
        imports,
        json!([{
            "ResourceType": "AWS::Logs::MetricFilter",
            "LogicalResourceId": "FilterIamChanges",
            "ResourceIdentifier": {"LogGroupName": "cloudtrail/main", "FilterName": "iam-changes"}
        }])
    );
    let text = std::fs::read_to_string(acct.path().join("fix.yaml")).unwrap();
    assert_eq!(text.matches("DeletionPolicy: Retain").count(), 1, "{text}");
}

#[test]
fn a_new_topic_as_cloudformation_passes_cfn_lint() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:oncall@example.com",
        "--emit",
        "cloudformation=fix.yaml",
    ]);
    assert_eq!(code, 2, "{stderr}");
    cfn_lint(&acct.path().join("fix.yaml"));
    let (code, stdout, stderr) = acct.run(&["plan", "--emit", "cloudformation"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.contains("AWSTemplateFormatVersion"), "{stdout}");
}
