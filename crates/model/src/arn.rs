//! Parsing the ARNs trailwatch reads and accepts: CloudWatch Logs log groups and SNS topics.

use quoted::quoted;
use serde::Serialize;

/// A log group named by a trail's `CloudWatchLogsLogGroupArn`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogGroupRef {
    /// The partition, such as `aws`.
    pub partition: String,
    /// The region the group lives in.
    pub region: String,
    /// The account that owns the group.
    pub account_id: String,
    /// The group name.
    pub name: String,
}

impl LogGroupRef {
    /// True when the group belongs to `account`: only then can its filters be read (and
    /// fixed) with that account's credentials; otherwise it is monitored centrally there.
    pub fn is_in(&self, account: &str) -> bool {
        self.account_id == account
    }
}

/// True when `arn` is an SNS topic ARN, in any partition (`arn:PARTITION:sns:…`).
pub fn is_sns_arn(arn: &str) -> bool {
    let mut parts = arn.split(':');
    parts.next() == Some("arn") && parts.nth(1) == Some("sns")
}

/// Why an ARN was refused; each names the ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// Not `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME`.
    #[error("{} is not a log group ARN (expected arn:aws:logs:REGION:ACCOUNT:log-group:NAME)", quoted(.0))]
    NotLogGroup(String),
    /// A log group ARN without a name, region or account.
    #[error("{} is not a complete log group ARN", quoted(.0))]
    IncompleteLogGroup(String),
    /// Not `arn:PARTITION:sns:REGION:ACCOUNT:NAME`.
    #[error("{} is not an SNS topic ARN; expected arn:aws:sns:REGION:ACCOUNT:NAME, such as arn:aws:sns:us-east-1:123456789012:security-alarms", quoted(.0))]
    NotTopic(String),
}

/// Parses `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*]`.
pub fn parse_log_group_arn(arn: &str) -> Result<LogGroupRef, ArnError> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
        return Err(ArnError::NotLogGroup(arn.to_string()));
    }
    let name = parts[6].strip_suffix(":*").unwrap_or(parts[6]);
    if name.is_empty() || parts[3].is_empty() || parts[4].is_empty() {
        return Err(ArnError::IncompleteLogGroup(arn.to_string()));
    }
    Ok(LogGroupRef {
        partition: parts[1].to_string(),
        region: parts[3].to_string(),
        account_id: parts[4].to_string(),
        name: name.to_string(),
    })
}

/// An SNS topic named by its ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicRef {
    /// The partition, such as `aws`.
    pub partition: String,
    /// The topic's region.
    pub region: String,
    /// The account that owns the topic.
    pub account_id: String,
    /// The topic name.
    pub name: String,
}

/// Parses `arn:PARTITION:sns:REGION:ACCOUNT:NAME`; the error says what a topic ARN looks like.
pub fn parse_topic_arn(arn: &str) -> Result<TopicRef, ArnError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let valid = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && is_valid_topic_name(parts[5]);
    if !valid {
        return Err(ArnError::NotTopic(arn.to_string()));
    }
    Ok(TopicRef {
        partition: parts[1].to_string(),
        region: parts[3].to_string(),
        account_id: parts[4].to_string(),
        name: parts[5].to_string(),
    })
}

/// An EventBridge event bus named by its ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventBusRef {
    /// The bus's region.
    pub region: String,
    /// The account that owns the bus.
    pub account_id: String,
    /// The bus's name.
    pub name: String,
}

/// Parses `arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`; `None` for any other ARN (a
/// rule's target of another kind).
pub fn parse_event_bus_arn(arn: &str) -> Option<EventBusRef> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [("arn", _), ("events", region), (account, resource)] = [
        (parts.first()?, parts.get(1)?),
        (parts.get(2)?, parts.get(3)?),
        (parts.get(4)?, parts.get(5)?),
    ]
    .map(|(a, b)| (*a, *b)) else {
        return None;
    };
    let name = resource.strip_prefix("event-bus/")?;
    let valid = !region.is_empty() && account.len() == 12 && !name.is_empty();
    valid.then(|| EventBusRef {
        region: region.to_string(),
        account_id: account.to_string(),
        name: name.to_string(),
    })
}

/// SNS topic names: 1 to 256 alphanumerics, hyphens and underscores (`.fifo` suffix allowed).
pub fn is_valid_topic_name(name: &str) -> bool {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    !base.is_empty()
        && name.len() <= 256
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The ARN of a topic by name, as `CreateTopic` will return it.
pub fn topic_arn(partition: &str, region: &str, account_id: &str, name: &str) -> String {
    format!("arn:{partition}:sns:{region}:{account_id}:{name}")
}

/// The partition a region belongs to.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_with_and_without_star() {
        let g =
            parse_log_group_arn("arn:aws:logs:eu-west-1:111122223333:log-group:a/b:c:*").unwrap();
        assert_eq!(
            (g.region.as_str(), g.account_id.as_str(), g.name.as_str()),
            ("eu-west-1", "111122223333", "a/b:c")
        );
        let g = parse_log_group_arn("arn:aws:logs:eu-west-1:111122223333:log-group:trail").unwrap();
        assert_eq!(g.name, "trail");
        assert!(parse_log_group_arn("arn:aws:s3:::bucket").is_err());
    }

    #[test]
    fn topic_arns_are_checked() {
        let t = parse_topic_arn("arn:aws:sns:us-east-1:123456789012:alerts").unwrap();
        assert_eq!(t.name, "alerts");
        for bad in [
            "alerts",
            "arn:aws:sns:us-east-1:1234:alerts",
            "arn:aws:sqs:us-east-1:123456789012:alerts",
            "arn:aws:sns:us-east-1:123456789012:bad name",
            "arn:aws:sns::123456789012:alerts",
        ] {
            assert!(parse_topic_arn(bad).is_err(), "{bad}");
        }
    }
}
