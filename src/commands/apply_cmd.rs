//! `trailwatch apply`: plan (or load a saved plan), show it, confirm, and carry it out through
//! `reconcile` — the one sequence for one account or many alike — then report: one account's
//! actions and verification, or each account's state when there are several.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use apply::accounts::{AccountOutcome, AccountState};
use futures::StreamExt;
use model::planfile::{AccountPlan, PlanFile, PlanOrUnread};
use model::report::AccountResult;
use model::{Control, Report};
use output::exit::{self, Exit};
use output::formats::Format;
use output::views::{self, AccountsApplyView};
use reconcile::{Applied, Checked};
use time::OffsetDateTime;

use crate::account::read_and_plan;
use crate::args::{config_file, detail, settings, ApplyArgs, PlanArgs};
use crate::commands::accounts::{self, progress_bar, ReadOptions};
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
        outputs.refuse_plan_file(Some(path))?;
        return apply_saved(path, &args, outputs, at).await;
    }
    let settings = settings(&args.plan)?;
    let info = RunInfo {
        controls: &[],
        region: "",
        benchmark: &settings.benchmark,
        at,
        config_file: config_file(&args.plan),
        detail: detail(&args.plan),
        version: env!("CARGO_PKG_VERSION"),
    };
    if crate::commands::plan_cmd::is_many(&settings) {
        return apply_live_many(&args, &settings, outputs, info).await;
    } else if args.plan.assume_role.is_some() {
        bail!(
            "--assume-role needs --accounts ID,... or --organization: the accounts to assume it in"
        );
    }
    apply_live_one(&args, &settings, outputs, info).await
}

/// `apply` of the credentials' own account: plan, show, confirm, carry out.
async fn apply_live_one(
    args: &ApplyArgs,
    settings: &config::Settings,
    outputs: Outputs,
    info: RunInfo<'_>,
) -> Result<Exit> {
    let planned = read_and_plan(&args.plan, settings).await?;
    let region = planned.aws.region().to_string();
    let info = RunInfo {
        controls: &planned.controls,
        region: &region,
        benchmark: &planned.report.benchmark,
        ..info
    };
    if planned.report.has_errors() {
        if outputs.stdout() == Format::Json {
            print::json(&planned.report)?;
        } else {
            print::text(&output::render::plan(&planned.report, &region, info.detail))?;
        }
        bail!("some controls could not be read; fix the errors above before applying");
    }
    let file = planned.plan_file();
    pinned(&file, args)?;
    show_plan(&planned.report, &info, &outputs, &file, args.auto_approve)?;
    if !planned.report.actions.is_empty() && !args.auto_approve {
        confirm()?;
    }
    let one = One {
        run: aws::Run::new(&planned.aws, &planned.account),
        file: &file,
        saved_as: None,
    };
    apply_one(&one, outputs, &info).await
}

/// Shows the plan before anything is written: on stdout when that is where the human text
/// goes, else on stderr when someone is about to be asked.
fn show_plan(
    report: &Report,
    info: &RunInfo,
    outputs: &Outputs,
    file: &PlanFile,
    auto_approve: bool,
) -> Result<()> {
    let text = output::render::plan(report, info.region, info.detail)
        + &output::render::digest_line(&file.digest);
    show_before_writing(outputs, &text, !report.actions.is_empty() && !auto_approve)
}

/// Refuses a plan other than the one `--expect-digest` names, before anything is written.
fn pinned(file: &PlanFile, args: &ApplyArgs) -> Result<()> {
    match &args.expect_digest {
        Some(expected) if *expected != file.digest() => bail!(
            "the plan's digest is {} but --expect-digest is {expected}: this is not the plan that was approved; nothing was written",
            file.digest()
        ),
        _ => Ok(()),
    }
}

/// `trailwatch apply FILE`: refuse a plan for another account or a changed account; otherwise
/// run exactly its actions.
async fn apply_saved(
    path: &Path,
    apply: &ApplyArgs,
    outputs: Outputs,
    at: OffsetDateTime,
) -> Result<Exit> {
    let args = &apply.plan;
    let name = path.display().to_string();
    let text = files::read_whole(path, files::PLAN_FILE)?;
    let file = PlanFile::parse(&text).map_err(|e| anyhow::anyhow!("cannot apply `{name}`: {e}"))?;
    pinned(&file, apply)?;
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
        version: env!("CARGO_PKG_VERSION"),
    };
    let own = aws.account_id().await?;
    if file.is_many() {
        let many = Many {
            run: aws::Run::new(&aws, &own),
            controls: &controls,
            concurrency: usize::from(settings(args)?.concurrency),
        };
        // A saved plan was reviewed when it was made: it is shown, not asked about again.
        show_many(&file, &info, &outputs, Duration::ZERO, true)?;
        return apply_many(&many, &file, outputs, &info).await;
    }
    let account = &file.accounts[0];
    if account.report().is_none() {
        bail!("cannot apply `{name}`: its account was not read");
    }
    if account.account_id != own {
        bail!(
            "`{name}` is a plan for account {} but the credentials are for account {own}; use that account's credentials or plan again",
            account.account_id
        );
    }
    let one = One {
        run: aws::Run::new(&aws, &own),
        file: &file,
        saved_as: Some(&name),
    };
    apply_one(&one, outputs, &info).await
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

/// A plan of the credentials' own account, about to be carried out.
struct One<'a> {
    /// The credentials and their account.
    run: aws::Run<'a>,
    file: &'a PlanFile,
    /// The saved plan's file name, for `apply FILE`.
    saved_as: Option<&'a str>,
}

/// Carries out a one-account plan and reports its actions and verification.
async fn apply_one(one: &One<'_>, outputs: Outputs, info: &RunInfo<'_>) -> Result<Exit> {
    let started = Instant::now();
    let (run, account) = (&one.run, &one.file.accounts[0]);
    let applied = match reconcile::check(run, info.controls, account).await {
        Checked::Done(done) => *done,
        Checked::Ready(ready) => {
            if one.saved_as.is_some() {
                show_plan(ready.report(), info, &outputs, one.file, true)?;
            }
            crate::interrupt::stop_on_signal();
            reconcile::carry_out(run, info.controls, ready).await
        }
    };
    let planned = settled(one, applied.outcome.state, account)?;
    let ending = Ending {
        saved_as: one.saved_as,
        wall: started.elapsed(),
    };
    report_one(&planned, applied, outputs, info, ending)
}

/// The plan an account's outcome is reported against, or the one line that ends the run.
fn settled(one: &One<'_>, state: AccountState, account: &AccountPlan) -> Result<Report> {
    let PlanOrUnread::Report(report) = &account.plan else {
        bail!("the plan's account was not read");
    };
    match state {
        AccountState::AlreadyApplied => {
            let said = views::already_applied_line(one.saved_as);
            print::note(&said);
            let mut report = report.clone();
            report.actions.clear();
            report.notes.push(said);
            Ok(report)
        }
        _ => Ok(report.clone()),
    }
}

/// One account's actions, verification and documents; a stale or unreachable account, or one
/// that could not be read again, ends the run with its one line.
fn report_one(
    planned: &Report,
    applied: Applied,
    outputs: Outputs,
    info: &RunInfo<'_>,
    ending: Ending,
) -> Result<Exit> {
    let human = outputs.stdout() == Format::Human;
    if human && !applied.actions.is_empty() {
        print::text(&output::render::outcomes(
            &planned.actions,
            &applied.actions,
        ))?;
    }
    let error = applied.outcome.error.clone().unwrap_or_default();
    match applied.outcome.state {
        AccountState::Stale => bail!("{}", views::stale_line(ending.saved_as, &applied.changed)),
        AccountState::Unreachable | AccountState::Refused => bail!("{error}"),
        _ => {}
    }
    let (Some(after), Some(verification)) = (applied.after, applied.verification) else {
        bail!("{error}");
    };
    if human {
        print::text(&output::render::verification(
            &after,
            &verification,
            !applied.actions.is_empty(),
            info.detail,
        ))?;
    }
    let after = AccountResult {
        account_id: applied.outcome.account_id.clone(),
        report: Ok(after),
        calls: applied.calls,
        wall: ending.wall,
    };
    let view = ApplyView {
        context: info,
        planned,
        outcomes: &applied.actions,
        after: &after,
        verification: &verification,
    };
    emit(outputs, |format| view.document(format), true)?;
    if applied.outcome.state == AccountState::Interrupted {
        crate::interrupt::report(applied.outcome.actions_done, &applied.actions);
        return Ok(Exit::Interrupted);
    }
    Ok(exit::apply(&verification))
}

/// How a one-account apply ends: the saved plan's name, and how long it took.
struct Ending<'a> {
    saved_as: Option<&'a str>,
    wall: Duration,
}

/// What every account of a many-account apply shares.
struct Many<'a> {
    /// The credentials and their account.
    run: aws::Run<'a>,
    controls: &'a [Control],
    concurrency: usize,
}

/// `apply --accounts|--organization`: read and plan every account, show the plan, ask once,
/// apply.
async fn apply_live_many(
    args: &ApplyArgs,
    settings: &config::Settings,
    outputs: Outputs,
    info: RunInfo<'_>,
) -> Result<Exit> {
    let options = ReadOptions {
        at: info.at,
        security_hub: false,
        saves_plan: true,
    };
    let read = accounts::read_all(&args.plan, settings, &options).await?;
    let file = read.plan_file(settings);
    pinned(&file, args)?;
    let info = RunInfo {
        controls: &read.controls,
        region: read.base.region(),
        ..info
    };
    let wall = read.started.elapsed();
    show_many(&file, &info, &outputs, wall, args.auto_approve)?;
    if file.action_count() > 0 && !args.auto_approve {
        confirm()?;
    }
    let many = Many {
        run: aws::Run::new(&read.base, &read.own),
        controls: &read.controls,
        concurrency: usize::from(settings.concurrency),
    };
    apply_many(&many, &file, outputs, &info).await
}

/// The plan of every account and a total, on stdout when that is where the human text goes,
/// else on stderr when someone is about to be asked.
fn show_many(
    file: &PlanFile,
    info: &RunInfo,
    outputs: &Outputs,
    wall: Duration,
    auto_approve: bool,
) -> Result<()> {
    let results = file.results();
    let text = output::render::many_to_apply(&results, info.region, wall, info.detail)
        + &output::render::digest_line(&file.digest);
    show_before_writing(outputs, &text, !auto_approve && file.action_count() > 0)
}

/// Applies every account of the plan, at most `concurrency` at once, and reports each.
async fn apply_many(
    many: &Many<'_>,
    file: &PlanFile,
    outputs: Outputs,
    info: &RunInfo<'_>,
) -> Result<Exit> {
    let started = Instant::now();
    crate::interrupt::stop_on_signal();
    let run = &many.run;
    let progress = progress_bar(file.accounts.len());
    let done: Vec<(AccountOutcome, Option<AccountResult>)> =
        futures::stream::iter(file.accounts.iter())
            .map(|account| {
                let progress = &progress;
                async move {
                    let started = Instant::now();
                    let applied = reconcile::apply_account(run, many.controls, account).await;
                    progress.inc(1);
                    let after = applied.after.map(|report| AccountResult {
                        account_id: account.account_id.clone(),
                        report: Ok(report),
                        calls: applied.calls,
                        wall: started.elapsed(),
                    });
                    (applied.outcome, after)
                }
            })
            .buffered(many.concurrency)
            .collect()
            .await;
    progress.finish_and_clear();
    let (outcomes, after): (Vec<AccountOutcome>, Vec<Option<AccountResult>>) =
        done.into_iter().unzip();
    let after: Vec<AccountResult> = after.into_iter().flatten().collect();
    let view = AccountsApplyView {
        context: info,
        outcomes: &outcomes,
        after: &after,
        wall: started.elapsed(),
    };
    emit(outputs, |format| view.document(format), false)?;
    let exit = exit::apply_accounts(&outcomes);
    if exit == Exit::Interrupted {
        print::note("Interrupted: the accounts marked `interrupted` were cut short or not started; run apply again to finish (it converges)");
    }
    Ok(exit)
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
