//! `plan --emit terraform`: the plan's actions as Terraform, checked by an independent HCL2
//! parser (python-hcl2) against the JSON plan of the same read, and nothing written to AWS.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use serde_json::Value;

use crate::support::{python, root, Account, FaultProxy};
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
    let many = ["plan", "--accounts", "111122223333", "--assume-role", "r"];
    let refused = |emit: &str, line: &str| {
        let (code, _, stderr) = acct.run(&[&many[..], &["--emit", emit]].concat());
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains(line), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    };
    refused(
        "terraform",
        "--emit terraform of many accounts writes a file per account: give a directory with --emit terraform=DIR",
    );
    refused(
        "cloudformation-stackset=set.yaml",
        "--emit cloudformation-stackset writes one template for every account",
    );
    std::fs::write(acct.path().join("file"), "").unwrap();
    refused("terraform=file", "`file` is not a directory");
    refused("terraform=no/such", "there is no directory `no`");
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

/// Each account's own actions in the JSON plan of many accounts, as a plan of its own at
/// `path`; how many there are.
fn plan_of(doc: &Value, account: &str, path: &Path) -> usize {
    let actions: Vec<&Value> = doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["account_id"] == account)
        .collect();
    std::fs::write(path, json!({ "actions": actions }).to_string()).unwrap();
    actions.len()
}

#[test]
fn many_accounts_get_a_folder_each_and_an_unread_one_gets_none() {
    let (a, b, unread) = (broken(), Account::new(), Account::new());
    b.build(&trail_only());
    // The first AssumeRole (the first account, with one at a time) is denied.
    let proxy = FaultProxy::new("AssumeRole", 1, "AccessDenied");
    let list = format!("{},{},{}", unread.id, a.id, b.id);
    let mut args: Vec<String> = [
        "plan",
        "--controls",
        PAIR,
        "--accounts",
        &list,
        "--assume-role",
        "trailwatch-audit",
        "--concurrency",
        "1",
        "--notify",
        "email:oncall@example.com",
        "--output",
        "json=plan.json",
    ]
    .map(String::from)
    .to_vec();
    // Every code format in one folder: each writes files of its own names.
    for format in [
        "terraform",
        "cloudformation",
        "cloudformation-import-template",
        "cloudformation-resources-to-import",
    ] {
        args.extend(["--emit".into(), format!("{format}=code")]);
    }
    let out = a
        .trailwatch_via(&proxy)
        .env("AWS_PROFILE", "base")
        .args(&args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "as plan's: an account was not read; {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "account {} was not read: no code is written for it",
            unread.id
        )),
        "{stderr}"
    );
    let code = a.path().join("code");
    let mut folders: Vec<String> = std::fs::read_dir(&code)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    folders.sort();
    let mut expected = vec![a.id.clone(), b.id.clone()];
    expected.sort();
    assert_eq!(
        folders, expected,
        "a folder per account read, none for {}",
        unread.id
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(a.path().join("plan.json")).unwrap())
            .unwrap();
    for acct in [&a, &b] {
        let folder = code.join(&acct.id);
        let plan = a.path().join(format!("plan-{}.json", acct.id));
        let actions = plan_of(&doc, &acct.id, &plan);
        assert!(actions > 0, "{doc:#}");
        let checked = validate(&folder.join("main.tf"), &plan);
        assert_eq!(checked.trim(), format!("ok {actions}"));
        cfn_lint(&folder.join("us-east-1.yaml"));
        cfn_lint(&folder.join("us-east-1-import.yaml"));
    }
    let imports = |acct: &Account| -> Value {
        let path = code.join(&acct.id).join("us-east-1-import.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    assert_eq!(imports(&a)[0]["LogicalResourceId"], "FilterIamChanges");
    assert_eq!(imports(&b), json!([]), "a new account imports nothing");
}

#[test]
fn a_stack_set_template_passes_cfn_lint_and_names_no_account() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, _, stderr) = acct.run(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:oncall@example.com",
        "--emit",
        "cloudformation-stackset=set.yaml",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr, "", "nothing exists to warn about");
    let path = acct.path().join("set.yaml");
    cfn_lint(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&acct.id), "{text}");
    assert!(text.contains("LogGroupName: !Ref LogGroupName"), "{text}");
    assert!(text.contains("TopicName: !Ref TopicName"), "{text}");
}

#[test]
fn a_stack_set_template_warns_of_what_exists_and_refuses_a_topic_of_one_account() {
    let acct = Account::new();
    let mut spec = trail_only();
    let narrow = IAM_PATTERN.replace(
        "||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)",
        "",
    );
    spec["filters"] = json!([{"log_group": "cloudtrail/main", "name": "iam-changes", "pattern": narrow, "metric": "IAMPolicyChanges"}]);
    acct.build(&spec);
    let emit = [
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:oncall@example.com",
        "--emit",
        "cloudformation-stackset=set.yaml",
    ];
    let (code, _, stderr) = acct.run(&emit);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("filter `iam-changes` on log group `cloudtrail/main` exists in account {}; the stack set creates it", acct.id)),
        "{stderr}"
    );
    let path = acct.path().join("set.yaml");
    cfn_lint(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches("StackSets cannot import it").count(),
        1,
        "{text}"
    );

    // The topic the plan names exists in this account only.
    let existing = broken();
    let (code, stdout, stderr) =
        existing.run(&[&emit[..], &["--topic-name", "security-alerts"]].concat());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("which exists in this account only"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(stdout, "", "nothing printed when a document cannot be made");
    assert!(!existing.path().join("set.yaml").exists());
}
