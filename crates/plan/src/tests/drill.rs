//! What `drill` asks EventBridge's matcher: the rules that cover a control the report says
//! they cover, one event per distinct event of the control in each rule's region, as this
//! account's bus receives it, with trailwatch's own judgement.

use super::*;
use model::drill::RuleProbe;

/// Another account than the corpus's, so the events are seen to be this account's.
const OWN: &str = "444455556666";

fn rule(name: &str, pattern: &str) -> Rule {
    Rule {
        arn: format!("arn:aws:events:{REGION}:{OWN}:rule/{name}"),
        name: name.into(),
        state: RuleState::Enabled,
        pattern: pattern.into(),
        targets: Ok(vec![format!("arn:aws:sns:{REGION}:{OWN}:alerts")]),
        invocations: Ok(Some(Invocations {
            invoked: 2,
            failed: 0,
        })),
    }
}

/// The sample account, as account [`OWN`], with no filters and these rules in its region
/// (the only one enabled), all targeting a topic with a confirmed subscriber.
fn account(rules: Vec<Rule>) -> Snapshot {
    let own = |text: &str| text.replace(ACCOUNT, OWN);
    let mut main = trail("main");
    main.arn = own(&main.arn);
    main.log_group_arn = main.log_group_arn.as_deref().map(own);
    let mut s = snapshot(vec![main], vec![], vec![], vec![]);
    s.account_id = OWN.into();
    let mut alerts = topic("alerts", true);
    alerts.arn = format!("arn:aws:sns:{REGION}:{OWN}:alerts");
    s.eventbridge = EventBridgeRead::Read(Ok(vec![BusRegion {
        account: OWN.into(),
        policy: BusPolicy::NotRead,
        region: REGION.into(),
        bus: model::live::DEFAULT_BUS.into(),
        rules: Ok(rules),
        topics: vec![alerts],
    }]));
    s
}

fn probes_of(s: &Snapshot, desired: &Desired) -> Vec<RuleProbe> {
    let controls = [iam()];
    let report = plan(s, &controls, desired).unwrap();
    crate::drill::probes(&report, s, &controls)
}

const ALL_IAM: &str = r#"{"source": ["aws.iam"]}"#;
const CREATE_POLICY: &str = r#"{"detail": {"eventName": ["CreatePolicy"]}}"#;

#[test]
fn each_rule_that_covers_a_control_is_asked_about_each_of_its_events_once() {
    let s = account(vec![rule("create", CREATE_POLICY), rule("iam", ALL_IAM)]);
    for desired in [Desired::default(), accept_eventbridge()] {
        let probes = probes_of(&s, &desired);
        let rules: Vec<&str> = probes.iter().map(|p| p.rule.as_str()).collect();
        assert_eq!(rules.len(), 2, "both rules tell someone: {rules:?}");
        let names: Vec<&str> = probes[0].events.iter().map(|e| e.name.as_str()).collect();
        let distinct: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), distinct.len(), "one event per name: {names:?}");
        assert_eq!(
            names.len(),
            model::catalog::corpus_labels(&iam()),
            "every event of the control"
        );
        for p in &probes {
            assert_eq!(p.control, "iam-policy-changes");
            assert_eq!(p.region, REGION);
            assert_eq!(
                p.invocations,
                Ok(Some(Invocations {
                    invoked: 2,
                    failed: 0
                }))
            );
            for e in &p.events {
                assert_eq!(e.event["account"], OWN, "delivered to this account");
                assert_eq!(e.event["region"], REGION);
                assert_eq!(e.event["detail"]["eventName"], e.name.as_str());
            }
        }
        let create = probes.iter().find(|p| p.rule.ends_with("/create")).unwrap();
        let judged: Vec<&str> = create
            .events
            .iter()
            .filter(|e| e.trailwatch)
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(
            judged,
            ["CreatePolicy"],
            "trailwatch's own judgement, per event"
        );
        let iam_rule = probes.iter().find(|p| p.rule.ends_with("/iam")).unwrap();
        assert!(iam_rule.events.iter().all(|e| e.trailwatch));
    }
}

#[test]
fn a_control_no_rule_covers_is_not_probed() {
    let partial = account(vec![rule("create", CREATE_POLICY)]);
    assert_eq!(probes_of(&partial, &Desired::default()), vec![]);
    let unread = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    assert_eq!(probes_of(&unread, &Desired::default()), vec![]);
}

fn accept_eventbridge() -> Desired {
    Desired {
        accept_eventbridge: true,
        ..Desired::default()
    }
}
