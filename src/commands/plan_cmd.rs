//! `trailwatch plan`: read the account (or many), show what is wrong and what `apply` would
//! change, optionally save the plan for `trailwatch apply FILE`.

use std::time::Duration;

use anyhow::{bail, Result};
use model::planfile::PlanFile;
use model::report::AccountResult;
use model::Control;
use output::exit::{self, Exit};
use time::OffsetDateTime;

use crate::account::read_and_plan;
use crate::args::{config_file, detail, settings, warn, PlanArgs, PlanCmd};
use crate::commands::{accounts, hub};
use crate::emit::{emit, PlanView, RunInfo};
use crate::outputs::Outputs;
use config::Settings;

/// The run read and planned, one account or many.
struct Planned {
    /// The run's credentials and their account.
    aws: aws::Aws,
    own: String,
    controls: Vec<Control>,
    results: Vec<AccountResult>,
    file: PlanFile,
    wall: Duration,
    many: bool,
}

/// Runs `plan`.
pub async fn run(cmd: PlanCmd) -> Result<Exit> {
    let args = &cmd.args;
    let settings = settings(args)?;
    if args.assume_role.is_some() && !settings.is_many() {
        bail!(
            "--assume-role needs --accounts ID,... or --organization: the accounts to assume it in"
        );
    }
    let specs = [&args.output[..], &cmd.emit].concat();
    let outputs = Outputs::open(&specs, args.json, settings.is_many())?;
    outputs.refuse_plan_file(cmd.out.as_deref())?;
    let at = OffsetDateTime::now_utc();
    let planned = read(args, &settings, cmd.out.is_some()).await?;
    if let Some(path) = &cmd.out {
        crate::account::write_plan_file(path, &planned.file)?;
    }
    let context = RunInfo {
        controls: &planned.controls,
        region: &planned.file.region,
        benchmark: &planned.file.benchmark,
        at,
        config_file: config_file(args),
        detail: detail(args),
        version: env!("CARGO_PKG_VERSION"),
    };
    let sent = match cmd.security_hub {
        true => {
            let run = aws::Run::new(&planned.aws, &planned.own);
            hub::send_all(&run, &settings, &context, &planned.results).await
        }
        false => Vec::new(),
    };
    let view = PlanView {
        context: &context,
        results: &planned.results,
        wall: planned.wall,
        many: planned.many,
        digest: &planned.file.digest,
    };
    emit(outputs, &view, false)?;
    view.warnings(&cmd.emit).iter().for_each(|w| warn(w));
    let imported = hub::report(&sent);
    Ok(exit::with_import(exit::plan(&planned.results), imported))
}

/// Reads and plans the run's account, or accounts (keeping what a saved plan needs).
async fn read(args: &PlanArgs, settings: &Settings, saves_plan: bool) -> Result<Planned> {
    if settings.is_many() {
        let read = accounts::read_all(args, settings, saves_plan).await?;
        return Ok(Planned {
            file: read.plan_file(settings),
            wall: read.started.elapsed(),
            aws: read.base,
            own: read.own,
            controls: read.controls,
            results: read.accounts.results,
            many: true,
        });
    }
    let planned = read_and_plan(args, settings).await?;
    Ok(Planned {
        file: planned.plan_file(),
        results: vec![planned.result()],
        wall: planned.wall,
        aws: planned.aws,
        own: planned.account,
        controls: planned.controls,
        many: false,
    })
}
