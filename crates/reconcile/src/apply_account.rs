//! Applying a plan to one account, the one sequence every apply takes: reach the account, read
//! and plan it again, refuse it when what the plan depends on changed (or say it was already
//! applied), run the actions, read again what they wrote and verify.

use std::collections::HashMap;
use std::time::Instant;

use apply::accounts::{AccountOutcome, AccountState};
use apply::{ActionOutcome, Verification};
use model::planfile::{AccountPlan, PlanOrUnread};
use model::report::AccountResult;
use model::{Control, Report, Snapshot};
use plan::staleness::{staleness, Staleness};

use crate::lanes::spread;
use crate::roster::Roster;
use crate::{reach, Calls, Connect, Reached};

/// What applying a plan to one account did.
#[derive(Debug)]
pub struct Applied {
    /// How the account ended.
    pub outcome: AccountOutcome,
    /// Each action's outcome, in plan order; empty when nothing was written.
    pub actions: Vec<ActionOutcome>,
    /// The verification of the account as read again, when it was written or already holds
    /// the plan's result.
    pub verification: Option<Verification>,
    /// The account as read again after apply; as planned when there was nothing to do; none
    /// when it could not be read.
    pub after: Option<Report>,
    /// The calls made to it.
    pub calls: Calls,
    /// What changed since the plan was made, when the account is stale (fingerprint keys).
    pub changed: Vec<String>,
}

impl Applied {
    fn untouched(account: &str, state: AccountState, error: Option<String>) -> Applied {
        Applied {
            outcome: AccountOutcome::untouched(account, state, error),
            actions: Vec::new(),
            verification: None,
            after: None,
            calls: Calls::new(),
            changed: Vec::new(),
        }
    }
}

/// Applies every account's plan ([`apply_account`], each from its snapshot in `before` when
/// there is one, released as the account's apply takes it), at most `concurrency` at once over
/// the connection's lanes, calling `done` after each: each account's outcome and, when it was
/// read again, its state after, in the order of `plans`.
pub async fn apply_accounts<C: Connect + Sync>(
    connect: &C,
    controls: &[Control],
    plans: &[AccountPlan],
    before: HashMap<String, Snapshot>,
    concurrency: usize,
    done: &(dyn Fn() + Sync),
) -> Vec<(AccountOutcome, Option<AccountResult>)> {
    let roster = Roster::new(
        plans
            .iter()
            .map(|p| (p.account_id.as_str(), p.assume_role.as_deref())),
    );
    let roster = &roster;
    let before = &std::sync::Mutex::new(before);
    spread(connect, plans, concurrency, |plan| async move {
        let started = Instant::now();
        let mine = before.lock().expect("snapshots").remove(&plan.account_id);
        let known = (mine.as_ref(), roster);
        let applied = apply_account(connect, controls, plan, known).await;
        done();
        let after = applied.after.map(|report| AccountResult {
            account_id: plan.account_id.clone(),
            report: Ok(report),
            calls: applied.calls,
            wall: started.elapsed(),
        });
        (applied.outcome, after)
    })
    .await
}

/// Applies one account's plan of a saved or just-made plan file: [`check`], then
/// [`carry_out`]. `before` is what the plan was made of, when it is at hand (a just-made plan):
/// the reads again start from it (`survey::survey_again`); `roster` is the run's accounts.
pub async fn apply_account<C: Connect>(
    connect: &C,
    controls: &[Control],
    plan: &AccountPlan,
    (before, roster): (Option<&Snapshot>, &Roster),
) -> Applied {
    match check(connect, controls, plan, (before, roster)).await {
        Checked::Done(applied) => *applied,
        Checked::Ready(ready) => carry_out(connect, controls, ready).await,
    }
}

/// An account's plan, checked: ready to be carried out, or settled without a write.
pub enum Checked<'a, A> {
    /// The account is reached and nothing the plan depends on changed.
    Ready(Ready<'a, A>),
    /// Nothing to write: nothing to do, unreachable, stale or already applied.
    Done(Box<Applied>),
}

/// An account ready to be written.
pub struct Ready<'a, A> {
    target: Reached<'a, A>,
    roster: &'a Roster,
    plan: &'a AccountPlan,
    report: &'a Report,
    /// The account as the check read it: the read after the writes starts from it.
    now: Box<Snapshot>,
}

impl<A> Ready<'_, A> {
    /// The plan about to be carried out.
    pub fn report(&self) -> &Report {
        self.report
    }
}

/// Reaches the account and reads it again (from `before`, what the plan was made of, when it
/// is at hand; following its rules into the run's other accounts, `roster`): refuses it when
/// what the plan depends on changed, and says when it already holds the plan's result.
pub async fn check<'a, C: Connect>(
    connect: &'a C,
    controls: &[Control],
    plan: &'a AccountPlan,
    (before, roster): (Option<&Snapshot>, &'a Roster),
) -> Checked<'a, C::Account> {
    let account = plan.account_id.as_str();
    let report = match &plan.plan {
        PlanOrUnread::Report(report) => report,
        PlanOrUnread::Unread(why) => {
            let done = Applied::untouched(account, AccountState::Unreachable, Some(why.clone()));
            return Checked::Done(Box::new(done));
        }
    };
    if report.actions.is_empty() {
        return Checked::Done(Box::new(Applied {
            verification: Some(apply::verify(&[], report)),
            after: Some(report.clone()),
            ..Applied::untouched(account, AccountState::NothingToDo, None)
        }));
    }
    if apply::Executor::stopping(connect.base()) {
        let why = "not started: the run was interrupted; run apply again to finish";
        let done = Applied::untouched(account, AccountState::Interrupted, Some(why.into()));
        return Checked::Done(Box::new(done));
    }
    let target = match reach(connect, account, plan.assume_role.as_deref()).await {
        Ok(target) => target,
        Err(why) => {
            let done =
                Applied::untouched(account, AccountState::Unreachable, Some(why.to_string()));
            return Checked::Done(Box::new(done));
        }
    };
    let known = (before, roster);
    match still_current(connect, &target, controls, (plan, report), known).await {
        Err(mut done) => {
            done.calls = connect.calls(&target);
            Checked::Done(done)
        }
        Ok(now) => Checked::Ready(Ready {
            target,
            roster,
            plan,
            report,
            now: Box::new(now),
        }),
    }
}

/// Runs the actions of a checked account, reads it again and verifies it.
pub async fn carry_out<C: Connect>(
    connect: &C,
    controls: &[Control],
    ready: Ready<'_, C::Account>,
) -> Applied {
    let actions = apply::run(&*ready.target, &ready.report.actions).await;
    let account = (&*ready.target, *ready.now, ready.roster);
    let planned = (ready.plan, ready.report);
    let mut applied = verified(connect, account, controls, planned, actions).await;
    applied.calls = connect.calls(&ready.target);
    applied
}

/// Reads the account again (from `before` when it is at hand): what it holds when the plan
/// still describes it; else how it ends without a write (unreadable, already applied, or
/// stale).
async fn still_current<C: Connect>(
    connect: &C,
    target: &C::Account,
    controls: &[Control],
    (plan, report): (&AccountPlan, &Report),
    (before, roster): (Option<&Snapshot>, &Roster),
) -> Result<Snapshot, Box<Applied>> {
    let (account, role) = (plan.account_id.as_str(), plan.assume_role.as_deref());
    let desired = plan.desired.for_apply();
    let read = match before {
        Some(before) => survey::survey_again(target, controls, &desired, before).await,
        None => survey::survey(target, controls, &desired).await,
    };
    let read = match read {
        Ok(now) => {
            roster
                .follow(connect, (target, controls, &desired), now)
                .await
        }
        Err(e) => Err(e),
    };
    let now = match read {
        Ok(now) => now,
        Err(e) => {
            let why = connect.why_unread(account, role, e);
            return Err(Box::new(Applied::untouched(
                account,
                AccountState::Unreachable,
                Some(why),
            )));
        }
    };
    let selection = (controls, &plan.desired);
    let done = match staleness(
        report,
        &plan.fingerprints,
        &now.snapshot,
        &now.report,
        selection,
    ) {
        Staleness::Current => return Ok(now.snapshot),
        Staleness::Applied => Applied {
            verification: Some(apply::verify(&[], &now.report)),
            after: Some(now.report),
            ..Applied::untouched(account, AccountState::AlreadyApplied, None)
        },
        Staleness::Changed(changed) => {
            let why = format!("changed since the plan was made ({})", changed.join(", "));
            Applied {
                changed,
                ..Applied::untouched(account, AccountState::Stale, Some(why))
            }
        }
        Staleness::Differs(difference) => {
            let why = format!("the plan is not what its desired state gives for the account as it is: {difference}; nothing was written; plan again and review the new plan");
            Applied::untouched(account, AccountState::Refused, Some(why))
        }
    };
    Err(Box::new(done))
}

/// Reads again what the actions of `report` wrote, into what the check read just before
/// (`before`), and judges the account.
async fn verified<C: Connect>(
    connect: &C,
    (target, before, roster): (&C::Account, Snapshot, &Roster),
    controls: &[Control],
    (plan, report): (&AccountPlan, &Report),
    actions: Vec<ActionOutcome>,
) -> Applied {
    let (account, role) = (plan.account_id.as_str(), plan.assume_role.as_deref());
    let desired = plan.desired.for_apply();
    let written = &report.actions;
    let read = match survey::survey_written(target, controls, &desired, before, written).await {
        Ok(after) => {
            roster
                .follow(connect, (target, controls, &desired), after)
                .await
        }
        Err(e) => Err(e),
    };
    match read {
        Ok(after) => {
            let verification = apply::verify(&actions, &after.report);
            Applied {
                outcome: AccountOutcome::settled(account, &actions, &verification),
                actions,
                verification: Some(verification),
                after: Some(after.report),
                ..Applied::untouched(account, AccountState::Failed, None)
            }
        }
        Err(e) => {
            let planned = apply::verify(&actions, report);
            let mut outcome = AccountOutcome::settled(account, &actions, &planned);
            outcome.state = AccountState::Failed;
            outcome.error = Some(format!(
                "cannot read the account again after apply: {}",
                connect.why_unread(account, role, e)
            ));
            Applied {
                outcome,
                actions,
                ..Applied::untouched(account, AccountState::Failed, None)
            }
        }
    }
}
