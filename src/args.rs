//! The flags of `plan` and `apply` (each bad value is one line that says what to write
//! instead), merged over the configuration file into the run's settings, and what they select:
//! the controls, the desired state, the connection.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use config::{Flags, Settings};
use model::{Control, Endpoint, TopicChoice};
use output::formats::OutputSpec;

#[derive(Args, Clone)]
pub struct PlanArgs {
    /// The configuration file (default: `./trailwatch.toml` when it exists; see
    /// docs/config.md). Flags override its keys.
    #[arg(long, value_name = "PATH", env = "TRAILWATCH_CONFIG")]
    pub config: Option<PathBuf>,
    /// Controls to check, by slug or by the benchmark version's CIS id (comma-separated;
    /// default: every control of the version).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub controls: Vec<String>,
    /// The CIS AWS Foundations Benchmark version, such as cis-1.4 (default: the newest); an
    /// unknown one is refused with the list of valid ones.
    #[arg(long, value_parser = config::values::benchmark)]
    pub benchmark: Option<String>,
    /// Only controls of this profile level (1: Level 1 only; 2: all).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: Option<u8>,
    /// How filters are judged: `semantic` (by what they match; the default) or `strict` (one of
    /// the version's published patterns, up to formatting and operand order).
    #[arg(long = "match", value_name = "MODE", value_parser = ["semantic", "strict"])]
    pub match_mode: Option<String>,
    /// Audit these accounts (comma-separated 12-digit ids), each through `--assume-role`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", value_parser = config::values::account_id)]
    pub accounts: Vec<String>,
    /// Audit every active account of the organization (listed with the Organizations API from
    /// the management or a delegated administrator account), each through `--assume-role`.
    #[arg(long, conflicts_with = "accounts")]
    pub organization: bool,
    /// The name of the role assumed in each of `--accounts` (the same name in every account);
    /// for `backtest`, in the account that holds the trail's log group when it is another one
    /// (an organization trail's).
    #[arg(long, value_name = "NAME")]
    pub assume_role: Option<String>,
    /// How many accounts are read at once (default: 64).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// Take over a filter or alarm that has the name the plan wants but was not created by
    /// trailwatch (without it, the plan picks a distinct name and leaves it alone).
    #[arg(long)]
    pub adopt: bool,
    /// Count a control EventBridge rules cover as compliant: `eventbridge` (CIS wants filters).
    #[arg(long, value_name = "PATH", value_parser = ["eventbridge"])]
    pub accept: Vec<String>,
    /// The region to list trails in (default: from the AWS configuration).
    #[arg(long, value_name = "REGION", value_parser = config::values::region)]
    pub region: Option<String>,
    /// The AWS profile to use (wins over keys in the environment, as in the AWS CLI).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (such as a local AWS API server), a profile's
    /// sts:AssumeRole included.
    #[arg(long, value_name = "URL", value_parser = config::values::url)]
    pub endpoint_url: Option<String>,
    /// The namespace of the metrics of new filters (default: CISBenchmark).
    #[arg(long, value_parser = config::values::namespace)]
    pub namespace: Option<String>,
    /// The SNS topic to notify, by name (created in the log group's region if missing).
    #[arg(long, value_name = "NAME", conflicts_with = "topic_arn", value_parser = config::values::topic_name)]
    pub topic_name: Option<String>,
    /// An existing SNS topic to notify.
    #[arg(long, value_name = "ARN", value_parser = config::values::topic_arn)]
    pub topic_arn: Option<String>,
    /// Subscribe this endpoint to the topic, as PROTOCOL:ENDPOINT (repeatable), such as
    /// `email:security@example.com`.
    #[arg(long, value_name = "PROTOCOL:ENDPOINT", value_parser = config::values::endpoint)]
    pub notify: Vec<Endpoint>,
    /// Print one JSON document on stdout (see docs/json.md); the same as `--output json`.
    #[arg(long)]
    pub json: bool,
    /// Write the findings as FORMAT: human, json, sarif, ocsf, asff, junit, csv, markdown or html
    /// (backtest: human, json or html); to PATH (a file written whole, then renamed into place; a device or FIFO in place), or
    /// without `=PATH` (or with `=-`) to stdout (one format at most). Repeatable: every document comes from the same read (docs/outputs.md).
    #[arg(long, value_name = "FORMAT[=PATH]")]
    pub output: Vec<OutputSpec>,
    /// Show every finding under every control (by default a finding that several controls
    /// share is shown once, naming them); for backtest, every day and every missed event kept.
    #[arg(long)]
    pub detail: bool,
}

#[derive(Args)]
pub struct ApplyArgs {
    /// A plan saved with `trailwatch plan --out FILE`.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Apply without asking for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Apply only the plan with this digest (the `plan:` line of the plan a person approved);
    /// any other plan is refused before anything is written.
    #[arg(long, value_name = "DIGEST", value_parser = config::values::digest)]
    pub expect_digest: Option<String>,
}

#[derive(Args)]
pub struct PlanCmd {
    #[command(flatten)]
    pub args: PlanArgs,
    /// Also save the plan to FILE, for `trailwatch apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the plan's actions as code: terraform, cloudformation… (docs/iac.md); for many accounts PATH is a directory (a file per account).
    #[arg(long, value_name = "FORMAT[=PATH]", value_parser = output::formats::emit_spec)]
    pub emit: Vec<OutputSpec>,
    /// Also send the findings (ASFF, compliant ones included) to AWS Security Hub, in the
    /// region trails are listed in, with each account's own credentials, so earlier failures
    /// resolve when fixed.
    #[arg(long)]
    pub security_hub: bool,
}

/// The run's settings: the flags over the configuration file (if any) over the defaults.
pub fn settings(args: &PlanArgs) -> Result<Settings> {
    let file = match config::find(args.config.as_deref()) {
        Some(path) => config::file::load(&path, args.benchmark.as_deref(), config::today())?,
        None => config::FileSettings::default(),
    };
    let settings = Settings::merge(flags(args), file);
    if settings.organization && !settings.accounts.is_empty() {
        bail!("both `--organization` and a list of accounts select the accounts; keep one (flags or the configuration file)");
    }
    Ok(settings)
}

/// The settings the flags give (`None`/empty where a flag was not given).
pub fn flags(args: &PlanArgs) -> Flags {
    Flags {
        benchmark: args.benchmark.clone(),
        controls: args.controls.clone(),
        level: args.level,
        match_mode: args
            .match_mode
            .as_deref()
            .and_then(|m| config::values::match_mode(m).ok()),
        region: args.region.clone(),
        namespace: args.namespace.clone(),
        topic: match (&args.topic_name, &args.topic_arn) {
            (Some(name), _) => Some(TopicChoice::Name(name.clone())),
            (_, Some(arn)) => Some(TopicChoice::Arn(arn.clone())),
            _ => None,
        },
        notify: args.notify.clone(),
        accounts: args.accounts.clone(),
        organization: args.organization,
        assume_role: args.assume_role.clone(),
        concurrency: args.concurrency,
        adopt: args.adopt,
        accept_eventbridge: !args.accept.is_empty(),
    }
}

/// Warns about waivers that can match nothing in this run (`accounts`: the run's, if any).
pub fn warn_idle_waivers(settings: &Settings, controls: &[Control], accounts: Option<&[String]>) {
    for warning in settings.idle_waivers(controls, accounts) {
        warn(&warning);
    }
}

/// One warning line on stderr.
pub fn warn(message: &str) {
    let label = output::render::warning_label();
    let _ = std::io::Write::write_all(
        &mut anstream::stderr(),
        format!("{label} {message}\n").as_bytes(),
    );
}

pub fn connect_options(args: &PlanArgs, settings: &Settings) -> aws::ConnectOptions {
    aws::ConnectOptions {
        region: settings.region.clone(),
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
    }
}

/// Where the configuration file the run reads is, as SARIF points at it.
pub fn config_file(args: &PlanArgs) -> Option<output::formats::ConfigFile> {
    config::find(args.config.as_deref()).map(|found| config::file::located(&found))
}

/// How much of each control the human text shows (`--detail`).
pub fn detail(args: &PlanArgs) -> output::render::Detail {
    match args.detail {
        true => output::render::Detail::Full,
        false => output::render::Detail::Summary,
    }
}
