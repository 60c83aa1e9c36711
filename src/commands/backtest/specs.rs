//! What a backtest evaluates per control: the published pattern, and what the account has for
//! the control today — the metric filters on its qualifying trails' log groups that are meant
//! for it (`plan::verdict::is_for`) and the alarm of its chain.

use anyhow::{bail, Result};
use backtest::{AlarmSpec, ControlSpec, FilterSpec};
use model::cloudwatch::ComparisonOperator;
use model::live::{Alarm, Archive, MetricFilter};
use model::report::ControlResult;
use model::Control;
use plan::trails::TrailCheck;

use crate::account::Planned;

/// The published patterns only (`--published-only`).
pub fn published(controls: &[Control]) -> Vec<ControlSpec> {
    controls
        .iter()
        .map(|control| ControlSpec {
            control: control.clone(),
            filters: Vec::new(),
            alarm: None,
        })
        .collect()
}

/// Each selected control with the account's filters for it and its alarm. Filters that could
/// not be read are refused: a backtest without them would call every event missed.
pub fn of_account(planned: &Planned) -> Result<Vec<ControlSpec>> {
    let groups = log_groups(planned);
    planned
        .controls
        .iter()
        .map(|control| {
            let result = planned.report.controls.iter().find(|r| r.id == control.id);
            Ok(ControlSpec {
                control: control.clone(),
                filters: filters_for(planned, control, &groups)?,
                alarm: result.and_then(|r| alarm_of(planned, r)).map(alarm_spec),
            })
        })
        .collect()
}

/// The log groups (region, name) of this account that qualifying trails send to.
fn log_groups(planned: &Planned) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for check in qualifying(planned) {
        let group = check.log_group.expect("a qualifying trail has a log group");
        let key = (group.region, group.name);
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// The account's trails that meet the CIS requirements (`plan::trails`, as `plan` judges them).
fn qualifying(planned: &Planned) -> Vec<TrailCheck<'_>> {
    let trails = planned.snapshot.trails.as_deref().unwrap_or_default();
    let mut checks = plan::trails::check_trails(trails);
    checks.retain(|c| c.qualifies(&planned.account));
    checks
}

fn filters_for(
    planned: &Planned,
    control: &Control,
    groups: &[(String, String)],
) -> Result<Vec<FilterSpec>> {
    let mut out = Vec::new();
    for (region, name) in groups {
        let Some(group) = planned.snapshot.log_group(region, name) else {
            continue;
        };
        let filters = match &group.filters {
            Ok(filters) => filters,
            Err(e) => bail!("cannot backtest the account's filters: the metric filters of log group {name} ({region}) could not be read ({e})"),
        };
        let meant = filters
            .iter()
            .filter(|f| plan::verdict::is_for(control, f, &plan::verdict::judge(control, f)));
        out.extend(meant.map(|f| filter_spec(name, f)));
    }
    Ok(out)
}

fn filter_spec(log_group: &str, filter: &MetricFilter) -> FilterSpec {
    FilterSpec {
        log_group: log_group.to_string(),
        name: filter.name.clone(),
        pattern: filter.pattern.clone(),
        metric_value: filter
            .metrics
            .first()
            .map_or_else(|| "1".to_string(), |m| m.value.clone()),
    }
}

/// The alarm of the control's chain, as read.
fn alarm_of<'a>(planned: &'a Planned, result: &ControlResult) -> Option<&'a Alarm> {
    let chain = result.chain.as_ref()?;
    let name = chain.alarm.as_deref()?;
    let region = planned.snapshot.region_state(&chain.region)?;
    region.alarms.as_ref().ok()?.iter().find(|a| a.name == name)
}

fn alarm_spec(alarm: &Alarm) -> AlarmSpec {
    AlarmSpec {
        name: alarm.name.clone(),
        period: alarm.period.unwrap_or(300),
        evaluation_periods: alarm.evaluation_periods.unwrap_or(1),
        datapoints_to_alarm: alarm.datapoints_to_alarm,
        threshold: alarm.threshold.unwrap_or(1.0),
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
pub fn archive(planned: &Planned) -> Result<Archive> {
    if let Err(e) = &planned.snapshot.trails {
        bail!("cannot list the account's trails ({e})");
    }
    let archived = qualifying(planned)
        .into_iter()
        .find_map(|c| c.trail.archive.clone());
    match archived {
        Some(archive) => Ok(archive),
        None => bail!("no qualifying trail of account {} archives to S3 (multi-region, logging, all management events); give local files to backtest instead", planned.account),
    }
}
