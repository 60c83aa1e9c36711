//! ASFF findings for Security Hub: one per selected control per account that was read, filed
//! in the run's region under the account's default product, PASSED ones included so that a
//! later run resolves what an earlier one found.

use std::collections::BTreeMap;

use model::asff::{
    finding_type, Compliance, Finding, Note, Recommendation, Remediation, Resource, Severity,
    Workflow, SCHEMA_VERSION,
};
use model::Status;

use super::run::{standard_of, Item, Run, CONTROLS_URL};

/// Security Hub refuses a `Remediation.Recommendation.Text` over 512 characters.
const MAX_RECOMMENDATION: usize = 512;
/// … and a `Description` over 1024.
const MAX_DESCRIPTION: usize = 1024;

/// The findings of a run, as a pretty JSON array.
pub fn document(run: &Run) -> String {
    serde_json::to_string_pretty(&findings(run)).expect("ASFF findings serialize") + "\n"
}

/// The findings of a run: every control of every account that was read (an account that could
/// not be read has no findings: Security Hub could not take them from these credentials).
pub fn findings(run: &Run) -> Vec<Finding> {
    run.items()
        .iter()
        .filter(|item| is_read(run, item.account))
        .map(|item| finding(run, item))
        .collect()
}

fn is_read(run: &Run, account: &str) -> bool {
    run.results
        .iter()
        .any(|r| r.account_id == account && r.report.is_ok())
}

/// The account's default product in a region.
pub fn product_arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default")
}

fn finding(run: &Run, item: &Item) -> Finding {
    let status = item.result.status;
    let at = run.timestamp();
    let resources: Vec<Resource> = item
        .resources(run)
        .into_iter()
        .map(|r| Resource {
            kind: r.kind.asff().to_string(),
            id: r.uid,
            partition: r.partition,
            region: r.region,
        })
        .collect();
    let partition = resources
        .first()
        .map_or("aws".to_string(), |r| r.partition.clone());
    Finding {
        schema_version: SCHEMA_VERSION.to_string(),
        id: format!("trailwatch/{}/{}", run.benchmark, item.key(run)),
        product_arn: product_arn(&partition, run.region, item.account),
        generator_id: format!("trailwatch/{}/{}", run.benchmark, item.control.id),
        aws_account_id: item.account.to_string(),
        region: run.region.to_string(),
        types: vec![finding_type(item.control.standard).to_string()],
        created_at: at.clone(),
        updated_at: at.clone(),
        severity: Severity {
            label: severity(status).to_string(),
        },
        title: item.control.heading(),
        description: clip(&description(item), MAX_DESCRIPTION),
        remediation: Remediation {
            recommendation: Recommendation {
                text: clip(&item.remediation(), MAX_RECOMMENDATION),
                url: format!("{CONTROLS_URL}#{}", item.control.id),
            },
        },
        product_fields: product_fields(run, item),
        resources,
        compliance: Compliance {
            status: compliance(status).to_string(),
            related_requirements: item
                .control
                .cis_id
                .iter()
                .map(|id| format!("{} {id}", run.standard()))
                .collect(),
        },
        workflow: Workflow {
            status: if status == Status::Waived {
                "SUPPRESSED"
            } else {
                "NEW"
            }
            .to_string(),
        },
        record_state: "ACTIVE".to_string(),
        note: waiver_note(item, &at),
    }
}

/// PASSED, FAILED or NOT_AVAILABLE (cannot tell, or does not apply).
fn compliance(status: Status) -> &'static str {
    match status {
        Status::Compliant => "PASSED",
        Status::NonCompliant | Status::Waived => "FAILED",
        Status::Error | Status::NotApplicable => "NOT_AVAILABLE",
    }
}

/// Security Hub's convention: passed and unavailable checks are informational.
fn severity(status: Status) -> &'static str {
    match status {
        Status::NonCompliant | Status::Waived => "MEDIUM",
        Status::Compliant | Status::Error | Status::NotApplicable => "INFORMATIONAL",
    }
}

fn description(item: &Item) -> String {
    match item.findings_text() {
        text if text.is_empty() => format!("{}: compliant.", item.control.title),
        text => text.replace('\n', "; "),
    }
}

fn product_fields(run: &Run, item: &Item) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::from([
        (
            "trailwatch/benchmark".to_string(),
            run.benchmark.to_string(),
        ),
        (
            "trailwatch/standard".to_string(),
            standard_of(run.benchmark, item.control),
        ),
        (
            "trailwatch/control".to_string(),
            item.control.id.to_string(),
        ),
        (
            "trailwatch/status".to_string(),
            item.result.status.as_str().to_string(),
        ),
        (
            "trailwatch/actions".to_string(),
            item.actions.len().to_string(),
        ),
        ("ProviderName".to_string(), "trailwatch".to_string()),
        ("ProviderVersion".to_string(), run.version.to_string()),
    ]);
    if let Some(id) = &item.control.cis_id {
        fields.insert("trailwatch/cis_id".to_string(), id.clone());
    }
    if let Some(id) = item.control.security_hub_id {
        fields.insert("trailwatch/security_hub_id".to_string(), id.to_string());
    }
    fields
}

fn waiver_note(item: &Item, at: &str) -> Option<Note> {
    let waiver = item
        .result
        .waiver
        .as_ref()
        .filter(|_| item.result.status == Status::Waived)?;
    let ticket = waiver
        .ticket
        .as_deref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    Some(Note {
        text: clip(
            &format!(
                "Waived: {} (until {}{ticket})",
                waiver.reason, waiver.expires
            ),
            MAX_RECOMMENDATION,
        ),
        updated_by: "trailwatch".to_string(),
        updated_at: at.to_string(),
    })
}

/// At most `max` characters, ending in `…` when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max - 1).collect();
    kept + "…"
}
