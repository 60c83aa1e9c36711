//! The accounts that hold the log groups a backtested account's trails send to, when those are
//! in another account (an organization trail's, in the account that owns the trail): each is
//! read and planned through `--assume-role` (or the configuration's `assume_role`), as
//! `plan --accounts` reaches accounts, so the backtest sees the filters and alarms that watch
//! this account's events. An account that cannot be reached is refused in one line saying
//! where to run the backtest instead.

use std::time::Instant;

use anyhow::{bail, Result};
use config::Settings;
use model::arn::LogGroupRef;

use crate::account::{log_calls, survey, Planned};
use crate::commands::accounts::role_of;

use backtest::watch::{self, AccountRead, Held};

/// Every other account holding one of the trails' log groups, read and planned.
pub async fn read(planned: &Planned, settings: &Settings) -> Result<Vec<Held>> {
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
async fn read_one(planned: &Planned, settings: &Settings, group: &LogGroupRef) -> Result<Held> {
    let account = &group.account_id;
    let name = &group.name;
    let Some(role) = role_of(settings, account) else {
        bail!(
            "the trail's log group {name} is in account {account}, where its filters and alarms are: run backtest there, or pass --assume-role ROLE (a role in account {account} that this account may assume) to read them from here"
        );
    };
    let started = Instant::now();
    let aws = planned.aws.assume(account, role).await;
    let desired = settings.desired(Some(account));
    let surveyed = survey(&aws, &planned.controls, &desired).await;
    log_calls(account, &aws.calls(), started.elapsed());
    match surveyed {
        Ok((snapshot, report)) => Ok(Held {
            account: account.clone(),
            snapshot,
            report,
        }),
        Err(e) => bail!(
            "the trail's log group {name} is in account {account}, which could not be read: {e}; or run backtest in account {account}"
        ),
    }
}
