//! One account: connect, read and plan it (through `survey`), and fingerprint what the plan
//! depends on, for `plan`, `apply` and saved plans.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use model::report::AccountResult;
use model::{Control, Desired, Report, Snapshot};

use crate::args::{connect_options, selection, warn_stale_accounts, PlanArgs};
use config::Settings;

/// An account read and planned with the flags' selection.
pub struct Planned {
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
    /// What the plan depends on, for `plan --out`.
    pub fingerprints: BTreeMap<String, String>,
}

impl Planned {
    /// The account's result, for the summary and the exit status.
    pub fn result(&self) -> AccountResult {
        AccountResult {
            account_id: self.account.clone(),
            report: Ok(self.report.clone()),
            calls: self.aws.calls(),
            wall: self.wall,
        }
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
pub async fn read_and_plan(args: &PlanArgs, settings: &Settings) -> Result<Planned> {
    let (controls, desired) = selection(settings)?;
    let started = Instant::now();
    let aws = connect(&connect_options(args, settings)).await?;
    tracing::info!(region = aws.region(), "reading the account");
    let (snapshot, report) = survey(&aws, &controls, &desired).await?;
    let account = snapshot.account_id.clone();
    warn_stale_accounts(settings, std::slice::from_ref(&account));
    let fingerprints = plan::fingerprint::fingerprints(&snapshot, &controls, &desired, &report);
    let wall = started.elapsed();
    log_calls(&account, &aws.calls(), wall);
    Ok(Planned {
        wall,
        aws,
        account,
        controls,
        desired,
        report,
        snapshot,
        fingerprints,
    })
}

/// Reads and plans an account (`survey::survey` over the AWS connection).
pub async fn survey(
    aws: &aws::Aws,
    controls: &[Control],
    desired: &Desired,
) -> Result<(Snapshot, Report), survey::SurveyError<aws::AwsError>> {
    let surveyed = survey::survey(aws, controls, desired).await?;
    Ok((surveyed.snapshot, surveyed.report))
}

/// Logs the calls and time spent on an account (shown with `--verbose`).
pub fn log_calls(account: &str, calls: &BTreeMap<&'static str, u64>, wall: Duration) {
    let total: u64 = calls.values().sum();
    let wall_ms = u64::try_from(wall.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(account, calls = total, wall_ms, "read and planned");
    for (action, n) in calls {
        tracing::info!(account, action, n, "api calls");
    }
}
