//! `trailwatch apply`: plan (or load a saved plan), show it, confirm, and carry it out through
//! `reconcile` — the one sequence for one account or many alike — then report: one account's
//! actions and verification, or each account's state when there are several.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use apply::accounts::{AccountOutcome, AccountState};
use config::Settings;
use model::planfile::PlanFile;
use model::report::AccountResult;
use model::{Control, Report, Snapshot};
use output::exit::{self, Exit};
use output::formats::Format;
use output::views::{self, AccountsApplyView};
use reconcile::{Applied, Checked};
use time::OffsetDateTime;

use crate::account::read_and_plan;
use crate::args::{config_file, detail, settings, ApplyArgs, PlanArgs};
use crate::commands::accounts::{self, progress_bar};
use crate::emit::{emit, show_before_writing, ApplyView, RunInfo};
use crate::outputs::Outputs;
use crate::print;

/// A plan about to be carried out, with what carrying it out needs.
struct Prepared {
    /// The run's credentials.
    aws: aws::Aws,
    /// Their account.
    own: String,
    controls: Vec<Control>,
    file: PlanFile,
    /// The saved plan's file name, for `apply FILE`.
    saved_as: Option<String>,
    /// How long reading and planning took.
    wall: Duration,
    concurrency: usize,
    /// What each account's plan was made of, when just made: reading it again starts there.
    before: HashMap<String, Snapshot>,
}

/// Runs `apply`.
pub async fn run(args: ApplyArgs) -> Result<Exit> {
    let many_flags =
        !args.plan.accounts.is_empty() || args.plan.assume_role.is_some() || args.plan.organization;
    if args.plan_file.is_some() && many_flags {
        bail!("a saved plan carries its own accounts; drop --accounts, --organization and --assume-role");
    }
    let outputs = Outputs::open(&args.plan.output, args.plan.json, false)?;
    let at = OffsetDateTime::now_utc();
    let mut prepared = match &args.plan_file {
        Some(path) => {
            outputs.refuse_plan_file(Some(path))?;
            saved(path, &args).await?
        }
        None => live(&args.plan, &outputs, args.auto_approve).await?,
    };
    // Each account's snapshot is released as its apply takes it.
    let before = std::mem::take(&mut prepared.before);
    let file = &prepared.file;
    file.pinned(args.expect_digest.as_deref())?;
    let info = RunInfo {
        controls: &prepared.controls,
        region: &file.region,
        benchmark: &file.benchmark,
        at,
        config_file: config_file(&args.plan),
        detail: detail(&args.plan),
        version: env!("CARGO_PKG_VERSION"),
    };
    // A saved plan was reviewed when it was made: it is shown, not asked about again.
    let asking = prepared.saved_as.is_none() && !args.auto_approve && file.action_count() > 0;
    if file.is_many() {
        show_many(file, &info, &outputs, prepared.wall, asking)?;
    } else if prepared.saved_as.is_none() {
        show_plan(&file.results()[0], &info, &outputs, file, asking)?;
    }
    if asking {
        confirm()?;
    }
    match file.is_many() {
        true => apply_many(&prepared, before, outputs, &info).await,
        false => apply_one(&prepared, &before, outputs, &info).await,
    }
}

/// Plans the account, or the accounts, the flags and configuration name; with
/// `--auto-approve` (`unreviewed`) nobody approves the plan, so it is read as apply reads
/// before and after writing: EventBridge rules only when they decide verdicts.
async fn live(args: &PlanArgs, outputs: &Outputs, unreviewed: bool) -> Result<Prepared> {
    let settings = Settings {
        unreviewed_apply: unreviewed,
        ..settings(args)?
    };
    let concurrency = usize::from(settings.concurrency);
    if settings.is_many() {
        let read = accounts::read_all(args, &settings, true).await?;
        let file = read.plan_file(&settings);
        return Ok(Prepared {
            wall: read.started.elapsed(),
            file,
            aws: read.base,
            own: read.own,
            controls: read.controls,
            saved_as: None,
            concurrency,
            before: read.accounts.snapshots,
        });
    }
    if args.assume_role.is_some() {
        bail!(
            "--assume-role needs --accounts ID,... or --organization: the accounts to assume it in"
        );
    }
    let planned = read_and_plan(args, &settings).await?;
    if planned.report.has_errors() {
        let region = planned.aws.region();
        match outputs.stdout() {
            Format::Json => print::json(&planned.report)?,
            _ => print::text(&output::render::plan(&planned.report, region, detail(args)))?,
        }
        bail!("some controls could not be read; fix the errors above before applying");
    }
    Ok(Prepared {
        file: planned.plan_file(),
        wall: planned.wall,
        aws: planned.aws,
        before: HashMap::from([(planned.account.clone(), planned.snapshot)]),
        own: planned.account,
        controls: planned.controls,
        saved_as: None,
        concurrency,
    })
}

/// `trailwatch apply FILE`: the saved plan, refused when it is for other credentials' account
/// or cannot be applied as it stands.
async fn saved(path: &Path, apply: &ApplyArgs) -> Result<Prepared> {
    let (args, name) = (&apply.plan, path.display().to_string());
    let text = files::read_whole(path, files::PLAN_FILE)?;
    let file = PlanFile::parse(&text).map_err(|e| anyhow::anyhow!("cannot apply `{name}`: {e}"))?;
    file.pinned(apply.expect_digest.as_deref())?;
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
        let (listed, given) = (&file.region, aws.region());
        bail!("`{name}` lists trails in {listed} but --region is {given}; drop --region");
    }
    let own = aws.account_id().await?;
    let account = &file.accounts[0];
    if !file.is_many() && account.report().is_none() {
        bail!("cannot apply `{name}`: its account was not read");
    }
    if !file.is_many() && account.account_id != own {
        bail!(
            "`{name}` is a plan for account {} but the credentials are for account {own}; use that account's credentials or plan again",
            account.account_id
        );
    }
    Ok(Prepared {
        aws,
        own,
        controls,
        file,
        saved_as: Some(name),
        wall: Duration::ZERO,
        concurrency: usize::from(settings(args)?.concurrency),
        before: HashMap::new(),
    })
}

/// A saved plan is applied as it was made; says so when the configuration now differs.
fn note_if_config_differs(args: &PlanArgs, file: &PlanFile) -> Result<()> {
    let waivers = file.accounts.iter().any(|a| !a.desired.waivers.is_empty());
    if (config::find(args.config.as_deref()).is_some() || waivers)
        && settings(args)?.differs_from(&file.accounts)
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

/// One account's plan before anything is written: on stdout when that is where the human
/// text goes, else on stderr when someone is about to be asked.
fn show_plan(
    result: &AccountResult,
    info: &RunInfo,
    outputs: &Outputs,
    file: &PlanFile,
    asking: bool,
) -> Result<()> {
    let Ok(report) = &result.report else {
        bail!("the plan's account was not read");
    };
    let text = output::render::plan(report, info.region, info.detail)
        + &output::render::digest_line(&file.digest);
    show_before_writing(outputs, &text, asking)
}

/// Every account's plan and a total, shown as [`show_plan`] shows one.
fn show_many(
    file: &PlanFile,
    info: &RunInfo,
    outputs: &Outputs,
    wall: Duration,
    asking: bool,
) -> Result<()> {
    let results = file.results();
    let text = output::render::many_to_apply(&results, info.region, wall, info.detail)
        + &output::render::digest_line(&file.digest);
    show_before_writing(outputs, &text, asking)
}

/// Carries out a one-account plan and reports its actions and verification.
async fn apply_one(
    prepared: &Prepared,
    before: &HashMap<String, Snapshot>,
    outputs: Outputs,
    info: &RunInfo<'_>,
) -> Result<Exit> {
    let started = Instant::now();
    let run = aws::Run::new(&prepared.aws, &prepared.own);
    let (file, account) = (&prepared.file, &prepared.file.accounts[0]);
    let before = before.get(&account.account_id);
    let roster = reconcile::Roster::default();
    let known = (before, &roster);
    let applied = match reconcile::check(&run, info.controls, account, known).await {
        Checked::Done(done) => *done,
        Checked::Ready(ready) => {
            if prepared.saved_as.is_some() {
                show_plan(&file.results()[0], info, &outputs, file, false)?;
            }
            crate::interrupt::stop_on_signal();
            reconcile::carry_out(&run, info.controls, ready).await
        }
    };
    let saved_as = prepared.saved_as.as_deref();
    let planned = settled(saved_as, applied.outcome.state, account.report())?;
    report_one(
        &planned,
        applied,
        outputs,
        info,
        (saved_as, started.elapsed()),
    )
}

/// The plan an account's outcome is reported against, or the one line that ends the run.
fn settled(saved_as: Option<&str>, state: AccountState, plan: Option<&Report>) -> Result<Report> {
    let Some(report) = plan else {
        bail!("the plan's account was not read");
    };
    let mut report = report.clone();
    if state == AccountState::AlreadyApplied {
        let said = views::already_applied_line(saved_as);
        print::note(&said);
        report.actions.clear();
        report.notes.push(said);
    }
    Ok(report)
}

/// One account's actions, verification and documents; a stale or unreachable account, or one
/// that could not be read again, ends the run with its one line.
fn report_one(
    planned: &Report,
    applied: Applied,
    outputs: Outputs,
    info: &RunInfo<'_>,
    (saved_as, wall): (Option<&str>, Duration),
) -> Result<Exit> {
    let human = outputs.stdout() == Format::Human;
    if human && !applied.actions.is_empty() {
        let text = output::render::outcomes(&planned.actions, &applied.actions);
        print::text(&text)?;
    }
    let error = applied.outcome.error.clone().unwrap_or_default();
    match applied.outcome.state {
        AccountState::Stale => bail!("{}", views::stale_line(saved_as, &applied.changed)),
        AccountState::Unreachable | AccountState::Refused => bail!("{error}"),
        _ => {}
    }
    let (Some(after), Some(verification)) = (applied.after, applied.verification) else {
        bail!("{error}");
    };
    if human {
        let applying = !applied.actions.is_empty();
        let text = output::render::verification(&after, &verification, applying, info.detail);
        print::text(&text)?;
    }
    let after = AccountResult {
        account_id: applied.outcome.account_id.clone(),
        report: Ok(after),
        calls: applied.calls,
        wall,
    };
    let view = ApplyView {
        context: info,
        planned,
        outcomes: &applied.actions,
        after: &after,
        verification: &verification,
    };
    emit(outputs, &view, true)?;
    if applied.outcome.state == AccountState::Interrupted {
        print::note(&views::interrupted_line(&applied.actions));
        return Ok(Exit::Interrupted);
    }
    Ok(exit::apply(&verification))
}

/// Applies every account of the plan, at most `concurrency` at once, and reports each.
async fn apply_many(
    prepared: &Prepared,
    before: HashMap<String, Snapshot>,
    outputs: Outputs,
    info: &RunInfo<'_>,
) -> Result<Exit> {
    let started = Instant::now();
    crate::interrupt::stop_on_signal();
    let run = aws::Run::new(&prepared.aws, &prepared.own);
    let accounts = &prepared.file.accounts;
    let progress = progress_bar(accounts.len());
    let (controls, at_once, done) = (info.controls, prepared.concurrency, &|| progress.inc(1));
    let done = reconcile::apply_accounts(&run, controls, accounts, before, at_once, done).await;
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
    emit(outputs, &view, false)?;
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
