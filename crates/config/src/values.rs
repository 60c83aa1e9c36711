//! Parsers of single setting values, shared by the flags and the configuration file, so both
//! accept and refuse the same values with the same words.

use model::arn::ArnError;
use model::catalog::SelectError;
use model::desired::EndpointError;
use model::regions::UnknownRegion;
use model::{Endpoint, MatchMode};
use quoted::quoted;

/// A setting's value refused, and why; each says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not 12 digits.
    #[error("{} is not an AWS account id (12 digits)", quoted(.0))]
    AccountId(String),
    /// A benchmark version or control the catalog does not have.
    #[error(transparent)]
    Selection(#[from] SelectError),
    /// A namespace CloudWatch refuses for custom metrics.
    #[error("{} is not a usable metric namespace; use 1 to 255 characters, not starting with `AWS/` or `:`", quoted(.0))]
    Namespace(String),
    /// A name SNS refuses for a topic.
    #[error("{} is not a valid SNS topic name; use 1 to 256 letters, digits, `-` and `_`", quoted(.0))]
    TopicName(String),
    /// Not a topic ARN.
    #[error(transparent)]
    TopicArn(#[from] ArnError),
    /// Not a usable `PROTOCOL:ENDPOINT`.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// Neither `semantic` nor `strict`.
    #[error("unknown match mode {} (expected `semantic` or `strict`)", quoted(.0))]
    MatchMode(String),
    /// A path to accept other than `eventbridge`.
    #[error("unknown way of being told {} to accept (expected `eventbridge`)", quoted(.0))]
    Accept(String),
    /// A profile level other than 1 or 2.
    #[error("level {0} does not exist (expected 1 or 2)")]
    Level(i64),
    /// A region trailwatch does not know.
    #[error(transparent)]
    Region(#[from] UnknownRegion),
    /// Concurrency outside 1 to 64.
    #[error("concurrency {0} is out of range (expected 1 to 64)")]
    Concurrency(i64),
    /// Not an `http://` or `https://` URL.
    #[error("{} is not a URL; write it like http://127.0.0.1:5000", quoted(.0))]
    Url(String),
    /// Not a plan digest.
    #[error(
        "`{0}` is not a plan digest: `sha256:` and 64 hex digits, as the `plan:` line shows it"
    )]
    Digest(String),
}

/// An endpoint URL (`--endpoint-url`): `http://` or `https://` and a host.
pub fn url(s: &str) -> Result<String, ValueError> {
    let host = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    match host.is_some_and(|h| !h.is_empty()) {
        true => Ok(s.to_string()),
        false => Err(ValueError::Url(s.to_string())),
    }
}

/// A plan's digest (`apply --expect-digest`), `sha256:` optional, in the form plans show it.
pub fn digest(s: &str) -> Result<String, ValueError> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    match hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        true => Ok(format!("sha256:{}", hex.to_ascii_lowercase())),
        false => Err(ValueError::Digest(s.to_string())),
    }
}

/// A 12-digit AWS account id.
pub fn account_id(s: &str) -> Result<String, ValueError> {
    let s = s.trim();
    if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(ValueError::AccountId(s.to_string()))
    }
}

/// A benchmark version trailwatch knows.
pub fn benchmark(s: &str) -> Result<String, ValueError> {
    Ok(model::catalog::parse_benchmark(s)?.to_string())
}

/// A metric namespace CloudWatch accepts for custom metrics.
pub fn namespace(s: &str) -> Result<String, ValueError> {
    if s.is_empty() || s.len() > 255 || s.starts_with("AWS/") || s.starts_with(':') {
        Err(ValueError::Namespace(s.to_string()))
    } else {
        Ok(s.to_string())
    }
}

/// An SNS topic name.
pub fn topic_name(s: &str) -> Result<String, ValueError> {
    if model::arn::is_valid_topic_name(s) {
        Ok(s.to_string())
    } else {
        Err(ValueError::TopicName(s.to_string()))
    }
}

/// An SNS topic ARN.
pub fn topic_arn(s: &str) -> Result<String, ValueError> {
    model::arn::parse_topic_arn(s)?;
    Ok(s.to_string())
}

/// A `PROTOCOL:ENDPOINT` to subscribe.
pub fn endpoint(s: &str) -> Result<Endpoint, ValueError> {
    Ok(s.parse()?)
}

/// `semantic` or `strict`.
pub fn match_mode(s: &str) -> Result<MatchMode, ValueError> {
    match s {
        "semantic" => Ok(MatchMode::Semantic),
        "strict" => Ok(MatchMode::Strict),
        _ => Err(ValueError::MatchMode(s.to_string())),
    }
}

/// A way of being told that a control may be judged by besides CIS's metric filters:
/// `eventbridge` (true when accepted).
pub fn accept(s: &str) -> Result<bool, ValueError> {
    match s {
        "eventbridge" => Ok(true),
        _ => Err(ValueError::Accept(s.to_string())),
    }
}

/// A profile level: 1 or 2.
pub fn level(n: i64) -> Result<u8, ValueError> {
    match n {
        1 | 2 => Ok(n as u8),
        _ => Err(ValueError::Level(n)),
    }
}

/// A known AWS region (a typo is refused with the closest one suggested).
pub fn region(s: &str) -> Result<String, ValueError> {
    Ok(model::regions::check(s)?.to_string())
}
