//! Reading and planning the accounts of a run, several at a time, and the saved plan made of
//! them: each account with the role that reaches it, its desired state and the fingerprints of
//! what its plan depends on.

use std::collections::HashMap;
use std::time::Instant;

use futures::StreamExt;
use model::planfile::{AccountPlan, PlanFile, PlanOrUnread, PLAN_FORMAT, PLAN_VERSION};
use model::report::AccountResult;
use model::{Control, Desired, Snapshot};

use crate::{reach, Connect};

/// One account of a run: which, the role that reaches it, and what it must hold.
#[derive(Debug, Clone)]
pub struct Target {
    /// The account.
    pub account: String,
    /// The role assumed in it (none: the credentials' own account, or no role given).
    pub role: Option<String>,
    /// Its desired state.
    pub desired: Desired,
}

/// One account, read and planned.
#[derive(Debug)]
pub struct AccountRead {
    /// Its result: the plan, or why it could not be read.
    pub result: AccountResult,
    /// What was read, when the run saves a plan (its fingerprints are taken from it).
    pub snapshot: Option<Snapshot>,
}

/// Reads and plans every target, at most `concurrency` at once, calling `done` after each;
/// the results come in the order given, organization trails' verdicts carried to their
/// members (`survey::merge`). Snapshots are kept only when `keep_snapshots`.
pub async fn plan_accounts<C: Connect>(
    connect: &C,
    targets: &[Target],
    controls: &[Control],
    concurrency: usize,
    keep_snapshots: bool,
    done: &(dyn Fn() + Sync),
) -> Vec<AccountRead> {
    let mut reads: Vec<AccountRead> = futures::stream::iter(targets)
        .map(|target| async move {
            let mut read = read_account(connect, controls, target).await;
            if !keep_snapshots {
                read.snapshot = None;
            }
            done();
            read
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let order: Vec<String> = targets.iter().map(|t| t.account.clone()).collect();
    let mut results: Vec<AccountResult> = reads.iter().map(|r| r.result.clone()).collect();
    survey::merge(&mut results, &order);
    let mut snapshots: HashMap<String, Option<Snapshot>> = reads
        .drain(..)
        .map(|r| (r.result.account_id, r.snapshot))
        .collect();
    results
        .into_iter()
        .map(|result| AccountRead {
            snapshot: snapshots.remove(&result.account_id).flatten(),
            result,
        })
        .collect()
}

/// Reads and plans one account: the credentials' own account with them, the others through
/// their role.
async fn read_account<C: Connect>(
    connect: &C,
    controls: &[Control],
    target: &Target,
) -> AccountRead {
    let started = Instant::now();
    let account = target.account.clone();
    let role = target.role.as_deref();
    let reached = match reach(connect, &account, role).await {
        Ok(reached) => reached,
        Err(why) => return unread(account, why.to_string(), started),
    };
    let (report, snapshot) = match survey::survey(&*reached, controls, &target.desired).await {
        Ok(surveyed) => (Ok(surveyed.report), Some(surveyed.snapshot)),
        Err(e) => (Err(connect.why_unread(&account, role, e)), None),
    };
    let result = AccountResult {
        account_id: account,
        report,
        calls: connect.calls(&reached),
        wall: started.elapsed(),
    };
    AccountRead { result, snapshot }
}

fn unread(account: String, why: String, started: Instant) -> AccountRead {
    AccountRead {
        result: AccountResult {
            account_id: account,
            report: Err(why),
            calls: Default::default(),
            wall: started.elapsed(),
        },
        snapshot: None,
    }
}

/// What a saved plan records besides its accounts.
pub struct PlanHeader<'a> {
    /// The region trails were listed in.
    pub region: &'a str,
    /// The benchmark version.
    pub benchmark: &'a str,
    /// The trailwatch version writing it.
    pub trailwatch_version: &'a str,
    /// The account of the credentials: reached without a role.
    pub own: &'a str,
}

/// The run as a saved plan: each account with the role that reaches it, its desired state and
/// the fingerprints of what its (merged) plan depends on. Every read account must carry its
/// snapshot (`plan_accounts` with `keep_snapshots`).
pub fn plan_file(
    header: &PlanHeader,
    controls: &[Control],
    targets: &[Target],
    reads: &[AccountRead],
) -> PlanFile {
    let by_account: HashMap<&str, &Target> =
        targets.iter().map(|t| (t.account.as_str(), t)).collect();
    let accounts = reads
        .iter()
        .map(|read| {
            let target = by_account[read.result.account_id.as_str()];
            account_plan(header.own, controls, target, read)
        })
        .collect();
    PlanFile {
        format: PLAN_FORMAT.into(),
        version: PLAN_VERSION,
        trailwatch_version: header.trailwatch_version.into(),
        region: header.region.to_string(),
        benchmark: header.benchmark.to_string(),
        control_ids: controls.iter().map(|c| c.id.to_string()).collect(),
        accounts,
    }
}

fn account_plan(
    own: &str,
    controls: &[Control],
    target: &Target,
    read: &AccountRead,
) -> AccountPlan {
    let desired = target.desired.clone();
    let (fingerprints, plan) = match (&read.result.report, &read.snapshot) {
        (Ok(report), Some(snapshot)) => (
            plan::fingerprint::fingerprints(snapshot, controls, &desired, report),
            PlanOrUnread::Report(report.clone()),
        ),
        (Err(e), _) => (Default::default(), PlanOrUnread::Unread(e.clone())),
        (Ok(_), None) => unreachable!("a run that saves a plan keeps the snapshots"),
    };
    AccountPlan {
        account_id: read.result.account_id.clone(),
        assume_role: (target.account != own)
            .then(|| target.role.clone())
            .flatten(),
        desired,
        fingerprints,
        plan,
    }
}

/// Reads and plans the account of the run's own credentials, whose id the read gives: the
/// single-account `plan` and `apply`.
pub async fn plan_own<C: Connect>(
    connect: &C,
    controls: &[Control],
    desired: &Desired,
) -> Result<AccountRead, survey::SurveyError<<C::Account as survey::Reader>::Error>> {
    let started = Instant::now();
    let surveyed = survey::survey(connect.base(), controls, desired).await?;
    let result = AccountResult {
        account_id: surveyed.snapshot.account_id.clone(),
        report: Ok(surveyed.report),
        calls: connect.calls(connect.base()),
        wall: started.elapsed(),
    };
    Ok(AccountRead {
        result,
        snapshot: Some(surveyed.snapshot),
    })
}
