//! Sending findings to AWS Security Hub (`plan --security-hub`): the hub must be enabled in the
//! region, and findings go at most 100 per `BatchImportFindings` call (the API's limit);
//! throttled calls are retried by the SDK's standard retry policy.
//!
//! `BatchImportFindings` sets a finding's workflow and note only when it creates it, so the
//! waivers are kept in step afterwards: one read of trailwatch's findings in the account
//! (`GetFindings` on its product and its `trailwatch/` generators), then `BatchUpdateFindings`
//! for the changes `model::asff::workflow_updates` decides (suppress a waived control's finding
//! with the waiver as the note; reopen one trailwatch suppressed whose waiver ended).

use aws_config::Region;
use aws_sdk_securityhub::error::ProvideErrorMetadata;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, AwsSecurityFindingIdentifier, Compliance,
    ComplianceStatus, Note, NoteUpdate, Partition, Recommendation, RecordState, Remediation,
    Resource, Severity, SeverityLabel, StringFilter, StringFilterComparison, Workflow,
    WorkflowStatus, WorkflowUpdate,
};
use model::asff::{self, FailedFinding, Imported};

use crate::{errors, Aws, AwsError};

/// `BatchImportFindings` takes at most this many findings per call.
pub const BATCH: usize = 100;

impl Aws {
    /// Sends `findings` to Security Hub in `region`; refuses, sending nothing, when the hub is
    /// not enabled there.
    pub async fn import_findings(
        &self,
        region: &str,
        findings: &[asff::Finding],
    ) -> Result<Imported, AwsError> {
        let hub = self.securityhub(region);
        self.require_hub(&hub, region).await?;
        let mut outcome = Imported::default();
        for batch in findings.chunks(BATCH) {
            self.count("securityhub:BatchImportFindings");
            let answer = hub
                .batch_import_findings()
                .set_findings(Some(batch.iter().map(sdk_finding).collect()))
                .send()
                .await
                .map_err(|e| errors::fatal("securityhub:BatchImportFindings", e))?;
            outcome.imported += usize::try_from(answer.success_count().unwrap_or(0)).unwrap_or(0);
            outcome
                .failed
                .extend(answer.failed_findings().iter().map(|f| FailedFinding {
                    id: f.id().unwrap_or_default().to_string(),
                    code: f.error_code().unwrap_or_default().to_string(),
                    message: f.error_message().unwrap_or_default().to_string(),
                }));
        }
        let Some(first) = findings.first() else {
            return Ok(outcome);
        };
        let held = self.held_findings(&hub, first).await?;
        for update in asff::workflow_updates(findings, &held) {
            self.update_workflow(&hub, &first.product_arn, &update, &mut outcome)
                .await?;
        }
        Ok(outcome)
    }

    /// `GetFindings`: the workflow and note of trailwatch's findings in the account (its
    /// product, its `trailwatch/` generators), every page.
    async fn held_findings(
        &self,
        hub: &aws_sdk_securityhub::Client,
        like: &asff::Finding,
    ) -> Result<Vec<asff::HeldFinding>, AwsError> {
        let filter = |comparison: StringFilterComparison, value: &str| {
            vec![StringFilter::builder()
                .comparison(comparison)
                .value(value)
                .build()]
        };
        let filters = AwsSecurityFindingFilters::builder()
            .set_product_arn(Some(filter(
                StringFilterComparison::Equals,
                &like.product_arn,
            )))
            .set_aws_account_id(Some(filter(
                StringFilterComparison::Equals,
                &like.aws_account_id,
            )))
            .set_generator_id(Some(filter(StringFilterComparison::Prefix, "trailwatch/")))
            .build();
        let (mut held, mut token) = (Vec::new(), None);
        loop {
            self.count("securityhub:GetFindings");
            let page = hub
                .get_findings()
                .filters(filters.clone())
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| errors::fatal("securityhub:GetFindings", e))?;
            held.extend(page.findings().iter().map(held_finding));
            token = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if token.is_none() {
                return Ok(held);
            }
        }
    }

    /// `BatchUpdateFindings` of one status and note, at most 100 findings per call.
    async fn update_workflow(
        &self,
        hub: &aws_sdk_securityhub::Client,
        product_arn: &str,
        update: &asff::WorkflowUpdate,
        outcome: &mut Imported,
    ) -> Result<(), AwsError> {
        for ids in update.ids.chunks(BATCH) {
            self.count("securityhub:BatchUpdateFindings");
            let identifiers = ids.iter().map(|id| {
                AwsSecurityFindingIdentifier::builder()
                    .id(id)
                    .product_arn(product_arn)
                    .build()
            });
            let answer = hub
                .batch_update_findings()
                .set_finding_identifiers(Some(identifiers.collect()))
                .workflow(
                    WorkflowUpdate::builder()
                        .status(WorkflowStatus::from(update.status.as_str()))
                        .build(),
                )
                .note(
                    NoteUpdate::builder()
                        .text(&update.note)
                        .updated_by(asff::NOTE_AUTHOR)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| errors::fatal("securityhub:BatchUpdateFindings", e))?;
            let done = answer.processed_findings().len();
            match update.status.as_str() {
                "SUPPRESSED" => outcome.suppressed += done,
                _ => outcome.reopened += done,
            }
            outcome
                .failed
                .extend(answer.unprocessed_findings().iter().map(|f| {
                    FailedFinding {
                        id: f
                            .finding_identifier()
                            .and_then(|i| i.id())
                            .unwrap_or_default()
                            .to_string(),
                        code: f.error_code().unwrap_or_default().to_string(),
                        message: f.error_message().unwrap_or_default().to_string(),
                    }
                }));
        }
        Ok(())
    }

    fn securityhub(&self, region: &str) -> aws_sdk_securityhub::Client {
        aws_sdk_securityhub::Client::from_conf(
            aws_sdk_securityhub::config::Builder::from(&self.config)
                .region(Region::new(region.to_string()))
                .build(),
        )
    }

    /// `DescribeHub`: a hub that is not enabled is one line saying how to enable it.
    async fn require_hub(
        &self,
        hub: &aws_sdk_securityhub::Client,
        region: &str,
    ) -> Result<(), AwsError> {
        self.count("securityhub:DescribeHub");
        match hub.describe_hub().send().await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("InvalidAccessException") => {
                let account = self.account_id().await.unwrap_or_default();
                Err(AwsError::Other(format!(
                    "Security Hub is not enabled in account {account} in {region}; enable it (`aws securityhub enable-security-hub --region {region}`) or drop --security-hub"
                )))
            }
            Err(e) => Err(errors::fatal("securityhub:DescribeHub", e)),
        }
    }
}

/// The SDK's form of a finding.
fn sdk_finding(f: &asff::Finding) -> AwsSecurityFinding {
    let mut builder = AwsSecurityFinding::builder()
        .schema_version(&f.schema_version)
        .id(&f.id)
        .product_arn(&f.product_arn)
        .generator_id(&f.generator_id)
        .aws_account_id(&f.aws_account_id)
        .region(&f.region)
        .set_types(Some(f.types.clone()))
        .created_at(&f.created_at)
        .updated_at(&f.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(f.severity.label.as_str()))
                .build(),
        )
        .title(&f.title)
        .description(&f.description)
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&f.remediation.recommendation.text)
                        .url(&f.remediation.recommendation.url)
                        .build(),
                )
                .build(),
        )
        .set_product_fields(Some(f.product_fields.clone().into_iter().collect()))
        .set_resources(Some(f.resources.iter().map(sdk_resource).collect()))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(f.compliance.status.as_str()))
                .set_related_requirements(Some(f.compliance.related_requirements.clone()))
                .build(),
        )
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(f.workflow.status.as_str()))
                .build(),
        )
        .record_state(RecordState::from(f.record_state.as_str()));
    if let Some(note) = &f.note {
        builder = builder.note(
            Note::builder()
                .text(&note.text)
                .updated_by(&note.updated_by)
                .updated_at(&note.updated_at)
                .build(),
        );
    }
    builder.build()
}

/// What trailwatch reads of a finding Security Hub holds.
fn held_finding(f: &AwsSecurityFinding) -> asff::HeldFinding {
    asff::HeldFinding {
        id: f.id().unwrap_or_default().to_string(),
        workflow: f
            .workflow()
            .and_then(|w| w.status())
            .map(|s| s.as_str().to_string()),
        note: f.note().map(|n| asff::HeldNote {
            text: n.text().unwrap_or_default().to_string(),
            updated_by: n.updated_by().unwrap_or_default().to_string(),
        }),
    }
}

fn sdk_resource(r: &asff::Resource) -> Resource {
    Resource::builder()
        .r#type(&r.kind)
        .id(&r.id)
        .partition(Partition::from(r.partition.as_str()))
        .region(&r.region)
        .build()
}
