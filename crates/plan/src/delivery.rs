//! Whether CloudWatch alarms can deliver to a topic: its access policy and the KMS key that
//! encrypts it, each judged as IAM judges it (`policy`), or left open when trailwatch cannot tell.

use std::cmp::Reverse;

use model::live::{KmsKey, Topic, TopicAttributes};
use model::{Finding, FindingCode};

use crate::policy::{evaluate_text, Decision, Request, Sender, Source, StatementRef};

/// The actions CloudWatch calls on the key of an encrypted topic it publishes to (a policy
/// grants the second with `kms:GenerateDataKey*`, `kms:*`, …).
pub const KEY_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey"];

/// The action CloudWatch calls on the topic.
pub const PUBLISH: &str = "sns:Publish";

/// What the conditions trailwatch can judge are, for the hints.
const JUDGED: &str = "trailwatch judges conditions on aws:SourceArn, aws:SourceAccount and aws:SourceOwner with the String…/Arn… equality and wildcard operators only";

/// Whether CloudWatch alarms can deliver to a topic, as far as its policies tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// They can (or the topic's attributes were not read, which gives no finding here).
    Delivers,
    /// They cannot: the finding says what blocks them.
    Blocked(Finding),
    /// A statement trailwatch cannot judge decides it: the finding names the statement.
    Unclear(Finding),
}

impl Delivery {
    /// The finding, unless the topic delivers.
    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Delivery::Delivers => None,
            Delivery::Blocked(f) | Delivery::Unclear(f) => Some(f),
        }
    }
}

/// Whether CloudWatch can publish to a topic for `source`'s alarm (or any alarm of its account
/// and region): the key that encrypts it (the AWS-managed `alias/aws/sns` never works; a
/// customer-managed one must let CloudWatch call [`KEY_ACTIONS`]), and its access policy (it
/// must let CloudWatch call `sns:Publish`). A definite block says more than an open question.
pub fn delivery(topic: &Topic, source: &Source) -> Delivery {
    // What could not be read cannot be judged: never a confident "delivers".
    let attributes = match &topic.attributes {
        Ok(attributes) => attributes,
        Err(e) => return Delivery::Unclear(crate::trails::read_error_finding(e)),
    };
    let key = match &attributes.kms_master_key_id {
        Some(key_id) => key_delivery(topic, key_id, attributes, source),
        None => Delivery::Delivers,
    };
    let policy = policy_delivery(topic, attributes, source);
    match (key, policy) {
        (blocked @ Delivery::Blocked(_), _) | (_, blocked @ Delivery::Blocked(_)) => blocked,
        (unclear @ Delivery::Unclear(_), _) | (_, unclear @ Delivery::Unclear(_)) => unclear,
        _ => Delivery::Delivers,
    }
}

/// The topic's access policy; none read means SNS's default, which lets the owner's alarms in.
fn policy_delivery(topic: &Topic, attributes: &TopicAttributes, source: &Source) -> Delivery {
    let Some(policy) = attributes.policy.as_deref() else {
        return Delivery::Delivers;
    };
    let request = Request {
        action: PUBLISH,
        resource: &topic.arn,
        source: *source,
    };
    match evaluate_text(policy, &request) {
        Decision::Allowed => Delivery::Delivers,
        Decision::Denied { by } => {
            Delivery::Blocked(policy_blocks(topic, source.sender, Some(&by)))
        }
        Decision::NotAllowed => Delivery::Blocked(policy_blocks(topic, source.sender, None)),
        Decision::CannotTell { statement, why } => {
            Delivery::Unclear(policy_unclear(topic, source.sender, &statement, &why))
        }
    }
}

/// What a sender's blocked delivery means to a person.
fn lost(sender: Sender) -> &'static str {
    match sender {
        Sender::CloudWatch => "alarms go to ALARM but nothing is delivered",
        Sender::EventBridge => "the rule matches but nothing is delivered",
        Sender::Account => "the forwarded events never arrive",
    }
}

fn policy_blocks(topic: &Topic, sender: Sender, denied_by: Option<&StatementRef>) -> Finding {
    let who = sender.principal();
    let (what, hint) = match denied_by {
        Some(by) => (
            format!("denies {who} {PUBLISH} ({by})"),
            format!("narrow {by} of the topic's policy so it does not deny {who}, or use another topic (--topic-name); trailwatch never changes a topic's policy it did not create"),
        ),
        None => (
            format!("does not let {who} publish (no statement allows it {PUBLISH})"),
            format!("allow {PUBLISH} to the service principal {who} (scoped with aws:SourceArn), or use another topic (--topic-name); trailwatch never changes a topic's policy it did not create"),
        ),
    };
    Finding::new(
        FindingCode::TopicPolicyBlocksCloudwatch,
        format!(
            "the access policy of topic `{}` {what}: {}",
            topic.arn,
            lost(sender)
        ),
    )
    .with_hint(hint)
}

fn policy_unclear(topic: &Topic, sender: Sender, statement: &StatementRef, why: &str) -> Finding {
    Finding::new(
        FindingCode::TopicPolicyUnclear,
        format!(
            "trailwatch cannot tell whether the access policy of topic `{}` lets {} publish: {statement}: {why}",
            topic.arn,
            sender.principal()
        ),
    )
    .with_hint(format!(
        "check {statement} of the topic's policy by hand ({JUDGED}), or scope it with those keys so trailwatch can judge it"
    ))
}

/// The key that encrypts the topic; a key that could not be read cannot be judged.
fn key_delivery(
    topic: &Topic,
    key_id: &str,
    attributes: &TopicAttributes,
    source: &Source,
) -> Delivery {
    let aws_managed = key_id.ends_with("alias/aws/sns")
        || matches!(&attributes.key, Some(Ok(k)) if k.manager == "AWS");
    if aws_managed {
        return Delivery::Blocked(aws_managed_key(topic, source.sender));
    }
    let key = match &attributes.key {
        Some(Ok(key)) => key,
        Some(Err(e)) => return Delivery::Unclear(crate::trails::read_error_finding(e)),
        None => return Delivery::Delivers,
    };
    match key_decision(key, source) {
        (_, Decision::Allowed) => Delivery::Delivers,
        (action, Decision::Denied { by }) => {
            Delivery::Blocked(key_blocks(topic, key, (source.sender, action), Some(&by)))
        }
        (action, Decision::NotAllowed) => {
            Delivery::Blocked(key_blocks(topic, key, (source.sender, action), None))
        }
        (action, Decision::CannotTell { statement, why }) => Delivery::Unclear(key_unclear(
            topic,
            key,
            (source.sender, action),
            (&statement, &why),
        )),
    }
}

/// The key policy's answer for the action that fares worst: a block, then an open question.
fn key_decision(key: &KmsKey, source: &Source) -> (&'static str, Decision) {
    let Some(policy) = key.policy.as_deref() else {
        let why = "KMS returned no key policy".to_string();
        let open = Decision::CannotTell {
            statement: StatementRef::Document,
            why,
        };
        return (KEY_ACTIONS[0], open);
    };
    let severity = |d: &Decision| match d {
        Decision::Allowed => 0,
        Decision::CannotTell { .. } => 1,
        Decision::Denied { .. } | Decision::NotAllowed => 2,
    };
    KEY_ACTIONS
        .iter()
        .map(|&action| {
            let request = Request {
                action,
                resource: &key.arn,
                source: *source,
            };
            (action, evaluate_text(policy, &request))
        })
        .min_by_key(|(_, d)| Reverse(severity(d)))
        .expect("two actions")
}

fn aws_managed_key(topic: &Topic, sender: Sender) -> Finding {
    Finding::new(
        FindingCode::TopicAwsManagedKey,
        format!("topic `{}` is encrypted with the AWS-managed key `alias/aws/sns`, which {} cannot use: {}", topic.arn, sender.principal(), lost(sender)),
    )
    .with_hint(format!("encrypt the topic with a customer-managed key whose policy grants {} kms:Decrypt and kms:GenerateDataKey*, or use another topic (--topic-name)", sender.principal()))
}

fn key_blocks(
    topic: &Topic,
    key: &KmsKey,
    (sender, action): (Sender, &str),
    denied_by: Option<&StatementRef>,
) -> Finding {
    let who = sender.principal();
    let (what, hint) = match denied_by {
        Some(by) => (
            format!("denies {who} {action} ({by})"),
            format!("narrow {by} of the key policy so it does not deny {who} kms:Decrypt and kms:GenerateDataKey*, or use another topic (--topic-name)"),
        ),
        None => (
            format!("does not grant {who} {action} (it needs kms:Decrypt and kms:GenerateDataKey*)"),
            format!("add a key policy statement allowing the service principal {who} kms:Decrypt and kms:GenerateDataKey*"),
        ),
    };
    Finding::new(
        FindingCode::TopicKeyBlocksCloudwatch,
        format!(
            "topic `{}` is encrypted with key `{}`, whose policy {what}: {}",
            topic.arn,
            key.arn,
            lost(sender)
        ),
    )
    .with_hint(hint)
}

fn key_unclear(
    topic: &Topic,
    key: &KmsKey,
    (sender, action): (Sender, &str),
    (statement, why): (&StatementRef, &str),
) -> Finding {
    let who = sender.principal();
    Finding::new(
        FindingCode::TopicKeyPolicyUnclear,
        format!(
            "trailwatch cannot tell whether the policy of key `{}`, which encrypts topic `{}`, lets {who} call {action}: {statement}: {why}",
            key.arn, topic.arn
        ),
    )
    .with_hint(format!(
        "check {statement} of the key policy by hand: {who} needs kms:Decrypt and kms:GenerateDataKey* ({JUDGED})"
    ))
}
