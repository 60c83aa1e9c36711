//! Snapshot tests of what users read: the rendered plan, apply and multi-account output, and the
//! JSON documents, for representative accounts planned from plain values. Styles are stripped
//! (as on a pipe); `INSTA_UPDATE=always cargo test -p output` rewrites the snapshots.

use std::time::Duration;

use apply::{ActionOutcome, Outcome, Verification};
use model::desired::{TopicChoice, Waiver};
use model::report::AccountResult;
use model::sample::*;
use model::{Desired, Report, Snapshot};

use crate::documents::{ApplyDocument, PlanDocument};
use crate::render::{self, Detail};

mod backtest;
mod docs;
mod drill;
mod escaping;
mod formats;
mod html;
mod place;

fn plain(text: String) -> String {
    anstream::adapter::strip_str(&text).to_string()
}

pub(super) fn notify() -> Desired {
    Desired {
        notify: vec!["email:sec@example.com".parse().unwrap()],
        ..Desired::default()
    }
}

pub(super) fn planned(snapshot: &Snapshot, desired: &Desired) -> Report {
    plan::plan(snapshot, &[iam(), ct()], desired).unwrap()
}

/// Both controls hold.
pub(super) fn both_compliant() -> Snapshot {
    let mut s = compliant();
    s.log_groups[0].filters.as_mut().unwrap().push(filter(
        "ct",
        ct().pattern,
        "CloudTrailConfigChanges",
    ));
    s.regions[0].alarms.as_mut().unwrap().push(alarm(
        "ct",
        "CloudTrailConfigChanges",
        Some("alerts"),
    ));
    s
}

/// The IAM filter misses two events (a pattern diff); the CloudTrail chain has no filter, the
/// alarm of the IAM metric has its actions disabled, and the topic has only a pending
/// subscription.
pub(super) fn broken() -> Snapshot {
    let narrow = iam().pattern.replace(
        "||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)",
        "",
    );
    let mut alarm = alarm("iam", "IAMPolicyChanges", Some("alerts"));
    alarm.actions_enabled = false;
    snapshot(
        vec![trail("main")],
        vec![filter("iam", &narrow, "IAMPolicyChanges")],
        vec![alarm],
        vec![topic("alerts", false)],
    )
}

#[test]
fn a_compliant_account_has_nothing_to_do() {
    let report = planned(&both_compliant(), &Desired::default());
    insta::assert_snapshot!(plain(render::plan(&report, REGION, Detail::Full)));
}

#[test]
fn a_broken_chain_shows_findings_the_pattern_diff_and_numbered_actions() {
    let report = planned(&broken(), &notify());
    insta::assert_snapshot!(plain(render::plan(&report, REGION, Detail::Full)));
}

#[test]
fn an_account_without_a_trail_says_what_trailwatch_cannot_fix() {
    let report = planned(&snapshot(vec![], vec![], vec![], vec![]), &notify());
    insta::assert_snapshot!(plain(render::plan(&report, REGION, Detail::Full)));
}

/// Every control of the default benchmark version on an account whose log group has no filter
/// and whose topic (chosen with `--topic-arn`) has only a pending subscription: the same two
/// findings under each of the fifteen controls.
fn fifteen() -> Report {
    let controls = model::catalog::select(model::catalog::default_benchmark(), &[], None).unwrap();
    let account = snapshot(
        vec![trail("main")],
        vec![],
        vec![],
        vec![topic("alerts", false)],
    );
    let desired = Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..notify()
    };
    plan::plan(&account, &controls, &desired).unwrap()
}

#[test]
fn a_broken_chain_in_summary_shows_shared_findings_once() {
    let report = planned(&broken(), &notify());
    insta::assert_snapshot!(plain(render::plan(&report, REGION, Detail::Summary)));
}

#[test]
fn fifteen_controls_in_summary_show_each_shared_finding_once() {
    let report = fifteen();
    assert_eq!(report.controls.len(), 15);
    insta::assert_snapshot!(plain(render::plan(&report, REGION, Detail::Summary)));
}

#[test]
fn the_summary_names_a_shared_finding_once_and_keeps_a_line_per_control() {
    let report = fifteen();
    let shared = &report.controls[0].findings[0].message;
    assert!(report
        .controls
        .iter()
        .all(|c| c.findings.iter().any(|f| &f.message == shared)));
    let summary = plain(render::plan(&report, REGION, Detail::Summary));
    let full = plain(render::plan(&report, REGION, Detail::Full));
    assert_eq!(summary.matches(shared.as_str()).count(), 1, "{summary}");
    assert_eq!(full.matches(shared.as_str()).count(), 15, "{full}");
    for c in &report.controls {
        let line = format!(
            "{}  {} (CIS {}: {})",
            "✗ non_compliant",
            c.id,
            c.cis_id.as_deref().unwrap(),
            c.title
        );
        assert_eq!(summary.matches(&line).count(), 1, "{line}");
        assert_eq!(full.matches(&line).count(), 1, "{line}");
    }
    assert!(summary.ends_with("(run with --detail for every finding of every control)\n"));
    assert!(!full.contains("--detail"));
}

/// Six controls: IAM holds, CloudTrail has a filter but no alarm, root usage is waived, and the
/// other three have no filter, like the waived one.
fn mixed() -> Report {
    let ids = [
        "unauthorized-api-calls",
        "console-signin-without-mfa",
        "root-account-usage",
        "iam-policy-changes",
        "cloudtrail-config-changes",
        "console-auth-failures",
    ];
    let controls: Vec<_> = ids.into_iter().map(control).collect();
    let mut account = compliant();
    let ct_filter = filter("ct", ct().pattern, "CloudTrailConfigChanges");
    account.log_groups[0]
        .filters
        .as_mut()
        .unwrap()
        .push(ct_filter);
    let waiver = Waiver {
        control: "root-account-usage".into(),
        accounts: None,
        reason: "break-glass use is reviewed weekly".into(),
        expires: "2027-03-01".into(),
        ticket: Some("SEC-42".into()),
        expired: false,
    };
    let desired = Desired {
        waivers: vec![waiver],
        ..Desired::default()
    };
    plan::plan(&account, &controls, &desired).unwrap()
}

#[test]
fn a_mixed_account_in_summary_names_the_controls_a_finding_affects() {
    let report = mixed();
    let text = plain(render::plan(&report, REGION, Detail::Summary));
    let before_actions = text.split("\nActions").next().unwrap();
    insta::assert_snapshot!(before_actions);
    assert!(text.contains(
        "affects 4 of 6 controls: all but iam-policy-changes, cloudtrail-config-changes"
    ));
    assert!(
        !text.contains("→ filter"),
        "a compliant control is one line"
    );
    assert!(text.ends_with(
        "(run with --detail for every finding of every control and each compliant chain)\n"
    ));
}

fn outcomes(report: &Report) -> Vec<ActionOutcome> {
    report
        .actions
        .iter()
        .map(|a| ActionOutcome {
            number: a.number,
            action: a.operation.name().to_string(),
            account_id: a.account_id.clone(),
            region: a.region.clone(),
            outcome: match a.number {
                1 => Outcome::Failed {
                    error: "logs:PutMetricFilter was denied (AccessDeniedException: no); grant `logs:PutMetricFilter` to the identity trailwatch runs as".into(),
                },
                _ if a.depends_on.contains(&1) => Outcome::Skipped { because_of: vec![1] },
                n => Outcome::Applied { detail: format!("done {n}") },
            },
        })
        .collect()
}

#[test]
fn apply_shows_each_outcome_and_the_verification() {
    let report = planned(&broken(), &notify());
    let outcomes = outcomes(&report);
    let verification = apply::verify(&outcomes, &report);
    let text = render::outcomes(&report.actions, &outcomes)
        + &render::verification(&report, &verification, true, Detail::Full);
    insta::assert_snapshot!(plain(text));
}

#[test]
fn a_verified_apply_awaiting_confirmation_says_so() {
    let verification = Verification {
        ok: true,
        awaiting_confirmation: vec!["iam-policy-changes".into()],
        still_failing: vec![],
        actions_left: 0,
    };
    let report = planned(&both_compliant(), &Desired::default());
    insta::assert_snapshot!(plain(render::verification(
        &report,
        &verification,
        false,
        Detail::Full
    )));
}

pub(super) fn several() -> Vec<AccountResult> {
    let ok = AccountResult {
        account_id: ACCOUNT.into(),
        report: Ok(planned(&broken(), &notify())),
        calls: [
            ("cloudtrail:DescribeTrails", 1),
            ("logs:DescribeMetricFilters", 1),
        ]
        .into(),
        wall: Duration::from_millis(420),
    };
    let clean = AccountResult {
        account_id: "222233334444".into(),
        report: Ok(planned(&both_compliant(), &Desired::default())),
        calls: [("cloudtrail:DescribeTrails", 1)].into(),
        wall: Duration::from_millis(380),
    };
    let unread = AccountResult {
        account_id: "333344445555".into(),
        report: Err("cannot assume role `audit` in account 333344445555 (sts:AssumeRole: AccessDenied: no); check that the role exists there and trusts account 111122223333".into()),
        calls: Default::default(),
        wall: Duration::from_millis(90),
    };
    vec![ok, clean, unread]
}

#[test]
fn several_accounts_show_each_plan_then_a_summary_line_each() {
    let wall = Duration::from_millis(1500);
    insta::assert_snapshot!(plain(render::many(&several(), REGION, wall, Detail::Full)));
}

#[test]
fn the_plan_document_of_several_accounts_holds_every_account_and_a_summary() {
    let results = several();
    let doc = PlanDocument::new("cis-7.0", &results, Duration::from_millis(1500), true);
    let value = serde_json::to_value(&doc).unwrap();
    assert_eq!(
        value["controls"].as_array().unwrap().len(),
        4,
        "two controls of two readable accounts"
    );
    assert!(value["notes"][0]
        .as_str()
        .unwrap()
        .starts_with("account 111122223333: "));
    let summary = &value["summary"];
    assert_eq!(summary["calls"]["cloudtrail:DescribeTrails"], 2);
    assert_eq!(summary["accounts"][1]["compliant"], 2);
    assert_eq!(summary["accounts"][2]["status"], "error");
    assert!(summary["accounts"][2].get("compliant").is_none());
    assert_eq!(crate::exit::plan(&results), crate::exit::Exit::Error);
    assert_eq!(crate::exit::plan(&results[1..2]), crate::exit::Exit::Clean);
    assert_eq!(crate::exit::plan(&results[..1]), crate::exit::Exit::Changes);
}

#[test]
fn the_apply_document_keeps_the_documented_field_order() {
    let report = planned(&broken(), &notify());
    let outcomes = outcomes(&report);
    let verification = apply::verify(&outcomes, &report);
    let doc = ApplyDocument::new(&report, &outcomes, &report, &verification);
    let value = serde_json::to_value(&doc).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    let documented = [
        "schema_version",
        "benchmark",
        "trails",
        "controls",
        "actions",
        "outcomes",
        "verification",
        "notes",
    ];
    assert_eq!(keys, documented);
    assert_eq!(crate::exit::apply(&verification), crate::exit::Exit::Error);
}

#[test]
fn a_usage_error_is_one_line_with_the_values_it_quotes_shortened() {
    let value = "a".repeat(1000);
    let message = format!(
        "error: invalid value '{value}' for '--region <REGION>': unknown AWS region\n\nFor more information, try '--help'.\n"
    );
    assert_eq!(
        render::usage_error(&message, &[&value]),
        format!(
            "invalid value '{}' for '--region <REGION>': unknown AWS region",
            quoted::shortened(&value)
        )
    );
    let missing =
        "error: the following required arguments were not provided:\n  --to <DATE>\n\nUsage: x\n";
    assert_eq!(
        render::usage_error(missing, &[]),
        "the following required arguments were not provided: --to <DATE>"
    );
}
