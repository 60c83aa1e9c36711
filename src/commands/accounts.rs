//! Reading many accounts at once (`--accounts ID,... --assume-role NAME`, or `--organization`)
//! for `plan` and `apply`: each account is read through `sts:AssumeRole`, several at a time,
//! behind a progress bar, and the run becomes one plan of every account.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Result;
use model::planfile::PlanFile;
use model::Control;
use reconcile::{AccountsRead, PlanHeader, Target};

use crate::args::{connect_options, warn_idle_waivers, PlanArgs};
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
    /// When reading started.
    pub started: Instant,
}

/// Connects, lists the accounts, and reads and plans each (at most `--concurrency` at once).
pub async fn read_all(args: &PlanArgs, settings: &Settings, saves_plan: bool) -> Result<ReadAll> {
    let (controls, _) = settings.selection()?;
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
    let targets = settings.targets(&accounts)?;
    warn_idle_waivers(settings, &controls, Some(&accounts));
    let run = aws::Run::new(&base, &own);
    let progress = progress_bar(accounts.len());
    let concurrency = usize::from(settings.concurrency);
    let read =
        reconcile::plan_accounts(&run, &targets, &controls, concurrency, saves_plan, &|| {
            progress.inc(1)
        })
        .await;
    progress.finish_and_clear();
    Ok(ReadAll {
        base,
        own,
        controls,
        targets,
        accounts: read,
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
