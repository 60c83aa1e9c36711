//! The control catalog: which CIS monitoring controls exist and what each one must catch.
//!
//! Controls are data, not code: adding a control is adding an entry to [`CATALOG`].

use serde::Serialize;
use serde_json::{json, Value};

/// One CIS monitoring control: a metric filter, an alarm on its metric, and a notified topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Stable slug used on the command line and in JSON output.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// CIS ids by range of benchmark versions, such as `("v1.2", "3.4")`, oldest first.
    pub cis_ids: &'static [(&'static str, &'static str)],
    /// The AWS Security Hub control id, if any.
    pub security_hub_id: Option<&'static str>,
    /// The published filter pattern.
    pub pattern: &'static str,
    /// The metric name a new filter publishes to.
    pub default_metric_name: &'static str,
    /// The events the control exists to catch (the `eventName`s of its pattern).
    pub events: &'static [&'static str],
    /// The service that emits those events, such as `iam.amazonaws.com`.
    pub event_source: &'static str,
}

impl Control {
    /// The CIS id in the newest benchmark version the catalog knows.
    pub fn cis_id(&self) -> &'static str {
        self.cis_ids.last().map(|(_, id)| *id).unwrap_or("")
    }
}

const IAM_EVENTS: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];

const CLOUDTRAIL_EVENTS: &[&str] = &[
    "CreateTrail",
    "UpdateTrail",
    "DeleteTrail",
    "StartLogging",
    "StopLogging",
];

/// Every control trailwatch knows, in CIS order.
pub const CATALOG: &[Control] = &[
    Control {
        id: "iam-policy-changes",
        title: "IAM policy changes are monitored",
        cis_ids: &[("v1.2", "3.4"), ("v1.3-v5.0", "4.4"), ("v6.0-v7.0", "5.4")],
        security_hub_id: Some("CloudWatch.4"),
        pattern: "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
        default_metric_name: "IAMPolicyChanges",
        events: IAM_EVENTS,
        event_source: "iam.amazonaws.com",
    },
    Control {
        id: "cloudtrail-config-changes",
        title: "CloudTrail configuration changes are monitored",
        cis_ids: &[("v1.2", "3.5"), ("v1.3-v5.0", "4.5"), ("v6.0-v7.0", "5.5")],
        security_hub_id: Some("CloudWatch.5"),
        pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        default_metric_name: "CloudTrailConfigChanges",
        events: CLOUDTRAIL_EVENTS,
        event_source: "cloudtrail.amazonaws.com",
    },
];

/// A realistic CloudTrail record of a management API call, as CloudTrail delivers it to
/// CloudWatch Logs.
pub fn cloudtrail_record(event_source: &str, event_name: &str, user_type: &str) -> Value {
    let account = "111122223333";
    let identity = match user_type {
        "Root" => json!({
            "type": "Root",
            "principalId": account,
            "arn": format!("arn:aws:iam::{account}:root"),
            "accountId": account,
        }),
        "AssumedRole" => json!({
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:ops",
            "arn": format!("arn:aws:sts::{account}:assumed-role/Admin/ops"),
            "accountId": account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}},
        }),
        _ => json!({
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": format!("arn:aws:iam::{account}:user/alice"),
            "accountId": account,
            "userName": "alice",
        }),
    };
    json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2026-11-01T12:00:00Z",
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": {},
        "responseElements": null,
        "requestID": "6f1c0f1e-0000-4000-8000-000000000000",
        "eventID": "0e9c5b36-0000-4000-8000-000000000000",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    })
}

/// The control's positive corpus: for each event it exists to catch, that event made by an IAM
/// user, by an assumed role and by the root user. A compliant filter matches all of them.
pub fn corpus(control: &Control) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for event in control.events {
        for user in ["IAMUser", "AssumedRole", "Root"] {
            out.push((*event, cloudtrail_record(control.event_source, event, user)));
        }
    }
    out
}

/// Everyday events no monitoring control is about; a filter that matches most of them makes
/// an alarm that is noise.
pub fn noise_corpus() -> Vec<Value> {
    [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("sts.amazonaws.com", "AssumeRole"),
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("logs.amazonaws.com", "PutLogEvents"),
        ("lambda.amazonaws.com", "Invoke"),
        ("dynamodb.amazonaws.com", "DescribeTable"),
        ("kms.amazonaws.com", "Decrypt"),
        ("monitoring.amazonaws.com", "GetMetricData"),
        ("iam.amazonaws.com", "ListRoles"),
        ("cloudtrail.amazonaws.com", "LookupEvents"),
    ]
    .iter()
    .map(|(source, name)| cloudtrail_record(source, name, "AssumedRole"))
    .collect()
}

/// Finds a control by slug or by CIS id (any version).
pub fn find(id: &str) -> Option<&'static Control> {
    CATALOG
        .iter()
        .find(|c| c.id == id || c.cis_ids.iter().any(|(_, cis)| *cis == id))
}

/// Resolves a comma-separated list of ids; the error names the unknown id and the valid ones.
pub fn select(ids: &[String]) -> Result<Vec<&'static Control>, String> {
    if ids.is_empty() {
        return Ok(CATALOG.iter().collect());
    }
    let mut out: Vec<&'static Control> = Vec::new();
    for id in ids {
        let control = find(id.trim()).ok_or_else(|| {
            let valid: Vec<&str> = CATALOG.iter().map(|c| c.id).collect();
            format!(
                "unknown control `{}`; valid controls: {}",
                id.trim(),
                valid.join(", ")
            )
        })?;
        if !out.iter().any(|c| c.id == control.id) {
            out.push(control);
        }
    }
    Ok(out)
}

/// The catalog as Markdown: the content of `docs/controls.md` (a test keeps that file current).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Controls\n\n<!-- Generated from crates/model/src/catalog.rs; do not edit. Regenerate with `UPDATE_DOCS=1 cargo test -p model`. -->\n\n",
    );
    out.push_str("| id | CIS ids | Security Hub | default metric |\n|---|---|---|---|\n");
    for c in CATALOG {
        let ids: Vec<String> = c
            .cis_ids
            .iter()
            .map(|(v, id)| format!("{id} ({v})"))
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` |\n",
            c.id,
            ids.join(", "),
            c.security_hub_id.unwrap_or("-"),
            c.default_metric_name
        ));
    }
    for c in CATALOG {
        out.push_str(&format!("\n## `{}`: {}\n\n", c.id, c.title));
        out.push_str(&format!(
            "Events caught: {}.\n\nPublished pattern:\n\n```\n{}\n```\n",
            c.events.join(", "),
            c.pattern
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_controls_md_is_generated_from_the_catalog() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/controls.md");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, markdown()).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == markdown(),
            "docs/controls.md is stale: run `UPDATE_DOCS=1 cargo test -p model`"
        );
    }

    #[test]
    fn each_pattern_names_exactly_its_events() {
        for control in CATALOG {
            let named = pattern::event_names(&pattern::parse(control.pattern).unwrap());
            let listed: std::collections::BTreeSet<String> =
                control.events.iter().map(|e| e.to_string()).collect();
            assert_eq!(named, listed, "{}", control.id);
        }
    }

    #[test]
    fn selection_accepts_slugs_and_cis_ids_and_rejects_unknown_ones() {
        let picked = select(&["5.5".into(), "iam-policy-changes".into()]).unwrap();
        assert_eq!(picked[0].id, "cloudtrail-config-changes");
        assert_eq!(picked[1].id, "iam-policy-changes");
        let err = select(&["root-usage".into()]).unwrap_err();
        assert!(err.contains("unknown control `root-usage`"), "{err}");
        assert!(err.contains("iam-policy-changes"), "{err}");
    }
}
