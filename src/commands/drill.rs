//! `trailwatch drill`: proves the notification path of each compliant control for real — sets
//! its alarm to ALARM (it returns to its real state at its next evaluation; no configuration
//! changes), then waits, bounded, for the alarm's history to record its SNS action.

use std::time::Duration;

use anyhow::{bail, Result};
use clap::Args;
use model::drill;
use output::exit::{self, Exit};

use crate::account::read_and_plan;
use crate::args::{settings, PlanArgs};
use crate::print;

#[derive(Args)]
pub struct DrillArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// How long to wait for the alarms' history to record their actions, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=900))]
    pub wait: u64,
    /// Trigger the alarms without asking (they page people).
    #[arg(long)]
    pub yes: bool,
}

/// Runs `drill`.
pub async fn run(args: DrillArgs) -> Result<Exit> {
    let settings = settings(&args.plan)?;
    if settings.is_many() {
        bail!("drill works on one account at a time; run it with that account's credentials");
    }
    let planned = read_and_plan(&args.plan, &settings).await?;
    let targets = drill::targets(&planned.report);
    if targets.is_empty() {
        bail!("no selected control is compliant, so there is no notification path to drill; run `trailwatch plan` and fix the controls first");
    }
    print::note(output::render::drill_targets(&targets).trim_end());
    if !args.yes {
        crate::commands::apply_cmd::confirm_with(
            "These alarms will notify their topics' subscribers. Trigger them?",
            "drill cancelled; no alarm was triggered",
            "--yes",
        )?;
    }
    let results = planned
        .aws
        .drill(targets, Duration::from_secs(args.wait))
        .await;
    if args.plan.json {
        print::json(&output::documents::DrillDocument::new(&results))?;
    } else {
        print::text(&output::render::drill_results(&results, args.wait))?;
    }
    Ok(exit::drill(results.iter().map(|r| &r.outcome)))
}
