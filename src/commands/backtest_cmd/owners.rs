//! The accounts that hold the log groups a backtested account's trails send to, when those are
//! in another account (an organization trail's, in the account that owns the trail): each is
//! read and planned through `--assume-role` (or the configuration's `assume_role`), as
//! `plan --accounts` reaches accounts, so the backtest sees the filters and alarms that watch
//! this account's events. An account that cannot be reached is refused in one line saying
//! where to run the backtest instead.

use anyhow::{bail, Result};
use config::Settings;
use model::arn::LogGroupRef;

use reconcile::Target;

use crate::account::{log_calls, PlannedAccount};

use backtest::watch::{self, AccountRead, Held};

/// Every other account holding one of the trails' log groups, read and planned.
pub async fn read(planned: &PlannedAccount, settings: &Settings) -> Result<Vec<Held>> {
    let mut out: Vec<Held> = Vec::new();
    for group in watch::elsewhere(AccountRead::from(planned)) {
        if out.iter().any(|held| group.is_in(&held.account)) {
            continue;
        }
        out.push(read_one(planned, settings, &group).await?);
    }
    Ok(out)
}

/// The account of `group`, through the role the settings give for it.
async fn read_one(
    planned: &PlannedAccount,
    settings: &Settings,
    group: &LogGroupRef,
) -> Result<Held> {
    let account = &group.account_id;
    let name = &group.name;
    let Some(role) = settings.role_of(account) else {
        bail!(
            "the trail's log group {name} is in account {account}, where its filters and alarms are: run backtest there, or pass --assume-role ROLE (a role in account {account} that this account may assume) to read them from here"
        );
    };
    let target = Target {
        account: account.clone(),
        role: Some(role.to_string()),
        desired: settings.desired(Some(account)),
    };
    let run = aws::Run::new(&planned.aws, &planned.account);
    let mut read =
        reconcile::plan_accounts(&run, &[target], &planned.controls, 1, true, &|| {}).await;
    let result = read.results.remove(0);
    log_calls(account, &result.calls, result.wall);
    match (result.report, read.snapshots.remove(account)) {
        (Ok(report), Some(snapshot)) => Ok(Held {
            account: account.clone(),
            snapshot,
            report,
        }),
        (Err(e), _) => bail!(
            "the trail's log group {name} is in account {account}, which could not be read: {e}; or run backtest in account {account}"
        ),
        (Ok(_), None) => unreachable!("a read that keeps snapshots keeps this one"),
    }
}
