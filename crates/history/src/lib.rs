//! CloudTrail history read for `trailwatch backtest`: local files and folders read on every core,
//! each event parsed once and handed to a [`backtest::Tally`] fork per worker; the trail's S3
//! archive is fetched by the binary and fed to the same [`Worker`]s. Synchronous threads, no
//! async runtime and no AWS SDK.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use backtest::Tally;
use model::backtest::{BacktestInput, BacktestSource};

#[cfg(test)]
mod tests;

/// Why history could not be read; the first file that cannot be read stops the run (a backtest
/// that skipped it would count too few).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot read `{path}`: {error}")]
    Path { path: String, error: std::io::Error },
    #[error("cannot read folder `{path}`: {error}")]
    Folder { path: String, error: std::io::Error },
    #[error("cannot open `{path}`: {error}")]
    Open { path: String, error: std::io::Error },
    #[error(transparent)]
    Events(#[from] events::Error),
}

/// The tally of every event read, where the events came from and how much was read.
pub struct Read {
    pub tally: Tally,
    pub source: BacktestSource,
    pub input: BacktestInput,
}

/// One worker per core.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// The events of local files and folders, read on every core, a file at a time.
pub fn read_files(
    tally: Tally,
    paths: &[PathBuf],
    format: events::InputFormat,
) -> Result<Read, HistoryError> {
    let Listing { files, skipped } = files_under(paths)?;
    let next = AtomicUsize::new(0);
    let workers: Vec<Result<Worker, HistoryError>> = std::thread::scope(|scope| {
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
    let mut read = merge(tally, workers, source)?;
    read.input.skipped = skipped.len() as u64;
    Ok(read)
}

/// Where a fetched file goes, by name: a clone per sender, closed when every clone is dropped.
pub type Queue = SyncSender<(String, Vec<u8>)>;

/// Fetched log files, each read by the first free worker of one per core; the queue is bounded,
/// so memory holds a few files at most whatever the archive's size.
pub struct Pool {
    queue: Queue,
    handles: Vec<std::thread::JoinHandle<Result<Worker, HistoryError>>>,
}

impl Pool {
    /// Starts a worker per core, each with its own fork of `tally`, reading files as `format`.
    pub fn start(tally: &Tally, format: events::InputFormat) -> Pool {
        let (queue, receiver): (Queue, Receiver<_>) = std::sync::mpsc::sync_channel(workers() * 2);
        let receiver = Arc::new(Mutex::new(receiver));
        let handles = (0..workers())
            .map(|_| {
                let receiver = Arc::clone(&receiver);
                let mut worker = Worker::new(tally.fork(), format);
                std::thread::spawn(move || loop {
                    let next = receiver.lock().expect("queue").recv();
                    let Ok((name, bytes)) = next else {
                        return Ok(worker);
                    };
                    worker.read(&name, bytes.as_slice())?;
                })
            })
            .collect();
        // Only the workers hold the queue's end: if every one of them stops, sending fails
        // rather than waiting for ever.
        Pool { queue, handles }
    }

    /// Where to send each file (a bounded queue: sending waits for a free worker, and fails
    /// once every worker has stopped at an unreadable file).
    pub fn queue(&self) -> Queue {
        self.queue.clone()
    }

    /// Waits for the workers to read what was queued, and merges their tallies into `tally`.
    pub fn finish(self, tally: Tally, source: BacktestSource) -> Result<Read, HistoryError> {
        drop(self.queue);
        let workers = self
            .handles
            .into_iter()
            .map(|h| h.join().expect("a backtest worker panicked"))
            .collect();
        merge(tally, workers, source)
    }
}

/// The tally and the input counts of every worker, merged; the first error, if any.
fn merge(
    mut tally: Tally,
    workers: Vec<Result<Worker, HistoryError>>,
    source: BacktestSource,
) -> Result<Read, HistoryError> {
    let mut input = BacktestInput::default();
    for worker in workers {
        let worker = worker?;
        input = input.plus(&worker.input);
        tally.merge(worker.tally);
    }
    Ok(Read {
        tally,
        source,
        input,
    })
}

/// The files to read under the paths given, and those left unread.
#[derive(Debug, Default)]
pub struct Listing {
    /// Files given by name, and the log files of the folders, in name order.
    pub files: Vec<PathBuf>,
    /// Files in the folders that are not log files by their names.
    pub skipped: Vec<PathBuf>,
}

/// What a log file's name ends with, gzipped or not: CloudTrail's archive (`….json.gz`),
/// JSON lines and exports (`.jsonl`, `.ndjson`, `.log`), and CloudWatch Logs' export tasks
/// (`000000.gz`).
const LOG_SUFFIXES: [&str; 5] = [".json", ".jsonl", ".ndjson", ".log", ".gz"];

/// Whether a file found in a folder is read: its name says it holds log events. A file named
/// on the command line is read whatever its name.
fn is_log_file(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
    name.is_some_and(|n| LOG_SUFFIXES.iter().any(|s| n.ends_with(s)))
}

/// Every file under the paths (folders walked in name order, hidden entries and files that are
/// not log files left out); a path that does not exist is refused.
pub fn files_under(paths: &[PathBuf]) -> Result<Listing, HistoryError> {
    let mut listing = Listing::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|error| HistoryError::Path {
            path: path.display().to_string(),
            error,
        })?;
        match meta.is_dir() {
            true => walk(path, &mut listing)?,
            false => listing.files.push(path.clone()),
        }
    }
    Ok(listing)
}

fn walk(dir: &Path, listing: &mut Listing) -> Result<(), HistoryError> {
    let folder = |error| HistoryError::Folder {
        path: dir.display().to_string(),
        error,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(folder)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(folder)?;
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        match (hidden, entry.is_dir()) {
            (true, _) => {}
            (false, true) => walk(&entry, listing)?,
            (false, false) if is_log_file(&entry) => listing.files.push(entry),
            (false, false) => listing.skipped.push(entry),
        }
    }
    Ok(())
}

/// A worker's tally, the fields its sparse parse keeps, and what it read.
pub struct Worker {
    tally: Tally,
    fields: pattern::Fields,
    input: BacktestInput,
    format: events::InputFormat,
}

impl Worker {
    pub fn new(tally: Tally, format: events::InputFormat) -> Worker {
        Worker {
            fields: tally.fields(),
            tally,
            input: BacktestInput::default(),
            format,
        }
    }

    fn read_file(&mut self, path: &Path) -> Result<(), HistoryError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|error| HistoryError::Open {
            path: name.clone(),
            error,
        })?;
        self.read(&name, file)
    }

    /// Tallies every event of one input (parsed once, keeping only the fields the patterns and
    /// the tally read).
    pub fn read(&mut self, name: &str, input: impl std::io::Read) -> Result<(), HistoryError> {
        let (tally, fields) = (&mut self.tally, &self.fields);
        let counts = events::read(name, input, self.format, &mut |message| {
            let parsed = fields.parse(message).unwrap_or(serde_json::Value::Null);
            tally.add(message, &parsed);
        })?;
        self.input = self.input.plus(&BacktestInput {
            files: 1,
            skipped: 0,
            bytes: counts.bytes,
            events: counts.events,
            seconds: 0.0,
        });
        Ok(())
    }
}
