//! Topics and subscriptions: which topic the alarms notify, who is subscribed, and whether CloudWatch can deliver.

use super::*;

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
