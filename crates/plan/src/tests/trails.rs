//! Which trails qualify, and how the account-level verdicts read: no trail, elsewhere, missing log group, denied reads.

use super::*;

#[test]
fn a_complete_chain_is_compliant_with_nothing_to_do() {
    let r = run(&compliant(), &Desired::default());
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert!(r.is_clean());
    let chain = r.controls[0].chain.as_ref().unwrap();
    assert_eq!(chain.filter.as_deref(), Some("f"));
    assert_eq!(chain.alarm.as_deref(), Some("a"));
}

#[test]
fn an_account_without_trails_cannot_be_fixed() {
    let r = run(&snapshot(vec![], vec![], vec![], vec![]), &notify());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r), vec!["no-trail"]);
    assert!(r.actions.is_empty());
}

#[test]
fn each_trail_problem_is_reported() {
    let mut t = trail("main");
    t.is_multi_region = false;
    t.is_logging = Ok(false);
    t.log_group_arn = None;
    t.selectors = Ok(EventSelectors {
        basic: vec![BasicSelector {
            read_write_type: "WriteOnly".into(),
            include_management_events: true,
        }],
        advanced: vec![],
    });
    let r = run(&snapshot(vec![t], vec![], vec![], vec![]), &notify());
    assert_eq!(
        codes(&r),
        vec![
            "no-qualifying-trail",
            "trail-not-multi-region",
            "trail-not-logging",
            "trail-not-all-management-events",
            "trail-no-cloudwatch-logs"
        ]
    );
    assert!(r.controls[0].findings[3]
        .message
        .contains("only WriteOnly management events"));
    assert!(r.actions.is_empty());
}

#[test]
fn advanced_selectors_qualify_only_without_read_only() {
    let mgmt = |read_only: Option<&str>| {
        let mut fields = vec![FieldSelector {
            field: "eventCategory".into(),
            equals: vec!["Management".into()],
            not_equals: vec![],
        }];
        if let Some(v) = read_only {
            fields.push(FieldSelector {
                field: "readOnly".into(),
                equals: vec![v.into()],
                not_equals: vec![],
            });
        }
        EventSelectors {
            basic: vec![],
            advanced: vec![AdvancedSelector { name: None, fields }],
        }
    };
    assert!(crate::trails::captures_all_management_events(&mgmt(None)).is_ok());
    let err = crate::trails::captures_all_management_events(&mgmt(Some("false"))).unwrap_err();
    assert!(err.to_string().contains("readOnly = false"), "{err}");
}

#[test]
fn a_denied_read_is_an_error_naming_the_action() {
    let mut t = trail("main");
    t.is_logging = Err(ReadError {
        action: "cloudtrail:GetTrailStatus".into(),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    });
    let r = run(&snapshot(vec![t], vec![], vec![], vec![]), &notify());
    assert_eq!(r.controls[0].status, Status::Error);
    assert!(r.controls[0].findings[0]
        .message
        .contains("cloudtrail:GetTrailStatus"));
    assert!(r.has_errors());
}

#[test]
fn a_trail_whose_log_group_is_elsewhere_is_not_applicable() {
    let mut t = trail("org");
    t.log_group_arn = Some("arn:aws:logs:us-east-1:999988887777:log-group:org:*".into());
    let r = run(&snapshot(vec![t], vec![], vec![], vec![]), &notify());
    assert_eq!(r.controls[0].status, Status::NotApplicable);
    assert!(r.controls[0].findings[0]
        .message
        .contains("monitored centrally in account 999988887777"));
    assert!(r.actions.is_empty());
}

#[test]
fn a_missing_log_group_is_reported_and_not_fixed() {
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    s.log_groups[0].filters = Err(ReadError {
        action: "logs:DescribeMetricFilters".into(),
        code: Some("ResourceNotFoundException".into()),
        message: "The specified log group does not exist.".into(),
    });
    let r = run(&s, &notify());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r), vec!["log-group-missing"]);
    assert!(
        r.actions.is_empty(),
        "a filter on a missing group would fix nothing"
    );
}

#[test]
fn only_a_denied_read_says_which_permission_to_grant() {
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let mut error = ReadError {
        action: "cloudwatch:DescribeAlarms".into(),
        code: Some("ThrottlingException".into()),
        message: "Rate exceeded".into(),
    };
    s.regions[0].alarms = Err(error.clone());
    s.log_groups[0].filters = Ok(vec![filter("f", iam().pattern, "IAMPolicyChanges")]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::Error);
    assert_eq!(r.controls[0].findings[0].hint, None);
    error.code = Some("AccessDenied".into());
    s.regions[0].alarms = Err(error);
    let r = run(&s, &Desired::default());
    assert_eq!(
        r.controls[0].findings[0].hint.as_deref(),
        Some("grant `cloudwatch:DescribeAlarms` to the identity trailwatch runs as")
    );
}

/// The compliant account, its trail's delivery to CloudWatch Logs changed by `change`.
fn delivering(change: impl FnOnce(&mut model::live::LogsDelivery)) -> Report {
    let mut s = compliant();
    change(&mut s.trails.as_mut().unwrap()[0].logs_delivery);
    run(&s, &notify())
}

fn trail_codes(r: &Report) -> Vec<&str> {
    r.trails[0]
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

#[test]
fn a_trail_that_is_not_delivering_to_its_log_group_does_not_qualify() {
    type Change = fn(&mut model::live::LogsDelivery);
    let cases: [(&str, Change, &str, &str); 3] = [
        (
            "no role",
            |d| d.role_arn = None,
            "trail-no-logs-role",
            "--cloud-watch-logs-role-arn",
        ),
        (
            "the latest delivery failed",
            |d| d.latest_error = Some("AccessDeniedException".into()),
            "trail-logs-delivery-failing",
            "role/cloudtrail-to-logs",
        ),
        (
            "nothing delivered for 25 hours",
            |d| d.latest_delivery = Some(SAMPLE_NOW - 25 * 3600),
            "trail-logs-delivery-stalled",
            "role/cloudtrail-to-logs",
        ),
    ];
    for (why, change, code, hint) in cases {
        let r = delivering(change);
        assert!(!r.trails[0].qualifies, "{why}");
        assert_eq!(trail_codes(&r), [code], "{why}");
        let finding = &r.trails[0].findings[0];
        assert!(
            finding.hint.as_deref().unwrap().contains(hint),
            "{why}: {finding:?}"
        );
        assert_eq!(r.controls[0].status, Status::NonCompliant, "{why}");
        assert!(
            r.actions.is_empty(),
            "{why}: trailwatch never changes trails"
        );
    }
    let stalled = delivering(|d| d.latest_delivery = Some(SAMPLE_NOW - 25 * 3600));
    assert!(stalled.trails[0].findings[0]
        .message
        .contains("since 2026-11-28T11:00:00Z (25 hours"));
}

#[test]
fn a_trail_that_delivered_within_a_day_or_has_no_delivery_time_yet_qualifies() {
    for latest in [Some(SAMPLE_NOW - 23 * 3600), None] {
        let r = delivering(|d| d.latest_delivery = latest);
        assert!(r.trails[0].qualifies, "{latest:?}");
        assert_eq!(r.controls[0].status, Status::Compliant);
    }
}
