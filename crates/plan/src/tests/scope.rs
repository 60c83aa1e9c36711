//! The read scope, defined once: which metrics' alarms matter for a log group's filters, which
//! alarms matter at all, and what is asked for when a region holds more than a page of alarms.

use std::collections::BTreeSet;

use super::*;
use crate::scope::{alarm_metrics, alarm_requests, matters};

fn metric(name: &str, namespace: &str) -> MetricKey {
    MetricKey::new(name, namespace)
}

fn crowded(mut s: Snapshot) -> Snapshot {
    s.regions[0].alarms = Ok(Vec::new());
    s.regions[0].alarms_read = AlarmsRead::Only {
        metrics: BTreeSet::new(),
        name_prefix: None,
    };
    s
}

#[test]
fn a_serving_filters_metric_matters_in_its_namespace_and_the_desired_one() {
    let mut serving = filter("iam", iam().pattern, "IAMChanges");
    serving.metrics[0].namespace = "Security".into();
    let unrelated = filter("reads", "{ $.eventName = GetObject }", "S3Reads");
    let got = alarm_metrics(&[iam()], &Desired::default(), &[serving, unrelated]);
    let want: BTreeSet<MetricKey> = [
        metric("IAMChanges", "Security"),
        metric("IAMChanges", "CISBenchmark"),
    ]
    .into();
    assert_eq!(
        got, want,
        "never the unrelated filter's metric; no default metric once served"
    );
}

#[test]
fn an_unserved_control_needs_its_own_metric_where_trailwatch_would_create_it() {
    let desired = Desired {
        namespace: "Audit".into(),
        ..Desired::default()
    };
    let got = alarm_metrics(&[iam(), ct()], &desired, &[]);
    let want: BTreeSet<MetricKey> = [
        metric("IAMPolicyChanges", "Audit"),
        metric("CloudTrailConfigChanges", "Audit"),
    ]
    .into();
    assert_eq!(got, want);
}

#[test]
fn attempts_and_filters_named_for_the_control_matter_too() {
    let narrow = iam()
        .pattern
        .replace("||($.eventName=DetachGroupPolicy)", "");
    let attempt = filter("almost", &narrow, "Almost");
    let named = filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = Nothing }",
        "Named",
    );
    let got = alarm_metrics(&[iam()], &Desired::default(), &[attempt, named]);
    assert!(got.contains(&metric("Almost", "CISBenchmark")), "{got:?}");
    assert!(got.contains(&metric("Named", "CISBenchmark")), "{got:?}");
    assert!(
        got.contains(&metric("IAMPolicyChanges", "CISBenchmark")),
        "still unserved: {got:?}"
    );
}

#[test]
fn an_alarm_matters_by_metric_name_in_any_namespace_or_by_trailwatchs_names() {
    let metrics: BTreeSet<MetricKey> = [metric("IAMPolicyChanges", "CISBenchmark")].into();
    let mut elsewhere = alarm("other-ns", "IAMPolicyChanges", None);
    elsewhere.namespace = Some("Elsewhere".into());
    assert!(matters(&alarm("a", "IAMPolicyChanges", None), &metrics));
    assert!(
        matters(&elsewhere, &metrics),
        "it can change the chosen topic"
    );
    assert!(
        matters(&alarm("trailwatch-x", "Unrelated", None), &metrics),
        "a name clash"
    );
    assert!(!matters(&alarm("b", "Unrelated", None), &metrics));
}

#[test]
fn a_region_whose_alarms_were_all_read_needs_nothing_more() {
    assert!(alarm_requests(&compliant(), &[iam()], &Desired::default()).is_empty());
}

#[test]
fn a_crowded_region_asks_for_the_metrics_that_matter_once() {
    let mut s = crowded(compliant());
    let requests = alarm_requests(&s, &[iam()], &Desired::default());
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].metrics,
        [metric("IAMPolicyChanges", "CISBenchmark")]
    );
    assert_eq!(requests[0].name_prefix.as_deref(), Some("trailwatch-"));
    // Once read, nothing more is asked, and planning proceeds.
    s.regions[0].alarms = compliant().regions[0].alarms.clone();
    s.regions[0].alarms_read = AlarmsRead::Only {
        metrics: requests[0].metrics.iter().cloned().collect(),
        name_prefix: Some("trailwatch-".into()),
    };
    assert!(alarm_requests(&s, &[iam()], &Desired::default()).is_empty());
    let PlanOrRead::Report(_) = plan_or_read(&s, &[iam()], &Desired::default()).unwrap() else {
        panic!("everything the plan depends on was read")
    };
}

#[test]
fn a_region_whose_alarms_could_not_be_read_asks_for_nothing() {
    let mut s = crowded(compliant());
    s.regions[0].alarms = Err(ReadError {
        action: "cloudwatch:DescribeAlarms".into(),
        code: Some("AccessDenied".into()),
        message: "no".into(),
    });
    assert!(alarm_requests(&s, &[iam()], &Desired::default()).is_empty());
}

#[test]
fn the_first_read_fetches_the_named_topic_only() {
    let named = read_scope(&Desired {
        topic: TopicChoice::Name("alerts".into()),
        ..Desired::default()
    });
    assert_eq!(named.topic_names, ["alerts"]);
    assert!(named.topic_arns.is_empty());
    let auto = read_scope(&Desired::default());
    assert!(
        auto.topic_names.is_empty() && auto.topic_arns.is_empty(),
        "the default topic is read on demand"
    );
    assert_eq!(auto.alarm_name_prefix, "trailwatch-");
}

#[test]
fn the_rules_are_read_with_the_first_read_except_by_apply_when_they_cannot_change_its_writes() {
    let plan = Desired::default();
    assert!(
        read_scope(&plan).eventbridge,
        "plan, backtest and drill read them"
    );
    assert!(
        !read_scope(&plan.for_apply()).eventbridge,
        "without --accept eventbridge they only add findings: apply's reads skip them"
    );
    let accepted = Desired {
        accept_eventbridge: true,
        ..Desired::default()
    };
    assert!(
        read_scope(&accepted.for_apply()).eventbridge,
        "with --accept eventbridge they decide verdicts, so apply reads them too"
    );
}
