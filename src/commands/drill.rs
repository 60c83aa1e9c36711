//! `trailwatch drill`: proves the notification path of each compliant control for real — sets
//! its alarm to ALARM (it returns to its real state at its next evaluation; no configuration
//! changes), then waits, bounded, for the alarm's history to record its SNS action — and asks
//! EventBridge's own matcher about the rules that cover a control, sending no event.

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
    let probes = reconcile::drill_probes(&planned.report, &planned.snapshot, &planned.controls);
    if targets.is_empty() && probes.is_empty() {
        bail!("no selected control is compliant, nor covered by EventBridge rules, so there is no notification path to drill; run `trailwatch plan` and fix the controls first");
    }
    print::note(output::render::drill_plan(&targets, &probes).trim_end());
    if !args.yes && !targets.is_empty() {
        crate::commands::apply_cmd::confirm_with(
            "These alarms will notify their topics' subscribers. Trigger them?",
            "drill cancelled; no alarm was triggered",
            "--yes",
        )?;
    }
    let wait = Duration::from_secs(args.wait);
    let (results, rules) = futures::join!(
        planned.aws.drill(targets, wait),
        planned.aws.drill_rules(&probes)
    );
    if args.plan.json {
        print::json(&output::documents::DrillDocument::new(&results, &rules))?;
    } else {
        print::text(&output::render::drill_report(&results, &rules, args.wait))?;
    }
    Ok(exit::drill(&results, &rules))
}
