//! Topics and subscriptions: which topic the alarms notify, who is subscribed, and whether CloudWatch can deliver.

use super::*;

#[test]
fn the_default_topic_is_asked_for_only_when_the_plan_turns_to_it() {
    let default = topic_arn(model::desired::DEFAULT_TOPIC_NAME);
    // Nothing notifies a topic: the plan needs the default topic, which was not read.
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let PlanOrRead::Read(wanted) = plan_or_read(&s, &[iam()], &Desired::default()).unwrap() else {
        panic!("the default topic was not read")
    };
    let topic = TopicRequest {
        region: REGION.to_string(),
        arn: default.clone(),
    };
    assert_eq!(wanted.topics, vec![topic]);
    assert!(wanted.alarms.is_empty());
    // Read and absent: create it (and the account has no EventBridge rules).
    s.regions[0].topics_read.push(default.clone());
    s.eventbridge = EventBridgeRead::Read(Ok(vec![]));
    let PlanOrRead::Report(r) = plan_or_read(&s, &[iam()], &Desired::default()).unwrap() else {
        panic!("everything was read")
    };
    assert!(kinds(&r).contains(&"create-topic"));
    // An alarm already notifies a good topic: the default one is never needed.
    let PlanOrRead::Report(r) = plan_or_read(&compliant(), &[iam()], &Desired::default()).unwrap()
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
    assert_eq!(
        after.treat_missing_data,
        Some(model::cloudwatch::TreatMissingData::NotBreaching)
    );
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
        deliveries: Ok(None),
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
fn topic_arn_must_exist_and_be_in_the_log_groups_region() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let d = |arn: &str| Desired {
        topic: TopicChoice::Arn(arn.into()),
        ..Desired::default()
    };
    let err = plan(&s, &[iam()], &d(&topic_arn("nope"))).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let err = plan(&s, &[iam()], &d("arn:aws:sns:eu-west-1:111122223333:x")).unwrap_err();
    assert!(err.to_string().contains("own region"), "{err}");
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
    let ours = topic_policy(&topic_arn("alerts"), ACCOUNT, REGION);
    let r = run(
        &with_topic_attributes(Some(serde_json::from_str(&ours).unwrap()), None),
        &Desired::default(),
    );
    assert_eq!(r.controls[0].status, Status::Compliant);
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

/// Lets CloudWatch publish to the sample topic with these extra fields, per `plan::policy`.
fn cloudwatch_statement(extra: serde_json::Value) -> serde_json::Value {
    let mut st = serde_json::json!({"Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish"});
    for (k, v) in extra.as_object().unwrap() {
        st[k] = v.clone();
    }
    st
}

#[test]
fn a_wildcard_allow_mid_arn_is_compliant_and_plans_nothing() {
    let policy = serde_json::json!({"Statement": [cloudwatch_statement(
        serde_json::json!({"Resource": format!("arn:aws:sns:*:{ACCOUNT}:*")})
    )]});
    let r = run(&with_topic_attributes(Some(policy), None), &notify());
    assert_eq!(r.controls[0].status, Status::Compliant, "{:?}", codes(&r));
    assert!(r.actions.is_empty(), "{:?}", kinds(&r));
}

#[test]
fn a_wildcard_deny_mid_arn_blocks_and_names_its_statement() {
    let policy = serde_json::json!({"Statement": [
        cloudwatch_statement(serde_json::json!({})),
        {"Sid": "NoAlerts", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
         "Resource": format!("arn:aws:sns:*:{ACCOUNT}:ale*")}
    ]});
    let r = run(&with_topic_attributes(Some(policy), None), &notify());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r)[0], "topic-policy-blocks-cloudwatch");
    assert!(r.controls[0].findings[0]
        .message
        .contains("statement `NoAlerts`"));
    assert!(kinds(&r).contains(&"create-topic"));
}

#[test]
fn a_statement_trailwatch_cannot_judge_is_an_error_and_changes_nothing() {
    let policy = serde_json::json!({"Statement": [
        cloudwatch_statement(serde_json::json!({})),
        {"Sid": "MfaOnly", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    ]});
    let r = run(&with_topic_attributes(Some(policy), None), &notify());
    assert_eq!(r.controls[0].status, Status::Error);
    assert_eq!(codes(&r), vec!["topic-policy-unclear"]);
    let finding = &r.controls[0].findings[0];
    assert!(
        finding.message.contains("statement `MfaOnly`"),
        "{}",
        finding.message
    );
    assert!(finding
        .hint
        .as_deref()
        .unwrap()
        .contains("check statement `MfaOnly`"));
    // No new topic, no alarm rewired, nothing subscribed: trailwatch cannot tell there is a problem.
    assert!(r.actions.is_empty(), "{:?}", kinds(&r));
    // A policy that is not JSON cannot be judged either (it was taken as delivering before).
    let mut s = with_topic_attributes(None, None);
    s.regions[0].topics.as_mut().unwrap()[0]
        .attributes
        .as_mut()
        .unwrap()
        .policy = Some("{not json".into());
    let r = run(&s, &notify());
    assert_eq!(r.controls[0].status, Status::Error);
    assert!(r.controls[0].findings[0]
        .message
        .contains("the policy document"));
}

#[test]
fn the_alarm_that_publishes_decides_a_condition_on_its_arn() {
    // The sample alarm is `a`: a policy for alarms `a*` admits it, one for `x*` does not.
    let only = |names: &str| {
        serde_json::json!({"Statement": [cloudwatch_statement(serde_json::json!({
            "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{names}")}}
        }))]})
    };
    let r = run(&with_topic_attributes(Some(only("a*")), None), &notify());
    assert_eq!(r.controls[0].status, Status::Compliant, "{:?}", codes(&r));
    let r = run(&with_topic_attributes(Some(only("x*")), None), &notify());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r)[0], "topic-policy-blocks-cloudwatch");
    // The topic cannot deliver for this alarm, so the plan does not reuse it.
    assert!(kinds(&r).contains(&"create-topic"), "{:?}", kinds(&r));
}

#[test]
fn a_topic_the_plan_cannot_judge_is_still_reused_rather_than_replaced() {
    // The alarm's actions are disabled (trailwatch fixes that); its topic's policy has a
    // statement trailwatch cannot judge.
    let policy = serde_json::json!({"Statement": [
        cloudwatch_statement(serde_json::json!({"Sid": "Org",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}))
    ]});
    let mut s = with_topic_attributes(Some(policy), None);
    s.regions[0].alarms.as_mut().unwrap()[0].actions_enabled = false;
    let r = run(&s, &notify());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(kinds(&r), vec!["put-metric-alarm"]);
    let Operation::PutMetricAlarm { after, .. } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(after.alarm_actions, vec![topic_arn("alerts")]);
    assert!(
        codes(&r).contains(&"topic-policy-unclear"),
        "{:?}",
        codes(&r)
    );
    assert!(
        r.notes.iter().any(|n| n.contains("cannot tell")),
        "{:?}",
        r.notes
    );
}

#[test]
fn a_key_policy_trailwatch_cannot_judge_is_an_error() {
    let policy = serde_json::json!({"Statement": [{"Sid": "ViaSns", "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "kms:*", "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}}]});
    let r = run(&with_customer_key(policy), &notify());
    assert_eq!(r.controls[0].status, Status::Error);
    assert_eq!(codes(&r), vec!["topic-key-policy-unclear"]);
    assert!(r.controls[0].findings[0]
        .message
        .contains("statement `ViaSns`"));
    assert!(r.actions.is_empty(), "{:?}", kinds(&r));
    // A key policy that grants only kms:GenerateDataKey* still blocks: Decrypt is missing.
    let half = serde_json::json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
        "Resource": "*"}]});
    let r = run(&with_customer_key(half), &notify());
    assert_eq!(codes(&r)[0], "topic-key-blocks-cloudwatch");
    assert!(r.controls[0].findings[0].message.contains("kms:Decrypt"));
}

#[test]
fn a_topic_that_admits_only_some_alarms_is_not_reused_for_one_it_would_refuse() {
    // The IAM control holds through alarm `cis-iam` and topic `alerts`, whose policy admits only
    // alarms named `cis-*`; the CloudTrail control needs a new alarm, `trailwatch-…`.
    let policy = serde_json::json!({"Statement": [cloudwatch_statement(serde_json::json!({
        "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:cis-*")}}
    }))]});
    let mut s = with_topic_attributes(Some(policy), None);
    s.regions[0].alarms.as_mut().unwrap()[0].name = "cis-iam".into();
    let r = plan(&s, &[iam(), ct()], &notify()).unwrap();
    assert_eq!(r.controls[0].status, Status::Compliant, "{:?}", codes(&r));
    let default = topic_arn(model::desired::DEFAULT_TOPIC_NAME);
    let alarm = r
        .actions
        .iter()
        .find_map(|a| match &a.operation {
            Operation::PutMetricAlarm { after, .. } => Some(after),
            _ => None,
        })
        .unwrap();
    assert_eq!(alarm.alarm_actions, vec![default], "{:?}", r.notes);
    assert!(kinds(&r).contains(&"create-topic"));
}

#[test]
fn a_topic_whose_attributes_could_not_be_read_is_an_error_not_compliant() {
    let mut s = compliant();
    let mut t = topic("alerts", true);
    t.attributes = Err(model::live::ReadError {
        action: "sns:GetTopicAttributes".into(),
        code: Some("AuthorizationError".into()),
        message: "not authorized".into(),
    });
    s.regions[0].topics = Ok(vec![t]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::Error, "{:#?}", r.controls[0]);
    assert!(codes(&r).contains(&"read-error"), "{:?}", codes(&r));
    assert!(
        r.actions.is_empty(),
        "no new topic for what could not be read"
    );
}

/// The compliant account, its topic's deliveries of the last day as given.
fn delivering(deliveries: Result<Option<model::live::Deliveries>, ReadError>) -> Report {
    let mut s = compliant();
    for topic in s.regions[0].topics.as_mut().unwrap() {
        topic.deliveries = deliveries.clone();
    }
    run(&s, &notify())
}

fn counts(delivered: u64, failed: u64) -> Result<Option<model::live::Deliveries>, ReadError> {
    Ok(Some(model::live::Deliveries { delivered, failed }))
}

#[test]
fn a_topic_whose_deliveries_all_fail_tells_nobody() {
    let r = delivering(counts(0, 3));
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert_eq!(codes(&r), vec!["topic-deliveries-failing"]);
    let finding = &r.controls[0].findings[0];
    assert!(
        finding.message.contains("failed all 3 notifications"),
        "{}",
        finding.message
    );
    assert!(finding
        .hint
        .as_deref()
        .unwrap()
        .contains("subscription endpoints"));
    assert!(r.actions.is_empty(), "only a person can fix an endpoint");
}

#[test]
fn some_failed_deliveries_are_a_warning_and_no_data_is_nothing() {
    let r = delivering(counts(5, 1));
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert_eq!(codes(&r), vec!["topic-deliveries-partly-failing"]);
    for quiet in [Ok(None), counts(4, 0)] {
        let r = delivering(quiet);
        assert_eq!(r.controls[0].status, Status::Compliant);
        assert!(codes(&r).is_empty(), "{:?}", codes(&r));
    }
}

#[test]
fn unread_delivery_metrics_are_a_warning_naming_the_permission() {
    let denied = ReadError {
        action: "cloudwatch:GetMetricData".into(),
        code: Some("AccessDenied".into()),
        message: "not authorized".into(),
    };
    let r = delivering(Err(denied));
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert_eq!(codes(&r), vec!["topic-deliveries-unread"]);
    assert!(r.controls[0].findings[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("cloudwatch:GetMetricData"));
}
