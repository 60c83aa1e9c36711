//! The AWS Security Finding Format (ASFF) subset trailwatch writes: what `--output asff` prints
//! and what `plan --security-hub` sends to `BatchImportFindings`, as plain data named as the
//! Security Hub API names it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The ASFF version every finding declares.
pub const SCHEMA_VERSION: &str = "2018-10-08";

/// The finding type of every CIS monitoring control.
pub const FINDING_TYPE: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";

/// The finding type of trailwatch's own controls, which are part of no standard.
pub const TRAILWATCH_FINDING_TYPE: &str =
    "Software and Configuration Checks/AWS Security Best Practices";

/// The finding type of a control's findings: CIS's only for CIS controls.
pub fn finding_type(standard: crate::catalog::Standard) -> &'static str {
    match standard {
        crate::catalog::Standard::Cis => FINDING_TYPE,
        crate::catalog::Standard::Trailwatch => TRAILWATCH_FINDING_TYPE,
    }
}

/// One `AwsSecurityFinding`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    /// `2018-10-08`.
    pub schema_version: String,
    /// Stable per account, region, benchmark and control, so a later run updates it.
    pub id: String,
    /// The account's default product: `arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default`.
    pub product_arn: String,
    /// `trailwatch/BENCHMARK/CONTROL`.
    pub generator_id: String,
    /// The account audited.
    pub aws_account_id: String,
    /// The region the finding is imported into.
    pub region: String,
    /// [`FINDING_TYPE`].
    pub types: Vec<String>,
    /// When the finding was first made (RFC 3339).
    pub created_at: String,
    /// When it was last updated (RFC 3339).
    pub updated_at: String,
    /// How bad it is.
    pub severity: Severity,
    /// The control's CIS id and title.
    pub title: String,
    /// The findings, in one text.
    pub description: String,
    /// What to do.
    pub remediation: Remediation,
    /// trailwatch's own fields (benchmark, CIS id, status).
    pub product_fields: BTreeMap<String, String>,
    /// The chain's resources (at least one: the account when nothing else is known).
    pub resources: Vec<Resource>,
    /// PASSED, FAILED or NOT_AVAILABLE.
    pub compliance: Compliance,
    /// NEW, or SUPPRESSED for a waived control.
    pub workflow: Workflow,
    /// Always ACTIVE.
    pub record_state: String,
    /// The waiver's reason, for a waived control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

/// `Severity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Severity {
    /// INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL.
    pub label: String,
}

/// `Remediation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Remediation {
    /// The recommendation.
    pub recommendation: Recommendation,
}

/// `Remediation.Recommendation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Recommendation {
    /// What to do: the plan's actions, or the hints (at most 512 characters).
    pub text: String,
    /// Where the control is described.
    pub url: String,
}

/// One `Resources` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// Such as `AwsCloudTrailTrail`, `AwsSnsTopic`, `AwsCloudWatchAlarm`, `AwsAccount` or `Other`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Its ARN (or, for a metric filter, the log group's ARN and the filter's name).
    pub id: String,
    /// Its partition.
    pub partition: String,
    /// Its region.
    pub region: String,
}

/// `Compliance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    /// PASSED, FAILED, WARNING or NOT_AVAILABLE.
    pub status: String,
    /// The standard and control, such as `CIS AWS Foundations Benchmark v5.0.0 4.4`; none for
    /// trailwatch's own controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_requirements: Vec<String>,
}

/// `Workflow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Workflow {
    /// NEW, NOTIFIED, RESOLVED or SUPPRESSED.
    pub status: String,
}

/// `Note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Note {
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub updated_by: String,
    /// When (RFC 3339).
    pub updated_at: String,
}

/// Who trailwatch's notes are by (`Note.UpdatedBy`): how it knows a finding's workflow is its
/// own doing.
pub const NOTE_AUTHOR: &str = "trailwatch";

/// The note of a finding trailwatch reopens because its waiver ended.
pub const REOPENED: &str =
    "No longer waived (the waiver expired or was removed): reopened by trailwatch";

/// What Security Hub holds of one of trailwatch's findings (`GetFindings`): its workflow status
/// and note, which `BatchImportFindings` cannot change once the finding exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldFinding {
    /// `Id`.
    pub id: String,
    /// `Workflow.Status`, when it has one.
    pub workflow: Option<String>,
    /// `Note`, when it has one.
    pub note: Option<HeldNote>,
}

/// A finding's `Note` as Security Hub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldNote {
    /// `Note.Text`.
    pub text: String,
    /// `Note.UpdatedBy`.
    pub updated_by: String,
}

/// One `BatchUpdateFindings`: a workflow status and a note for some findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowUpdate {
    /// `Workflow.Status`: `SUPPRESSED` or `NEW`.
    pub status: String,
    /// `Note.Text` (its `UpdatedBy` is [`NOTE_AUTHOR`]).
    pub note: String,
    /// The findings' `Id`s, in the order sent.
    pub ids: Vec<String>,
}

/// The workflow changes that bring Security Hub in step with the waivers of the findings
/// `sent`, given what it `held`: a waived finding (sent `SUPPRESSED` with its waiver as the
/// note) that Security Hub holds otherwise is suppressed with that note; a finding not waived
/// that Security Hub holds `SUPPRESSED` under trailwatch's own note is reopened (`NEW`). A
/// finding a person suppressed or annotated last is left alone; so is one Security Hub does not
/// hold. Findings with the same status and note go in one update, in the order sent.
pub fn workflow_updates(sent: &[Finding], held: &[HeldFinding]) -> Vec<WorkflowUpdate> {
    let held: BTreeMap<&str, &HeldFinding> = held.iter().map(|h| (h.id.as_str(), h)).collect();
    let mut updates: Vec<WorkflowUpdate> = Vec::new();
    for finding in sent {
        let Some(now) = held.get(finding.id.as_str()) else {
            continue;
        };
        let Some((status, note)) = change(finding, now) else {
            continue;
        };
        match updates
            .iter_mut()
            .find(|u| u.status == status && u.note == note)
        {
            Some(update) => update.ids.push(finding.id.clone()),
            None => updates.push(WorkflowUpdate {
                status: status.to_string(),
                note,
                ids: vec![finding.id.clone()],
            }),
        }
    }
    updates
}

/// The status and note one finding needs, if any.
fn change(sent: &Finding, held: &HeldFinding) -> Option<(&'static str, String)> {
    let suppressed = held.workflow.as_deref() == Some("SUPPRESSED");
    let held_note = held.note.as_ref();
    match &sent.note {
        Some(waiver) if sent.workflow.status == "SUPPRESSED" => {
            let same = suppressed && held_note.is_some_and(|n| n.text == waiver.text);
            (!same).then(|| ("SUPPRESSED", waiver.text.clone()))
        }
        _ => {
            let ours = held_note.is_some_and(|n| n.updated_by == NOTE_AUTHOR);
            (suppressed && ours).then(|| ("NEW", REOPENED.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding as trailwatch sends it: waived (with `note`) or not.
    fn sent(id: &str, note: Option<&str>) -> Finding {
        Finding {
            schema_version: SCHEMA_VERSION.into(),
            id: id.into(),
            product_arn: "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
                .into(),
            generator_id: format!("trailwatch/cis-7.0/{id}"),
            aws_account_id: "111122223333".into(),
            region: "us-east-1".into(),
            types: vec![FINDING_TYPE.into()],
            created_at: "2026-11-29T12:00:00Z".into(),
            updated_at: "2026-11-29T12:00:00Z".into(),
            severity: Severity {
                label: "MEDIUM".into(),
            },
            title: id.into(),
            description: id.into(),
            remediation: Remediation {
                recommendation: Recommendation {
                    text: String::new(),
                    url: String::new(),
                },
            },
            product_fields: BTreeMap::new(),
            resources: vec![],
            compliance: Compliance {
                status: "FAILED".into(),
                related_requirements: vec![],
            },
            workflow: Workflow {
                status: if note.is_some() { "SUPPRESSED" } else { "NEW" }.into(),
            },
            record_state: "ACTIVE".into(),
            note: note.map(|text| Note {
                text: text.into(),
                updated_by: NOTE_AUTHOR.into(),
                updated_at: "2026-11-29T12:00:00Z".into(),
            }),
        }
    }

    fn held(id: &str, workflow: &str, note: Option<(&str, &str)>) -> HeldFinding {
        HeldFinding {
            id: id.into(),
            workflow: Some(workflow.into()),
            note: note.map(|(text, by)| HeldNote {
                text: text.into(),
                updated_by: by.into(),
            }),
        }
    }

    #[test]
    fn a_waiver_after_import_suppresses_and_its_end_reopens_only_trailwatchs_own() {
        let waiver = "Waived: break-glass only (until 2027-01-01)";
        let sent = [
            sent("root", Some(waiver)),
            sent("iam", Some(waiver)),
            sent("ct", None),
            sent("kms", None),
            sent("new-one", Some(waiver)),
        ];
        let held = [
            held("root", "NEW", None),
            held("iam", "SUPPRESSED", Some((waiver, NOTE_AUTHOR))),
            held("ct", "SUPPRESSED", Some(("old waiver", NOTE_AUTHOR))),
            held("kms", "SUPPRESSED", Some(("accepted risk", "alice"))),
        ];
        assert_eq!(
            workflow_updates(&sent, &held),
            vec![
                WorkflowUpdate {
                    status: "SUPPRESSED".into(),
                    note: waiver.into(),
                    ids: vec!["root".into()],
                },
                WorkflowUpdate {
                    status: "NEW".into(),
                    note: REOPENED.into(),
                    ids: vec!["ct".into()],
                },
            ]
        );
    }

    #[test]
    fn a_changed_reason_is_a_new_note_and_findings_in_step_need_nothing() {
        let sent = [sent("root", Some("Waived: new reason (until 2027-01-01)"))];
        let held_old = [held(
            "root",
            "SUPPRESSED",
            Some(("Waived: old", NOTE_AUTHOR)),
        )];
        assert_eq!(workflow_updates(&sent, &held_old)[0].ids, ["root"]);
        let held_now = [held(
            "root",
            "SUPPRESSED",
            Some(("Waived: new reason (until 2027-01-01)", NOTE_AUTHOR)),
        )];
        assert!(workflow_updates(&sent, &held_now).is_empty());
        let reopened = [held("root", "NEW", Some((REOPENED, NOTE_AUTHOR)))];
        assert!(workflow_updates(&[self::sent("root", None)], &reopened).is_empty());
    }
}

/// What Security Hub did with a run's findings in one account and region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Findings it took.
    pub imported: usize,
    /// Findings it refused, with why (imports and workflow updates alike).
    pub failed: Vec<FailedFinding>,
    /// Findings of waived controls set to `SUPPRESSED` with the waiver as the note.
    pub suppressed: usize,
    /// Findings trailwatch had suppressed, set back to `NEW` as their waiver ended.
    pub reopened: usize,
}

/// A finding Security Hub refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedFinding {
    /// The finding's `Id`.
    pub id: String,
    /// The error code.
    pub code: String,
    /// The error message.
    pub message: String,
}

/// What happened to one account's findings sent to Security Hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The account.
    pub account: String,
    /// The region they were sent to.
    pub region: String,
    /// What Security Hub took, or why nothing was sent, in one line.
    pub outcome: Result<Imported, String>,
}
