//! Auditing many accounts at once (`plan --accounts ID,... --assume-role NAME`, or
//! `--organization`): each account is read through `sts:AssumeRole`, several at a time, and the
//! results are merged into one document of the usual shape, with a per-account summary.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use futures::StreamExt;
use model::planfile::{AccountPlan, PlanFile, Planned, PLAN_FORMAT, PLAN_VERSION};
use model::report::AccountResult;
use model::{Control, Snapshot};
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
}

/// Every account of a run, read and planned.
pub struct ReadAll {
    /// The connection of the credentials trailwatch runs with.
    pub base: aws::Aws,
    /// Their account.
    pub own: String,
    /// The selected controls.
    pub controls: Vec<Control>,
    /// Each account's result, in the order given, organization trails' verdicts carried to
    /// their members.
    pub results: Vec<AccountResult>,
    /// What each account read holds, for the fingerprints of a saved plan.
    snapshots: HashMap<String, Snapshot>,
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
        crate::commands::plan::write_plan_file(path, &read.plan_file(settings))?;
    }
    let context = RunInfo {
        controls: &read.controls,
        region: read.base.region(),
        benchmark: &settings.benchmark,
        at: options.at,
        config_file: config_file(args),
        detail: detail(args),
    };
    let view = PlanView {
        context: &context,
        results: &read.results,
        wall: read.started.elapsed(),
        many: true,
    };
    emit(outputs, |format| view.document(format), false)?;
    let imported = hub::report(&read.sent);
    Ok(exit::with_import(exit::plan(&read.results), imported))
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
    if let Some(account) = accounts.iter().find(|a| role_of(settings, a).is_none()) {
        anyhow::bail!(
            "--accounts and --organization need --assume-role NAME (or `assume_role` in the configuration file): no role to assume in account {account}"
        );
    }
    warn_stale_accounts(settings, &accounts);
    let run = Run {
        base: &base,
        own: &own,
        settings,
        controls: &controls,
    };
    let progress = progress_bar(accounts.len());
    let read: Vec<AccountRead> = futures::stream::iter(accounts.iter().cloned())
        .map(|account| {
            let (run, progress) = (&run, &progress);
            async move {
                let mut read = read_account(run, account).await;
                if !options.saves_plan {
                    read.snapshot = None;
                }
                progress.inc(1);
                read
            }
        })
        .buffer_unordered(usize::from(settings.concurrency))
        .collect()
        .await;
    progress.finish_and_clear();
    let mut results = Vec::with_capacity(read.len());
    let mut snapshots = HashMap::new();
    for r in read {
        if let Some(snapshot) = r.snapshot {
            snapshots.insert(r.result.account_id.clone(), snapshot);
        }
        results.push(r.result);
    }
    survey::merge(&mut results, &accounts);
    let sent = match options.security_hub {
        true => send_all(&run, &results, options.at, detail(args)).await,
        false => Vec::new(),
    };
    Ok(ReadAll {
        base,
        own,
        controls,
        results,
        snapshots,
        sent,
        started,
    })
}

impl ReadAll {
    /// The run as a saved plan: each account with the role that reaches it, its desired state
    /// and the fingerprints of what its (merged) plan depends on.
    pub fn plan_file(&self, settings: &Settings) -> PlanFile {
        let accounts = self
            .results
            .iter()
            .map(|r| {
                let desired = settings.desired(Some(&r.account_id));
                let (fingerprints, plan) = match (&r.report, self.snapshots.get(&r.account_id)) {
                    (Ok(report), Some(snapshot)) => (
                        plan::fingerprint::fingerprints(snapshot, &self.controls, &desired, report),
                        Planned::Report(report.clone()),
                    ),
                    (Err(e), _) => (Default::default(), Planned::Unread(e.clone())),
                    (Ok(_), None) => unreachable!("a run that saves a plan keeps the snapshots"),
                };
                AccountPlan {
                    assume_role: (r.account_id != self.own)
                        .then(|| role_of(settings, &r.account_id).map(str::to_string))
                        .flatten(),
                    account_id: r.account_id.clone(),
                    desired,
                    fingerprints,
                    plan,
                }
            })
            .collect();
        PlanFile {
            format: PLAN_FORMAT.into(),
            version: PLAN_VERSION,
            trailwatch_version: env!("CARGO_PKG_VERSION").into(),
            region: self.base.region().to_string(),
            benchmark: settings.benchmark.clone(),
            control_ids: self.controls.iter().map(|c| c.id.to_string()).collect(),
            accounts,
        }
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

/// One account, read and planned.
struct AccountRead {
    result: AccountResult,
    snapshot: Option<Snapshot>,
}

/// `--security-hub`: every read account's findings, as merged (a member monitored centrally
/// takes its organization trail's verdict), sent with its own credentials.
async fn send_all(
    run: &Run<'_>,
    results: &[AccountResult],
    at: OffsetDateTime,
    detail: output::render::Detail,
) -> Vec<Sent> {
    let info = RunInfo {
        controls: run.controls,
        region: run.base.region(),
        benchmark: &run.settings.benchmark,
        at,
        config_file: None,
        detail,
    };
    let sent: Vec<Option<Sent>> =
        futures::stream::iter(results.iter().filter(|r| r.report.is_ok()))
            .map(|result| {
                let info = &info;
                async move {
                    let role = role_of(run.settings, &result.account_id);
                    let aws = connect(run.base, run.own, &result.account_id, role).await?;
                    hub::send(&aws, &info.run(std::slice::from_ref(result))).await
                }
            })
            .buffered(usize::from(run.settings.concurrency))
            .collect()
            .await;
    sent.into_iter().flatten().collect()
}

/// Reads and plans one account: the credentials' own account with them, the others through
/// the role.
async fn read_account(run: &Run<'_>, account: String) -> AccountRead {
    let started = Instant::now();
    let desired = run.settings.desired(Some(&account));
    let role = role_of(run.settings, &account);
    let aws = connect(run.base, run.own, &account, role)
        .await
        .expect("read_all refuses accounts without a role");
    let (report, snapshot) = match survey::survey(&*aws, run.controls, &desired).await {
        Ok(surveyed) => (Ok(surveyed.report), Some(surveyed.snapshot)),
        Err(e) => (Err(why_unread(run.settings, run.own, &account, e)), None),
    };
    let wall = started.elapsed();
    log_calls(&account, &aws.calls(), wall);
    let result = AccountResult {
        account_id: account,
        report,
        calls: aws.calls(),
        wall,
    };
    AccountRead { result, snapshot }
}

/// A connection to one account of a run: the credentials' own, or a role assumed with them.
pub enum Connection<'a> {
    /// The credentials' own account.
    Own(&'a aws::Aws),
    /// Another account, through its role.
    Assumed(Box<aws::Aws>),
}

impl std::ops::Deref for Connection<'_> {
    type Target = aws::Aws;

    fn deref(&self) -> &aws::Aws {
        match self {
            Connection::Own(aws) => aws,
            Connection::Assumed(aws) => aws,
        }
    }
}

/// The connection to `account`: the base one for the credentials' own account, else `role`
/// assumed with it; none when another account has no role to assume.
pub async fn connect<'a>(
    base: &'a aws::Aws,
    own: &str,
    account: &str,
    role: Option<&str>,
) -> Option<Connection<'a>> {
    match (account == own, role) {
        (true, _) => Some(Connection::Own(base)),
        (false, Some(role)) => Some(Connection::Assumed(Box::new(
            base.assume(account, role).await,
        ))),
        (false, None) => None,
    }
}

/// The role assumed in an account: its table's, else the run's.
pub fn role_of<'a>(settings: &'a Settings, account: &str) -> Option<&'a str> {
    settings
        .destination_of(Some(account))
        .assume_role
        .as_deref()
}

/// One line saying why an account could not be read.
pub fn why_unread(
    settings: &Settings,
    own: &str,
    account: &str,
    error: SurveyError<aws::AwsError>,
) -> String {
    let role = role_of(settings, account).unwrap_or_default();
    match error {
        SurveyError::Read(e) if account == own => format!("account {account}: {e}"),
        SurveyError::Read(e @ aws::AwsError::AssumeRole { .. }) => e.to_string(),
        SurveyError::Read(e) => format!("cannot assume role `{role}` in account {account}: {e}"),
        other => format!("account {account}: {other}"),
    }
}
