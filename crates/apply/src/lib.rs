//! Executes a plan's actions in order through an [`Executor`], skipping the actions whose
//! dependencies failed, recording every outcome, and judging the re-read account afterwards.
//!
//! The plan is plain data: this crate makes no choices about *what* to write, only runs the
//! actions it is given, in their order, and reports what happened.

pub mod accounts;

use std::future::Future;

use model::{Action, FindingCode, Report, Status};
use serde::Serialize;

/// Something that can perform one planned call (the `aws` crate, or a fake in tests).
pub trait Executor {
    /// Why a call failed: its `Display` is one line that says what to do.
    type Error: std::error::Error;

    /// Performs the call; on success returns a one-line description of the result (such as the
    /// ARN of a created topic), on failure why not.
    fn execute(&self, action: &Action) -> impl Future<Output = Result<String, Self::Error>>;

    /// True once the user asked the run to stop (Ctrl-C): the call in flight finishes and no
    /// new one starts.
    fn stopping(&self) -> bool {
        false
    }
}

/// What happened to one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// The call succeeded.
    Applied {
        /// What the service answered, in one line.
        detail: String,
    },
    /// The call failed.
    Failed {
        /// Why, in one line.
        error: String,
    },
    /// The call was not made because an action it depends on did not succeed.
    Skipped {
        /// The numbers of the actions that did not succeed.
        because_of: Vec<usize>,
    },
    /// The call was not made because the run was interrupted before it started.
    Interrupted,
}

/// One action with its outcome, for reporting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionOutcome {
    /// The action's number in the plan.
    pub number: usize,
    /// The action's name, such as `put-metric-filter`.
    pub action: String,
    /// The account written to.
    pub account_id: String,
    /// The region written to.
    pub region: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Runs the actions in plan order. Independent actions still run after a failure; actions that
/// depend on a failed or skipped one are skipped.
pub async fn run<E: Executor>(executor: &E, actions: &[Action]) -> Vec<ActionOutcome> {
    let mut outcomes: Vec<ActionOutcome> = Vec::with_capacity(actions.len());
    for action in actions {
        let blocked: Vec<usize> = action
            .depends_on
            .iter()
            .copied()
            .filter(|dep| {
                !outcomes
                    .iter()
                    .any(|o| o.number == *dep && matches!(o.outcome, Outcome::Applied { .. }))
            })
            .collect();
        let outcome = if executor.stopping() {
            tracing::warn!(action = action.number, "not started: interrupted");
            Outcome::Interrupted
        } else if !blocked.is_empty() {
            tracing::warn!(action = action.number, ?blocked, "skipped");
            Outcome::Skipped {
                because_of: blocked,
            }
        } else {
            tracing::info!(
                action = action.number,
                name = action.operation.name(),
                "applying"
            );
            match executor.execute(action).await {
                Ok(detail) => Outcome::Applied { detail },
                Err(error) => Outcome::Failed {
                    error: error.to_string(),
                },
            }
        };
        outcomes.push(ActionOutcome {
            number: action.number,
            action: action.operation.name().to_string(),
            account_id: action.account_id.clone(),
            region: action.region.clone(),
            outcome,
        });
    }
    outcomes
}

/// The verdict on an account after apply, from the outcomes and a fresh plan of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// True when every action succeeded and every control holds, or waits only for a person to
    /// confirm a subscription.
    pub ok: bool,
    /// Controls that hold once a pending subscription is confirmed.
    pub awaiting_confirmation: Vec<String>,
    /// Controls that still do not hold for another reason.
    pub still_failing: Vec<String>,
    /// Actions the fresh plan still wants (a write that did not take effect).
    pub actions_left: usize,
}

/// Judges the fresh plan made after apply.
pub fn verify(outcomes: &[ActionOutcome], after: &Report) -> Verification {
    let mut awaiting = Vec::new();
    let mut failing = Vec::new();
    for control in &after.controls {
        match control.status {
            Status::Compliant | Status::Waived => {}
            Status::NonCompliant
                if !control.findings.is_empty()
                    && control
                        .findings
                        .iter()
                        .all(|f| f.code == FindingCode::SubscriptionPending) =>
            {
                awaiting.push(control.id.clone())
            }
            _ => failing.push(control.id.clone()),
        }
    }
    let all_applied = outcomes
        .iter()
        .all(|o| matches!(o.outcome, Outcome::Applied { .. }));
    Verification {
        ok: all_applied && failing.is_empty() && after.actions.is_empty(),
        awaiting_confirmation: awaiting,
        still_failing: failing,
        actions_left: after.actions.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::report::{Change, FilterSpec, Operation, TopicSpec};
    use std::cell::RefCell;

    /// Records calls and fails the ones it is told to.
    struct Script {
        fail: Vec<usize>,
        calls: RefCell<Vec<usize>>,
    }

    /// The scripted failure.
    #[derive(Debug, thiserror::Error)]
    #[error("denied")]
    struct Denied;

    impl Executor for Script {
        type Error = Denied;

        async fn execute(&self, action: &Action) -> Result<String, Denied> {
            self.calls.borrow_mut().push(action.number);
            if self.fail.contains(&action.number) {
                Err(Denied)
            } else {
                Ok("done".into())
            }
        }
    }

    fn action(number: usize, depends_on: Vec<usize>) -> Action {
        let operation = if number == 1 {
            Operation::CreateTopic {
                after: TopicSpec {
                    policy: None,
                    name: "t".into(),
                    arn: "arn:aws:sns:us-east-1:111122223333:t".into(),
                },
            }
        } else {
            Operation::PutMetricFilter {
                before: None,
                after: FilterSpec {
                    log_group: "g".into(),
                    name: format!("f{number}"),
                    pattern: "{ $.a = 1 }".into(),
                    metric_name: "m".into(),
                    namespace: "n".into(),
                    metric_value: "1".into(),
                    default_value: None,
                },
            }
        };
        Action {
            number,
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            operation,
            change: Change::Create,
            control_ids: vec!["c".into()],
            reason: "r".into(),
            depends_on,
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_failure_skips_its_dependants_and_not_the_others() {
        let script = Script {
            fail: vec![1],
            calls: RefCell::new(vec![]),
        };
        let actions = vec![
            action(1, vec![]),
            action(2, vec![1]),
            action(3, vec![]),
            action(4, vec![2]),
        ];
        let out = block_on(run(&script, &actions));
        assert_eq!(*script.calls.borrow(), vec![1, 3]);
        assert!(matches!(out[0].outcome, Outcome::Failed { .. }));
        assert_eq!(
            out[1].outcome,
            Outcome::Skipped {
                because_of: vec![1]
            }
        );
        assert!(matches!(out[2].outcome, Outcome::Applied { .. }));
        assert_eq!(
            out[3].outcome,
            Outcome::Skipped {
                because_of: vec![2]
            }
        );
    }

    #[test]
    fn verification_allows_only_pending_confirmation() {
        use model::{ControlResult, Finding};
        let control = |status, codes: &[FindingCode]| ControlResult {
            account_id: "1".into(),
            id: format!("c{}", codes.len()),
            title: String::new(),
            cis_id: None,
            level: Some(1),
            status,
            findings: codes.iter().map(|c| Finding::new(*c, "m")).collect(),
            chain: None,
            waiver: None,
        };
        let report = |controls| Report {
            schema_version: 1,
            benchmark: "cis-7.0".into(),
            trails: vec![],
            controls,
            actions: vec![],
            notes: vec![],
        };
        let v = verify(
            &[],
            &report(vec![
                control(Status::Compliant, &[]),
                control(Status::NonCompliant, &[FindingCode::SubscriptionPending]),
            ]),
        );
        assert!(v.ok);
        assert_eq!(v.awaiting_confirmation, vec!["c1"]);
        let v = verify(
            &[],
            &report(vec![control(Status::NonCompliant, &[FindingCode::NoTrail])]),
        );
        assert!(!v.ok);
        assert_eq!(v.still_failing, vec!["c1"]);
    }
}
