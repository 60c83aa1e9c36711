//! `trailwatch config` (the effective settings, or the file's JSON Schema) and `trailwatch init`
//! (a commented starter file from the flags given).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use config::{FileSettings, Settings};
use output::exit::Exit;

use crate::args::{flags, settings, PlanArgs};
use crate::print;

/// `trailwatch config`'s own flags.
#[derive(Args)]
pub struct ConfigCmd {
    #[command(flatten)]
    pub args: PlanArgs,
    /// Print the JSON Schema of the configuration file instead (for editors).
    #[arg(long, conflicts_with = "json")]
    pub schema: bool,
}

/// Prints the effective settings (file and flags) as TOML, or JSON with `--json`.
pub fn show(cmd: ConfigCmd) -> Result<Exit> {
    if cmd.schema {
        print::json(&config::file::schema())?;
        return Ok(Exit::Clean);
    }
    let table = config::effective::to_table(&settings(&cmd.args)?);
    if cmd.args.json {
        print::json(&table)?;
    } else {
        print::text(&table.to_string())?;
    }
    Ok(Exit::Clean)
}

/// Writes a commented starter file; refuses to overwrite one, and flags that are not settings.
pub fn init(args: PlanArgs) -> Result<Exit> {
    if args.json || args.profile.is_some() || args.endpoint_url.is_some() {
        bail!("--json, --profile and --endpoint-url describe a run, not the desired state; drop them from `trailwatch init`");
    }
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(config::file::DEFAULT_FILE));
    let flags = flags(&args);
    let given = flags.given();
    let text = config::effective::starter(&Settings::merge(flags, FileSettings::default()), &given);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "`{}` exists; trailwatch init never overwrites a file (edit it, or pass --config for another path)",
                path.display()
            ),
            _ => anyhow::anyhow!("cannot create `{}`: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    eprintln!(
        "Wrote {}; `trailwatch plan` reads it from this directory",
        path.display()
    );
    Ok(Exit::Clean)
}
