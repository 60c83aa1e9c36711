//! The control catalog: which CIS monitoring controls exist and what each one must catch.
//!
//! Controls are data, not code: adding a control is adding an entry to [`CATALOG`].

use serde::Serialize;

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
    },
    Control {
        id: "cloudtrail-config-changes",
        title: "CloudTrail configuration changes are monitored",
        cis_ids: &[("v1.2", "3.5"), ("v1.3-v5.0", "4.5"), ("v6.0-v7.0", "5.5")],
        security_hub_id: Some("CloudWatch.5"),
        pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        default_metric_name: "CloudTrailConfigChanges",
        events: CLOUDTRAIL_EVENTS,
    },
];

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
    use crate::pattern;

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
            let named = pattern::event_names(control.pattern);
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
