//! The one way a fix is carried, for one account or many alike: reach each account (its own
//! credentials or an assumed role, through [`Connect`]), read and plan it (`survey`), keep what
//! a saved plan needs (`plan_accounts`), and apply a plan to an account in one sequence —
//! read it again, refuse it when it changed, say when it was already applied, run the actions,
//! read again and verify (`apply_account`).
//!
//! No AWS SDK and no async runtime here: `aws::Aws` implements [`Connect`]; the tests use
//! accounts made of plain values.

mod apply_account;
mod lanes;
mod plan_accounts;
mod roster;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::future::Future;

pub use apply_account::{apply_account, apply_accounts, carry_out, check, Applied, Checked, Ready};
pub use model::planfile::Target;
/// The EventBridge rules `drill` asks AWS's matcher about, from a plan and its snapshot.
pub use plan::drill::probes as drill_probes;
pub use plan_accounts::{
    log_calls, own_plan_file, plan_accounts, plan_file, plan_own, AccountsRead, PlanHeader,
};
pub use roster::Roster;
pub use survey::{SurveyError, Surveyed};

/// The calls made to one account, by IAM action.
pub type Calls = BTreeMap<&'static str, u64>;

/// Reaches the accounts of a run.
pub trait Connect {
    /// A connection to one account: it reads and writes.
    type Account: survey::Reader + apply::Executor;

    /// The account of the credentials trailwatch runs with.
    fn own(&self) -> &str;

    /// The connection to `account`: the credentials' own for their account, else `role`
    /// assumed with them (assuming happens at the first call, whose failure is a read error).
    fn assume(&self, account: &str, role: &str) -> impl Future<Output = Self::Account>;

    /// The connection the run's credentials give.
    fn base(&self) -> &Self::Account;

    /// The calls made through one connection.
    fn calls(&self, account: &Self::Account) -> Calls;

    /// How many threads the work of many accounts may spread over (`lanes.rs`); one unless
    /// the connection says otherwise.
    fn lanes(&self) -> usize {
        1
    }

    /// Runs `work` to completion on the calling thread, a lane's, blocking it.
    fn block_on<T>(&self, work: impl Future<Output = T>) -> T {
        futures::executor::block_on(work)
    }

    /// One line saying why `account` could not be read (reached with `role`, when another
    /// account's).
    fn why_unread(
        &self,
        account: &str,
        role: Option<&str>,
        error: survey::SurveyError<<Self::Account as survey::Reader>::Error>,
    ) -> String;
}

/// A connection to one account of a run.
pub enum Reached<'a, A> {
    /// The credentials' own account.
    Own(&'a A),
    /// Another account, through its role.
    Assumed(Box<A>),
}

impl<A> std::ops::Deref for Reached<'_, A> {
    type Target = A;

    fn deref(&self) -> &A {
        match self {
            Reached::Own(account) => account,
            Reached::Assumed(account) => account,
        }
    }
}

/// Why an account cannot be reached before anything is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreached {
    /// Another account with no role to assume in it.
    NoRole {
        /// The account.
        account: String,
        /// The account of the credentials.
        own: String,
    },
}

impl std::fmt::Display for Unreached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreached::NoRole { account, own } => write!(
                f,
                "the plan reaches account {account} with the credentials it was made with, and these are for account {own}; use that account's credentials"
            ),
        }
    }
}

/// The connection to `account`: the base one for the credentials' own account, else `role`
/// assumed with it.
pub async fn reach<'a, C: Connect>(
    connect: &'a C,
    account: &str,
    role: Option<&str>,
) -> Result<Reached<'a, C::Account>, Unreached> {
    match (account == connect.own(), role) {
        (true, _) => Ok(Reached::Own(connect.base())),
        (false, Some(role)) => Ok(Reached::Assumed(Box::new(
            connect.assume(account, role).await,
        ))),
        (false, None) => Err(Unreached::NoRole {
            account: account.to_string(),
            own: connect.own().to_string(),
        }),
    }
}
