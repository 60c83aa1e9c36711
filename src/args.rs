//! The flags of `plan` and `apply`, their parsers (each bad value is one line that says what to
//! write instead), and what they select: the controls, the desired state, the connection.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use model::{Control, Desired, Endpoint, MatchMode, TopicChoice};

#[derive(Args, Clone)]
pub struct PlanArgs {
    /// Controls to check, by slug or by the benchmark version's CIS id (comma-separated;
    /// default: every control of the version).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub controls: Vec<String>,
    /// The CIS AWS Foundations Benchmark version, such as cis-1.4; an unknown one is refused
    /// with the list of valid ones.
    #[arg(long, default_value = model::catalog::default_benchmark(), value_parser = parse_benchmark)]
    pub benchmark: String,
    /// Only controls of this profile level (1: Level 1 only; 2: all).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: Option<u8>,
    /// How filters are judged: `semantic` (by what they match) or `strict` (one of the
    /// version's published patterns, up to formatting and operand order).
    #[arg(long = "match", value_enum, default_value = "semantic")]
    pub match_mode: Match,
    /// Audit these accounts (comma-separated 12-digit ids), each through `--assume-role`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", value_parser = parse_account_id)]
    pub accounts: Vec<String>,
    /// Audit every active account of the organization (listed with the Organizations API from
    /// the management or a delegated administrator account), each through `--assume-role`.
    #[arg(long, conflicts_with = "accounts")]
    pub organization: bool,
    /// The name of the role assumed in each of `--accounts` (the same name in every account).
    #[arg(long, value_name = "NAME")]
    pub assume_role: Option<String>,
    /// How many accounts are read at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Take over a filter or alarm that has the name the plan wants but was not created by
    /// trailwatch (without it, the plan picks a distinct name and leaves it alone).
    #[arg(long)]
    pub adopt: bool,
    /// The region to list trails in (default: from the AWS configuration).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The AWS profile to use.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send AWS calls to this endpoint (such as a local AWS API server).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub endpoint_url: Option<String>,
    /// The namespace of the metrics of new filters.
    #[arg(long, default_value = model::desired::DEFAULT_NAMESPACE, value_parser = parse_namespace)]
    pub namespace: String,
    /// The SNS topic to notify, by name (created in the log group's region if missing).
    #[arg(long, value_name = "NAME", conflicts_with = "topic_arn", value_parser = parse_topic_name)]
    pub topic_name: Option<String>,
    /// An existing SNS topic to notify.
    #[arg(long, value_name = "ARN", value_parser = parse_topic_arn)]
    pub topic_arn: Option<String>,
    /// Subscribe this endpoint to the topic, as PROTOCOL:ENDPOINT (repeatable), such as
    /// `email:security@example.com`.
    #[arg(long, value_name = "PROTOCOL:ENDPOINT", value_parser = parse_endpoint)]
    pub notify: Vec<Endpoint>,
    /// Print one JSON document on stdout (see docs/json.md).
    #[arg(long)]
    pub json: bool,
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
}

#[derive(Args)]
pub struct PlanCmd {
    #[command(flatten)]
    pub args: PlanArgs,
    /// Also save the plan to FILE, for `trailwatch apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Match {
    Semantic,
    Strict,
}

pub fn parse_account_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not an AWS account id (12 digits)"))
    }
}

pub fn parse_benchmark(s: &str) -> Result<String, String> {
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

/// The controls and desired state the flags select.
pub fn selection(args: &PlanArgs) -> Result<(Vec<Control>, Desired)> {
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

pub fn connect_options(args: &PlanArgs) -> aws::ConnectOptions {
    aws::ConnectOptions {
        region: args.region.clone(),
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
    }
}
