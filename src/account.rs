//! One account: connect, read and plan it (through `reconcile`), and the saved plan of it, for
//! `plan`, `apply` and `backtest`.

use std::time::{Duration, Instant};

use std::path::Path;

use anyhow::{Context, Result};
use model::planfile::PlanFile;
use model::report::AccountResult;
use model::{Control, Desired, Report, Snapshot};
use reconcile::{PlanHeader, Surveyed};

use crate::args::{connect_options, warn_idle_waivers, PlanArgs};
use config::Settings;

/// An account read and planned with the flags' selection.
pub struct PlannedAccount {
    /// How long connecting, reading and planning took.
    pub wall: Duration,
    /// The connection.
    pub aws: aws::Aws,
    /// The account.
    pub account: String,
    /// The selected controls.
    pub controls: Vec<Control>,
    /// The desired state.
    pub desired: Desired,
    /// The plan.
    pub report: Report,
    /// The account as read.
    pub snapshot: Snapshot,
}

impl PlannedAccount {
    /// The account's result, for the summary and the exit status.
    pub fn result(&self) -> AccountResult {
        AccountResult {
            account_id: self.account.clone(),
            report: Ok(self.report.clone()),
            calls: self.aws.calls(),
            wall: self.wall,
        }
    }

    /// The account's plan as a saved plan (`reconcile::plan_file`, as for many accounts).
    pub fn plan_file(&self) -> PlanFile {
        let header = PlanHeader {
            region: self.aws.region(),
            benchmark: &self.report.benchmark,
            trailwatch_version: env!("CARGO_PKG_VERSION"),
            own: &self.account,
        };
        let (desired, snapshot) = (&self.desired, &self.snapshot);
        reconcile::own_plan_file(&header, &self.controls, desired, self.result(), snapshot)
    }
}

/// Connects to AWS with `options`, first noting on stderr when environment keys win over
/// `AWS_PROFILE` (as in the AWS CLI), so the account audited is never a surprise.
pub async fn connect(options: &aws::ConnectOptions) -> Result<aws::Aws> {
    let aws = aws::Aws::connect(options).await?;
    if let Some(note) = aws::profile_note(options) {
        crate::print::note(&format!("note: {note}"));
    }
    Ok(aws)
}

/// Connects with the flags, reads the account and plans it with the run's settings.
pub async fn read_and_plan(args: &PlanArgs, settings: &Settings) -> Result<PlannedAccount> {
    let (controls, desired) = settings.selection()?;
    let started = Instant::now();
    let aws = connect(&connect_options(args, settings)).await?;
    tracing::info!(region = aws.region(), "reading the account");
    let Surveyed { report, snapshot } = reconcile::plan_own(&aws, &controls, &desired).await?;
    let account = snapshot.account_id.clone();
    warn_idle_waivers(settings, &controls, Some(std::slice::from_ref(&account)));
    let wall = started.elapsed();
    reconcile::log_calls(&account, &aws.calls(), wall);
    Ok(PlannedAccount {
        wall,
        aws,
        account,
        controls,
        desired,
        report,
        snapshot,
    })
}

/// Writes a saved plan and says how to apply it.
pub fn write_plan_file(path: &Path, file: &PlanFile) -> Result<()> {
    let text = serde_json::to_string_pretty(file)?;
    sink::Destination::open(path)
        .and_then(|d| d.write(&(text + "\n")))
        .with_context(|| format!("cannot write the plan to `{}`", path.display()))?;
    eprintln!(
        "Saved the plan to {}; apply exactly it with `trailwatch apply {}`",
        path.display(),
        path.display()
    );
    Ok(())
}
