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
    /// The standard and control, such as `CIS AWS Foundations Benchmark v5.0.0 4.4`.
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
