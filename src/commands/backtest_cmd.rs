//! `trailwatch backtest`: evaluates the selected controls' published patterns and the account's
//! own filters for them over CloudTrail history — the trail's S3 archive, or local files and
//! folders — and reports matches per day, what and who they match, what the filters miss, and
//! how often each control's alarm would have notified.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Result};
use backtest::watch::{self, AccountRead};
use backtest::Tally;
use clap::Args;
use model::backtest::{BacktestInput, BacktestSource};
use output::exit::Exit;
use output::formats::backtest_html::BacktestRun;
use output::views::BacktestView;
use time::OffsetDateTime;

use crate::account::{read_and_plan, PlannedAccount};
use crate::args::{detail, settings, warn_idle_waivers, PlanArgs};
use crate::emit::emit;
use crate::outputs::Outputs;

mod owners;

#[derive(Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Local CloudTrail files or folders (an archive synced with `aws s3 sync`), gzipped or not;
    /// none: the account's trail archive in S3.
    pub files: Vec<PathBuf>,
    /// The window: the last DURATION (`7d`, `36h`, `2w`).
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["from", "to"])]
    pub since: Option<String>,
    /// The window's first day (`2026-11-01`, UTC) or instant (RFC 3339).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// The window's last day, included (`2026-11-07`), or the instant it ends (RFC 3339).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Evaluate the published patterns only, without reading the account (local files only;
    /// no AWS credentials needed).
    #[arg(long, requires = "files")]
    pub published_only: bool,
    /// What the local files are: `auto` recognises each (see `pattern test --help`), or say
    /// `lines`, `cloudtrail`, `array`, `lookup-events` or `log-events`.
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "auto",
        requires = "files"
    )]
    pub input_format: events::InputFormat,
}

impl<'a> From<&'a PlannedAccount> for AccountRead<'a> {
    fn from(planned: &'a PlannedAccount) -> Self {
        AccountRead {
            account: &planned.account,
            snapshot: &planned.snapshot,
            report: &planned.report,
        }
    }
}

/// Runs `backtest`.
pub async fn run(args: BacktestArgs) -> Result<Exit> {
    let settings = settings(&args.plan)?;
    refuse_unsupported(&args, &settings)?;
    let outputs = Outputs::open(&args.plan.output, args.plan.json, false)?;
    let window = backtest::window::parse(
        args.since.as_deref(),
        args.from.as_deref(),
        args.to.as_deref(),
        OffsetDateTime::now_utc(),
    )
    .map_err(anyhow::Error::msg)?;
    let days = backtest::window::archive_days(window.as_ref(), args.files.is_empty())
        .map_err(anyhow::Error::msg)?;
    let (specs, planned) = match args.published_only {
        true => {
            let controls = settings.selection()?.0;
            warn_idle_waivers(&settings, &controls, None);
            (watch::published(&controls), None)
        }
        false => {
            let planned = read_and_plan(&args.plan, &settings).await?;
            let others = owners::read(&planned, &settings).await?;
            let specs = watch::of_account(AccountRead::from(&planned), &planned.controls, &others)
                .map_err(anyhow::Error::msg)?;
            (specs, Some(planned))
        }
    };
    let tally = Tally::new(specs, window.as_ref().map(|w| w.tally))?;
    let started = Instant::now();
    let read = match (&planned, args.files.is_empty()) {
        (_, false) => history::read_files(tally, &args.files, args.input_format)?,
        (Some(planned), true) => read_archive(tally, planned, &days).await?,
        (None, true) => unreachable!("clap requires files with --published-only"),
    };
    let report = read.tally.finish();
    let input = BacktestInput {
        seconds: started.elapsed().as_secs_f64(),
        ..read.input
    };
    let view = BacktestView {
        run: BacktestRun {
            benchmark: &settings.benchmark,
            account: planned.as_ref().map(|p| p.account.as_str()),
            source: &read.source,
            input: &input,
            report: &report,
            version: env!("CARGO_PKG_VERSION"),
        },
        detail: detail(&args.plan),
    };
    emit(outputs, &view, false)?;
    Ok(Exit::Clean)
}

/// One account at a time, written as text, JSON or HTML.
fn refuse_unsupported(args: &BacktestArgs, settings: &config::Settings) -> Result<()> {
    if settings.is_many() {
        bail!("backtest works on one account at a time; run it with that account's credentials");
    }
    Ok(BacktestView::check(&args.plan.output)?)
}

/// The events of the account's trail archive for the window's days (and the day after, where
/// the window's last events may have been delivered): listed, fetched `FETCHES` at a time and
/// handed to a worker per core through a bounded queue, so memory holds a few files at most.
async fn read_archive(
    tally: Tally,
    planned: &PlannedAccount,
    days: &[String],
) -> Result<history::Read> {
    let archive = watch::archive(AccountRead::from(planned))?;
    let reader = planned.aws.archive_reader(&archive).await?;
    let files = reader.files(&planned.account, days).await?;
    let format = events::InputFormat::Document(events::Shape::CloudTrail);
    let pool = history::Pool::start(&tally, format);
    reader.fetch_into(&files, pool.queue()).await?;
    let source = BacktestSource::Archive {
        bucket: archive.bucket.clone(),
        prefix: archive.key_prefix.clone(),
        files: files.len() as u64,
    };
    Ok(pool.finish(tally, source)?)
}
