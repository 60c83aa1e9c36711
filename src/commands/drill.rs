//! `trailwatch drill`: proves the notification path of each compliant control for real — sets
//! its alarm to ALARM (it returns to its real state at its next evaluation; no configuration
//! changes), then waits, bounded, for the alarm's history to record its SNS action.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::Args;
use model::drill::{self, DrillOutcome, DrillResult, DrillTarget};
use output::exit::{self, Exit};

use crate::account::read_and_plan;
use crate::args::{settings, PlanArgs};
use crate::print;

/// How often the alarms' history is read while waiting.
const POLL: Duration = Duration::from_secs(2);

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
    if crate::commands::plan_cmd::is_many(&settings) {
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
    let results = trigger_and_wait(&planned.aws, targets, Duration::from_secs(args.wait)).await;
    if args.plan.json {
        print::json(&output::documents::DrillDocument::new(&results))?;
    } else {
        print::text(&output::render::drill_results(&results, args.wait))?;
    }
    Ok(exit::drill(results.iter().map(|r| &r.outcome)))
}

/// Sets every alarm to ALARM, then reads their history until each shows its action or the
/// wait is over.
async fn trigger_and_wait(
    aws: &aws::Aws,
    targets: Vec<DrillTarget>,
    wait: Duration,
) -> Vec<DrillResult> {
    // A little before the first call: the history's clock is AWS's, not this machine's.
    let since = time::OffsetDateTime::now_utc().unix_timestamp() - 5;
    let mut outcomes: Vec<Option<DrillOutcome>> = Vec::with_capacity(targets.len());
    for t in &targets {
        let reason = format!("trailwatch drill: {}", t.control);
        let set = aws.set_alarm_state(&t.region, &t.alarm, &reason).await;
        outcomes.push(set.err().map(|e| DrillOutcome::Failed {
            error: e.to_string(),
        }));
    }
    let deadline = Instant::now() + wait;
    while outcomes.iter().any(Option::is_none) && Instant::now() < deadline {
        for (t, outcome) in targets
            .iter()
            .zip(outcomes.iter_mut())
            .filter(|(_, o)| o.is_none())
        {
            *outcome = match aws.alarm_actions(&t.region, &t.alarm, since).await {
                Ok(items) => drill::outcome(&items, since),
                Err(e) => Some(DrillOutcome::Failed {
                    error: e.to_string(),
                }),
            };
        }
        if outcomes.iter().any(Option::is_none) {
            tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        }
    }
    targets
        .into_iter()
        .zip(outcomes)
        .map(|(target, outcome)| DrillResult {
            target,
            outcome: outcome.unwrap_or(DrillOutcome::Unknown),
        })
        .collect()
}
