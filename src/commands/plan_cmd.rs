//! `trailwatch plan`: read the account (or many), show what is wrong and what `apply` would
//! change, optionally save the plan for `trailwatch apply FILE`.

use anyhow::{bail, Result};
use output::exit::{self, Exit};
use time::OffsetDateTime;

use crate::account::read_and_plan;
use crate::args::{config_file, detail, settings, PlanCmd};
use crate::commands::{accounts, hub};
use crate::emit::{emit, PlanView, RunInfo};
use crate::outputs::Outputs;
use config::Settings;

/// Runs `plan`.
pub async fn run(cmd: PlanCmd) -> Result<Exit> {
    let args = &cmd.args;
    let settings = settings(args)?;
    if args.assume_role.is_some() && !is_many(&settings) {
        bail!(
            "--assume-role needs --accounts ID,... or --organization: the accounts to assume it in"
        );
    }
    let outputs = Outputs::open(&args.output, args.json)?;
    outputs.refuse_plan_file(cmd.out.as_deref())?;
    let at = OffsetDateTime::now_utc();
    if is_many(&settings) {
        let options = accounts::ReadOptions {
            at,
            security_hub: cmd.security_hub,
            saves_plan: cmd.out.is_some(),
        };
        return accounts::plan(args, &settings, outputs, options, cmd.out.as_deref()).await;
    }
    let planned = read_and_plan(args, &settings).await?;
    let file = planned.plan_file();
    if let Some(path) = &cmd.out {
        crate::account::write_plan_file(path, &file)?;
    }
    let results = [planned.result()];
    let context = RunInfo {
        controls: &planned.controls,
        region: planned.aws.region(),
        benchmark: &planned.report.benchmark,
        at,
        config_file: config_file(args),
        detail: detail(args),
        version: env!("CARGO_PKG_VERSION"),
    };
    let view = PlanView {
        context: &context,
        results: &results,
        wall: planned.wall,
        many: false,
        digest: &file.digest,
    };
    emit(outputs, |format| view.document(format), false)?;
    let mut imported = true;
    if cmd.security_hub {
        let sent = hub::send(&planned.aws, &context.run(&results)).await;
        imported = hub::report(sent.as_slice());
    }
    Ok(exit::with_import(exit::plan(&results), imported))
}

/// True when the settings name several accounts.
pub fn is_many(settings: &Settings) -> bool {
    !settings.accounts.is_empty() || settings.organization
}
