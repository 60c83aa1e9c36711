//! One control's verdict in one account: its status, the findings that explain it, the chain
//! that holds or comes closest, and — when trailwatch can fix it — what the planner must complete.

use model::arn::LogGroupRef;
use model::live::Snapshot;
use model::report::Chain;
use model::{Control, Desired, Finding, FindingCode, Status};

use crate::chain::{check_chain, ChainCheck, Stage};
use crate::trails::{read_error_finding, TrailCheck};

/// What one control needs on its target log group, before the topic is chosen.
pub(crate) struct Need<'a> {
    /// The control.
    pub control: &'a Control,
    /// The log group its chain runs through.
    pub group: LogGroupRef,
    /// How far that chain gets.
    pub chain: ChainCheck<'a>,
}

/// The verdict on one control.
pub(crate) struct Judgement<'a> {
    /// Its status.
    pub status: Status,
    /// Why.
    pub findings: Vec<Finding>,
    /// The chain that holds, or comes closest.
    pub chain: Option<Chain>,
    /// What the planner must complete, when the control is fixable.
    pub need: Option<Need<'a>>,
}

impl Judgement<'_> {
    fn new(status: Status, findings: Vec<Finding>) -> Self {
        Judgement {
            status,
            findings,
            chain: None,
            need: None,
        }
    }
}

/// Decides one control's status, and which log group's chain to complete if it is fixable.
pub(crate) fn judge_control<'a>(
    snapshot: &'a Snapshot,
    control: &'a Control,
    checks: &[TrailCheck<'a>],
    desired: &Desired,
) -> Judgement<'a> {
    let account = snapshot.account_id.as_str();
    if checks.is_empty() {
        return no_trail();
    }
    let qualifying: Vec<&TrailCheck> = checks.iter().filter(|c| c.qualifies(account)).collect();
    if qualifying.is_empty() {
        return no_qualifying_trail(account, checks);
    }
    let best = match best_chain(snapshot, control, &qualifying, desired) {
        Ok(best) => best,
        Err(e) => return Judgement::new(Status::Error, vec![read_error_finding(&e)]),
    };
    verdict(control, best)
}

fn no_trail<'a>() -> Judgement<'a> {
    Judgement::new(
        Status::NonCompliant,
        vec![Finding::new(FindingCode::NoTrail, "the account has no CloudTrail trail").with_hint(
            "create a multi-region trail that logs all management events to a CloudWatch Logs group (trailwatch never creates trails)",
        )],
    )
}

/// No trail qualifies: monitored elsewhere, unreadable, or simply not set up.
fn no_qualifying_trail<'a>(account: &str, checks: &[TrailCheck<'a>]) -> Judgement<'a> {
    if let Some(central) = checks.iter().find_map(|c| c.central_account(account)) {
        return Judgement::new(Status::NotApplicable, vec![monitored_centrally(central)]);
    }
    // Errors and problems trail by trail, as the checks found them.
    let findings = checks.iter().flat_map(|c| {
        c.errors
            .iter()
            .map(read_error_finding)
            .chain(c.problems.iter().cloned())
    });
    if checks.iter().any(|c| !c.errors.is_empty()) {
        return Judgement::new(Status::Error, findings.collect());
    }
    let mut first = vec![Finding::new(
        FindingCode::NoQualifyingTrail,
        "no trail is multi-region, logging, capturing all management events and sending to CloudWatch Logs",
    )];
    first.extend(findings);
    Judgement::new(Status::NonCompliant, first)
}

/// The finding of a control whose qualifying trail logs to another account.
pub(crate) fn monitored_centrally(central: &str) -> Finding {
    Finding::new(
        FindingCode::MonitoredCentrally,
        format!("monitored centrally in account {central}: the qualifying trail's log group lives there"),
    )
    .with_hint(format!("audit account {central}"))
}

/// The chain that gets furthest over the qualifying trails' log groups.
struct Best<'a> {
    group: LogGroupRef,
    trail_arn: String,
    chain: ChainCheck<'a>,
    /// A chain that could not be read: it might have been the compliant one.
    unread: Option<model::live::ReadError>,
}

fn best_chain<'a>(
    snapshot: &'a Snapshot,
    control: &Control,
    qualifying: &[&TrailCheck<'a>],
    desired: &Desired,
) -> Result<Best<'a>, model::live::ReadError> {
    let mut best: Option<Best<'a>> = None;
    let mut unread = None;
    for check in qualifying {
        let group = check
            .log_group
            .as_ref()
            .expect("qualifying trails have a group");
        let chain = check_chain(snapshot, control, group, desired.match_mode);
        if let Some(e) = &chain.error {
            unread.get_or_insert(e.clone());
            continue;
        }
        if best.as_ref().is_none_or(|b| chain.stage > b.chain.stage) {
            best = Some(Best {
                group: group.clone(),
                trail_arn: check.trail.arn.clone(),
                chain,
                unread: None,
            });
        }
    }
    match best {
        Some(best) => Ok(Best { unread, ..best }),
        None => Err(unread.expect("every chain failed")),
    }
}

/// The status the best chain gives the control.
fn verdict<'a>(control: &'a Control, best: Best<'a>) -> Judgement<'a> {
    let described = Chain {
        trail: best.trail_arn.clone(),
        region: best.group.region.clone(),
        log_group: best.group.name.clone(),
        filter: best.chain.filter.map(|f| f.name.clone()),
        alarm: best.chain.alarm.map(|a| a.name.clone()),
        topic: best.chain.topic.map(|t| t.arn.clone()),
        breaks_at: best.chain.breaks_at(),
        ..Chain::default()
    };
    let findings = best.chain.findings.clone();
    let (status, findings, fixable) = if best.chain.stage == Stage::Complete {
        // Only warnings (such as a filter so broad its alarm is noise) remain.
        (Status::Compliant, findings, false)
    } else if let Some(e) = &best.unread {
        (Status::Error, vec![read_error_finding(e)], false)
    } else if findings.iter().any(|f| f.code == FindingCode::ReadError) {
        (Status::Error, findings, false)
    } else if best.chain.stage == Stage::DeliveriesFailing {
        // Only a person can fix an endpoint: nothing to plan.
        (Status::NonCompliant, findings, false)
    } else if best.chain.stage == Stage::DeliveryUnclear {
        // Only a policy statement trailwatch cannot judge stands between the control and
        // compliance: it cannot tell, so it neither claims a verdict nor plans around the topic.
        (Status::Error, findings, false)
    } else {
        (Status::NonCompliant, findings, best.chain.fixable)
    };
    Judgement {
        status,
        findings,
        chain: Some(described),
        need: fixable.then_some(Need {
            control,
            group: best.group,
            chain: best.chain,
        }),
    }
}
