//! `apply` over many accounts (`--accounts … --assume-role NAME`, `--organization`, or a saved
//! plan of several accounts): the plan shown once and confirmed once, then every account
//! applied concurrently, each after checking that it has not changed since the plan was made,
//! each ending in one state; a failure in one account never stops another.

use std::time::{Duration, Instant};

use anyhow::Result;
use apply::accounts::{AccountOutcome, AccountState};
use futures::StreamExt;
use model::planfile::{AccountPlan, PlanFile, Planned};
use model::report::AccountResult;
use model::{Control, Report};
use output::documents::AccountsApplyDocument;
use output::exit::{self, Exit};
use output::formats::{self, Format};
use plan::staleness::Staleness;

use crate::commands::accounts::{self, connect, progress_bar, ReadOptions};
use crate::commands::apply::confirm;
use crate::emit::{emit, show_before_writing, RunInfo};
use crate::outputs::Outputs;

/// What every account of the apply shares.
pub struct Targets<'a> {
    /// The connection of the credentials trailwatch runs with.
    pub base: &'a aws::Aws,
    /// Their account.
    pub own: &'a str,
    /// The selected controls.
    pub controls: &'a [Control],
    /// How many accounts are written at once.
    pub concurrency: usize,
}

/// `apply --accounts|--organization`: read and plan every account, show the plan, ask once,
/// apply.
pub async fn apply_live(
    args: &crate::args::ApplyArgs,
    settings: &config::Settings,
    outputs: Outputs,
    info: RunInfo<'_>,
) -> Result<Exit> {
    let options = ReadOptions {
        at: info.at,
        security_hub: false,
        saves_plan: true,
    };
    let read = accounts::read_all(&args.plan, settings, &options).await?;
    let file = read.plan_file(settings);
    let info = RunInfo {
        controls: &read.controls,
        region: read.base.region(),
        ..info
    };
    show_plan(
        &read.results,
        &info,
        &outputs,
        read.started.elapsed(),
        args.auto_approve,
    )?;
    if count_actions(&file) > 0 && !args.auto_approve {
        confirm()?;
    }
    let targets = Targets {
        base: &read.base,
        own: &read.own,
        controls: &read.controls,
        concurrency: usize::from(settings.concurrency),
    };
    apply_plan(&targets, &file, outputs, &info).await
}

/// `apply FILE` of several accounts: shows the saved plan (reviewed when it was made) and
/// applies it.
pub async fn apply_saved(
    targets: &Targets<'_>,
    file: &PlanFile,
    outputs: Outputs,
    info: &RunInfo<'_>,
) -> Result<Exit> {
    let results = as_results(file);
    show_plan(&results, info, &outputs, Duration::ZERO, true)?;
    apply_plan(targets, file, outputs, info).await
}

fn count_actions(file: &PlanFile) -> usize {
    file.accounts
        .iter()
        .filter_map(AccountPlan::report)
        .map(|r| r.actions.len())
        .sum()
}

/// The saved plan's accounts as a run's results, to show them as `plan` does.
fn as_results(file: &PlanFile) -> Vec<AccountResult> {
    file.accounts
        .iter()
        .map(|a| AccountResult {
            account_id: a.account_id.clone(),
            report: match &a.plan {
                Planned::Report(report) => Ok(report.clone()),
                Planned::Unread(why) => Err(why.clone()),
            },
            calls: Default::default(),
            wall: Duration::ZERO,
        })
        .collect()
}

/// The plan of every account and a total, on stdout when that is where the human text goes,
/// else on stderr when someone is about to be asked.
fn show_plan(
    results: &[AccountResult],
    info: &RunInfo,
    outputs: &Outputs,
    wall: Duration,
    auto_approve: bool,
) -> Result<()> {
    let text = output::render::many_to_apply(results, info.region, wall, info.detail);
    let asking = !auto_approve
        && model::report::read_reports(results)
            .iter()
            .any(|(_, r)| !r.actions.is_empty());
    show_before_writing(outputs, &text, asking)
}

/// Applies every account of the plan, at most `concurrency` at once, and reports each.
async fn apply_plan(
    targets: &Targets<'_>,
    file: &PlanFile,
    outputs: Outputs,
    info: &RunInfo<'_>,
) -> Result<Exit> {
    let started = Instant::now();
    let progress = progress_bar(file.accounts.len());
    let done: Vec<(AccountOutcome, Option<AccountResult>)> =
        futures::stream::iter(file.accounts.iter())
            .map(|account| {
                let progress = &progress;
                async move {
                    let done = apply_account(targets, account).await;
                    progress.inc(1);
                    done
                }
            })
            .buffered(targets.concurrency)
            .collect()
            .await;
    progress.finish_and_clear();
    let (outcomes, after): (Vec<AccountOutcome>, Vec<Option<AccountResult>>) =
        done.into_iter().unzip();
    let after: Vec<AccountResult> = after.into_iter().flatten().collect();
    let wall = started.elapsed();
    let document = |format: Format| -> Result<String> {
        Ok(match format {
            Format::Human => output::render::account_outcomes(&outcomes, wall),
            Format::Json => {
                let doc = AccountsApplyDocument::new(info.benchmark, &outcomes, &after);
                serde_json::to_string_pretty(&doc)? + "\n"
            }
            other => formats::document(other, &info.run(&after)).expect("a security format"),
        })
    };
    emit(outputs, document, false)?;
    Ok(exit::apply_accounts(&outcomes))
}

/// One account: checked, written, read again and judged; the account as read again, for the
/// documents, when it was.
async fn apply_account(
    targets: &Targets<'_>,
    plan: &AccountPlan,
) -> (AccountOutcome, Option<AccountResult>) {
    let account = plan.account_id.as_str();
    let report = match &plan.plan {
        Planned::Report(report) => report,
        Planned::Unread(why) => return (unreachable(account, why.clone()), None),
    };
    if report.actions.is_empty() {
        let outcome = AccountOutcome::untouched(account, AccountState::NothingToDo, None);
        return (
            outcome,
            Some(result(account, report.clone(), Duration::ZERO)),
        );
    }
    let started = Instant::now();
    let role = plan.assume_role.as_deref();
    let Some(aws) = connect(targets.base, targets.own, account, role).await else {
        let why = format!("the plan reaches account {account} with the credentials it was made with, and these are for account {}; use that account's credentials", targets.own);
        return (unreachable(account, why), None);
    };
    match write(&aws, targets.controls, plan, report).await {
        Ok((outcome, after)) => (outcome, Some(result(account, after, started.elapsed()))),
        Err(outcome) => (outcome, None),
    }
}

/// Refuses a changed account, runs the actions, reads the account again and judges it.
async fn write(
    aws: &aws::Aws,
    controls: &[Control],
    plan: &AccountPlan,
    report: &Report,
) -> Result<(AccountOutcome, Report), AccountOutcome> {
    let account = plan.account_id.as_str();
    let surveyed = survey::survey(aws, controls, &plan.desired)
        .await
        .map_err(|e| unreachable(account, unread(account, e)))?;
    let staleness = plan::staleness::staleness(
        report,
        &plan.fingerprints,
        &surveyed.snapshot,
        &surveyed.report,
        (controls, &plan.desired),
    );
    match staleness {
        Staleness::Current => {}
        Staleness::Applied => {
            let outcome = AccountOutcome::untouched(account, AccountState::AlreadyApplied, None);
            return Ok((outcome, surveyed.report));
        }
        Staleness::Changed(changed) => {
            let why = format!("changed since the plan was made ({})", changed.join(", "));
            return Err(AccountOutcome::untouched(
                account,
                AccountState::Stale,
                Some(why),
            ));
        }
    }
    let outcomes = apply::run(aws, &report.actions).await;
    let after = match survey::survey(aws, controls, &plan.desired).await {
        Ok(surveyed) => surveyed.report,
        Err(e) => {
            let mut outcome =
                AccountOutcome::settled(account, &outcomes, &apply::verify(&outcomes, report));
            outcome.state = AccountState::Failed;
            outcome.error = Some(format!(
                "cannot read the account again after apply: {}",
                unread(account, e)
            ));
            return Err(outcome);
        }
    };
    let verification = apply::verify(&outcomes, &after);
    Ok((
        AccountOutcome::settled(account, &outcomes, &verification),
        after,
    ))
}

fn unreachable(account: &str, why: String) -> AccountOutcome {
    AccountOutcome::untouched(account, AccountState::Unreachable, Some(why))
}

/// One line saying why an account could not be read.
fn unread(account: &str, error: survey::SurveyError<aws::AwsError>) -> String {
    match error {
        survey::SurveyError::Read(e @ aws::AwsError::AssumeRole { .. }) => e.to_string(),
        other => format!("account {account}: {other}"),
    }
}

fn result(account: &str, report: Report, wall: Duration) -> AccountResult {
    AccountResult {
        account_id: account.to_string(),
        report: Ok(report),
        calls: Default::default(),
        wall,
    }
}
