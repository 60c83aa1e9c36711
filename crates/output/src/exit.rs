//! The exit status of every command, decided here and nowhere else (Terraform's
//! `-detailed-exitcode`: 0 nothing to do, 2 changes or findings, 1 error).

use apply::Verification;
use model::report::AccountResult;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every control is compliant and there is nothing to do; or the command succeeded.
    Clean,
    /// Something failed: a read, an account, a write, or the input.
    Error,
    /// There are findings or actions.
    Changes,
    /// The user interrupted a run that writes (Ctrl-C, SIGTERM): the calls in flight finished
    /// and no new one started.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Error => 1,
            Exit::Changes => 2,
            Exit::Interrupted => 130,
        }
    }
}

/// `plan`, for one account or many: an account that could not be read, or a control that
/// could not be judged, is an error; else findings or actions are changes.
pub fn plan(results: &[AccountResult]) -> Exit {
    let reports: Vec<&model::Report> = results
        .iter()
        .filter_map(|r| r.report.as_ref().ok())
        .collect();
    if reports.len() < results.len() || reports.iter().any(|r| r.has_errors()) {
        Exit::Error
    } else if reports.iter().all(|r| r.is_clean()) {
        Exit::Clean
    } else {
        Exit::Changes
    }
}

/// `apply`: clean exactly when the verification after it is.
pub fn apply(verification: &Verification) -> Exit {
    if verification.ok {
        Exit::Clean
    } else {
        Exit::Error
    }
}

/// `plan --security-hub`: the plan's status, unless Security Hub did not take every finding.
pub fn with_import(plan: Exit, imported: bool) -> Exit {
    match imported {
        true => plan,
        false => Exit::Error,
    }
}

/// `apply` over many accounts: clean only when every account was applied, awaits a person's
/// confirmation, or had nothing to do.
pub fn apply_accounts(outcomes: &[apply::accounts::AccountOutcome]) -> Exit {
    let interrupted = apply::accounts::AccountState::Interrupted;
    match outcomes.iter().all(|o| o.state.is_success()) {
        true => Exit::Clean,
        false if outcomes.iter().any(|o| o.state == interrupted) => Exit::Interrupted,
        false => Exit::Error,
    }
}

/// `drill`: clean only when every alarm's action notified its topic and AWS's matcher proved
/// every EventBridge rule as trailwatch judged it (a disagreement or a refused call is an error).
pub fn drill(alarms: &[model::drill::DrillResult], rules: &[model::drill::RuleDrill]) -> Exit {
    let notified = |r: &model::drill::DrillResult| {
        matches!(r.outcome, model::drill::DrillOutcome::Notified { .. })
    };
    match alarms.iter().all(notified) && rules.iter().all(|r| r.agreed()) {
        true => Exit::Clean,
        false => Exit::Error,
    }
}
