//! The `trailwatch` command line: parses flags, wires the AWS adapter, the planner and the
//! executor together, prints results, and decides the exit code.

mod accounts;
mod pattern_cmd;
mod render;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use model::{Control, Desired, Endpoint, MatchMode, Report, TopicChoice};
use serde_json::json;

/// Audit an AWS account against the CIS monitoring controls and fix what is missing.
#[derive(Parser)]
#[command(name = "trailwatch", version, about, long_about = None)]
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
    /// Test and explain CloudWatch Logs filter patterns.
    #[command(subcommand)]
    Pattern(pattern_cmd::PatternCommand),
    /// List the controls of a benchmark version.
    Controls {
        /// The CIS AWS Foundations Benchmark version.
        #[arg(long, default_value = model::catalog::default_benchmark(), value_parser = parse_benchmark)]
        benchmark: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Clone)]
struct PlanArgs {
    /// Controls to check, by slug or by the benchmark version's CIS id (comma-separated;
    /// default: every control of the version).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    controls: Vec<String>,
    /// The CIS AWS Foundations Benchmark version, such as cis-1.4; an unknown one is refused
    /// with the list of valid ones.
    #[arg(long, default_value = model::catalog::default_benchmark(), value_parser = parse_benchmark)]
    benchmark: String,
    /// Only controls of this profile level (1: Level 1 only; 2: all).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    level: Option<u8>,
    /// How filters are judged: `semantic` (by what they match) or `strict` (one of the
    /// version's published patterns, up to formatting and operand order).
    #[arg(long = "match", value_enum, default_value = "semantic")]
    match_mode: Match,
    /// Audit these accounts (comma-separated 12-digit ids), each through `--assume-role`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", value_parser = parse_account_id)]
    accounts: Vec<String>,
    /// Audit every active account of the organization (listed with the Organizations API from
    /// the management or a delegated administrator account), each through `--assume-role`.
    #[arg(long, conflicts_with = "accounts")]
    organization: bool,
    /// The name of the role assumed in each of `--accounts` (the same name in every account).
    #[arg(long, value_name = "NAME")]
    assume_role: Option<String>,
    /// How many accounts are read at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Take over an alarm that has the name the plan wants but was not created by trailwatch
    /// (without it, the plan picks a distinct name and leaves that alarm alone).
    #[arg(long)]
    adopt: bool,
    /// The region to list trails in (default: from the AWS configuration).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The AWS profile to use.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Send AWS calls to this endpoint (such as a local AWS API server).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    endpoint_url: Option<String>,
    /// The namespace of the metrics of new filters.
    #[arg(long, default_value = model::desired::DEFAULT_NAMESPACE, value_parser = parse_namespace)]
    namespace: String,
    /// The SNS topic to notify, by name (created in the log group's region if missing).
    #[arg(long, value_name = "NAME", conflicts_with = "topic_arn", value_parser = parse_topic_name)]
    topic_name: Option<String>,
    /// An existing SNS topic to notify.
    #[arg(long, value_name = "ARN", value_parser = parse_topic_arn)]
    topic_arn: Option<String>,
    /// Subscribe this endpoint to the topic, as PROTOCOL:ENDPOINT (repeatable), such as
    /// `email:security@example.com`.
    #[arg(long, value_name = "PROTOCOL:ENDPOINT", value_parser = parse_endpoint)]
    notify: Vec<Endpoint>,
    /// Print one JSON document on stdout (see docs/json.md).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ApplyArgs {
    /// A plan saved with `trailwatch plan --out FILE`.
    #[arg(value_name = "PLAN_FILE")]
    plan_file: Option<PathBuf>,
    #[command(flatten)]
    plan: PlanArgs,
    /// Apply without asking for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    auto_approve: bool,
}

#[derive(Args)]
struct PlanCmd {
    #[command(flatten)]
    args: PlanArgs,
    /// Also save the plan to FILE, for `trailwatch apply FILE`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Match {
    Semantic,
    Strict,
}

fn parse_account_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not an AWS account id (12 digits)"))
    }
}

fn parse_benchmark(s: &str) -> Result<String, String> {
    model::catalog::parse_benchmark(s).map(str::to_string)
}

fn parse_url(s: &str) -> Result<String, String> {
    if (s.starts_with("http://") || s.starts_with("https://")) && s.len() > "https://".len() {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a URL; write it like http://127.0.0.1:5000"
        ))
    }
}

fn parse_namespace(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 255 || s.starts_with("AWS/") || s.starts_with(':') {
        Err(format!(
            "`{s}` is not a usable metric namespace; use 1 to 255 characters, not starting with `AWS/` or `:`"
        ))
    } else {
        Ok(s.to_string())
    }
}

fn parse_topic_name(s: &str) -> Result<String, String> {
    if model::arn::is_valid_topic_name(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a valid SNS topic name; use 1 to 256 letters, digits, `-` and `_`"
        ))
    }
}

fn parse_topic_arn(s: &str) -> Result<String, String> {
    model::arn::parse_topic_arn(s).map(|_| s.to_string())
}

fn parse_endpoint(s: &str) -> Result<Endpoint, String> {
    s.parse()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line, exit 1, like every other error.
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            let mut stderr = anstream::stderr();
            let _ = writeln!(
                stderr,
                "{} {first} (see `trailwatch --help`)",
                render::error_label()
            );
            return ExitCode::from(1);
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
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Plan(cmd) => plan(cmd).await,
            Command::Apply(args) => apply(args).await,
            Command::Controls { benchmark, json } => controls(&benchmark, json),
            Command::Pattern(command) => pattern_cmd::run(command),
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let mut stderr = anstream::stderr();
            let _ = writeln!(stderr, "{} {e:#}", render::error_label());
            ExitCode::from(1)
        }
    }
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

struct Planned {
    wall: std::time::Duration,
    aws: aws::Aws,
    account: String,
    controls: Vec<Control>,
    desired: Desired,
    report: Report,
    fingerprints: std::collections::BTreeMap<String, String>,
}

/// The controls and desired state the flags select.
fn selection(args: &PlanArgs) -> Result<(Vec<Control>, Desired)> {
    let controls = model::catalog::select(&args.benchmark, &args.controls, args.level)
        .map_err(anyhow::Error::msg)?;
    if controls.is_empty() {
        bail!(
            "no control of {} matches the selection; see `trailwatch controls --benchmark {}`",
            args.benchmark,
            args.benchmark
        );
    }
    let desired = Desired {
        namespace: args.namespace.clone(),
        topic: match (&args.topic_name, &args.topic_arn) {
            (Some(name), _) => TopicChoice::Name(name.clone()),
            (_, Some(arn)) => TopicChoice::Arn(arn.clone()),
            _ => TopicChoice::Auto,
        },
        notify: args.notify.clone(),
        adopt: args.adopt,
        match_mode: match args.match_mode {
            Match::Semantic => MatchMode::Semantic,
            Match::Strict => MatchMode::Strict,
        },
        ..Desired::default()
    };
    Ok((controls, desired))
}

fn connect_options(args: &PlanArgs) -> aws::ConnectOptions {
    aws::ConnectOptions {
        region: args.region.clone(),
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
    }
}

async fn read_and_plan(args: &PlanArgs) -> Result<Planned> {
    let (controls, desired) = selection(args)?;
    let started = std::time::Instant::now();
    let aws = aws::Aws::connect(&connect_options(args)).await?;
    tracing::info!(region = aws.region(), "reading the account");
    let scope = plan::read_scope(&controls, &desired);
    let (snapshot, report) = survey(&aws, &scope, &controls, &desired).await?;
    let account = snapshot.account_id.clone();
    let fingerprints =
        plan::fingerprint::fingerprints(&snapshot, &controls, &desired.namespace, &report);
    let wall = started.elapsed();
    accounts::log_calls(&account, &aws.calls(), wall);
    Ok(Planned {
        wall,
        aws,
        account,
        controls,
        desired,
        report,
        fingerprints,
    })
}

async fn plan(cmd: PlanCmd) -> Result<u8> {
    let args = cmd.args;
    if args.assume_role.is_some() && args.accounts.is_empty() && !args.organization {
        bail!(
            "--assume-role needs --accounts ID,... or --organization: the accounts to assume it in"
        );
    }
    if !args.accounts.is_empty() || args.organization {
        if cmd.out.is_some() {
            bail!("a saved plan holds one account; plan each account with --out, or drop --out");
        }
        return accounts::plan(&args).await;
    }
    let planned = read_and_plan(&args).await?;
    let report = &planned.report;
    if let Some(path) = &cmd.out {
        save_plan(path, &planned)?;
    }
    if args.json {
        let summary = accounts::summary(
            &[accounts::AccountResult {
                account_id: planned.account.clone(),
                report: Ok(report.clone()),
                calls: planned.aws.calls(),
                wall: planned.wall,
            }],
            planned.wall,
        );
        let mut doc = serde_json::to_value(report)?;
        doc["summary"] = summary;
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let mut out = anstream::stdout();
        write!(out, "{}", render::plan(report, planned.aws.region()))?;
    }
    Ok(if report.has_errors() {
        1
    } else if report.is_clean() {
        0
    } else {
        2
    })
}

fn save_plan(path: &Path, planned: &Planned) -> Result<()> {
    let file = model::planfile::PlanFile {
        format: model::planfile::PLAN_FORMAT.into(),
        version: model::planfile::PLAN_VERSION,
        trailwatch_version: env!("CARGO_PKG_VERSION").into(),
        account_id: planned.account.clone(),
        region: planned.aws.region().to_string(),
        benchmark: planned.report.benchmark.clone(),
        control_ids: planned.controls.iter().map(|c| c.id.to_string()).collect(),
        desired: planned.desired.clone(),
        fingerprints: planned.fingerprints.clone(),
        report: planned.report.clone(),
    };
    let text = serde_json::to_string_pretty(&file)?;
    std::fs::write(path, text + "\n")
        .with_context(|| format!("cannot write the plan to `{}`", path.display()))?;
    eprintln!(
        "Saved the plan to {}; apply exactly it with `trailwatch apply {}`",
        path.display(),
        path.display()
    );
    Ok(())
}

async fn apply(args: ApplyArgs) -> Result<u8> {
    if !args.plan.accounts.is_empty() || args.plan.assume_role.is_some() || args.plan.organization {
        bail!("apply works on one account at a time; run it with that account's credentials (or a profile that assumes its role), without --accounts");
    }
    if let Some(path) = &args.plan_file {
        return apply_saved(path, &args.plan).await;
    }
    let json = args.plan.json;
    let planned = read_and_plan(&args.plan).await?;
    let region = planned.aws.region().to_string();
    if planned.report.has_errors() {
        if json {
            println!("{}", serde_json::to_string_pretty(&planned.report)?);
        } else {
            write!(
                anstream::stdout(),
                "{}",
                render::plan(&planned.report, &region)
            )?;
        }
        bail!("some controls could not be read; fix the errors above before applying");
    }
    if !json {
        write!(
            anstream::stdout(),
            "{}",
            render::plan(&planned.report, &region)
        )?;
    }
    if !planned.report.actions.is_empty() && !args.auto_approve {
        confirm()?;
    }
    execute(
        &planned.aws,
        &planned.controls,
        &planned.desired,
        &planned.report,
        json,
    )
    .await
}

/// `trailwatch apply FILE`: refuse a plan for another account or a changed account; otherwise
/// run exactly its actions.
async fn apply_saved(path: &Path, args: &PlanArgs) -> Result<u8> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the plan file `{name}`"))?;
    let file = model::planfile::PlanFile::parse(&text)
        .map_err(|e| anyhow::anyhow!("cannot apply `{name}`: {e}"))?;
    if !args.controls.is_empty()
        || args.level.is_some()
        || !args.notify.is_empty()
        || args.topic_name.is_some()
        || args.topic_arn.is_some()
        || args.adopt
    {
        bail!("a saved plan carries its own selection; drop --controls, --level, --notify, --topic-name, --topic-arn and --adopt, or plan again with them");
    }
    let controls = model::catalog::select(&file.benchmark, &file.control_ids, None)
        .map_err(|e| anyhow::anyhow!("cannot apply `{name}`: {e}"))?;
    let aws = aws::Aws::connect(&aws::ConnectOptions {
        region: Some(args.region.clone().unwrap_or_else(|| file.region.clone())),
        ..connect_options(args)
    })
    .await?;
    if aws.region() != file.region {
        bail!(
            "`{name}` lists trails in {} but --region is {}; drop --region",
            file.region,
            aws.region()
        );
    }
    let scope = plan::read_scope(&controls, &file.desired);
    let (snapshot, _) = survey(&aws, &scope, &controls, &file.desired).await?;
    if snapshot.account_id != file.account_id {
        bail!(
            "`{name}` is a plan for account {} but the credentials are for account {}; use that account's credentials or plan again",
            file.account_id,
            snapshot.account_id
        );
    }
    let now = plan::fingerprint::fingerprints(
        &snapshot,
        &controls,
        &file.desired.namespace,
        &file.report,
    );
    let changed = plan::fingerprint::changed(&file.fingerprints, &now);
    if !changed.is_empty() {
        bail!(
            "the account changed since `{name}` was made ({}); nothing was written; run `trailwatch plan --out {name}` again",
            changed.join(", ")
        );
    }
    if !args.json {
        write!(
            anstream::stdout(),
            "{}",
            render::plan(&file.report, &file.region)
        )?;
    }
    execute(&aws, &controls, &file.desired, &file.report, args.json).await
}

/// Why reading and planning an account stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SurveyError {
    /// Nothing could be read (credentials, endpoint).
    #[error(transparent)]
    Read(#[from] aws::AwsError),
    /// The input makes planning impossible.
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
}

/// Reads an account and plans it; when the plan turns to a topic the read did not cover (the
/// default shared topic), reads it and plans again.
pub(crate) async fn survey(
    aws: &aws::Aws,
    scope: &model::live::ReadScope,
    controls: &[Control],
    desired: &Desired,
) -> Result<(model::Snapshot, Report), SurveyError> {
    let mut snapshot = aws.read_snapshot(scope).await?;
    match plan::plan_or_read(&snapshot, controls, desired)? {
        plan::Planned::Report(report) => Ok((snapshot, report)),
        plan::Planned::Read(wanted) => {
            aws.read_topics_into(&mut snapshot, &wanted).await;
            let report = plan::plan(&snapshot, controls, desired)?;
            Ok((snapshot, report))
        }
    }
}

/// Runs a plan's actions, reads the account again, and reports the verified result.
async fn execute(
    aws: &aws::Aws,
    controls: &[Control],
    desired: &Desired,
    report: &Report,
    json: bool,
) -> Result<u8> {
    let outcomes = apply::run(aws, &report.actions).await;
    if !json && !outcomes.is_empty() {
        write!(
            anstream::stdout(),
            "{}",
            render::outcomes(&report.actions, &outcomes)
        )?;
    }
    // Read the account again and judge it.
    let after = if outcomes.is_empty() {
        report.clone()
    } else {
        let scope = plan::read_scope(controls, desired);
        survey(aws, &scope, controls, desired).await?.1
    };
    let verification = apply::verify(&outcomes, &after);
    if json {
        let doc = json!({
            "schema_version": model::report::SCHEMA_VERSION,
            "benchmark": after.benchmark,
            "trails": after.trails,
            "controls": after.controls,
            "actions": report.actions,
            "outcomes": outcomes,
            "verification": verification,
            "notes": report.notes,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        write!(
            anstream::stdout(),
            "{}",
            render::verification(&after, &verification, !outcomes.is_empty())
        )?;
    }
    Ok(if verification.ok { 0 } else { 1 })
}

/// Asks on the terminal, as Terraform does; refuses when nobody can answer.
fn confirm() -> Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("refusing to apply without confirmation: standard input is not a terminal; review the plan and pass `--auto-approve`");
    }
    let mut stderr = std::io::stderr();
    write!(
        stderr,
        "\nDo you want to perform these actions? Only 'yes' will be accepted: "
    )?;
    stderr.flush()?;
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    if answer.trim() != "yes" {
        bail!("apply cancelled; nothing was changed");
    }
    Ok(())
}

fn controls(benchmark: &str, json: bool) -> Result<u8> {
    let controls = model::catalog::select(benchmark, &[], None).map_err(anyhow::Error::msg)?;
    if json {
        let doc = json!({
            "schema_version": model::report::SCHEMA_VERSION,
            "benchmark": benchmark,
            "controls": controls,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        write!(
            anstream::stdout(),
            "{}",
            render::catalog(benchmark, &controls)
        )?;
    }
    Ok(0)
}
