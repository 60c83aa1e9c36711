//! The planner: compares an account's live state with the desired state and produces the report —
//! each control's status with its reasons, and the actions that fix what can be fixed.
//!
//! Pure and synchronous: it reads a [`Snapshot`] and returns a [`Report`]; it does no I/O. When
//! the snapshot lacks something the plan depends on, [`plan_or_read`] says what to read.

mod builder;
pub mod chain;
pub mod delivery;
pub mod drill;
pub(crate) mod eventbridge;
pub mod fingerprint;
mod judgement;
mod memo;
pub mod organization;
pub mod policy;
mod region;
mod resources;
pub mod scope;
pub mod staleness;
pub mod trails;
pub mod verdict;
mod waivers;

pub use eventbridge::{foreign_buses, in_region, rule_sees, Arrival, RULE_SEES_FIELDS};
pub use resources::{own_metric, resource_name, topic_policy, MANAGED_MARKER};
pub use scope::read_scope;

use std::collections::BTreeMap;

use model::live::{ReadRequest, TopicRequest};
use model::report::{Chain, TrailResult, SCHEMA_VERSION};
use model::{Control, ControlResult, Desired, Finding, Report, Snapshot, Status};

use builder::Builder;
use judgement::judge_control;
use region::{plan_region, Target};
use trails::{check_trails, read_error_finding, TrailCheck};

/// A problem with the user's input that makes planning impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The snapshot has no state for a region the plan needs.
    #[error("region `{0}` was not read")]
    RegionNotRead(String),
    /// `--topic-arn` is not a topic ARN.
    #[error(transparent)]
    TopicArn(#[from] model::arn::ArnError),
    /// `--topic-arn` names a topic in another region than the trail's log group.
    #[error("topic `{arn}` is in {topic_region}, but the trail's log group is in {region} and alarms can only notify topics in their own region; pass a topic in {region}")]
    TopicInOtherRegion {
        /// The topic given.
        arn: String,
        /// Its region.
        topic_region: String,
        /// The log group's region.
        region: String,
    },
    /// `--topic-arn` names a topic the account does not have.
    #[error("topic `{arn}` does not exist in account {account}; create it first or pass `--topic-name` to let trailwatch create one")]
    TopicMissing {
        /// The topic given.
        arn: String,
        /// The account planned.
        account: String,
    },
}

/// Plans the selected controls for one account, taking what the snapshot did not read as absent
/// (use [`plan_or_read`] on a snapshot from `aws`, which reads more on demand).
pub fn plan(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Result<Report, PlanError> {
    plan_account(snapshot, controls, desired).map(|planned| planned.report)
}

/// What planning made of a snapshot: the report, or what to read first.
#[derive(Debug)]
pub enum PlanOrRead {
    /// The plan: everything it depends on was read.
    Report(Report),
    /// Read these, add them to the snapshot, and plan again.
    Read(ReadRequest),
}

/// Like [`plan`], but says when the plan depends on something the snapshot did not read: the
/// alarms on the metrics that matter in a region with more than a page of alarms, or a topic the
/// plan turned to (the default shared topic is read only when the plan turns to it).
pub fn plan_or_read(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Result<PlanOrRead, PlanError> {
    let alarms = scope::alarm_requests(snapshot, controls, desired);
    if !alarms.is_empty() {
        return Ok(PlanOrRead::Read(ReadRequest {
            alarms,
            ..ReadRequest::default()
        }));
    }
    let planned = plan_account(snapshot, controls, desired)?;
    let request = ReadRequest {
        topics: planned.unread_topics,
        ..ReadRequest::default()
    };
    Ok(match request.is_empty() {
        true => PlanOrRead::Report(planned.report),
        false => PlanOrRead::Read(request),
    })
}

/// The plan of one account while it is being made.
pub(crate) struct AccountPlan<'a> {
    pub snapshot: &'a Snapshot,
    pub desired: &'a Desired,
    pub results: Vec<ControlResult>,
    pub builder: Builder,
    pub notes: Vec<String>,
    /// Topics the plan turned to that were not read.
    pub unread_topics: Vec<TopicRequest>,
    /// Whether an open control was not weighed against EventBridge rules, which were not read:
    /// the report says so in a note.
    pub rules_not_read: bool,
}

struct PlannedAccount {
    report: Report,
    unread_topics: Vec<TopicRequest>,
}

fn plan_account(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Result<PlannedAccount, PlanError> {
    let mut plan = AccountPlan {
        snapshot,
        desired,
        results: Vec::new(),
        builder: Builder::default(),
        notes: Vec::new(),
        unread_topics: Vec::new(),
        rules_not_read: false,
    };
    let trails = match &snapshot.trails {
        Ok(trails) => trails,
        Err(e) => {
            plan.results = controls
                .iter()
                .map(|c| {
                    result(
                        &snapshot.account_id,
                        c,
                        Status::Error,
                        vec![read_error_finding(e)],
                        None,
                    )
                })
                .collect();
            return Ok(plan.finish(controls, Vec::new()));
        }
    };
    let checks = check_trails(trails);
    let trail_results = checks
        .iter()
        .map(|c| trail_result(&snapshot.account_id, c))
        .collect();
    let targets = judge_all(&mut plan, controls, &checks);
    plan.notes
        .extend(chain::strict_note(controls, desired.match_mode));
    let mut delivering = delivering_topics(&plan.results);
    for (region, targets) in by_region(targets) {
        let delivering = delivering.remove(&region).unwrap_or_default();
        plan_region(&mut plan, &region, &targets, &delivering)?;
    }
    Ok(plan.finish(controls, trail_results))
}

impl AccountPlan<'_> {
    fn finish(mut self, controls: &[Control], trails: Vec<TrailResult>) -> PlannedAccount {
        if self.rules_not_read {
            self.notes.push(eventbridge::NOT_READ_NOTE.to_string());
        }
        let report = Report {
            schema_version: SCHEMA_VERSION,
            benchmark: controls
                .first()
                .map(|c| c.benchmark)
                .unwrap_or_else(model::catalog::default_benchmark)
                .to_string(),
            trails,
            controls: self.results,
            actions: self.builder.finish(),
            notes: self.notes,
        };
        PlannedAccount {
            report,
            unread_topics: self.unread_topics,
        }
    }
}

/// Judges every control, recording its result (with any waiver); returns the fixable ones.
fn judge_all<'a>(
    plan: &mut AccountPlan<'a>,
    controls: &'a [Control],
    checks: &[TrailCheck<'a>],
) -> Vec<Target<'a>> {
    let mut targets = Vec::new();
    let account = plan.snapshot.account_id.as_str();
    for control in controls {
        let mut judgement = judge_control(plan.snapshot, control, checks, plan.desired);
        let weighed = eventbridge::weigh(&mut judgement, plan.snapshot, control, plan.desired);
        plan.rules_not_read |= weighed == eventbridge::Weighed::RulesNotRead;
        let waiver = waivers::apply(&mut judgement, plan.desired, control, account);
        let index = plan.results.len();
        let mut entry = result(
            account,
            control,
            judgement.status,
            judgement.findings,
            judgement.chain,
        );
        entry.waiver = waiver;
        plan.results.push(entry);
        if let Some(need) = judgement.need {
            targets.push(Target { index, need });
        }
    }
    targets
}

/// The targets grouped by their log group's region: one topic per region serves all its alarms.
fn by_region(targets: Vec<Target<'_>>) -> BTreeMap<String, Vec<Target<'_>>> {
    let mut out: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    for target in targets {
        out.entry(target.need.group.region.clone())
            .or_default()
            .push(target);
    }
    out
}

/// Topics that already deliver a compliant control's alarms, by region: the natural shared topic.
fn delivering_topics(results: &[ControlResult]) -> BTreeMap<String, Vec<String>> {
    let mut delivering: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in results.iter().filter(|r| r.status == Status::Compliant) {
        if let Some(Chain {
            region,
            topic: Some(topic),
            ..
        }) = &r.chain
        {
            delivering
                .entry(region.clone())
                .or_default()
                .push(topic.clone());
        }
    }
    delivering
}

fn trail_result(account: &str, check: &TrailCheck) -> TrailResult {
    let mut findings: Vec<Finding> = check.errors.iter().map(read_error_finding).collect();
    findings.extend(check.problems.iter().cloned());
    if let Some(central) = check.central_account(account) {
        findings.push(organization::trail_finding(central));
    }
    TrailResult {
        account_id: account.to_string(),
        arn: check.trail.arn.clone(),
        name: check.trail.name.clone(),
        home_region: check.trail.home_region.clone(),
        qualifies: check.qualifies(account),
        log_group_arn: check.trail.log_group_arn.clone(),
        findings,
    }
}

fn result(
    account: &str,
    control: &Control,
    status: Status,
    findings: Vec<Finding>,
    chain: Option<Chain>,
) -> ControlResult {
    ControlResult {
        account_id: account.to_string(),
        id: control.id.to_string(),
        title: control.title.to_string(),
        cis_id: control.cis_id.clone(),
        level: control.level,
        status,
        findings,
        chain,
        waiver: None,
    }
}

#[cfg(test)]
mod tests;
