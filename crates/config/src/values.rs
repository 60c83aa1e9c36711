//! Parsers of single setting values, shared by the flags and the configuration file, so both
//! accept and refuse the same values with the same words.

use model::{Endpoint, MatchMode};

/// A 12-digit AWS account id.
pub fn account_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not an AWS account id (12 digits)"))
    }
}

/// A benchmark version trailwatch knows.
pub fn benchmark(s: &str) -> Result<String, String> {
    model::catalog::parse_benchmark(s).map(str::to_string)
}

/// A metric namespace CloudWatch accepts for custom metrics.
pub fn namespace(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 255 || s.starts_with("AWS/") || s.starts_with(':') {
        Err(format!(
            "`{s}` is not a usable metric namespace; use 1 to 255 characters, not starting with `AWS/` or `:`"
        ))
    } else {
        Ok(s.to_string())
    }
}

/// An SNS topic name.
pub fn topic_name(s: &str) -> Result<String, String> {
    if model::arn::is_valid_topic_name(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a valid SNS topic name; use 1 to 256 letters, digits, `-` and `_`"
        ))
    }
}

/// An SNS topic ARN.
pub fn topic_arn(s: &str) -> Result<String, String> {
    model::arn::parse_topic_arn(s).map(|_| s.to_string())
}

/// A `PROTOCOL:ENDPOINT` to subscribe.
pub fn endpoint(s: &str) -> Result<Endpoint, String> {
    s.parse()
}

/// `semantic` or `strict`.
pub fn match_mode(s: &str) -> Result<MatchMode, String> {
    match s {
        "semantic" => Ok(MatchMode::Semantic),
        "strict" => Ok(MatchMode::Strict),
        _ => Err(format!(
            "unknown match mode `{s}` (expected `semantic` or `strict`)"
        )),
    }
}

/// A profile level: 1 or 2.
pub fn level(n: i64) -> Result<u8, String> {
    match n {
        1 | 2 => Ok(n as u8),
        _ => Err(format!("level {n} does not exist (expected 1 or 2)")),
    }
}

/// A known AWS region (a typo is refused with the closest one suggested).
pub fn region(s: &str) -> Result<String, String> {
    model::regions::check(s).map(str::to_string)
}
