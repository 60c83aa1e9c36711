//! Planner tests on plain snapshots: statuses, findings, the actions chosen, and their order.

use super::*;
use model::live::*;
use model::{Change, FindingCode, Operation, TopicChoice};

use model::sample::*;

fn run(s: &Snapshot, desired: &Desired) -> Report {
    plan(s, &[iam()], desired).unwrap()
}

fn codes(r: &Report) -> Vec<&str> {
    r.controls[0]
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

fn kinds(r: &Report) -> Vec<&str> {
    r.actions.iter().map(|a| a.operation.name()).collect()
}

fn notify() -> Desired {
    Desired {
        notify: vec!["email:sec@example.com".parse().unwrap()],
        ..Desired::default()
    }
}

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
    assert!(trails::captures_all_management_events(&mgmt(None)).is_ok());
    let err = trails::captures_all_management_events(&mgmt(Some("false"))).unwrap_err();
    assert!(err.contains("readOnly = false"), "{err}");
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
fn the_default_topic_is_asked_for_only_when_the_plan_turns_to_it() {
    let default = topic_arn(model::desired::DEFAULT_TOPIC_NAME);
    // Nothing notifies a topic: the plan needs the default topic, which was not read.
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let Planned::Read(wanted) = plan_or_read(&s, &[iam()], &Desired::default()).unwrap() else {
        panic!("the default topic was not read")
    };
    let topic = TopicRequest {
        region: REGION.to_string(),
        arn: default.clone(),
    };
    assert_eq!(wanted.topics, vec![topic]);
    assert!(wanted.alarms.is_empty());
    // Read and absent: create it.
    s.regions[0].topics_read.push(default.clone());
    let Planned::Report(r) = plan_or_read(&s, &[iam()], &Desired::default()).unwrap() else {
        panic!("everything was read")
    };
    assert!(kinds(&r).contains(&"create-topic"));
    // An alarm already notifies a good topic: the default one is never needed.
    let Planned::Report(r) = plan_or_read(&compliant(), &[iam()], &Desired::default()).unwrap()
    else {
        panic!("a compliant account needs nothing more")
    };
    assert!(r.actions.is_empty());
}

#[test]
fn missing_everything_plans_filter_topic_subscription_and_alarm_in_order() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let r = plan(&s, &[iam(), ct()], &notify()).unwrap();
    assert_eq!(
        kinds(&r),
        vec![
            "put-metric-filter",
            "put-metric-filter",
            "create-topic",
            "subscribe",
            "put-metric-alarm",
            "put-metric-alarm"
        ]
    );
    // One shared topic; alarms depend on their filter and on the topic.
    assert_eq!(r.actions[4].depends_on, vec![1, 3]);
    assert_eq!(r.actions[5].depends_on, vec![2, 3]);
    assert_eq!(r.actions[3].depends_on, vec![3]);
    let Operation::PutMetricAlarm { after, .. } = &r.actions[4].operation else {
        panic!()
    };
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(
        after.alarm_actions,
        vec![topic_arn("trailwatch-cis-alarms")]
    );
    assert_eq!(after.period, 300);
    assert_eq!(after.treat_missing_data.as_deref(), Some("notBreaching"));
    // Email awaits confirmation, so the control will not hold right after apply.
    let f = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::TopicNoConfirmedSubscriber)
        .unwrap();
    assert!(f
        .hint
        .as_deref()
        .unwrap()
        .contains("apply subscribes email:sec@example.com"));
}

#[test]
fn without_an_endpoint_the_plan_says_to_pass_notify() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let r = run(&s, &Desired::default());
    assert!(!kinds(&r).contains(&"subscribe"));
    let f = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::TopicNoSubscriber)
        .unwrap();
    assert!(f.hint.as_deref().unwrap().contains("--notify"));
}

#[test]
fn a_filter_missing_an_event_is_updated_in_place_with_its_metric() {
    let partial = iam()
        .pattern
        .replace("||($.eventName=DetachGroupPolicy)", "");
    let s = snapshot(
        vec![trail("main")],
        vec![filter("iam-changes", &partial, "MyMetric")],
        vec![alarm("a", "MyMetric", Some("alerts"))],
        vec![topic("alerts", true)],
    );
    let r = run(&s, &Desired::default());
    assert!(r.controls[0]
        .findings
        .iter()
        .any(|f| f.message.contains("does not catch DetachGroupPolicy")));
    assert_eq!(kinds(&r), vec!["put-metric-filter"]);
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(r.actions[0].change, Change::Update);
    assert_eq!(before.as_ref().unwrap().pattern, partial);
    assert_eq!(after.name, "iam-changes");
    assert_eq!(after.metric_name, "MyMetric");
    assert_eq!(after.pattern, iam().pattern);
}

#[test]
fn an_equivalent_pattern_is_accepted() {
    let mut s = compliant();
    let reordered = "{ $.eventName = \"DetachGroupPolicy\" || ($.eventName = AttachGroupPolicy) || $.eventName=DetachUserPolicy || $.eventName=AttachUserPolicy || $.eventName=DetachRolePolicy || $.eventName=AttachRolePolicy || $.eventName=DeletePolicyVersion || $.eventName=CreatePolicyVersion || $.eventName=DeletePolicy || $.eventName=CreatePolicy || $.eventName=PutUserPolicy || $.eventName=PutRolePolicy || $.eventName=PutGroupPolicy || $.eventName=DeleteUserPolicy || $.eventName=DeleteRolePolicy || $.eventName=DeleteGroupPolicy }";
    s.log_groups[0].filters = Ok(vec![filter("f", reordered, "IAMPolicyChanges")]);
    assert_eq!(
        run(&s, &Desired::default()).controls[0].status,
        Status::Compliant
    );
}

#[test]
fn a_disabled_alarm_is_updated_keeping_its_other_actions() {
    let mut s = compliant();
    let mut a = alarm("a", "IAMPolicyChanges", Some("alerts"));
    a.actions_enabled = false;
    s.regions[0].alarms = Ok(vec![a]);
    let r = run(&s, &Desired::default());
    assert_eq!(codes(&r), vec!["alarm-actions-disabled"]);
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(!before.as_ref().unwrap().actions_enabled);
    assert!(after.actions_enabled);
    assert_eq!(
        after.ok_actions,
        vec!["arn:aws:sns:us-east-1:111122223333:ok-topic"]
    );
    assert_eq!(after.alarm_actions, vec![topic_arn("alerts")]);
    assert_eq!(after.period, 60, "the user's other settings are kept");
}

#[test]
fn a_pending_subscription_is_reported_and_not_subscribed_again() {
    let mut s = compliant();
    s.regions[0].topics = Ok(vec![topic("alerts", false)]);
    let r = run(&s, &notify());
    assert_eq!(codes(&r), vec!["subscription-pending"]);
    assert!(r.actions.is_empty(), "{:?}", r.actions);
}

#[test]
fn a_topic_without_subscribers_is_subscribed_to_not_replaced() {
    let mut s = compliant();
    s.regions[0].topics = Ok(vec![Topic {
        arn: topic_arn("alerts"),
        subscriptions: Ok(vec![]),
        attributes: Ok(TopicAttributes::default()),
    }]);
    let r = run(&s, &notify());
    assert_eq!(codes(&r), vec!["topic-no-confirmed-subscriber"]);
    assert_eq!(kinds(&r), vec!["subscribe"]);
    let Operation::Subscribe { after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(after.topic_arn, topic_arn("alerts"));
}

#[test]
fn an_alarm_in_the_wrong_namespace_does_not_count() {
    let mut s = compliant();
    let mut a = alarm("a", "IAMPolicyChanges", Some("alerts"));
    a.namespace = Some("Other".into());
    s.regions[0].alarms = Ok(vec![a]);
    let r = run(&s, &Desired::default());
    assert_eq!(codes(&r), vec!["no-alarm", "alarm-wrong-namespace"]);
    // The misconfigured alarm's topic has a confirmed subscriber: the new alarm reuses it.
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    assert!(r.notes[0].contains("reusing topic"), "{:?}", r.notes);
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
fn topic_arn_must_exist_and_be_in_the_log_groups_region() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let d = |arn: &str| Desired {
        topic: TopicChoice::Arn(arn.into()),
        ..Desired::default()
    };
    let err = plan(&s, &[iam()], &d(&topic_arn("nope"))).unwrap_err();
    assert!(err.0.contains("does not exist"), "{err}");
    let err = plan(&s, &[iam()], &d("arn:aws:sns:eu-west-1:111122223333:x")).unwrap_err();
    assert!(err.0.contains("own region"), "{err}");
}

fn filter_action(
    r: &Report,
) -> (
    &Option<model::report::FilterSpec>,
    &model::report::FilterSpec,
) {
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!("the first action writes a filter: {:?}", kinds(r))
    };
    (before, after)
}

#[test]
fn trailwatchs_own_filter_is_corrected_not_duplicated() {
    let ours = filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = Foo }",
        "IAMPolicyChanges",
    );
    let s = snapshot(vec![trail("main")], vec![ours], vec![], vec![]);
    let r = run(&s, &notify());
    let (before, after) = filter_action(&r);
    assert_eq!(before.as_ref().unwrap().pattern, "{ $.eventName = Foo }");
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(after.pattern, iam().pattern);
}

#[test]
fn a_filter_with_our_name_on_another_metric_is_left_alone_unless_adopted() {
    let theirs = filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = Foo }",
        "X",
    );
    let s = snapshot(vec![trail("main")], vec![theirs], vec![], vec![]);
    let r = run(&s, &notify());
    let (before, after) = filter_action(&r);
    assert!(
        before.is_none(),
        "someone else's filter must not be rewritten"
    );
    assert_eq!(after.name, "trailwatch-iam-policy-changes-2");
    assert_eq!(after.metric_name, "IAMPolicyChanges");
    assert!(
        r.notes.iter().any(
            |n| n.contains("publishes a metric trailwatch would not create")
                && n.contains("--adopt")
        ),
        "{:?}",
        r.notes
    );
    let adopt = Desired {
        adopt: true,
        ..notify()
    };
    let r = run(&s, &adopt);
    let (before, after) = filter_action(&r);
    assert_eq!(
        before.as_ref().unwrap().name,
        "trailwatch-iam-policy-changes"
    );
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(after.metric_name, "X", "adopting keeps the filter's metric");
    assert!(
        r.actions[0].reason.contains("--adopt"),
        "{}",
        r.actions[0].reason
    );
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

fn combined(iam_pattern: &str) -> String {
    format!(
        "{{ {} || {} }}",
        iam_pattern.trim_start_matches('{').trim_end_matches('}'),
        ct().pattern.trim_start_matches('{').trim_end_matches('}')
    )
}

#[test]
fn a_combined_filter_that_catches_every_event_counts_for_both_controls() {
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "security-changes",
            &combined(iam().pattern),
            "SecurityChanges",
        )],
        vec![alarm("security", "SecurityChanges", Some("alerts"))],
        vec![topic("alerts", true)],
    );
    let r = plan(&s, &[iam(), ct()], &Desired::default()).unwrap();
    for c in &r.controls {
        assert_eq!(c.status, Status::Compliant, "{}: {:?}", c.id, c.findings);
        assert_eq!(
            c.chain.as_ref().unwrap().filter.as_deref(),
            Some("security-changes")
        );
    }
    assert!(r.is_clean());
}

#[test]
fn a_filter_that_also_serves_other_events_is_not_rewritten() {
    let partial = iam()
        .pattern
        .replace("||($.eventName=DetachGroupPolicy)", "");
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "security-changes",
            &combined(&partial),
            "SecurityChanges",
        )],
        vec![],
        vec![],
    );
    let r = run(&s, &notify());
    let f = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::FilterPatternDiffers)
        .unwrap();
    assert!(
        f.message.contains("does not catch DetachGroupPolicy"),
        "{}",
        f.message
    );
    // It also catches CloudTrail events, so the plan creates trailwatch's own filter beside it.
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(before.is_none());
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
}

#[test]
fn a_narrowing_clause_is_named_and_the_filter_corrected() {
    let narrowed = format!(
        "{{ ({}) && ($.userIdentity.type = Root) }}",
        ct().pattern.trim_start_matches('{').trim_end_matches('}')
    );
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "trail-changes",
            &narrowed,
            "CloudTrailConfigChanges",
        )],
        vec![],
        vec![],
    );
    let r = plan(&s, &[ct()], &notify()).unwrap();
    let f = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::FilterPatternDiffers)
        .unwrap();
    assert!(
        f.message
            .contains("the clause `$.userIdentity.type = Root` narrows it"),
        "{}",
        f.message
    );
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(before.as_ref().unwrap().name, "trail-changes");
    assert_eq!(after.pattern, ct().pattern);
}

#[test]
fn a_filter_that_matches_nearly_everything_is_compliant_with_a_warning() {
    let mut s = compliant();
    s.log_groups[0].filters = Ok(vec![filter(
        "all",
        "{ $.eventName = * }",
        "IAMPolicyChanges",
    )]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert_eq!(codes(&r), vec!["filter-too-broad"]);
    assert!(r.controls[0].findings[0].message.contains("noise"));
    assert!(r.actions.is_empty());
}

#[test]
fn the_cis_1_3_unauthorized_chain_style_is_judged_by_what_it_matches() {
    // `||` with a `!=` clause matches nearly every event: it catches the control's events too.
    let mut s = compliant();
    let broad = format!(
        "{{ {} || ($.eventName != \"HeadBucket\") }}",
        iam().pattern.trim_start_matches('{').trim_end_matches('}')
    );
    s.log_groups[0].filters = Ok(vec![filter("f", &broad, "IAMPolicyChanges")]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert_eq!(codes(&r), vec!["filter-too-broad"]);
}

#[test]
fn a_pattern_that_does_not_parse_is_reported_when_it_serves_the_control() {
    let mut s = compliant();
    s.log_groups[0].filters = Ok(vec![filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = CreatePolicy ",
        "IAMPolicyChanges",
    )]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    let Operation::PutMetricFilter { before, .. } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(
        before.as_ref().unwrap().name,
        "trailwatch-iam-policy-changes"
    );
}

#[test]
fn every_published_pattern_catches_its_corpus_and_little_else() {
    for benchmark in model::catalog::benchmarks() {
        for control in model::catalog::select(benchmark, &[], None).unwrap() {
            let corpus = model::catalog::corpus(&control);
            for variant in control.variants {
                let f = filter("f", variant, "M");
                let verdict = verdict::judge_filter(&corpus, &f);
                assert!(
                    verdict.catches_all(),
                    "{benchmark} {}: `{variant}` misses {:?}",
                    control.id,
                    verdict.missed
                );
                // Only the v1.3 unauthorized-calls chain matches everyday events (by design of
                // its `||` of `!=` clauses).
                let noisy = variant.contains("||($.sourceIPAddress!=")
                    || variant.contains("|| ($.sourceIPAddress!=");
                assert_eq!(
                    verdict.too_broad(),
                    noisy,
                    "{benchmark} {}: `{variant}`",
                    control.id
                );
            }
        }
    }
}

#[test]
fn dropping_any_one_event_from_a_pattern_is_noticed_by_name() {
    for control in model::catalog::select(model::catalog::default_benchmark(), &[], None).unwrap() {
        let model::catalog::Catches::Calls { events, .. } = control.catches else {
            continue;
        };
        let corpus = model::catalog::corpus(&control);
        for event in events {
            let others: Vec<String> = events
                .iter()
                .filter(|e| *e != event)
                .map(|e| format!("($.eventName = {e})"))
                .collect();
            let f = filter("f", &format!("{{ {} }}", others.join(" || ")), "M");
            let verdict = verdict::judge_filter(&corpus, &f);
            assert_eq!(verdict.missed, vec![*event], "{}", control.id);
            assert!(
                verdict::explain_miss(&f, &verdict).ends_with(&format!("does not catch {event}"))
            );
        }
    }
}

fn alerts_topic() -> Desired {
    Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..Desired::default()
    }
}

fn with_foreign_alarm(description: Option<&str>) -> Snapshot {
    let mut foreign = alarm(
        "trailwatch-iam-policy-changes",
        "SomethingElse",
        Some("alerts"),
    );
    foreign.description = description.map(str::to_string);
    snapshot(
        vec![trail("main")],
        vec![filter("f", iam().pattern, "IAMPolicyChanges")],
        vec![foreign],
        vec![topic("alerts", true)],
    )
}

#[test]
fn an_alarm_with_the_wanted_name_that_trailwatch_did_not_create_is_left_alone() {
    let r = run(
        &with_foreign_alarm(Some("the payments team's alarm")),
        &alerts_topic(),
    );
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(before.is_none());
    assert_eq!(after.name, "trailwatch-iam-policy-changes-2");
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("was not created by trailwatch") && n.contains("--adopt")),
        "{:?}",
        r.notes
    );
}

#[test]
fn adopt_takes_it_over_keeping_its_other_actions() {
    let desired = Desired {
        adopt: true,
        ..alerts_topic()
    };
    let r = run(&with_foreign_alarm(None), &desired);
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(before.as_ref().unwrap().metric_name, "SomethingElse");
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(after.metric_name, "IAMPolicyChanges");
    assert_eq!(
        after.ok_actions,
        vec!["arn:aws:sns:us-east-1:111122223333:ok-topic"]
    );
    assert_eq!(r.actions[0].change, Change::Update);
}

#[test]
fn trailwatchs_own_alarm_is_updated_without_adopt() {
    let r = run(
        &with_foreign_alarm(Some(
            "CIS 5.4 IAM policy changes are monitored (managed by trailwatch)",
        )),
        &alerts_topic(),
    );
    let Operation::PutMetricAlarm { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(before.is_some());
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
}

fn with_topic_attributes(policy: Option<serde_json::Value>, key: Option<&str>) -> Snapshot {
    let mut s = compliant();
    let mut t = topic("alerts", true);
    t.attributes = Ok(TopicAttributes {
        policy: policy.map(|p| p.to_string()),
        kms_master_key_id: key.map(str::to_string),
        key: None,
    });
    s.regions[0].topics = Ok(vec![t]);
    s
}

#[test]
fn the_default_topic_policy_lets_cloudwatch_publish() {
    let default_policy = serde_json::json!({"Version": "2008-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:Publish"],
        "Resource": topic_arn("alerts"),
        "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    }]});
    let r = run(
        &with_topic_attributes(Some(default_policy), None),
        &Desired::default(),
    );
    assert_eq!(r.controls[0].status, Status::Compliant);
    // The policy trailwatch writes for its own topics passes its own check.
    let ours: serde_json::Value =
        serde_json::from_str(&topic_policy(&topic_arn("alerts"), ACCOUNT, REGION)).unwrap();
    assert!(delivery::policy_allows_cloudwatch(
        &ours,
        &topic_arn("alerts"),
        ACCOUNT
    ));
}

#[test]
fn a_topic_cloudwatch_cannot_publish_to_is_a_finding_and_another_topic_is_used() {
    let owner_only = serde_json::json!({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "sns:Publish", "Resource": topic_arn("alerts")
    }]});
    let r = run(&with_topic_attributes(Some(owner_only), None), &notify());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r)[0], "topic-policy-blocks-cloudwatch");
    // The plan does not touch that topic's policy: it creates its own topic, with a policy.
    let Operation::CreateTopic { after } = &r.actions[0].operation else {
        panic!("{:?}", kinds(&r))
    };
    assert_eq!(after.name, "trailwatch-cis-alarms");
    assert!(after
        .policy
        .as_deref()
        .unwrap()
        .contains("cloudwatch.amazonaws.com"));
}

#[test]
fn a_topic_encrypted_with_the_aws_managed_key_cannot_deliver() {
    let r = run(
        &with_topic_attributes(None, Some("alias/aws/sns")),
        &notify(),
    );
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r)[0], "topic-aws-managed-key");
    assert!(r.controls[0].findings[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("kms:GenerateDataKey*"));
    // Naming that topic explicitly cannot fix it: the finding stays, with no topic change.
    let desired = Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..notify()
    };
    let r = run(
        &with_topic_attributes(None, Some("alias/aws/sns")),
        &desired,
    );
    assert!(codes(&r).contains(&"topic-aws-managed-key"));
    assert!(!kinds(&r).contains(&"create-topic"));
}

fn with_customer_key(key_policy: serde_json::Value) -> Snapshot {
    let mut s = compliant();
    let mut t = topic("alerts", true);
    t.attributes = Ok(TopicAttributes {
        policy: None,
        kms_master_key_id: Some("alias/alerts".into()),
        key: Some(Ok(KmsKey {
            arn: "arn:aws:kms:us-east-1:111122223333:key/1234".into(),
            manager: "CUSTOMER".into(),
            policy: Some(key_policy.to_string()),
        })),
    });
    s.regions[0].topics = Ok(vec![t]);
    s
}

#[test]
fn a_customer_key_must_let_cloudwatch_decrypt_and_generate_data_keys() {
    let owner_only = serde_json::json!({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "kms:*", "Resource": "*"
    }]});
    let r = run(&with_customer_key(owner_only.clone()), &Desired::default());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r)[0], "topic-key-blocks-cloudwatch");

    let mut granted = owner_only;
    granted["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"
        }));
    let r = run(&with_customer_key(granted), &Desired::default());
    assert_eq!(r.controls[0].status, Status::Compliant);
}
