//! End-to-end tests: the real `trailwatch` binary, through the real AWS SDK, against a local AWS
//! API server (moto with the CloudWatch CBOR bridge) that the tests start themselves. Each test
//! gets its own account through `sts:AssumeRole`. One test binary, to keep link time down.

mod accounts;
mod apply;
mod apply_accounts;
mod audit;
mod backtest;
mod benchmarks;
mod cli;
mod config;
mod connect;
mod delivery;
mod docs;
mod drill;
mod event_patterns;
mod eventbridge_rules;
mod faults;
mod html;
mod iac;
mod iam;
mod monitoring;
mod output_paths;
mod outputs;
mod pattern;
mod saved;
mod support;
mod unix;

use serde_json::{json, Value};

pub const IAM: &str = "iam-policy-changes";
/// The two controls most scenarios are about (plan and apply cover every control by default).
pub const PAIR: &str = "iam-policy-changes,cloudtrail-config-changes";
pub const CT: &str = "cloudtrail-config-changes";

pub const IAM_PATTERN: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
pub const CT_PATTERN: &str = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";

/// An account with a qualifying trail and nothing else.
pub fn trail_only() -> Value {
    json!({
        "log_groups": [{"name": "cloudtrail/main"}],
        "trails": [{"name": "main", "log_group": "cloudtrail/main"}],
    })
}

/// An account where both controls hold.
pub fn compliant() -> Value {
    let mut spec = trail_only();
    spec["filters"] = json!([
        {"log_group": "cloudtrail/main", "name": "iam-changes", "pattern": IAM_PATTERN, "metric": "IAMPolicyChanges"},
        {"log_group": "cloudtrail/main", "name": "trail-changes", "pattern": CT_PATTERN, "metric": "CloudTrailConfigChanges"},
    ]);
    spec["topics"] = json!([
        {"name": "security-alerts", "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}]}
    ]);
    spec["alarms"] = json!([
        {"name": "iam-changes", "metric": "IAMPolicyChanges", "topics": ["security-alerts"]},
        {"name": "trail-changes", "metric": "CloudTrailConfigChanges", "topics": ["security-alerts"]},
    ]);
    spec
}
