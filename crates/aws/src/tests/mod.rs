//! The adapter's error and pagination paths, with SDK clients whose responses are scripted by
//! `aws-smithy-mocks` (the local AWS API server cannot deny a call or paginate these listings).

use aws_sdk_cloudtrail::operation::describe_trails::{DescribeTrailsError, DescribeTrailsOutput};
use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::operation::describe_alarms_for_metric::DescribeAlarmsForMetricOutput;
use aws_sdk_cloudwatch::types::MetricAlarm;
use aws_sdk_cloudwatchlogs::operation::describe_metric_filters::{
    DescribeMetricFiltersError, DescribeMetricFiltersOutput,
};
use aws_sdk_cloudwatchlogs::types::{MetricFilter, MetricTransformation};
use aws_sdk_sns::operation::get_topic_attributes::{
    GetTopicAttributesError, GetTopicAttributesOutput,
};
use aws_sdk_sns::operation::list_subscriptions_by_topic::{
    ListSubscriptionsByTopicError, ListSubscriptionsByTopicOutput,
};
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::error::ErrorMetadata;
use model::Status;
use survey::FollowUp;

use crate::{Aws, Clients, Seed};

mod unreachable;

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";

macro_rules! client {
    ($krate:ident, $rules:expr) => {
        client!($krate, $rules, create_mock_http_client())
    };
    ($krate:ident, $rules:expr, $http:expr) => {{
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        $krate::Client::from_conf(
            $krate::Config::builder()
                .behavior_version($krate::config::BehaviorVersion::latest())
                .region($krate::config::Region::new(REGION))
                .credentials_provider($krate::config::Credentials::new(
                    "k", "s", None, None, "test",
                ))
                .http_client($http)
                .interceptor(interceptor)
                .build(),
        )
    }};
}

fn denied(action: &str) -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("AccessDeniedException")
        .message(format!("User is not authorized to perform: {action}"))
        .build()
}

fn trail_rules() -> Vec<Rule> {
    vec![
        mock!(aws_sdk_cloudtrail::Client::describe_trails).then_output(|| {
            DescribeTrailsOutput::builder()
                .trail_list(
                    aws_sdk_cloudtrail::types::Trail::builder()
                        .name("main")
                        .trail_arn(format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"))
                        .home_region(REGION)
                        .is_multi_region_trail(true)
                        .cloud_watch_logs_log_group_arn(format!(
                            "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:trail-logs:*"
                        ))
                        .cloud_watch_logs_role_arn(format!(
                            "arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
                        ))
                        .build(),
                )
                .build()
        }),
        mock!(aws_sdk_cloudtrail::Client::get_trail_status)
            .then_output(|| GetTrailStatusOutput::builder().is_logging(true).build()),
        mock!(aws_sdk_cloudtrail::Client::get_event_selectors).then_output(|| {
            GetEventSelectorsOutput::builder()
                .event_selectors(
                    EventSelector::builder()
                        .read_write_type(ReadWriteType::All)
                        .include_management_events(true)
                        .build(),
                )
                .build()
        }),
    ]
}

fn filter(name: &str) -> MetricFilter {
    MetricFilter::builder()
        .filter_name(name)
        .log_group_name("trail-logs")
        .filter_pattern("{ $.eventName = CreateTrail }")
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name(name)
                .metric_namespace("CISBenchmark")
                .metric_value("1")
                .build()
                .unwrap(),
        )
        .build()
}

fn not_found() -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("NotFound")
        .message("Topic does not exist")
        .build()
}

/// An account with no alarms and no topics.
fn empty_cloudwatch() -> Vec<Rule> {
    vec![
        mock!(aws_sdk_cloudwatch::Client::describe_alarms)
            .then_output(|| DescribeAlarmsOutput::builder().build()),
        mock!(aws_sdk_cloudwatch::Client::describe_alarms_for_metric)
            .then_output(|| DescribeAlarmsForMetricOutput::builder().build()),
    ]
}

fn no_topics() -> Vec<Rule> {
    vec![
        mock!(aws_sdk_sns::Client::get_topic_attributes)
            .then_error(|| GetTopicAttributesError::generic(not_found())),
        mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
            .then_error(|| ListSubscriptionsByTopicError::generic(not_found())),
    ]
}

fn aws(cloudtrail: Vec<Rule>, logs: Vec<Rule>) -> Aws {
    aws_with(cloudtrail, logs, empty_cloudwatch(), no_topics())
}

/// A topic's delivery metrics: no data unless a test says otherwise.
fn no_metric_data() -> Rule {
    mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(|| {
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder().build()
    })
}

fn aws_with(cloudtrail: Vec<Rule>, logs: Vec<Rule>, cloudwatch: Vec<Rule>, sns: Vec<Rule>) -> Aws {
    let rules = [cloudtrail, logs, cloudwatch, sns];
    aws_over(create_mock_http_client, &[REGION], rules)
}

/// An account with these regions enabled, each of whose default buses holds no rule; in
/// [`REGION`], the trail, filter, alarm and topic calls answer by these rules (CloudTrail,
/// CloudWatch Logs, CloudWatch, SNS). Every call goes through an HTTP client made by `http`.
fn aws_over(http: fn() -> SharedHttpClient, regions: &[&str], rules: [Vec<Rule>; 4]) -> Aws {
    let [cloudtrail, logs, cloudwatch, sns] = rules;
    let cloudwatch: Vec<Rule> = cloudwatch.into_iter().chain([no_metric_data()]).collect();
    let home = seeded(
        http,
        [cloudtrail, logs, cloudwatch, sns],
        vec![enabled(regions)],
    );
    let others = (regions.iter().filter(|r| **r != REGION))
        .map(|r| (r.to_string(), seeded(http, Default::default(), Vec::new())));
    let clients = std::iter::once((REGION.to_string(), home)).chain(others);
    Aws::with_clients(REGION, ACCOUNT, clients.collect())
}

/// One region's clients, answering by these rules (CloudTrail, CloudWatch Logs, CloudWatch, SNS;
/// then the Account API's), with no KMS key and no EventBridge rule.
fn seeded(http: fn() -> SharedHttpClient, rules: [Vec<Rule>; 4], account: Vec<Rule>) -> Clients {
    let [cloudtrail, logs, cloudwatch, sns] = rules;
    Clients::seeded(Seed {
        cloudtrail: client!(aws_sdk_cloudtrail, &cloudtrail, http()),
        logs: client!(aws_sdk_cloudwatchlogs, &logs, http()),
        cloudwatch: client!(aws_sdk_cloudwatch, &cloudwatch, http()),
        sns: client!(aws_sdk_sns, &sns, http()),
        kms: client!(aws_sdk_kms, &Vec::<Rule>::new(), http()),
        account: client!(aws_sdk_account, &account, http()),
        events: client!(aws_sdk_eventbridge, &[no_rules()], http()),
    })
}

/// The default bus holds no rule.
fn no_rules() -> Rule {
    mock!(aws_sdk_eventbridge::Client::list_rules).then_output(|| {
        aws_sdk_eventbridge::operation::list_rules::ListRulesOutput::builder().build()
    })
}

/// The account has these regions enabled.
fn enabled(regions: &[&str]) -> Rule {
    let regions: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
    mock!(aws_sdk_account::Client::list_regions).then_output(move || {
        let listed = regions.iter().map(|name| {
            aws_sdk_account::types::Region::builder()
                .region_name(name)
                .region_opt_status(aws_sdk_account::types::RegionOptStatus::EnabledByDefault)
                .build()
        });
        aws_sdk_account::operation::list_regions::ListRegionsOutput::builder()
            .set_regions(Some(listed.collect()))
            .build()
    })
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn all_controls() -> Vec<model::Control> {
    model::catalog::select(model::catalog::default_benchmark(), &[], None).unwrap()
}

fn scope() -> model::live::ReadScope {
    plan::read_scope(&model::Desired::default())
}

/// Reads an account as the CLI does: the first read, then what the planner asks for.
fn read_as_planned(aws: &Aws) -> model::Snapshot {
    let desired = model::Desired::default();
    let mut snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    for _ in 0..3 {
        match plan::plan_or_read(&snapshot, &all_controls(), &desired).unwrap() {
            plan::PlanOrRead::Report(_) => return snapshot,
            plan::PlanOrRead::Read(request) => block_on(aws.read_more(&mut snapshot, &request)),
        }
    }
    panic!("the planner kept asking for more")
}

#[test]
fn a_denied_filter_listing_makes_the_controls_error_naming_the_action() {
    let logs = vec![
        mock!(aws_sdk_cloudwatchlogs::Client::describe_metric_filters).then_error(|| {
            DescribeMetricFiltersError::generic(denied("logs:DescribeMetricFilters"))
        }),
    ];
    let aws = aws(trail_rules(), logs);
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let err = snapshot.log_groups[0].filters.as_ref().unwrap_err();
    assert_eq!(err.action, "logs:DescribeMetricFilters");
    assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));

    let report = plan::plan(&snapshot, &all_controls(), &model::Desired::default()).unwrap();
    for control in &report.controls {
        assert_eq!(
            control.status,
            Status::Error,
            "never non_compliant on a denied read"
        );
        assert!(control.findings[0]
            .message
            .contains("logs:DescribeMetricFilters"));
        assert!(control.findings[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("grant `logs:DescribeMetricFilters`"));
    }
    assert!(
        report.actions.is_empty(),
        "nothing is planned from a partial read"
    );
}

#[test]
fn a_denied_trail_listing_makes_every_control_error() {
    let cloudtrail = vec![mock!(aws_sdk_cloudtrail::Client::describe_trails)
        .then_error(|| DescribeTrailsError::generic(denied("cloudtrail:DescribeTrails")))];
    let aws = aws(cloudtrail, vec![]);
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    assert_eq!(
        snapshot.trails.as_ref().unwrap_err().action,
        "cloudtrail:DescribeTrails"
    );
    let report = plan::plan(&snapshot, &all_controls(), &model::Desired::default()).unwrap();
    assert!(report.controls.iter().all(|c| c.status == Status::Error));
    assert!(report.has_errors());
}

#[test]
fn every_page_of_metric_filters_is_read() {
    let logs = vec![
        mock!(aws_sdk_cloudwatchlogs::Client::describe_metric_filters)
            .sequence()
            .output(|| {
                DescribeMetricFiltersOutput::builder()
                    .metric_filters(filter("first"))
                    .next_token("page-2")
                    .build()
            })
            .output(|| {
                DescribeMetricFiltersOutput::builder()
                    .metric_filters(filter("second"))
                    .build()
            })
            .build(),
    ];
    let aws = aws(trail_rules(), logs);
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let names: Vec<&str> = snapshot.log_groups[0]
        .filters
        .as_ref()
        .unwrap()
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, vec!["first", "second"]);
}

#[test]
fn a_403_with_a_body_the_sdk_cannot_parse_is_still_access_denied() {
    use aws_sdk_cloudwatchlogs::config::http::HttpResponse;
    use aws_smithy_types::body::SdkBody;
    let logs = vec![
        mock!(aws_sdk_cloudwatchlogs::Client::describe_metric_filters).then_http_response(|| {
            HttpResponse::new(
                403.try_into().unwrap(),
                SdkBody::from(
                    "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>",
                ),
            )
        }),
    ];
    let aws = aws(trail_rules(), logs);
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let err = snapshot.log_groups[0].filters.as_ref().unwrap_err();
    assert_eq!(err.action, "logs:DescribeMetricFilters");
    assert_eq!(err.code.as_deref(), Some("AccessDenied"));
    assert!(err.is_access_denied());
}

fn filter_with(name: &str, pattern: &str, metric: &str, namespace: &str) -> MetricFilter {
    MetricFilter::builder()
        .filter_name(name)
        .log_group_name("trail-logs")
        .filter_pattern(pattern)
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name(metric)
                .metric_namespace(namespace)
                .metric_value("1")
                .build()
                .unwrap(),
        )
        .build()
}

/// A log group with the CIS CloudTrail-changes filter (in its own namespace) and an unrelated one.
fn two_filters() -> Vec<Rule> {
    let trail = all_controls()
        .into_iter()
        .find(|c| c.id == "cloudtrail-config-changes")
        .unwrap();
    vec![
        mock!(aws_sdk_cloudwatchlogs::Client::describe_metric_filters).then_output(move || {
            DescribeMetricFiltersOutput::builder()
                .metric_filters(filter_with(
                    "trail-changes",
                    trail.pattern,
                    "TrailChanges",
                    "LogMetrics",
                ))
                .metric_filters(filter_with(
                    "s3-reads",
                    "{ $.eventName = GetObject }",
                    "S3Reads",
                    "LogMetrics",
                ))
                .build()
        }),
    ]
}

/// An alarm named after the metric it watches, notifying `topic`.
fn alarm_on(metric: &str, namespace: &str, topic: &str) -> MetricAlarm {
    MetricAlarm::builder()
        .alarm_name(format!("on-{metric}-{namespace}"))
        .metric_name(metric)
        .namespace(namespace)
        .actions_enabled(true)
        .alarm_actions(topic)
        .build()
}

#[test]
fn a_region_with_a_page_of_alarms_or_less_is_read_in_one_call() {
    let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops");
    let cloudwatch = vec![mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .match_requests(|r| r.alarm_name_prefix().is_none() && r.max_records() == Some(100))
        .then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm_on("TrailChanges", "LogMetrics", &topic))
                .metric_alarms(alarm_on("S3Reads", "LogMetrics", &topic))
                .build()
        })];
    let aws = aws_with(trail_rules(), two_filters(), cloudwatch, no_topics());
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let alarms = snapshot.regions[0].alarms.as_ref().unwrap();
    assert_eq!(alarms.len(), 2, "the page is every alarm of the region");
    let calls = aws.calls();
    assert_eq!(calls["cloudwatch:DescribeAlarms"], 1);
    assert!(!calls.contains_key("cloudwatch:DescribeAlarmsForMetric"));
}

/// A region with more than a page of alarms: the first page says so; by metric, each metric has
/// one alarm; by trailwatch's prefix, one alarm.
fn crowded_cloudwatch() -> Vec<Rule> {
    let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops");
    let t = topic.clone();
    vec![
        // The first page says there are more; its alarms are not used.
        mock!(aws_sdk_cloudwatch::Client::describe_alarms)
            .match_requests(|r| r.alarm_name_prefix().is_none())
            .then_output(move || {
                DescribeAlarmsOutput::builder()
                    .metric_alarms(alarm_on("Unrelated", "Other", &topic))
                    .next_token("page-2")
                    .build()
            }),
        mock!(aws_sdk_cloudwatch::Client::describe_alarms)
            .match_requests(|r| r.alarm_name_prefix() == Some("trailwatch-"))
            .then_output(|| {
                DescribeAlarmsOutput::builder()
                    .metric_alarms(
                        MetricAlarm::builder()
                            .alarm_name("trailwatch-root-account-usage")
                            .metric_name("Elsewhere")
                            .namespace("Other")
                            .build(),
                    )
                    .build()
            }),
        mock!(aws_sdk_cloudwatch::Client::describe_alarms_for_metric).then_compute_output(
            move |r| {
                DescribeAlarmsForMetricOutput::builder()
                    .metric_alarms(alarm_on(
                        r.metric_name().unwrap(),
                        r.namespace().unwrap(),
                        &t,
                    ))
                    .build()
            },
        ),
    ]
}

#[test]
fn beyond_a_page_only_the_alarms_on_metrics_that_matter_are_read_each_metric_once() {
    let aws = aws_with(
        trail_rules(),
        two_filters(),
        crowded_cloudwatch(),
        no_topics(),
    );
    let snapshot = read_as_planned(&aws);
    let names: Vec<&str> = snapshot.regions[0]
        .alarms
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    // The CIS filter's metric, and the same name in the desired namespace (where a wrong-namespace
    // alarm would be); never the unrelated filter's metric.
    assert!(names.contains(&"on-TrailChanges-LogMetrics"), "{names:?}");
    assert!(names.contains(&"on-TrailChanges-CISBenchmark"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("S3Reads")), "{names:?}");
    assert!(!names.contains(&"on-Unrelated-Other"), "{names:?}");
    // The names trailwatch may create are checked for clashes.
    assert!(
        names.contains(&"trailwatch-root-account-usage"),
        "{names:?}"
    );
    // The other fourteen controls have no filter: their own metrics in the desired namespace.
    let calls = aws.calls();
    assert_eq!(calls["cloudwatch:DescribeAlarmsForMetric"], 2 + 14);
    assert_eq!(names.len(), 2 + 14 + 1, "each metric asked once");
    assert_eq!(calls["cloudwatch:DescribeAlarms"], 2);
}

#[test]
fn a_follow_up_is_read_in_the_first_read_and_no_follow_up_leaves_it_to_the_planner() {
    let (controls, desired) = (all_controls(), model::Desired::default());
    let alarms_asked = |aws: &Aws, follow_up| {
        let snapshot = block_on(aws.read_snapshot(&scope(), follow_up)).unwrap();
        match plan::plan_or_read(&snapshot, &controls, &desired).unwrap() {
            plan::PlanOrRead::Read(request) => request.alarms.len(),
            plan::PlanOrRead::Report(_) => 0,
        }
    };
    let aws = aws_with(
        trail_rules(),
        two_filters(),
        crowded_cloudwatch(),
        no_topics(),
    );
    assert_eq!(
        alarms_asked(&aws, FollowUp::of(&controls, &desired)),
        0,
        "the planner has no alarms left to ask for"
    );
    let calls = aws.calls();
    assert_eq!(calls["cloudwatch:DescribeAlarmsForMetric"], 2 + 14);
    assert_eq!(
        calls["events:ListRules"], 1,
        "the rules were read beside them"
    );
    let alone = aws_with(
        trail_rules(),
        two_filters(),
        crowded_cloudwatch(),
        no_topics(),
    );
    assert_eq!(alarms_asked(&alone, FollowUp::default()), 1, "one region");
    assert!(!alone
        .calls()
        .contains_key("cloudwatch:DescribeAlarmsForMetric"));
}

#[test]
fn notified_topics_are_read_with_every_page_of_subscriptions_and_missing_ones_left_out() {
    let ops = format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops");
    let gone = format!("arn:aws:sns:{REGION}:{ACCOUNT}:gone");
    let (o, g) = (ops.clone(), gone.clone());
    let cloudwatch = vec![
        mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm_on("TrailChanges", "LogMetrics", &o))
                .metric_alarms(alarm_on("TrailChanges", "CISBenchmark", &g))
                .build()
        }),
    ];
    let subscription = |n: u8| {
        aws_sdk_sns::types::Subscription::builder()
            .subscription_arn(format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops:{n}"))
            .protocol("email")
            .endpoint(format!("sec{n}@example.com"))
            .build()
    };
    let sns = vec![
        mock!(aws_sdk_sns::Client::get_topic_attributes)
            .match_requests(|r| r.topic_arn().is_some_and(|a| a.ends_with(":ops")))
            .then_output(|| GetTopicAttributesOutput::builder().build()),
        mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
            .match_requests(|r| r.topic_arn().is_some_and(|a| a.ends_with(":ops")))
            .sequence()
            .output(move || {
                ListSubscriptionsByTopicOutput::builder()
                    .subscriptions(subscription(1))
                    .next_token("page-2")
                    .build()
            })
            .output(move || {
                ListSubscriptionsByTopicOutput::builder()
                    .subscriptions(subscription(2))
                    .build()
            })
            .build(),
    ]
    .into_iter()
    .chain(no_topics())
    .collect();
    let aws = aws_with(trail_rules(), two_filters(), cloudwatch, sns);
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let topics = snapshot.regions[0].topics.as_ref().unwrap();
    assert_eq!(topics.len(), 1, "`gone` does not exist");
    assert_eq!(topics[0].arn, ops);
    let endpoints: Vec<&str> = topics[0]
        .subscriptions
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| s.endpoint.as_str())
        .collect();
    assert_eq!(endpoints, vec!["sec1@example.com", "sec2@example.com"]);
    assert!(!topics.iter().any(|t| t.arn == gone));
}

#[test]
fn a_topics_deliveries_are_summed_over_the_day() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    use aws_sdk_cloudwatch::types::MetricDataResult;
    let ops = format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops");
    let o = ops.clone();
    let result = |id: &str, values: &[f64]| {
        MetricDataResult::builder()
            .id(id)
            .set_values(Some(values.to_vec()))
            .build()
    };
    let cloudwatch = vec![
        mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm_on("TrailChanges", "LogMetrics", &o))
                .build()
        }),
        mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|r| {
                r.metric_data_queries().iter().all(|q| {
                    let metric = q.metric_stat().and_then(|s| s.metric());
                    metric.and_then(|m| m.namespace()) == Some("AWS/SNS")
                        && metric.is_some_and(|m| {
                            m.dimensions()
                                .iter()
                                .any(|d| d.name() == Some("TopicName") && d.value() == Some("ops"))
                        })
                })
            })
            .then_output(move || {
                GetMetricDataOutput::builder()
                    .metric_data_results(result("delivered", &[2.0, 1.0]))
                    .metric_data_results(result("failed", &[4.0]))
                    .build()
            }),
    ];
    let sns = vec![
        mock!(aws_sdk_sns::Client::get_topic_attributes)
            .then_output(|| GetTopicAttributesOutput::builder().build()),
        mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
            .then_output(|| ListSubscriptionsByTopicOutput::builder().build()),
    ];
    let aws = aws_with(trail_rules(), two_filters(), cloudwatch, sns);
    let snapshot = block_on(aws.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let topic = &snapshot.regions[0].topics.as_ref().unwrap()[0];
    assert_eq!(topic.arn, ops);
    assert_eq!(
        topic.deliveries,
        Ok(Some(model::live::Deliveries {
            delivered: 3,
            failed: 4
        }))
    );
    assert_eq!(aws.calls()["cloudwatch:GetMetricData"], 1);
}

/// An account whose alarms notify `ops` (which exists) and `gone` (which does not).
fn notifying_world() -> Aws {
    let (o, g) = (
        format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops"),
        format!("arn:aws:sns:{REGION}:{ACCOUNT}:gone"),
    );
    let cloudwatch = vec![
        mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm_on("TrailChanges", "LogMetrics", &o))
                .metric_alarms(alarm_on("TrailChanges", "CISBenchmark", &g))
                .build()
        }),
    ];
    let sns = vec![
        mock!(aws_sdk_sns::Client::get_topic_attributes)
            .match_requests(|r| r.topic_arn().is_some_and(|a| a.ends_with(":ops")))
            .then_output(|| GetTopicAttributesOutput::builder().build()),
        mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
            .match_requests(|r| r.topic_arn().is_some_and(|a| a.ends_with(":ops")))
            .then_output(|| ListSubscriptionsByTopicOutput::builder().build()),
    ]
    .into_iter()
    .chain(no_topics())
    .collect();
    aws_with(trail_rules(), two_filters(), cloudwatch, sns)
}

/// The snapshot without the reader's clock (when each trail's delivery was judged).
fn timeless(mut snapshot: model::Snapshot) -> model::Snapshot {
    for trail in snapshot.trails.iter_mut().flatten() {
        trail.logs_delivery.read_at = 0;
    }
    snapshot
}

/// The topics a snapshot found, in every region.
fn topics_found(snapshot: &model::Snapshot) -> impl Iterator<Item = &model::live::Topic> {
    snapshot
        .regions
        .iter()
        .flat_map(|r| r.topics.iter().flatten())
}

#[test]
fn a_read_from_an_earlier_snapshot_gives_a_fresh_read_with_its_calls_but_known_deliveries() {
    let fresh = notifying_world();
    let expected = block_on(fresh.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let again = notifying_world();
    let read =
        block_on(again.read_knowing(&scope(), Some(&expected), FollowUp::default())).unwrap();
    assert_eq!(timeless(read), timeless(expected.clone()));
    let mut calls = fresh.calls();
    let found = topics_found(&expected).count() as u64;
    assert!(found > 0, "the world has a topic");
    *calls.get_mut("cloudwatch:GetMetricData").unwrap() -= found;
    assert_eq!(
        again.calls(),
        calls,
        "no call made twice, and no deliveries asked again of a topic found before"
    );
}

#[test]
fn a_topic_the_earlier_read_did_not_find_is_read_whole_deliveries_too() {
    let fresh = notifying_world();
    let expected = block_on(fresh.read_snapshot(&scope(), FollowUp::default())).unwrap();
    let mut before = expected.clone();
    for region in &mut before.regions {
        region.topics = Ok(Vec::new());
    }
    let again = notifying_world();
    let read = block_on(again.read_knowing(&scope(), Some(&before), FollowUp::default())).unwrap();
    assert_eq!(timeless(read), timeless(expected));
    assert_eq!(
        again.calls()["cloudwatch:GetMetricData"],
        fresh.calls()["cloudwatch:GetMetricData"],
        "each topic's deliveries asked again"
    );
}

#[test]
fn a_topic_read_again_keeps_the_deliveries_read_before() {
    let mut before =
        block_on(notifying_world().read_snapshot(&scope(), FollowUp::default())).unwrap();
    let earlier = model::live::Deliveries {
        delivered: 41,
        failed: 2,
    };
    for region in &mut before.regions {
        for topic in region.topics.iter_mut().flatten() {
            topic.deliveries = Ok(Some(earlier));
        }
    }
    let read =
        block_on(notifying_world().read_knowing(&scope(), Some(&before), FollowUp::default()))
            .unwrap();
    let deliveries: Vec<_> = topics_found(&read).map(|t| t.deliveries.clone()).collect();
    assert!(!deliveries.is_empty());
    assert!(
        deliveries.iter().all(|d| d == &Ok(Some(earlier))),
        "{deliveries:?}"
    );
}

#[test]
fn a_read_from_a_snapshot_of_another_state_still_gives_what_a_fresh_read_gives() {
    let expected =
        block_on(notifying_world().read_snapshot(&scope(), FollowUp::default())).unwrap();
    let mut before = expected.clone();
    for trail in before.trails.iter_mut().flatten() {
        trail.arn = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/old");
    }
    before.log_groups[0].name = "old-logs".into();
    before.log_groups[0].filters = Ok(Vec::new());
    let region = &mut before.regions[0];
    region.topics_read = vec![format!("arn:aws:sns:{REGION}:{ACCOUNT}:retired")];
    region.topics = Ok(Vec::new());
    let aws = notifying_world();
    let read = block_on(aws.read_knowing(&scope(), Some(&before), FollowUp::default())).unwrap();
    assert_eq!(
        timeless(read),
        timeless(expected),
        "the trail, filters and topics as they are now, and nothing read early that a fresh read would not have read"
    );
}

/// Pages of a listing a server gives: each token asked, the page's items and its next token.
fn pages_of(server: &[(Option<&str>, Vec<u32>, Option<&str>)]) -> (Vec<u32>, Vec<Option<String>>) {
    let asked = std::cell::RefCell::new(Vec::new());
    let items = block_on(crate::every_page(|token: Option<String>| {
        asked.borrow_mut().push(token.clone());
        let (_, items, next) = server
            .iter()
            .find(|(t, ..)| t.map(str::to_string) == token)
            .expect("a page the server has");
        let page = (items.clone(), next.map(str::to_string));
        async move { Ok::<_, ()>(page) }
    }))
    .unwrap();
    (items, asked.into_inner())
}

#[test]
fn every_page_is_read_in_order_until_one_names_no_next_page() {
    let server = [
        (None, vec![1, 2], Some("b")),
        (Some("b"), vec![3], Some("c")),
        (Some("c"), vec![4], None),
    ];
    let (items, asked) = pages_of(&server);
    assert_eq!(items, [1, 2, 3, 4]);
    assert_eq!(asked, [None, Some("b".into()), Some("c".into())]);
}

#[test]
fn an_empty_or_repeated_token_ends_the_listing_rather_than_asking_forever() {
    let empty = [(None, vec![1], Some(""))];
    assert_eq!(pages_of(&empty).0, [1]);
    let repeated = [(None, vec![1], Some("b")), (Some("b"), vec![2], Some("b"))];
    let (items, asked) = pages_of(&repeated);
    assert_eq!(items, [1, 2]);
    assert_eq!(asked.len(), 2);
}

/// How long every answer of [`late_client`] takes.
const LATENCY: std::time::Duration = std::time::Duration::from_millis(50);

/// The mock HTTP client, answering each request [`LATENCY`] after it is sent.
fn late_client() -> SharedHttpClient {
    SharedHttpClient::new(Late(create_mock_http_client()))
}

#[derive(Debug)]
struct Late(SharedHttpClient);

impl HttpClient for Late {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LateConnector(self.0.http_connector(settings, components)))
    }
}

#[derive(Debug)]
struct LateConnector(SharedHttpConnector);

impl HttpConnector for LateConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let answer = self.0.call(request);
        HttpConnectorFuture::new(async move {
            tokio::time::sleep(LATENCY).await;
            answer.await
        })
    }
}

/// What `work` gives, and how long it took on a paused clock, which moves only when every task
/// waits: with every answer [`LATENCY`] late, a whole number of round trips.
fn timed<T>(work: impl std::future::Future<Output = T>) -> (T, std::time::Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let start = tokio::time::Instant::now();
        let out = work.await;
        (out, start.elapsed())
    })
}

#[test]
fn a_crowded_regions_alarms_are_read_beside_the_rules_not_after_them() {
    let (controls, desired) = (all_controls(), model::Desired::default());
    let rules = [
        trail_rules(),
        two_filters(),
        crowded_cloudwatch(),
        no_topics(),
    ];
    // As many regions as AWS enables by default: their rules take two rounds of nine.
    let others = (model::regions::KNOWN.iter().copied()).filter(|r| *r != REGION);
    let regions: Vec<&str> = std::iter::once(REGION).chain(others.take(16)).collect();
    let aws = aws_over(late_client, &regions, rules);
    let (surveyed, took) = timed(survey::survey(&aws, &controls, &desired));
    // The trails; their status, selectors and filters, and the first page of alarms, which says
    // there are more; the alarms on the metrics that matter, while the rules of the last eight
    // regions are listed (the regions, then nine regions' rules at a time: three round trips);
    // the topic those alarms notify; then the default topic, which the plan turns to as that
    // one does not exist. Had the alarms waited for the rules, six.
    assert_eq!(took, LATENCY * 5);
    let calls = aws.calls();
    assert_eq!(calls["events:ListRules"], 17);
    assert_eq!(calls["cloudwatch:DescribeAlarmsForMetric"], 2 + 14);
    let sequential = aws_over(
        create_mock_http_client,
        &regions,
        [
            trail_rules(),
            two_filters(),
            crowded_cloudwatch(),
            no_topics(),
        ],
    );
    let expected = plan::plan(&read_as_planned(&sequential), &controls, &desired).unwrap();
    assert_eq!(
        surveyed.unwrap().report,
        expected,
        "the report of the same account read one step after another"
    );
}
