//! `trailwatch apply`: plan (or load a saved plan), confirm, make the calls, read the account
//! again and verify it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use model::planfile::{AccountPlan, PlanFile};
use std::time::Instant;

use model::report::AccountResult;
use model::{Control, Desired, Report};
use output::exit::{self, Exit};
use output::formats::Format;
use plan::staleness::Staleness;
use time::OffsetDateTime;

use crate::account::{read_and_plan, survey};
use crate::args::{config_file, detail, settings, ApplyArgs, PlanArgs};
use crate::commands::apply_accounts;
use crate::emit::{emit, show_before_writing, ApplyView, RunInfo};
use crate::outputs::Outputs;
use crate::print;

/// Runs `apply`.
pub async fn run(args: ApplyArgs) -> Result<Exit> {
    let many_flags =
        !args.plan.accounts.is_empty() || args.plan.assume_role.is_some() || args.plan.organization;
    if args.plan_file.is_some() && many_flags {
        bail!("a saved plan carries its own accounts; drop --accounts, --organization and --assume-role");
    }
    let outputs = Outputs::open(&args.plan.output, args.plan.json)?;
    let at = OffsetDateTime::now_utc();
    if let Some(path) = &args.plan_file {
        return apply_saved(path, &args.plan, outputs, at).await;
    }
    let settings = settings(&args.plan)?;
    if crate::commands::plan::is_many(&settings) {
        let info = RunInfo {
            controls: &[],
            region: "",
            benchmark: &settings.benchmark,
            at,
            config_file: config_file(&args.plan),
            detail: detail(&args.plan),
        };
        return apply_accounts::apply_live(&args, &settings, outputs, info).await;
    } else if args.plan.assume_role.is_some() {
        bail!(
            "--assume-role needs --accounts ID,... or --organization: the accounts to assume it in"
        );
    }
    let planned = read_and_plan(&args.plan, &settings).await?;
    let region = planned.aws.region().to_string();
    let info = RunInfo {
        controls: &planned.controls,
        region: &region,
        benchmark: &planned.report.benchmark,
        at,
        config_file: config_file(&args.plan),
        detail: detail(&args.plan),
    };
    if planned.report.has_errors() {
        if outputs.stdout() == Format::Json {
            print::json(&planned.report)?;
        } else {
            print::text(&output::render::plan(&planned.report, &region, info.detail))?;
        }
        bail!("some controls could not be read; fix the errors above before applying");
    }
    show_plan(&planned.report, &info, &outputs, args.auto_approve)?;
    if !planned.report.actions.is_empty() && !args.auto_approve {
        confirm()?;
    }
    let target = Target {
        aws: &planned.aws,
        account: &planned.account,
        controls: &planned.controls,
        desired: &planned.desired,
    };
    execute(&target, &planned.report, outputs, &info).await
}

/// Shows the plan before anything is written: on stdout when that is where the human text
/// goes, else on stderr when someone is about to be asked.
fn show_plan(report: &Report, info: &RunInfo, outputs: &Outputs, auto_approve: bool) -> Result<()> {
    let text = output::render::plan(report, info.region, info.detail);
    show_before_writing(outputs, &text, !report.actions.is_empty() && !auto_approve)
}

/// `trailwatch apply FILE`: refuse a plan for another account or a changed account; otherwise
/// run exactly its actions.
async fn apply_saved(
    path: &Path,
    args: &PlanArgs,
    outputs: Outputs,
    at: OffsetDateTime,
) -> Result<Exit> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the plan file `{name}`"))?;
    let file = PlanFile::parse(&text).map_err(|e| anyhow::anyhow!("cannot apply `{name}`: {e}"))?;
    refuse_selection_flags(args)?;
    let controls = model::catalog::select(&file.benchmark, &file.control_ids, None)
        .map_err(|e| anyhow::anyhow!("cannot apply `{name}`: {e}"))?;
    note_if_config_differs(args, &file)?;
    let aws = crate::account::connect(&aws::ConnectOptions {
        region: Some(args.region.clone().unwrap_or_else(|| file.region.clone())),
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
    })
    .await?;
    if aws.region() != file.region {
        bail!(
            "`{name}` lists trails in {} but --region is {}; drop --region",
            file.region,
            aws.region()
        );
    }
    let info = RunInfo {
        controls: &controls,
        region: &file.region,
        benchmark: &file.benchmark,
        at,
        config_file: config_file(args),
        detail: detail(args),
    };
    if file.is_many() {
        let own = aws.account_id().await?;
        let targets = apply_accounts::Targets {
            base: &aws,
            own: &own,
            controls: &controls,
            concurrency: usize::from(settings(args)?.concurrency),
        };
        return apply_accounts::apply_saved(&targets, &file, outputs, &info).await;
    }
    let account = &file.accounts[0];
    let report = account
        .report()
        .ok_or_else(|| anyhow::anyhow!("cannot apply `{name}`: its account was not read"))?;
    let (staleness, mut fresh) =
        refuse_if_changed(&name.to_string(), account, &aws, &controls).await?;
    let target = Target {
        aws: &aws,
        account: &account.account_id,
        controls: &controls,
        desired: &account.desired,
    };
    if staleness == Staleness::Applied {
        let said = format!("`{name}` has already been applied: the account holds every change it lists and a fresh plan has nothing to do; nothing was written");
        print::note(&said);
        fresh.notes.push(said);
        return execute(&target, &fresh, outputs, &info).await;
    }
    // A saved plan was reviewed when it was made: it is shown, not asked about again.
    show_plan(report, &info, &outputs, true)?;
    execute(&target, report, outputs, &info).await
}

/// A saved plan is applied as it was made; says so when the configuration now differs.
fn note_if_config_differs(args: &PlanArgs, file: &PlanFile) -> Result<()> {
    let waivers = file.accounts.iter().any(|a| !a.desired.waivers.is_empty());
    if config::find(args.config.as_deref()).is_none() && !waivers {
        return Ok(());
    }
    let settings = settings(args)?;
    if file
        .accounts
        .iter()
        .any(|a| settings.desired(Some(&a.account_id)) != a.desired)
    {
        crate::args::warn("the configuration now differs from the one this plan was made with; applying the plan as it was made");
    }
    Ok(())
}

fn refuse_selection_flags(args: &PlanArgs) -> Result<()> {
    if !args.controls.is_empty()
        || args.level.is_some()
        || !args.notify.is_empty()
        || args.topic_name.is_some()
        || args.topic_arn.is_some()
        || args.adopt
    {
        bail!("a saved plan carries its own selection; drop --controls, --level, --notify, --topic-name, --topic-arn and --adopt, or plan again with them");
    }
    Ok(())
}

/// Refuses a plan for another account, or one whose account changed since it was made; says
/// whether the plan is current or was already applied.
async fn refuse_if_changed(
    name: &str,
    file: &AccountPlan,
    aws: &aws::Aws,
    controls: &[Control],
) -> Result<(Staleness, Report)> {
    let report = file.report().expect("a read account");
    let (snapshot, fresh) = survey(aws, controls, &file.desired).await?;
    if snapshot.account_id != file.account_id {
        bail!(
            "`{name}` is a plan for account {} but the credentials are for account {}; use that account's credentials or plan again",
            file.account_id,
            snapshot.account_id
        );
    }
    let staleness = plan::staleness::staleness(
        report,
        &file.fingerprints,
        &snapshot,
        &fresh,
        (controls, &file.desired),
    );
    if let Staleness::Changed(changed) = &staleness {
        bail!(
            "the account changed since `{name}` was made ({}); nothing was written; run `trailwatch plan --out {name}` again",
            changed.join(", ")
        );
    }
    Ok((staleness, fresh))
}

/// The account apply writes to, and what it must hold afterwards.
struct Target<'a> {
    aws: &'a aws::Aws,
    account: &'a str,
    controls: &'a [Control],
    desired: &'a Desired,
}

/// Runs a plan's actions, reads the account again, and reports the verified result.
async fn execute(
    target: &Target<'_>,
    report: &Report,
    outputs: Outputs,
    info: &RunInfo<'_>,
) -> Result<Exit> {
    let started = Instant::now();
    let human = outputs.stdout() == Format::Human;
    let outcomes = apply::run(target.aws, &report.actions).await;
    if human && !outcomes.is_empty() {
        print::text(&output::render::outcomes(&report.actions, &outcomes))?;
    }
    // Read the account again and judge it.
    let after = if outcomes.is_empty() {
        report.clone()
    } else {
        survey(target.aws, target.controls, target.desired).await?.1
    };
    let verification = apply::verify(&outcomes, &after);
    if human {
        let applied = !outcomes.is_empty();
        print::text(&output::render::verification(
            &after,
            &verification,
            applied,
            info.detail,
        ))?;
    }
    let after = AccountResult {
        account_id: target.account.to_string(),
        report: Ok(after),
        calls: target.aws.calls(),
        wall: started.elapsed(),
    };
    let view = ApplyView {
        context: info,
        planned: report,
        outcomes: &outcomes,
        after: &after,
        verification: &verification,
    };
    emit(outputs, |format| view.document(format), true)?;
    Ok(exit::apply(&verification))
}

/// Asks on the terminal, as Terraform does; refuses when nobody can answer.
pub fn confirm() -> Result<()> {
    confirm_with(
        "Do you want to perform these actions?",
        "apply cancelled; nothing was changed",
        "--auto-approve",
    )
}

/// Asks `question` on the terminal; only `yes` goes on. Refuses when nobody can answer,
/// naming the flag that answers instead.
pub fn confirm_with(question: &str, cancelled: &str, flag: &str) -> Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("refusing to go on without confirmation: standard input is not a terminal; review the above and pass `{flag}`");
    }
    let mut stderr = std::io::stderr();
    write!(stderr, "\n{question} Only 'yes' will be accepted: ")?;
    stderr.flush()?;
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    if answer.trim() != "yes" {
        bail!("{cancelled}");
    }
    Ok(())
}
