//! Whether CloudWatch alarms can deliver to a topic: its access policy and the KMS key that
//! encrypts it, judged as far as the policy documents allow.

use model::live::Topic;
use model::{Finding, FindingCode};
use serde_json::Value;

/// Why CloudWatch alarms cannot deliver to a topic, if they cannot: an access policy that does
/// not let `cloudwatch.amazonaws.com` publish, or encryption with the AWS-managed `alias/aws/sns`
/// key (which CloudWatch cannot use). Unknown attributes give no finding here.
pub fn undeliverable(topic: &Topic, account: &str) -> Option<Finding> {
    let attributes = topic.attributes.as_ref().ok()?;
    if let Some(key_id) = &attributes.kms_master_key_id {
        let aws_managed = key_id.ends_with("alias/aws/sns")
            || matches!(&attributes.key, Some(Ok(k)) if k.manager == "AWS");
        if !aws_managed {
            if let Some(Ok(key)) = &attributes.key {
                let grants = key
                    .policy
                    .as_deref()
                    .and_then(|p| serde_json::from_str::<Value>(p).ok())
                    .is_some_and(|p| key_policy_allows_cloudwatch(&p));
                if !grants {
                    return Some(
                        Finding::new(
                            FindingCode::TopicKeyBlocksCloudwatch,
                            format!(
                                "topic `{}` is encrypted with key `{}`, whose policy does not grant cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*: alarms go to ALARM but nothing is delivered",
                                topic.arn, key.arn
                            ),
                        )
                        .with_hint("add a key policy statement allowing the service principal cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*"),
                    );
                }
            }
        }
        if aws_managed {
            return Some(
                Finding::new(
                    FindingCode::TopicAwsManagedKey,
                    format!("topic `{}` is encrypted with the AWS-managed key `alias/aws/sns`, which CloudWatch cannot use: alarms go to ALARM but nothing is delivered", topic.arn),
                )
                .with_hint("encrypt the topic with a customer-managed key whose policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or use another topic (--topic-name)"),
            );
        }
    }
    let policy: Value = serde_json::from_str(attributes.policy.as_deref()?).ok()?;
    if policy_allows_cloudwatch(&policy, &topic.arn, account) {
        return None;
    }
    Some(
        Finding::new(
            FindingCode::TopicPolicyBlocksCloudwatch,
            format!("the access policy of topic `{}` does not let cloudwatch.amazonaws.com publish: alarms go to ALARM but nothing is delivered", topic.arn),
        )
        .with_hint("allow sns:Publish to the service principal cloudwatch.amazonaws.com (scoped with aws:SourceArn to the account's alarms), or use another topic (--topic-name); trailwatch never changes a topic's policy it did not create"),
    )
}

/// Whether a KMS key policy lets CloudWatch use the key to publish to an encrypted topic:
/// `kms:Decrypt` and `kms:GenerateDataKey*` for the service principal (or everyone).
pub fn key_policy_allows_cloudwatch(policy: &Value) -> bool {
    let statements = statements(policy);
    let granted = |wanted: &str| {
        statements.iter().any(|st| {
            st["Effect"] == "Allow"
                && cloudwatch_is_principal(st)
                && as_list(&st["Action"]).iter().any(|a| {
                    *a == "*"
                        || a.eq_ignore_ascii_case("kms:*")
                        || a.eq_ignore_ascii_case(wanted)
                        || (wanted == "kms:GenerateDataKey*"
                            && a.eq_ignore_ascii_case("kms:GenerateDataKey"))
                })
        })
    };
    granted("kms:Decrypt") && granted("kms:GenerateDataKey*")
}

/// A policy's statements (`Statement` may be one object or a list).
fn statements(policy: &Value) -> Vec<&Value> {
    match &policy["Statement"] {
        Value::Array(items) => items.iter().collect(),
        other @ Value::Object(_) => vec![other],
        _ => Vec::new(),
    }
}

/// Whether a statement's principal covers `cloudwatch.amazonaws.com` (by service, or everyone).
fn cloudwatch_is_principal(statement: &Value) -> bool {
    match &statement["Principal"] {
        Value::String(p) => p == "*",
        Value::Object(map) => {
            map.get("AWS").is_some_and(|v| as_list(v).contains(&"*"))
                || map
                    .get("Service")
                    .is_some_and(|v| as_list(v).contains(&"cloudwatch.amazonaws.com"))
        }
        _ => false,
    }
}

fn as_list(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a topic policy lets CloudWatch alarms of `account` publish (simplified IAM
/// evaluation: an explicit unconditional deny wins; conditions on the source account, owner or
/// ARN are checked; other conditions are assumed to hold).
pub fn policy_allows_cloudwatch(policy: &Value, topic_arn: &str, account: &str) -> bool {
    let statements = statements(policy);
    let mut allowed = false;
    for st in statements {
        let principal = cloudwatch_is_principal(st);
        let action = as_list(&st["Action"]).iter().any(|a| {
            a.eq_ignore_ascii_case("sns:Publish") || a.eq_ignore_ascii_case("sns:*") || *a == "*"
        });
        let resource = as_list(&st["Resource"])
            .iter()
            .any(|r| *r == "*" || *r == topic_arn || pattern::wildcard(r, topic_arn));
        if !(principal && action && resource) {
            continue;
        }
        let conditions_hold = match &st["Condition"] {
            Value::Object(operators) => operators.values().all(|keys| match keys {
                Value::Object(keys) => keys.iter().all(|(key, values)| {
                    let values = as_list(values);
                    match key.to_ascii_lowercase().as_str() {
                        "aws:sourceowner" | "aws:sourceaccount" => values.contains(&account),
                        "aws:sourcearn" => values.iter().any(|v| {
                            *v == "*"
                                || (v.contains(":cloudwatch:")
                                    && (v.contains(account) || v.contains(":*:")))
                        }),
                        _ => true,
                    }
                }),
                _ => true,
            }),
            _ => true,
        };
        match st["Effect"].as_str() {
            Some("Deny") if st.get("Condition").is_none() => return false,
            Some("Allow") if conditions_hold => allowed = true,
            _ => {}
        }
    }
    allowed
}
