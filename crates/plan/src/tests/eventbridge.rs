//! EventBridge rules as a way of being told: which controls they cover, what they miss and why,
//! and what `--accept eventbridge` does with a covered control.

use super::*;

const OTHER: &str = "eu-west-1";

fn rule(name: &str, region: &str, state: RuleState, pattern: &str, topic: &str) -> Rule {
    Rule {
        arn: format!("arn:aws:events:{region}:{ACCOUNT}:rule/{name}"),
        name: name.into(),
        state,
        pattern: pattern.into(),
        targets: Ok(vec![topic.to_string()]),
        invocations: Ok(None),
    }
}

fn alerts_in(region: &str) -> Topic {
    let mut t = topic("alerts", true);
    t.arn = format!("arn:aws:sns:{region}:{ACCOUNT}:alerts");
    t.subscriptions = Ok(vec![Subscription {
        arn: format!("{}:abc", t.arn),
        protocol: "email".into(),
        endpoint: "sec@example.com".into(),
    }]);
    t
}

fn bus(region: &str, rules: Vec<Rule>) -> BusRegion {
    BusRegion {
        account: ACCOUNT.into(),
        policy: BusPolicy::NotRead,
        region: region.into(),
        bus: DEFAULT_BUS.into(),
        rules: Ok(rules),
        topics: vec![alerts_in(region)],
    }
}

/// The sample account with no filters (every control non-compliant) and these buses.
fn account(buses: Vec<BusRegion>) -> Snapshot {
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    s.eventbridge = EventBridgeRead::Read(Ok(buses));
    s
}

fn judged(s: &Snapshot, control: &str, desired: &Desired) -> ControlResult {
    plan(s, &[model::sample::control(control)], desired)
        .unwrap()
        .controls
        .remove(0)
}

fn finding(r: &ControlResult, code: FindingCode) -> &Finding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", r.findings))
}

fn accept() -> Desired {
    Desired {
        accept_eventbridge: true,
        ..Desired::default()
    }
}

const IAM_RULE: &str = r#"{"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"]}"#;

fn iam_rule(region: &str) -> Rule {
    let topic = alerts_in(region).arn;
    rule("iam", region, RuleState::Enabled, IAM_RULE, &topic)
}

#[test]
fn a_rule_in_us_east_1_covers_a_global_service_in_every_region() {
    let s = account(vec![
        bus(REGION, vec![iam_rule(REGION)]),
        bus(OTHER, vec![]),
    ]);
    let r = judged(&s, "iam-policy-changes", &Desired::default());
    assert_eq!(
        r.status,
        Status::NonCompliant,
        "the CIS verdict is unchanged"
    );
    let f = finding(&r, FindingCode::CoveredByEventbridge);
    assert!(f.message.contains("rule/iam"), "{}", f.message);
    assert!(f.hint.as_deref().unwrap().contains("--accept eventbridge"));
}

#[test]
fn accepted_eventbridge_makes_the_control_compliant_with_an_eventbridge_chain() {
    let s = account(vec![
        bus(REGION, vec![iam_rule(REGION)]),
        bus(OTHER, vec![]),
    ]);
    let report = plan(&s, &[iam()], &accept()).unwrap();
    let r = &report.controls[0];
    assert_eq!(r.status, Status::Compliant);
    let chain = r.chain.as_ref().unwrap();
    assert_eq!(chain.kind, model::report::ChainKind::Eventbridge);
    assert_eq!(chain.rules, vec![iam_rule(REGION).arn]);
    assert!(
        report
            .actions
            .iter()
            .all(|a| !a.control_ids.contains(&r.id)),
        "nothing is planned for a control its rules cover: {:#?}",
        report.actions
    );
}

#[test]
fn a_regional_service_needs_a_rule_in_every_enabled_region() {
    let ct = r#"{"source": ["aws.cloudtrail"]}"#;
    let topic = alerts_in(REGION).arn;
    let only_here = rule("ct", REGION, RuleState::Enabled, ct, &topic);
    let s = account(vec![bus(REGION, vec![only_here]), bus(OTHER, vec![])]);
    let r = judged(&s, "cloudtrail-config-changes", &accept());
    assert_eq!(r.status, Status::NonCompliant);
    let f = finding(&r, FindingCode::EventbridgePartial);
    assert!(
        f.message
            .contains("no enabled rule matches them in eu-west-1"),
        "{}",
        f.message
    );
}

#[test]
fn read_only_events_need_the_state_that_sees_them() {
    let denied = r#"{"detail": {"errorCode": [{"suffix": "UnauthorizedOperation"}, {"prefix": "AccessDenied"}]}}"#;
    let buses = [REGION, OTHER]
        .iter()
        .map(|region| {
            let topic = alerts_in(region).arn;
            bus(
                region,
                vec![rule("denied", region, RuleState::Enabled, denied, &topic)],
            )
        })
        .collect();
    let s = account(buses);
    let r = judged(&s, "unauthorized-api-calls", &accept());
    assert_eq!(r.status, Status::NonCompliant);
    let f = finding(&r, FindingCode::EventbridgePartial);
    assert!(
        f.message
            .contains("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        "{}",
        f.message
    );
    assert!(f.message.contains("Decrypt"), "{}", f.message);

    let all = |region: &str| {
        let topic = alerts_in(region).arn;
        rule(
            "denied",
            region,
            RuleState::EnabledWithAllManagementEvents,
            denied,
            &topic,
        )
    };
    let s = account(vec![
        bus(REGION, vec![all(REGION)]),
        bus(OTHER, vec![all(OTHER)]),
    ]);
    assert_eq!(
        judged(&s, "unauthorized-api-calls", &accept()).status,
        Status::Compliant
    );
}

#[test]
fn a_topic_that_does_not_let_eventbridge_publish_reaches_nobody() {
    let mut here = bus(REGION, vec![iam_rule(REGION)]);
    let only_cloudwatch = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": "*"}]}"#;
    here.topics[0].attributes = Ok(TopicAttributes {
        policy: Some(only_cloudwatch.into()),
        ..TopicAttributes::default()
    });
    let s = account(vec![here]);
    let r = judged(&s, "iam-policy-changes", &accept());
    assert_eq!(r.status, Status::NonCompliant);
    let f = finding(&r, FindingCode::EventbridgePartial);
    assert!(f.message.contains("events.amazonaws.com"), "{}", f.message);
}

#[test]
fn a_policy_scoped_to_the_rule_lets_it_publish() {
    let mut here = bus(REGION, vec![iam_rule(REGION)]);
    let scoped = format!(
        r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"Service": "events.amazonaws.com"}}, "Action": "sns:Publish", "Resource": "*", "Condition": {{"ArnEquals": {{"aws:SourceArn": "{}"}}}}}}]}}"#,
        iam_rule(REGION).arn
    );
    here.topics[0].attributes = Ok(TopicAttributes {
        policy: Some(scoped),
        ..TopicAttributes::default()
    });
    let s = account(vec![here]);
    assert_eq!(
        judged(&s, "iam-policy-changes", &accept()).status,
        Status::Compliant
    );
}

#[test]
fn failing_invocations_and_disabled_rules_do_not_count() {
    let mut failing = iam_rule(REGION);
    failing.invocations = Ok(Some(Invocations {
        invoked: 3,
        failed: 3,
    }));
    let s = account(vec![bus(REGION, vec![failing])]);
    let f = judged(&s, "iam-policy-changes", &accept());
    assert!(finding(&f, FindingCode::EventbridgePartial)
        .message
        .contains("FailedInvocations"));

    let mut disabled = iam_rule(REGION);
    disabled.state = RuleState::Disabled;
    let s = account(vec![bus(REGION, vec![disabled])]);
    let r = judged(&s, "iam-policy-changes", &accept());
    assert!(
        r.findings
            .iter()
            .all(|f| !f.code.as_str().starts_with("covered")),
        "{:#?}",
        r.findings
    );
}

#[test]
fn what_cannot_be_read_or_judged_is_cannot_tell() {
    let mut s = account(vec![]);
    s.eventbridge = EventBridgeRead::Read(Err(ReadError {
        action: "account:ListRegions".into(),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }));
    let r = judged(&s, "iam-policy-changes", &Desired::default());
    assert_eq!(
        r.status,
        Status::NonCompliant,
        "without --accept the filters decide"
    );
    finding(&r, FindingCode::EventbridgeUnread);
    assert_eq!(
        judged(&s, "iam-policy-changes", &accept()).status,
        Status::Error
    );

    let mut odd = iam_rule(REGION);
    odd.pattern = r#"{"detail": {"eventName": [{"some-new-operator": 1}]}}"#.into();
    let s = account(vec![bus(REGION, vec![odd])]);
    let r = judged(&s, "iam-policy-changes", &accept());
    assert_eq!(r.status, Status::Error);
    assert!(finding(&r, FindingCode::EventbridgeUnread)
        .message
        .contains("rule/iam"));
}

#[test]
fn rules_not_read_add_no_finding_and_the_report_says_they_were_not_read() {
    // Apply's reads without --accept eventbridge skip the rules (`Desired::for_apply`).
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    s.eventbridge = EventBridgeRead::NotRead;
    let report = plan(&s, &[iam()], &Desired::default()).unwrap();
    let r = &report.controls[0];
    assert_eq!(r.status, Status::NonCompliant);
    assert!(r.findings.iter().all(|f| !matches!(
        f.code,
        FindingCode::CoveredByEventbridge
            | FindingCode::EventbridgePartial
            | FindingCode::EventbridgeUnread
    )));
    let last = report.notes.last().expect("a note");
    assert!(
        last.starts_with("EventBridge rules were not read") && last.contains("trailwatch plan"),
        "{:?}",
        report.notes
    );
}

#[test]
fn rules_read_or_not_needed_leave_no_note_about_them() {
    let mentions_rules = |notes: &[String]| notes.iter().any(|n| n.contains("EventBridge"));
    // Read, and no rule matches: the open control is judged, nothing is left unsaid.
    let read = account(vec![bus(REGION, vec![])]);
    let report = plan(&read, &[iam()], &Desired::default()).unwrap();
    assert_eq!(report.controls[0].status, Status::NonCompliant);
    assert!(!mentions_rules(&report.notes), "{:?}", report.notes);
    // Not read, but the filters make every control compliant: the rules could add nothing.
    let mut s = compliant();
    s.eventbridge = EventBridgeRead::NotRead;
    let report = plan(&s, &[iam()], &Desired::default()).unwrap();
    assert_eq!(report.controls[0].status, Status::Compliant);
    assert!(!mentions_rules(&report.notes), "{:?}", report.notes);
}

fn forwarding(region: &str, to: &str) -> Rule {
    let ct = r#"{"source": ["aws.cloudtrail"]}"#;
    rule("forward", region, RuleState::Enabled, ct, to)
}

#[test]
fn a_rule_forwarding_to_another_regions_bus_is_followed() {
    let ct = r#"{"source": ["aws.cloudtrail"]}"#;
    let topic = alerts_in(REGION).arn;
    let central = rule("ct", REGION, RuleState::Enabled, ct, &topic);
    let bus_here = format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default");
    let s = account(vec![
        bus(REGION, vec![central.clone()]),
        bus(OTHER, vec![forwarding(OTHER, &bus_here)]),
    ]);
    let r = judged(&s, "cloudtrail-config-changes", &accept());
    assert_eq!(r.status, Status::Compliant, "{:#?}", r.findings);
    let rules = &r.chain.as_ref().unwrap().rules;
    assert!(
        rules.contains(&central.arn) && rules.contains(&forwarding(OTHER, "").arn),
        "{rules:?}"
    );

    // The receiving bus has no rule for the events: the forward reaches nobody, and says so.
    let s = account(vec![
        bus(REGION, vec![]),
        bus(OTHER, vec![forwarding(OTHER, &bus_here)]),
    ]);
    let r = judged(&s, "cloudtrail-config-changes", &accept());
    let f = finding(&r, FindingCode::EventbridgePartial);
    assert!(
        f.message
            .contains("it forwards to (`default` in us-east-1)"),
        "{}",
        f.message
    );
}

const CENTRAL: &str = "999988887777";

/// The central account's bus `central` in `region`: a rule on CloudTrail's events notifying its
/// own topic (which lets EventBridge publish), and `policy`.
fn central_bus(region: &str, policy: BusPolicy) -> BusRegion {
    let mut alerts = alerts_in(region);
    alerts.arn = alerts.arn.replace(ACCOUNT, CENTRAL);
    let ct = r#"{"source": ["aws.cloudtrail"]}"#;
    let mut told = rule("told", region, RuleState::Enabled, ct, &alerts.arn);
    told.arn = told
        .arn
        .replace(ACCOUNT, CENTRAL)
        .replace("rule/", "rule/central/");
    BusRegion {
        account: CENTRAL.into(),
        region: region.into(),
        bus: "central".into(),
        policy,
        rules: Ok(vec![told]),
        topics: vec![alerts],
    }
}

/// A bus policy with one statement letting `principal` put events, and `condition` if any.
fn bus_policy(principal: serde_json::Value, condition: Option<serde_json::Value>) -> BusPolicy {
    let mut statement = serde_json::json!({
        "Sid": "members", "Effect": "Allow", "Principal": principal,
        "Action": "events:PutEvents",
        "Resource": format!("arn:aws:events:{REGION}:{CENTRAL}:event-bus/central"),
    });
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]});
    BusPolicy::Read(Some(policy.to_string()))
}

/// Judges `cloudtrail-config-changes` (CloudTrail's events arrive in every region) in an
/// account of one region whose rule forwards to the central bus, read as `central`.
fn via_central(central: Option<BusRegion>) -> ControlResult {
    let to = format!("arn:aws:events:{REGION}:{CENTRAL}:event-bus/central");
    let mut s = account(vec![bus(REGION, vec![forwarding(REGION, &to)])]);
    s.regions.truncate(1);
    if let EventBridgeRead::Read(Ok(buses)) = &mut s.eventbridge {
        buses.extend(central);
    }
    judged(&s, "cloudtrail-config-changes", &accept())
}

#[test]
fn a_forward_to_another_account_of_the_run_counts_when_its_bus_lets_this_account_in() {
    let account_root = serde_json::json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")});
    let r = via_central(Some(central_bus(REGION, bus_policy(account_root, None))));
    assert_eq!(r.status, Status::Compliant, "{:#?}", r.findings);
    let rules = &r.chain.as_ref().unwrap().rules;
    assert!(
        rules.iter().any(|arn| arn.contains(CENTRAL)),
        "the central account's rule is named: {rules:?}"
    );
    let by_id = serde_json::json!({"AWS": ACCOUNT});
    let r = via_central(Some(central_bus(REGION, bus_policy(by_id, None))));
    assert_eq!(r.status, Status::Compliant, "an account id is its root");
}

#[test]
fn a_central_bus_that_does_not_let_this_account_in_is_a_miss_with_its_reason() {
    let someone_else = serde_json::json!({"AWS": "arn:aws:iam::111111111111:root"});
    let cases = [
        (
            bus_policy(someone_else, None),
            format!("does not let account {ACCOUNT} put events"),
        ),
        (BusPolicy::Read(None), "has no resource policy".to_string()),
    ];
    for (policy, reason) in cases {
        let r = via_central(Some(central_bus(REGION, policy)));
        assert_eq!(r.status, Status::NonCompliant);
        let f = finding(&r, FindingCode::EventbridgePartial);
        assert!(f.message.contains(&reason), "{reason}: {}", f.message);
    }
}

#[test]
fn a_central_bus_policy_trailwatch_cannot_judge_is_cannot_tell() {
    // An organization condition: trailwatch does not know the account's organization.
    let org = serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
    let r = via_central(Some(central_bus(REGION, bus_policy("*".into(), Some(org)))));
    assert_eq!(r.status, Status::Error, "{:#?}", r.findings);
    let f = finding(&r, FindingCode::EventbridgeUnread);
    assert!(f.message.contains("aws:PrincipalOrgID"), "{}", f.message);
    // A role of the account: it depends on the role the rule forwards with.
    let role = serde_json::json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:role/forwarder")});
    let r = via_central(Some(central_bus(REGION, bus_policy(role, None))));
    assert_eq!(r.status, Status::Error, "{:#?}", r.findings);
}

#[test]
fn the_buses_of_other_accounts_to_read_are_those_forwarded_to_and_not_yet_read() {
    let to = format!("arn:aws:events:{REGION}:{CENTRAL}:event-bus/central");
    let mut s = account(vec![bus(REGION, vec![forwarding(REGION, &to)])]);
    let wanted = crate::foreign_buses(&s);
    assert_eq!(wanted.len(), 1);
    assert_eq!(
        (wanted[0].account_id.as_str(), wanted[0].name.as_str()),
        (CENTRAL, "central")
    );
    if let EventBridgeRead::Read(Ok(buses)) = &mut s.eventbridge {
        buses.push(central_bus(REGION, BusPolicy::Read(None)));
    }
    assert!(crate::foreign_buses(&s).is_empty(), "read once");
}

#[test]
fn a_forward_to_an_account_outside_the_run_is_named_not_counted() {
    let elsewhere = format!("arn:aws:events:{REGION}:999988887777:event-bus/central");
    let s = account(vec![
        bus(REGION, vec![forwarding(REGION, &elsewhere)]),
        bus(OTHER, vec![forwarding(OTHER, &elsewhere)]),
    ]);
    let r = judged(&s, "cloudtrail-config-changes", &accept());
    assert_eq!(r.status, Status::NonCompliant);
    let f = finding(&r, FindingCode::EventbridgePartial);
    assert!(
        f.message.contains("of account 999988887777"),
        "{}",
        f.message
    );
}
