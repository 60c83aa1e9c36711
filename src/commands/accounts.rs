//! Auditing many accounts at once (`plan --accounts ID,... --assume-role NAME`, or
//! `--organization`): each account is read through `sts:AssumeRole`, several at a time, and the
//! results are merged into one document of the usual shape, with a per-account summary.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Result;
use futures::StreamExt;
use model::report::AccountResult;
use model::Control;
use output::exit::{self, Exit};
use survey::SurveyError;
use time::OffsetDateTime;

use crate::account::log_calls;
use crate::args::{config_file, connect_options, detail, selection, warn_stale_accounts, PlanArgs};
use crate::commands::hub::{self, Sent};
use crate::emit::{emit, PlanView, RunInfo};
use crate::outputs::Outputs;
use config::Settings;

/// What every account of the run shares.
struct Run<'a> {
    base: &'a aws::Aws,
    own: &'a str,
    settings: &'a Settings,
    controls: &'a [Control],
    /// Set for `--security-hub`: what each account's findings are filed with.
    hub: Option<&'a RunInfo<'a>>,
}

/// `plan --accounts`: read every account (at most `--concurrency` at once) and report them all.
pub async fn plan(
    args: &PlanArgs,
    settings: &Settings,
    outputs: Outputs,
    at: OffsetDateTime,
    security_hub: bool,
) -> Result<Exit> {
    let (controls, _) = selection(settings)?;
    let started = Instant::now();
    let base = aws::Aws::connect(&connect_options(args, settings)).await?;
    let (own, accounts) = futures::join!(base.account_id(), async {
        if settings.organization {
            base.organization_accounts().await
        } else {
            Ok(settings.accounts.clone())
        }
    });
    let (own, accounts) = (own?, accounts?);
    if let Some(account) = accounts.iter().find(|a| role_of(settings, a).is_none()) {
        anyhow::bail!(
            "--accounts and --organization need --assume-role NAME (or `assume_role` in the configuration file): no role to assume in account {account}"
        );
    }
    warn_stale_accounts(settings, &accounts);
    let context = RunInfo {
        controls: &controls,
        region: base.region(),
        benchmark: &settings.benchmark,
        at,
        config_file: config_file(args),
        detail: detail(args),
    };
    let run = Run {
        base: &base,
        own: &own,
        settings,
        controls: &controls,
        hub: security_hub.then_some(&context),
    };
    let progress = progress_bar(accounts.len());
    let read: Vec<(AccountResult, Option<Sent>)> = futures::stream::iter(accounts.iter().cloned())
        .map(|account| {
            let (run, progress) = (&run, &progress);
            async move {
                let result = read_account(run, account).await;
                progress.inc(1);
                result
            }
        })
        .buffer_unordered(usize::from(settings.concurrency))
        .collect()
        .await;
    progress.finish_and_clear();
    let (mut results, sent): (Vec<AccountResult>, Vec<Option<Sent>>) = read.into_iter().unzip();
    survey::merge(&mut results, &accounts);
    let view = PlanView {
        context: &context,
        results: &results,
        wall: started.elapsed(),
        many: true,
    };
    emit(outputs, |format| view.document(format), false)?;
    let sent: Vec<Sent> = sent.into_iter().flatten().collect();
    let imported = hub::report(&sent);
    Ok(exit::with_import(exit::plan(&results), imported))
}

fn progress_bar(accounts: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || accounts < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(accounts as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} accounts {wide_bar} {elapsed}",
        )
        .expect("valid template"),
    );
    bar
}

/// Reads and plans one account: the credentials' own account with them, the others through
/// the role; with `--security-hub`, files its findings there too.
async fn read_account(run: &Run<'_>, account: String) -> (AccountResult, Option<Sent>) {
    let started = Instant::now();
    let role = role_of(run.settings, &account).unwrap_or_default();
    let desired = run.settings.desired(Some(&account));
    let assumed;
    let aws = if account == run.own {
        run.base
    } else {
        assumed = run.base.assume(&account, role).await;
        &assumed
    };
    let report = survey::survey(aws, run.controls, &desired)
        .await
        .map(|surveyed| surveyed.report)
        .map_err(|e| why_unread(run, &account, e));
    let wall = started.elapsed();
    log_calls(&account, &aws.calls(), wall);
    let result = AccountResult {
        account_id: account,
        report,
        calls: aws.calls(),
        wall,
    };
    let sent = match run.hub {
        Some(info) => hub::send(aws, &info.run(std::slice::from_ref(&result))).await,
        None => None,
    };
    (result, sent)
}

/// The role assumed in an account: its table's, else the run's.
fn role_of<'a>(settings: &'a Settings, account: &str) -> Option<&'a str> {
    settings
        .destination_of(Some(account))
        .assume_role
        .as_deref()
}

/// One line saying why an account could not be read.
fn why_unread(run: &Run, account: &str, error: SurveyError<aws::AwsError>) -> String {
    let role = role_of(run.settings, account).unwrap_or_default();
    match error {
        SurveyError::Read(e) if account == run.own => format!("account {account}: {e}"),
        SurveyError::Read(e @ aws::AwsError::AssumeRole { .. }) => e.to_string(),
        SurveyError::Read(e) => format!("cannot assume role `{role}` in account {account}: {e}"),
        other => format!("account {account}: {other}"),
    }
}
