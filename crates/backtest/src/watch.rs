//! What a backtest evaluates per control: the published pattern, and what watches the account's
//! events for the control today — the metric filters meant for it (`plan::verdict::is_for`, the
//! planner's own rule) on the log groups its trails send to, in this account or in the account
//! that holds an organization trail's log group, and the alarm of its chain there — and the
//! account's EventBridge rules for it (`bridge.rs`). Plain values
//! in: the accounts as read and planned; reaching them is the caller's.

use model::arn::LogGroupRef;
use model::cloudwatch::ComparisonOperator;
use model::desired::AlarmDefaults;
use model::live::{Alarm, Archive, MetricFilter};
use model::{Control, Report, Snapshot};
use plan::trails::TrailCheck;

use crate::spec::{BacktestAlarm, BacktestFilter, ControlSpec, SpecError};

/// The published patterns only (`--published-only`).
pub fn published(controls: &[Control]) -> Vec<ControlSpec> {
    controls
        .iter()
        .map(|control| ControlSpec {
            control: control.clone(),
            filters: Vec::new(),
            alarm: None,
            eventbridge: None,
        })
        .collect()
}

/// An account as read and planned, owned: one that holds the log group an organization trail
/// sends to (read by the caller, through `--assume-role`).
pub struct Held {
    /// The account.
    pub account: String,
    /// What was read there.
    pub snapshot: Snapshot,
    /// Its plan, whose chains name the alarms.
    pub report: Report,
}

/// An account as read and planned, borrowed: the backtested one, or a `Held` one.
#[derive(Clone, Copy)]
pub struct AccountRead<'a> {
    /// The account.
    pub account: &'a str,
    /// What was read there.
    pub snapshot: &'a Snapshot,
    /// Its plan, whose chains name the alarms.
    pub report: &'a Report,
}

impl<'a> From<&'a Held> for AccountRead<'a> {
    fn from(held: &'a Held) -> Self {
        AccountRead {
            account: &held.account,
            snapshot: &held.snapshot,
            report: &held.report,
        }
    }
}

/// Each selected control with the filters meant for it on the log groups the account's trails
/// send to — in this account, or in `others`, the accounts that hold an organization trail's
/// log group — and the alarm of its chain there. Filters that could not be read, and log groups
/// in an account that was not read, are refused: a backtest without them would call every
/// event missed.
pub fn of_account(
    own: AccountRead,
    controls: &[Control],
    others: &[Held],
) -> Result<Vec<ControlSpec>, SpecError> {
    let groups = log_groups(own);
    let views: Vec<AccountRead> = std::iter::once(own)
        .chain(others.iter().map(AccountRead::from))
        .collect();
    controls
        .iter()
        .map(|control| {
            Ok(ControlSpec {
                control: control.clone(),
                filters: filters_for(&views, control, &groups)?,
                alarm: alarm_of(&views, control, &groups).map(|(a, acct)| alarm_spec(acct, a)),
                eventbridge: crate::bridge::rules_for(own.snapshot, control),
            })
        })
        .collect()
}

/// The log groups the account's sound trails send to (multi-region, logging, all management
/// events, delivering), in this account or another, each once.
fn log_groups(own: AccountRead) -> Vec<LogGroupRef> {
    let mut out: Vec<LogGroupRef> = Vec::new();
    for check in sound(own) {
        let group = check.log_group.expect("a sound trail has a log group");
        if !out.contains(&group) {
            out.push(group);
        }
    }
    out
}

/// The log groups the account's sound trails send to in other accounts (an organization
/// trail's, in the account that owns the trail): those accounts' filters and alarms watch this
/// account's events.
pub fn elsewhere(own: AccountRead) -> Vec<LogGroupRef> {
    let mut groups = log_groups(own);
    groups.retain(|g| !g.is_in(own.account));
    groups
}

/// The account's trails that meet the CIS requirements (`plan::trails`, as `plan` judges them),
/// whether their log group is in this account or in another.
fn sound(own: AccountRead<'_>) -> Vec<TrailCheck<'_>> {
    let account = own.account;
    let trails = own.snapshot.trails.as_deref().unwrap_or_default();
    let mut checks = plan::trails::check_trails(trails);
    checks.retain(|c| c.qualifies(account) || c.central_account(account).is_some());
    checks
}

fn filters_for(
    views: &[AccountRead],
    control: &Control,
    groups: &[LogGroupRef],
) -> Result<Vec<BacktestFilter>, SpecError> {
    let mut out = Vec::new();
    for group in groups {
        let (region, name, account) = (&group.region, &group.name, &group.account_id);
        let Some(view) = views.iter().find(|v| group.is_in(v.account)) else {
            return Err(SpecError(format!("cannot tell which filters watch log group {name} ({region}): it is in account {account}, which was not read; run backtest there")));
        };
        let Some(log_group) = view.snapshot.log_group(region, name) else {
            if view.account == views[0].account {
                continue;
            }
            return Err(SpecError(format!("cannot tell which filters watch log group {name} ({region}) of account {account}: no trail of that account sends to it, so trailwatch did not read it there; run backtest in account {account}")));
        };
        let filters = match &log_group.filters {
            Ok(filters) => filters,
            Err(e) => return Err(SpecError(format!("cannot backtest the account's filters: the metric filters of log group {name} ({region}) in account {account} could not be read ({e})"))),
        };
        let meant = filters
            .iter()
            .filter(|f| plan::verdict::is_for(control, f, &plan::verdict::judge(control, f)));
        out.extend(meant.map(|f| filter_spec(group, f)));
    }
    Ok(out)
}

fn filter_spec(group: &LogGroupRef, filter: &MetricFilter) -> BacktestFilter {
    BacktestFilter {
        account_id: group.account_id.clone(),
        log_group: group.name.clone(),
        name: filter.name.clone(),
        pattern: filter.pattern.clone(),
        metric_value: filter
            .metrics
            .first()
            .map_or_else(|| "1".to_string(), |m| m.value.clone()),
    }
}

/// The alarm of the control's chain, as read, in the first account (this one, then the others)
/// whose chain for the control runs through one of the trails' log groups.
fn alarm_of<'a>(
    views: &[AccountRead<'a>],
    control: &Control,
    groups: &[LogGroupRef],
) -> Option<(&'a Alarm, &'a str)> {
    views.iter().find_map(|view| {
        let result = view.report.controls.iter().find(|r| r.id == control.id)?;
        let chain = result.chain.as_ref()?;
        let on_a_group = groups.iter().any(|g| {
            g.is_in(view.account) && g.region == chain.region && g.name == chain.log_group
        });
        let name = chain.alarm.as_deref().filter(|_| on_a_group)?;
        let region = view.snapshot.region_state(&chain.region)?;
        let alarm = region
            .alarms
            .as_ref()
            .ok()?
            .iter()
            .find(|a| a.name == name)?;
        Some((alarm, view.account))
    })
}

/// The alarm as read; a setting it does not have is the one trailwatch would write
/// (`model::desired::AlarmDefaults`).
fn alarm_spec(account: &str, alarm: &Alarm) -> BacktestAlarm {
    let defaults = AlarmDefaults::default();
    BacktestAlarm {
        account_id: account.to_string(),
        name: alarm.name.clone(),
        period: alarm.period.unwrap_or(defaults.period),
        evaluation_periods: alarm
            .evaluation_periods
            .unwrap_or(defaults.evaluation_periods),
        datapoints_to_alarm: alarm.datapoints_to_alarm,
        threshold: alarm.threshold.unwrap_or(defaults.threshold),
        // An alarm without one (on metric math) has an unknown, empty operator.
        comparison_operator: alarm
            .comparison_operator
            .clone()
            .unwrap_or_else(|| ComparisonOperator::Unknown(String::new())),
        treat_missing_data: alarm.treat_missing_data.clone(),
        statistic: alarm.statistic.clone(),
    }
}

/// The archive of the account's first qualifying trail that has one, or a refusal saying why
/// there is none to read.
pub fn archive(own: AccountRead) -> Result<Archive, SpecError> {
    if let Err(e) = &own.snapshot.trails {
        return Err(SpecError(format!("cannot list the account's trails ({e})")));
    }
    let archived = sound(own).into_iter().find_map(|c| c.trail.archive.clone());
    match archived {
        Some(archive) => Ok(archive),
        None => Err(SpecError(format!("no qualifying trail of account {} archives to S3 (multi-region, logging, all management events); give local files to backtest instead", own.account))),
    }
}
