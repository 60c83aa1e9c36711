//! How an account of a multi-account apply ended: one state each, decided here only, and the
//! flat outcome the JSON document lists.

use serde::Serialize;

use crate::{ActionOutcome, Outcome, Verification};

/// How one account of a multi-account apply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountState {
    /// Every action succeeded and the account, read again, complies.
    Applied,
    /// Every action succeeded; controls hold once a person confirms a subscription.
    AwaitingConfirmation,
    /// An action failed, or the account read again does not comply.
    Failed,
    /// The account changed since the plan was made: nothing was written (plan it again).
    Stale,
    /// The account could not be reached (its role could not be assumed, or it was not read
    /// when the plan was made): nothing was written.
    Unreachable,
    /// The plan had no action for it.
    NothingToDo,
    /// The account already holds what the plan writes (it was applied before): nothing was
    /// written.
    AlreadyApplied,
    /// Planning again from the plan's desired state does not give its actions (the file was
    /// edited, or the plan was made by another version): nothing was written.
    Refused,
    /// The run was interrupted (Ctrl-C) before some or all of its actions started; run apply
    /// again to finish.
    Interrupted,
}

impl AccountState {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Applied => "applied",
            AccountState::AwaitingConfirmation => "awaiting-confirmation",
            AccountState::Failed => "failed",
            AccountState::Stale => "stale",
            AccountState::Unreachable => "unreachable",
            AccountState::NothingToDo => "nothing-to-do",
            AccountState::AlreadyApplied => "already-applied",
            AccountState::Refused => "refused",
            AccountState::Interrupted => "interrupted",
        }
    }

    /// True for the states a successful run may end an account in.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            AccountState::Applied
                | AccountState::AwaitingConfirmation
                | AccountState::NothingToDo
                | AccountState::AlreadyApplied
        )
    }
}

/// One account's outcome, flat, as `apply --json` lists it in `outcomes[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountOutcome {
    /// The account.
    pub account_id: String,
    /// How it ended.
    pub state: AccountState,
    /// Actions that succeeded.
    pub actions_done: usize,
    /// Actions that failed or were skipped because one they depend on failed.
    pub actions_failed: usize,
    /// What went wrong, in one line (the failing action and its error, what changed, or why it
    /// could not be reached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AccountOutcome {
    /// An account nothing was written to.
    pub fn untouched(account_id: &str, state: AccountState, error: Option<String>) -> Self {
        AccountOutcome {
            account_id: account_id.to_string(),
            state,
            actions_done: 0,
            actions_failed: 0,
            error,
        }
    }

    /// An account whose actions ran, judged by its outcomes and the verification after them.
    pub fn settled(account_id: &str, outcomes: &[ActionOutcome], v: &Verification) -> Self {
        let done = outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Applied { .. }))
            .count();
        let (state, error) = settle(outcomes, v);
        AccountOutcome {
            account_id: account_id.to_string(),
            state,
            actions_done: done,
            actions_failed: outcomes.len() - done,
            error,
        }
    }
}

/// The state of an account whose actions ran: the first failed action decides, then the
/// verification.
fn settle(outcomes: &[ActionOutcome], v: &Verification) -> (AccountState, Option<String>) {
    let interrupted = outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Interrupted)
        .count();
    if interrupted > 0 {
        let why = format!(
            "interrupted: {interrupted} of {} actions not started; run apply again to finish",
            outcomes.len()
        );
        return (AccountState::Interrupted, Some(why));
    }
    let failed = outcomes.iter().find_map(|o| match &o.outcome {
        Outcome::Failed { error } => Some(format!("action {} {}: {error}", o.number, o.action)),
        _ => None,
    });
    if let Some(error) = failed {
        return (AccountState::Failed, Some(error));
    }
    if !v.ok {
        let why = match (v.still_failing.is_empty(), v.actions_left) {
            (false, _) => format!("{} still do not comply", v.still_failing.join(", ")),
            (true, n) => format!("a new plan still has {n} action(s)"),
        };
        return (AccountState::Failed, Some(why));
    }
    match v.awaiting_confirmation.is_empty() {
        true => (AccountState::Applied, None),
        false => (AccountState::AwaitingConfirmation, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(number: usize, outcome: Outcome) -> ActionOutcome {
        ActionOutcome {
            number,
            action: "put-metric-alarm".into(),
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            outcome,
        }
    }

    fn verification(ok: bool, awaiting: &[&str], failing: &[&str]) -> Verification {
        Verification {
            ok,
            awaiting_confirmation: awaiting.iter().map(|s| s.to_string()).collect(),
            still_failing: failing.iter().map(|s| s.to_string()).collect(),
            actions_left: 0,
        }
    }

    #[test]
    fn each_way_an_account_can_end() {
        let done = outcome(
            1,
            Outcome::Applied {
                detail: "ok".into(),
            },
        );
        let failed = outcome(
            2,
            Outcome::Failed {
                error: "denied".into(),
            },
        );
        let skipped = outcome(
            3,
            Outcome::Skipped {
                because_of: vec![2],
            },
        );
        let cases = [
            (
                vec![done.clone()],
                verification(true, &[], &[]),
                AccountState::Applied,
                None,
            ),
            (
                vec![done.clone()],
                verification(true, &["iam-policy-changes"], &[]),
                AccountState::AwaitingConfirmation,
                None,
            ),
            (
                vec![done.clone(), failed, skipped],
                verification(false, &[], &["iam-policy-changes"]),
                AccountState::Failed,
                Some("action 2 put-metric-alarm: denied"),
            ),
            (
                vec![done],
                verification(false, &[], &["vpc-changes"]),
                AccountState::Failed,
                Some("vpc-changes still do not comply"),
            ),
        ];
        for (outcomes, v, state, error) in cases {
            let got = AccountOutcome::settled("111122223333", &outcomes, &v);
            assert_eq!(got.state, state);
            assert_eq!(got.error.as_deref(), error);
            assert_eq!(got.actions_done + got.actions_failed, outcomes.len());
        }
        assert!(AccountState::NothingToDo.is_success());
        assert!(!AccountState::Stale.is_success());
    }
}
