//! Reading and planning the accounts of a run, several at a time, and the saved plan made of
//! them: each account with the role that reaches it, its desired state and the fingerprints of
//! what its plan depends on.

use std::collections::HashMap;
use std::time::Instant;

use model::planfile::{AccountPlan, PlanFile, PlanOrUnread, Target, PLAN_FORMAT, PLAN_VERSION};
use model::report::AccountResult;
use model::{Control, Desired, Snapshot};

use crate::lanes::spread;
use crate::roster::Roster;
use crate::{reach, Connect};

/// The accounts of a run, read and planned.
#[derive(Debug, Default)]
pub struct AccountsRead {
    /// Each account's result — its plan, or why it could not be read — in the order given,
    /// organization trails' verdicts carried to their members.
    pub results: Vec<AccountResult>,
    /// What each read account holds, by account, when the run saves a plan (its fingerprints
    /// are taken from it).
    pub snapshots: HashMap<String, Snapshot>,
}

/// Reads and plans every target, at most `concurrency` at once, calling `done` after each;
/// the results come in the order given, organization trails' verdicts carried to their
/// members (`survey::merge`). Snapshots are kept only when `keep_snapshots`.
pub async fn plan_accounts<C: Connect + Sync>(
    connect: &C,
    targets: &[Target],
    controls: &[Control],
    concurrency: usize,
    keep_snapshots: bool,
    done: &(dyn Fn() + Sync),
) -> AccountsRead {
    let roster = Roster::new(
        targets
            .iter()
            .map(|t| (t.account.as_str(), t.role.as_deref())),
    );
    let roster = &roster;
    let reads: Vec<(AccountResult, Option<Snapshot>)> =
        spread(connect, targets, concurrency, |target| async move {
            let (result, snapshot) = read_account(connect, controls, target, roster).await;
            done();
            (result, snapshot.filter(|_| keep_snapshots))
        })
        .await;
    let mut read = AccountsRead::default();
    for (result, snapshot) in reads {
        if let Some(snapshot) = snapshot {
            read.snapshots.insert(result.account_id.clone(), snapshot);
        }
        read.results.push(result);
    }
    let order: Vec<String> = targets.iter().map(|t| t.account.clone()).collect();
    survey::merge(&mut read.results, &order);
    read
}

/// Reads and plans one account: the credentials' own account with them, the others through
/// their role; its rules that forward to another account of the run are followed there.
async fn read_account<C: Connect>(
    connect: &C,
    controls: &[Control],
    target: &Target,
    roster: &Roster,
) -> (AccountResult, Option<Snapshot>) {
    let started = Instant::now();
    let account = target.account.clone();
    let role = target.role.as_deref();
    let reached = match reach(connect, &account, role).await {
        Ok(reached) => reached,
        Err(why) => return unread(account, why.to_string(), started),
    };
    let surveyed = match survey::survey(&*reached, controls, &target.desired).await {
        Ok(surveyed) => {
            let reading = (&*reached, controls, &target.desired);
            roster.follow(connect, reading, surveyed).await
        }
        Err(e) => Err(e),
    };
    let (report, snapshot) = match surveyed {
        Ok(surveyed) => (Ok(surveyed.report), Some(surveyed.snapshot)),
        Err(e) => (Err(connect.why_unread(&account, role, e)), None),
    };
    let result = AccountResult {
        account_id: account,
        report,
        calls: connect.calls(&reached),
        wall: started.elapsed(),
    };
    log_calls(&result.account_id, &result.calls, result.wall);
    (result, snapshot)
}

/// Logs the calls and time spent reading an account (shown with `--verbose`).
pub fn log_calls(account: &str, calls: &crate::Calls, wall: std::time::Duration) {
    let total: u64 = calls.values().sum();
    let wall_ms = u64::try_from(wall.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(account, calls = total, wall_ms, "read and planned");
    for (action, n) in calls {
        tracing::info!(account, action, n, "api calls");
    }
}

fn unread(account: String, why: String, started: Instant) -> (AccountResult, Option<Snapshot>) {
    let result = AccountResult {
        account_id: account,
        report: Err(why),
        calls: Default::default(),
        wall: started.elapsed(),
    };
    (result, None)
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
    read: &AccountsRead,
) -> PlanFile {
    let by_account: HashMap<&str, &Target> =
        targets.iter().map(|t| (t.account.as_str(), t)).collect();
    let accounts = read
        .results
        .iter()
        .map(|result| {
            let target = by_account[result.account_id.as_str()];
            let snapshot = read.snapshots.get(&result.account_id);
            account_plan(header.own, controls, target, (result, snapshot))
        })
        .collect();
    let mut file = PlanFile {
        format: PLAN_FORMAT.into(),
        version: PLAN_VERSION,
        trailwatch_version: header.trailwatch_version.into(),
        region: header.region.to_string(),
        benchmark: header.benchmark.to_string(),
        control_ids: controls.iter().map(|c| c.id.to_string()).collect(),
        accounts,
        digest: String::new(),
    };
    file.digest = file.digest();
    file
}

fn account_plan(
    own: &str,
    controls: &[Control],
    target: &Target,
    (result, snapshot): (&AccountResult, Option<&Snapshot>),
) -> AccountPlan {
    let desired = target.desired.clone();
    let (fingerprints, plan) = match (&result.report, snapshot) {
        (Ok(report), Some(snapshot)) => (
            plan::fingerprint::fingerprints(snapshot, controls, &desired, report),
            PlanOrUnread::Report(report.clone()),
        ),
        // A run that saves no plan keeps no snapshots: its plan serves for its digest only.
        (Ok(report), None) => (Default::default(), PlanOrUnread::Report(report.clone())),
        (Err(e), _) => (Default::default(), PlanOrUnread::Unread(e.clone())),
    };
    AccountPlan {
        account_id: result.account_id.clone(),
        assume_role: (target.account != own)
            .then(|| target.role.clone())
            .flatten(),
        desired,
        fingerprints,
        plan,
    }
}

/// The saved plan of the run's own account, read with its credentials ([`plan_own`]).
pub fn own_plan_file(
    header: &PlanHeader,
    controls: &[Control],
    desired: &Desired,
    result: AccountResult,
    snapshot: &Snapshot,
) -> PlanFile {
    let target = Target {
        account: result.account_id.clone(),
        role: None,
        desired: desired.clone(),
    };
    let read = AccountsRead {
        snapshots: [(result.account_id.clone(), snapshot.clone())].into(),
        results: vec![result],
    };
    plan_file(header, controls, &[target], &read)
}

/// Reads and plans the account of the run's own credentials, whose id the read gives: the
/// single-account `plan` and `apply`.
pub async fn plan_own<R: survey::Reader>(
    reader: &R,
    controls: &[Control],
    desired: &Desired,
) -> Result<survey::Surveyed, survey::SurveyError<R::Error>> {
    survey::survey(reader, controls, desired).await
}
