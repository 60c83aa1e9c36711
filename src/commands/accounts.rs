//! Auditing many accounts at once (`plan --accounts ID,... --assume-role NAME`, or
//! `--organization`): each account is read through `sts:AssumeRole`, several at a time, and the
//! results are merged into one document of the usual shape, with a per-account summary.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use futures::StreamExt;
use model::planfile::PlanFile;
use model::report::AccountResult;
use model::Control;
use output::exit::{self, Exit};
use reconcile::{AccountsRead, Connect, PlanHeader, Target};
use time::OffsetDateTime;

use crate::account::log_calls;
use crate::args::{config_file, connect_options, detail, selection, warn_stale_accounts, PlanArgs};
use crate::commands::hub::{self, Sent};
use crate::emit::{emit, PlanView, RunInfo};
use crate::outputs::Outputs;
use config::Settings;

/// Every account of a run, read and planned.
pub struct ReadAll {
    /// The connection of the credentials trailwatch runs with.
    pub base: aws::Aws,
    /// Their account.
    pub own: String,
    /// The selected controls.
    pub controls: Vec<Control>,
    /// Each account of the run, with its role and desired state.
    pub targets: Vec<Target>,
    /// Each account read, in the order given, organization trails' verdicts carried to
    /// their members; with their snapshots when the run saves a plan.
    pub accounts: AccountsRead,
    /// What Security Hub took, with `--security-hub`.
    pub sent: Vec<Sent>,
    /// When reading started.
    pub started: Instant,
}

/// What a multi-account read is asked for besides the plan.
pub struct ReadOptions {
    /// When the run started.
    pub at: OffsetDateTime,
    /// `plan --security-hub`.
    pub security_hub: bool,
    /// Whether the run becomes a plan file (`plan --out`, `apply`): only then are the accounts'
    /// snapshots kept for the fingerprints, not held for the whole run.
    pub saves_plan: bool,
}

/// `plan --accounts`: read every account (at most `--concurrency` at once) and report them all.
pub async fn plan(
    args: &PlanArgs,
    settings: &Settings,
    outputs: Outputs,
    options: ReadOptions,
    out: Option<&Path>,
) -> Result<Exit> {
    let read = read_all(args, settings, &options).await?;
    if let Some(path) = out {
        crate::account::write_plan_file(path, &read.plan_file(settings))?;
    }
    let context = RunInfo {
        controls: &read.controls,
        region: read.base.region(),
        benchmark: &settings.benchmark,
        at: options.at,
        config_file: config_file(args),
        detail: detail(args),
        version: env!("CARGO_PKG_VERSION"),
    };
    let results = &read.accounts.results;
    let view = PlanView {
        context: &context,
        results,
        wall: read.started.elapsed(),
        many: true,
    };
    emit(outputs, |format| view.document(format), false)?;
    let imported = hub::report(&read.sent);
    Ok(exit::with_import(exit::plan(results), imported))
}

/// Connects, lists the accounts, and reads and plans each (at most `--concurrency` at once).
pub async fn read_all(
    args: &PlanArgs,
    settings: &Settings,
    options: &ReadOptions,
) -> Result<ReadAll> {
    let (controls, _) = selection(settings)?;
    let started = Instant::now();
    let base = crate::account::connect(&connect_options(args, settings)).await?;
    let (own, accounts) = futures::join!(base.account_id(), async {
        if settings.organization {
            base.organization_accounts().await
        } else {
            Ok(settings.accounts.clone())
        }
    });
    let (own, accounts) = (own?, accounts?);
    settings.check_roles(&accounts)?;
    warn_stale_accounts(settings, &accounts);
    let run = aws::Run::new(&base, &own);
    let targets: Vec<Target> = accounts
        .iter()
        .map(|account| Target {
            account: account.clone(),
            role: settings.role_of(account).map(str::to_string),
            desired: settings.desired(Some(account)),
        })
        .collect();
    let progress = progress_bar(accounts.len());
    let concurrency = usize::from(settings.concurrency);
    let read = reconcile::plan_accounts(
        &run,
        &targets,
        &controls,
        concurrency,
        options.saves_plan,
        &|| progress.inc(1),
    )
    .await;
    progress.finish_and_clear();
    for result in &read.results {
        log_calls(&result.account_id, &result.calls, result.wall);
    }
    let sent = match options.security_hub {
        true => {
            let detail = detail(args);
            send_all(&run, settings, &controls, &read.results, options.at, detail).await
        }
        false => Vec::new(),
    };
    Ok(ReadAll {
        base,
        own,
        controls,
        targets,
        accounts: read,
        sent,
        started,
    })
}

impl ReadAll {
    /// The run as a saved plan (`reconcile::plan_file`).
    pub fn plan_file(&self, settings: &Settings) -> PlanFile {
        let header = PlanHeader {
            region: self.base.region(),
            benchmark: &settings.benchmark,
            trailwatch_version: env!("CARGO_PKG_VERSION"),
            own: &self.own,
        };
        reconcile::plan_file(&header, &self.controls, &self.targets, &self.accounts)
    }
}

pub fn progress_bar(accounts: usize) -> indicatif::ProgressBar {
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

/// `--security-hub`: every read account's findings, as merged (a member monitored centrally
/// takes its organization trail's verdict), sent with its own credentials.
async fn send_all(
    run: &aws::Run<'_>,
    settings: &Settings,
    controls: &[Control],
    results: &[AccountResult],
    at: OffsetDateTime,
    detail: output::render::Detail,
) -> Vec<Sent> {
    let info = RunInfo {
        controls,
        region: run.base().region(),
        benchmark: &settings.benchmark,
        at,
        config_file: None,
        detail,
        version: env!("CARGO_PKG_VERSION"),
    };
    let sent: Vec<Option<Sent>> =
        futures::stream::iter(results.iter().filter(|r| r.report.is_ok()))
            .map(|result| {
                let info = &info;
                async move {
                    let role = settings.role_of(&result.account_id);
                    let aws = reconcile::reach(run, &result.account_id, role).await.ok()?;
                    hub::send(&aws, &info.run(std::slice::from_ref(result))).await
                }
            })
            .buffered(usize::from(settings.concurrency))
            .collect()
            .await;
    sent.into_iter().flatten().collect()
}
