//! Auditing many accounts at once (`plan --accounts ID,... --assume-role NAME`): each account is
//! read through `sts:AssumeRole`, several at a time, and the results are merged into one
//! document of the usual shape, with a per-account summary.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::StreamExt;
use model::{Report, Status};
use serde_json::{json, Value};

use crate::{connect_options, render, selection, PlanArgs, SurveyError};

/// What happened in one account.
pub struct AccountResult {
    /// The account.
    pub account_id: String,
    /// Its plan, or why it could not be read.
    pub report: Result<Report, String>,
    /// API calls made for it, by IAM action.
    pub calls: BTreeMap<&'static str, u64>,
    /// How long it took.
    pub wall: Duration,
}

/// Logs the calls and time spent on an account (shown with `--verbose`).
pub fn log_calls(account: &str, calls: &BTreeMap<&'static str, u64>, wall: Duration) {
    let total: u64 = calls.values().sum();
    tracing::info!(
        account,
        calls = total,
        wall_ms = wall.as_millis() as u64,
        "read and planned"
    );
    for (action, n) in calls {
        tracing::info!(account, action, n, "api calls");
    }
}

/// The `summary` object of the JSON document: per account, and in total.
pub fn summary(results: &[AccountResult], wall: Duration) -> Value {
    let mut total: BTreeMap<&str, u64> = BTreeMap::new();
    let accounts: Vec<Value> = results
        .iter()
        .map(|r| {
            for (action, n) in &r.calls {
                *total.entry(action).or_default() += n;
            }
            let mut entry = json!({
                "account_id": r.account_id,
                "wall_ms": r.wall.as_millis() as u64,
                "calls": r.calls,
            });
            match &r.report {
                Ok(report) => {
                    entry["status"] = json!("ok");
                    entry["compliant"] = json!(report.count(Status::Compliant));
                    entry["non_compliant"] = json!(report.count(Status::NonCompliant));
                    entry["not_applicable"] = json!(report.count(Status::NotApplicable));
                    entry["error"] = json!(report.count(Status::Error));
                    entry["actions"] = json!(report.actions.len());
                }
                Err(e) => {
                    entry["status"] = json!("error");
                    entry["message"] = json!(e);
                }
            }
            entry
        })
        .collect();
    json!({
        "accounts": accounts,
        "wall_ms": wall.as_millis() as u64,
        "calls": total,
    })
}

/// `plan --accounts`: read every account (at most `--concurrency` at once) and report them all.
pub async fn plan(args: &PlanArgs) -> Result<u8> {
    let Some(role) = args.assume_role.clone() else {
        anyhow::bail!(
            "--accounts and --organization need --assume-role NAME: the role trailwatch assumes in each account"
        );
    };
    let (controls, desired) = selection(args)?;
    let started = Instant::now();
    let base = aws::Aws::connect(&connect_options(args)).await?;
    let scope = plan::read_scope(&controls, &desired);
    let (own, accounts) = futures::join!(base.account_id(), async {
        if args.organization {
            base.organization_accounts().await
        } else {
            Ok(args.accounts.clone())
        }
    });
    let (own, accounts) = (own?, accounts?);
    let progress = if std::io::stderr().is_terminal() && accounts.len() > 1 {
        let bar = indicatif::ProgressBar::new(accounts.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} accounts {wide_bar} {elapsed}",
            )
            .expect("valid template"),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut results: Vec<AccountResult> = futures::stream::iter(accounts.iter().cloned())
        .map(|account| {
            let (base, role, controls, desired, progress, own, scope) =
                (&base, &role, &controls, &desired, &progress, &own, &scope);
            async move {
                let t0 = Instant::now();
                // The credentials' own account is read with them; the others through the role.
                let assumed;
                let aws = if account == *own {
                    base
                } else {
                    assumed = base.assume(&account, role).await;
                    &assumed
                };
                let report = match crate::survey(aws, scope, controls, desired).await {
                    Ok((_, report)) => Ok(report),
                    Err(SurveyError::Read(e)) if account == *own => {
                        Err(format!("account {account}: {e}"))
                    }
                    Err(SurveyError::Read(e @ aws::AwsError::AssumeRole { .. })) => {
                        Err(e.to_string())
                    }
                    Err(SurveyError::Read(e)) => Err(format!(
                        "cannot assume role `{role}` in account {account}: {e}"
                    )),
                    Err(SurveyError::Plan(e)) => Err(format!("account {account}: {e}")),
                };
                progress.inc(1);
                let wall = t0.elapsed();
                log_calls(&account, &aws.calls(), wall);
                AccountResult {
                    account_id: account,
                    report,
                    calls: aws.calls(),
                    wall,
                }
            }
        })
        .buffer_unordered(usize::from(args.concurrency))
        .collect()
        .await;
    progress.finish_and_clear();
    let order: Vec<&String> = accounts.iter().collect();
    results.sort_by_key(|r| order.iter().position(|a| **a == r.account_id));
    centralise(&mut results);
    let wall = started.elapsed();

    let reports: Vec<&Report> = results
        .iter()
        .filter_map(|r| r.report.as_ref().ok())
        .collect();
    if args.json {
        let notes: Vec<String> = results
            .iter()
            .filter_map(|r| r.report.as_ref().ok().map(|rep| (r, rep)))
            .flat_map(|(r, rep)| {
                rep.notes
                    .iter()
                    .map(move |n| format!("account {}: {n}", r.account_id))
            })
            .collect();
        let doc = json!({
            "schema_version": model::report::SCHEMA_VERSION,
            "benchmark": args.benchmark,
            "trails": reports.iter().flat_map(|r| r.trails.iter()).collect::<Vec<_>>(),
            "controls": reports.iter().flat_map(|r| r.controls.iter()).collect::<Vec<_>>(),
            "actions": reports.iter().flat_map(|r| r.actions.iter()).collect::<Vec<_>>(),
            "notes": notes,
            "summary": summary(&results, wall),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let mut out = anstream::stdout();
        for r in &results {
            if let Ok(report) = &r.report {
                write!(out, "{}", render::plan(report, base.region()))?;
                writeln!(out)?;
            }
        }
        write!(out, "{}", render::accounts(&results, wall))?;
    }
    let failed = results.iter().any(|r| r.report.is_err());
    Ok(if failed || reports.iter().any(|r| r.has_errors()) {
        1
    } else if reports.iter().all(|r| r.is_clean()) {
        0
    } else {
        2
    })
}

/// Organization trails: a member account whose qualifying trail sends to a log group in another
/// audited account takes that account's verdict for each control, instead of `not_applicable`;
/// the log group is evaluated once, where it lives (and only that account gets actions).
fn centralise(results: &mut [AccountResult]) {
    let verdicts: BTreeMap<(String, String), Status> = results
        .iter()
        .filter_map(|r| r.report.as_ref().ok())
        .flat_map(|rep| {
            rep.controls
                .iter()
                .map(|c| ((c.account_id.clone(), c.id.clone()), c.status))
        })
        .collect();
    for r in results.iter_mut() {
        let Ok(report) = &mut r.report else { continue };
        let central: Option<String> = report.trails.iter().find_map(|t| {
            let group = model::arn::parse_log_group_arn(t.log_group_arn.as_deref()?).ok()?;
            t.findings
                .iter()
                .any(|f| f.code == "monitored-centrally")
                .then_some(group.account_id)
        });
        let Some(central) = central else { continue };
        for control in report.controls.iter_mut() {
            if control.status != Status::NotApplicable {
                continue;
            }
            let Some(status) = verdicts.get(&(central.clone(), control.id.clone())) else {
                continue;
            };
            control.status = *status;
            control.findings = vec![model::Finding::new(
                "monitored-centrally",
                format!(
                    "monitored centrally in account {central}, where the control is {}",
                    status.as_str()
                ),
            )];
        }
    }
}
