//! `trailwatch backtest`: evaluates the selected controls' published patterns and the account's
//! own filters for them over CloudTrail history — the trail's S3 archive, or local files and
//! folders — and reports matches per day, what and who they match, what the filters miss, and
//! how often each control's alarm would have notified.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use backtest::watch::{self, AccountRead};
use backtest::Tally;
use clap::Args;
use model::backtest::{BacktestInput, BacktestSource};
use model::live::Archive;
use output::documents::BacktestDocument;
use output::exit::Exit;
use time::OffsetDateTime;

use crate::account::{read_and_plan, PlannedAccount};
use crate::args::{detail, selection, settings, PlanArgs};
use crate::print;

mod owners;

/// Log files fetched from S3 at once.
const FETCHES: usize = 16;

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
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = crate::args::parse_input_format, requires = "files")]
    pub input_format: events::InputFormat,
}

/// Where the events came from, and how much was read.
struct ReadSummary {
    source: BacktestSource,
    input: BacktestInput,
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
    let window = backtest::window::parse(
        args.since.as_deref(),
        args.from.as_deref(),
        args.to.as_deref(),
        OffsetDateTime::now_utc(),
    )
    .map_err(anyhow::Error::msg)?;
    let days = match (&window, args.files.is_empty()) {
        (None, true) => bail!("a backtest of the trail's archive needs a window: pass `--since 7d` or `--from DATE --to DATE` (or give local files)"),
        (window, _) => window.as_ref().map(|w| w.days.clone()).unwrap_or_default(),
    };
    let (specs, planned) = match args.published_only {
        true => (watch::published(&selection(&settings)?.0), None),
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
    let (tally, read) = match (&planned, args.files.is_empty()) {
        (_, false) => read_files(tally, &args.files, args.input_format)?,
        (Some(planned), true) => read_archive(tally, planned, &days).await?,
        (None, true) => unreachable!("clap requires files with --published-only"),
    };
    let report = tally.finish();
    let input = BacktestInput {
        seconds: started.elapsed().as_secs_f64(),
        ..read.input
    };
    let account = planned.as_ref().map(|p| p.account.clone());
    if args.plan.json {
        print::json(&BacktestDocument::new(
            &settings.benchmark,
            account,
            read.source,
            input,
            &report,
        ))?;
    } else {
        let text = output::render::backtest(&report, &read.source, &input, detail(&args.plan));
        print::text(&text)?;
    }
    Ok(Exit::Clean)
}

/// One account at a time, and only `--json` of the output flags.
fn refuse_unsupported(args: &BacktestArgs, settings: &config::Settings) -> Result<()> {
    if crate::commands::plan_cmd::is_many(settings) {
        bail!("backtest works on one account at a time; run it with that account's credentials");
    }
    if !args.plan.output.is_empty() {
        bail!("backtest writes its report as text or `--json`; --output is for plan and apply");
    }
    Ok(())
}

/// The events of local files and folders, read on every core, a file at a time; the first
/// file that cannot be read stops the run (a backtest that skipped it would count too few).
fn read_files(
    tally: Tally,
    paths: &[PathBuf],
    format: events::InputFormat,
) -> Result<(Tally, ReadSummary)> {
    let files = files_under(paths)?;
    let next = AtomicUsize::new(0);
    let workers: Vec<Result<Worker>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers())
            .map(|_| {
                let (files, next) = (&files, &next);
                let mut worker = Worker::new(tally.fork(), format);
                scope.spawn(move || {
                    while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if let Err(e) = worker.read_file(file) {
                            next.store(files.len(), Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                    Ok(worker)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a backtest worker panicked"))
            .collect()
    });
    let source = BacktestSource::Files {
        paths: paths.iter().map(|p| p.display().to_string()).collect(),
    };
    merge(tally, workers, source)
}

/// The tally and the input counts of every worker, merged; the first error, if any.
fn merge(
    mut tally: Tally,
    workers: Vec<Result<Worker>>,
    source: BacktestSource,
) -> Result<(Tally, ReadSummary)> {
    let mut input = BacktestInput::default();
    for worker in workers {
        let worker = worker?;
        input = input.plus(&worker.input);
        tally.merge(worker.tally);
    }
    Ok((tally, ReadSummary { source, input }))
}

/// The events of the account's trail archive for the window's days (and the day after, where
/// the window's last events may have been delivered): listed, fetched `FETCHES` at a time and
/// handed to a worker per core through a bounded queue, so memory holds a few files at most.
async fn read_archive(
    tally: Tally,
    planned: &PlannedAccount,
    days: &[String],
) -> Result<(Tally, ReadSummary)> {
    let archive = watch::archive(AccountRead::from(planned))?;
    let reader = planned.aws.archive_reader(&archive).await?;
    let files = reader.files(&planned.account, days).await?;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(String, Vec<u8>)>(workers() * 2);
    let receiver = std::sync::Arc::new(Mutex::new(receiver));
    let handles: Vec<_> = (0..workers())
        .map(|_| {
            let (receiver, mut worker) = (
                receiver.clone(),
                Worker::new(
                    tally.fork(),
                    events::InputFormat::Document(events::Shape::CloudTrail),
                ),
            );
            std::thread::spawn(move || -> Result<Worker> {
                loop {
                    let next = receiver.lock().expect("queue").recv();
                    let Ok((key, bytes)) = next else {
                        return Ok(worker);
                    };
                    worker.read(&key, bytes.as_slice())?;
                }
            })
        })
        .collect();
    // Only the workers hold the queue's end: if every one of them stops, sending fails rather
    // than waiting for ever.
    drop(receiver);
    let fetched = fetch_all(&reader, &archive, &files, sender).await;
    let workers: Vec<Result<Worker>> = handles
        .into_iter()
        .map(|h| h.join().expect("a backtest worker panicked"))
        .collect();
    fetched?;
    let source = BacktestSource::Archive {
        bucket: archive.bucket.clone(),
        prefix: archive.key_prefix.clone(),
        files: files.len() as u64,
    };
    merge(tally, workers, source)
}

/// Fetches every file, `FETCHES` at once, and queues each for the workers; closing the queue
/// at the end (or at the first error) lets them finish.
async fn fetch_all(
    reader: &aws::ArchiveReader<'_>,
    archive: &Archive,
    files: &[model::live::ArchivedFile],
    queue: std::sync::mpsc::SyncSender<(String, Vec<u8>)>,
) -> Result<()> {
    use futures::stream::{self, StreamExt};
    let mut fetches = stream::iter(files)
        .map(|file| async move {
            let bytes = reader.file(&file.key).await;
            (file.key.clone(), bytes)
        })
        .buffered(FETCHES);
    while let Some((key, bytes)) = fetches.next().await {
        let bytes = bytes.map_err(|e| denied_read(archive, e))?;
        let queue = queue.clone();
        // The queue is bounded: wait for a worker off the async threads.
        let sent = tokio::task::spawn_blocking(move || queue.send((key, bytes))).await;
        if !matches!(sent, Ok(Ok(()))) {
            // A worker stopped at an unreadable file; its error is the one reported.
            return Ok(());
        }
    }
    Ok(())
}

/// A failed read of a log file, with `kms:Decrypt` named when the trail's files are encrypted.
fn denied_read(archive: &Archive, error: aws::AwsError) -> anyhow::Error {
    match (&error, &archive.kms_key_id) {
        (aws::AwsError::Denied { .. }, Some(key)) => anyhow::anyhow!(
            "{error}; the trail's log files are encrypted with KMS key {key}, so `kms:Decrypt` on it is needed too"
        ),
        _ => anyhow::Error::msg(error),
    }
}

/// Every file under the paths (folders walked, in name order); a path that does not exist is
/// refused.
fn files_under(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        match meta.is_dir() {
            true => walk(path, &mut out)?,
            false => out.push(path.clone()),
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read folder `{}`", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read folder `{}`", dir.display()))?;
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        match (hidden, entry.is_dir()) {
            (true, _) => {}
            (false, true) => walk(&entry, out)?,
            (false, false) => out.push(entry),
        }
    }
    Ok(())
}

/// One worker per core.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// A worker's tally, the fields its sparse parse keeps, and what it read.
struct Worker {
    tally: Tally,
    fields: pattern::Fields,
    input: BacktestInput,
    format: events::InputFormat,
}

impl Worker {
    fn new(tally: Tally, format: events::InputFormat) -> Worker {
        Worker {
            fields: tally.fields(),
            tally,
            input: BacktestInput::default(),
            format,
        }
    }

    fn read_file(&mut self, path: &Path) -> Result<()> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).with_context(|| format!("cannot open `{name}`"))?;
        self.read(&name, file)
    }

    /// Tallies every event of one input (parsed once, keeping only the fields the patterns and
    /// the tally read).
    fn read(&mut self, name: &str, input: impl std::io::Read) -> Result<()> {
        let (tally, fields) = (&mut self.tally, &self.fields);
        let counts = events::read(name, input, self.format, &mut |message| {
            let parsed = fields.parse(message).unwrap_or(serde_json::Value::Null);
            tally.add(message, &parsed);
        })?;
        self.input = self.input.plus(&BacktestInput {
            files: 1,
            bytes: counts.bytes,
            events: counts.events,
            seconds: 0.0,
        });
        Ok(())
    }
}
