//! The `trailwatch` command line: parses flags, runs the command, and turns its
//! [`Exit`] (or error) into the process's exit status.

mod account;
mod args;
mod commands;
mod emit;
mod interrupt;
mod outputs;
mod print;
#[cfg(test)]
mod tests;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use output::exit::Exit;
use output::render::{error_label, usage_error};

use args::{ApplyArgs, PlanCmd};
use commands::pattern_cmd::PatternCommand;

/// The version and the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("TRAILWATCH_COMMIT"),
    ")"
);

/// Audit an AWS account against the CIS monitoring controls and fix what is missing.
#[derive(Parser)]
#[command(name = "trailwatch", version = VERSION, about, long_about = None)]
struct Cli {
    /// Log what trailwatch does to stderr (set `RUST_LOG` for finer control).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read the account, show what is wrong and what `apply` would change. Changes nothing.
    ///
    /// Exit status: 0 when every control is compliant and nothing is to be done, 2 when there
    /// are findings or actions, 1 on error.
    Plan(PlanCmd),
    /// Make the planned changes, then read the account again and verify it.
    ///
    /// With a saved plan (`trailwatch apply FILE`), apply exactly that plan without prompting,
    /// after checking that nothing it read or will touch changed since.
    ///
    /// Exit status: 0 when every action was applied and the account verified, 1 otherwise.
    Apply(ApplyArgs),
    /// Prove the notification path of each compliant control: set its alarm to ALARM and wait
    /// for the alarm's history to record its SNS action (it pages people: it lists the alarms
    /// and asks first, or `--yes`); have AWS's matcher (`TestEventPattern`) test the EventBridge
    /// rules that cover a control on its events, sending no event.
    ///
    /// Exit status: 0 when every alarm notified its topic and AWS proved every rule, else 1.
    Drill(commands::drill::DrillArgs),
    /// Backtest the controls on CloudTrail history: the trail's S3 archive, or local files.
    ///
    /// Evaluates each selected control's published pattern and the account's own filters for it
    /// over the events of a window (`--since 7d`, `--from DATE --to DATE`), and reports matches
    /// per day, the top event names and principals, the events the filters miss, and how many
    /// notifications the control's alarm would have sent. With FILE… it reads local files and
    /// folders (an archive synced with `aws s3 sync`) instead of S3.
    Backtest(commands::backtest_cmd::BacktestArgs),
    /// Print the effective settings (the configuration file under the flags) as TOML, or
    /// the configuration file's JSON Schema with `--schema`.
    Config(commands::config_cmd::ConfigCmd),
    /// Write a commented starter configuration file (`./trailwatch.toml`, or `--config PATH`)
    /// from the flags given. Never overwrites a file.
    Init(args::PlanArgs),
    /// Print a shell completion script: `trailwatch completions bash > /etc/bash_completion.d/trailwatch`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `trailwatch man > /usr/local/share/man/man1/trailwatch.1`.
    Man,
    /// Test and explain CloudWatch Logs filter patterns.
    #[command(subcommand)]
    Pattern(PatternCommand),
    /// List the controls of a benchmark version.
    Controls {
        /// The CIS AWS Foundations Benchmark version.
        #[arg(long, default_value = model::catalog::default_benchmark(), value_parser = config::values::benchmark)]
        benchmark: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// The values and arguments clap's message quotes.
fn given(error: &clap::Error) -> Vec<&str> {
    use clap::error::{ContextKind, ContextValue};
    [ContextKind::InvalidValue, ContextKind::InvalidArg]
        .into_iter()
        .filter_map(|kind| match error.get(kind) {
            Some(ContextValue::String(given)) => Some(given.as_str()),
            _ => None,
        })
        .collect()
}

fn main() -> ExitCode {
    allocator::return_freed_memory_soon();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line, exit 1, like every other error.
            let first = usage_error(&e.render().to_string(), &given(&e));
            let mut stderr = anstream::stderr();
            let _ = writeln!(
                stderr,
                "{} {first} (see `trailwatch --help`)",
                error_label()
            );
            return ExitCode::from(Exit::Error.code());
        }
    };
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(Exit::Error.code());
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Plan(cmd) => commands::plan_cmd::run(cmd).await,
            Command::Apply(args) => commands::apply_cmd::run(args).await,
            Command::Drill(args) => commands::drill::run(args).await,
            Command::Backtest(args) => commands::backtest_cmd::run(args).await,
            Command::Controls { benchmark, json } => commands::controls::run(&benchmark, json),
            Command::Config(cmd) => commands::config_cmd::show(cmd),
            Command::Completions { shell } => completions(shell),
            Command::Man => man(),
            Command::Init(args) => commands::config_cmd::init(args),
            Command::Pattern(command) => commands::pattern_cmd::run(command),
        }
    });
    let exit = result.unwrap_or_else(|e| {
        if is_broken_pipe(&e) {
            // The reader went away (`trailwatch controls | head -1`): stop quietly, like a
            // Unix tool.
            return Exit::Clean;
        }
        let mut stderr = anstream::stderr();
        let _ = writeln!(stderr, "{} {e:#}", error_label());
        Exit::Error
    });
    ExitCode::from(exit.code())
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "trailwatch", &mut out);
    print::text(&String::from_utf8_lossy(&out))?;
    Ok(Exit::Clean)
}

fn man() -> anyhow::Result<Exit> {
    // The package version alone, so the committed docs/trailwatch.1 does not change per commit.
    let command = <Cli as clap::CommandFactory>::command().version(env!("CARGO_PKG_VERSION"));
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.extend(subcommand_section(sub)?);
    }
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Exit::Clean)
}

/// A section of the man page for one subcommand: its synopsis, description and options (the
/// page's own sections, one level down).
fn subcommand_section(sub: &clap::Command) -> std::io::Result<Vec<u8>> {
    let name = format!("trailwatch {}", sub.get_name());
    let man = clap_mangen::Man::new(
        sub.clone()
            .bin_name(name.clone())
            .display_name(name.clone()),
    );
    let mut body = Vec::new();
    man.render_synopsis_section(&mut body)?;
    man.render_description_section(&mut body)?;
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut body)?;
    }
    if sub.has_subcommands() {
        man.render_subcommands_section(&mut body)?;
    }
    let body = String::from_utf8_lossy(&body).replace("\n.SH ", "\n.SS ");
    let body = body
        .strip_prefix(".SH ")
        .map_or(body.clone(), |rest| format!(".SS {rest}"));
    Ok(format!(".SH \"{}\"\n{body}", name.to_uppercase()).into_bytes())
}

/// True when the error is a write to a closed pipe.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(verbose: bool) {
    let default = if verbose {
        "warn,trailwatch=info,aws=info,aws_config=info,apply=info"
    } else {
        "error"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
