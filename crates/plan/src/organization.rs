//! Organization trails across the accounts of one run: a member whose qualifying trail sends to
//! a log group in another audited account takes that account's verdict for each control.

use std::collections::BTreeMap;

use model::{Finding, FindingCode, Report, Status};

/// The finding on a trail whose log group lives in another account.
pub fn trail_finding(central: &str) -> Finding {
    Finding::new(
        FindingCode::MonitoredCentrally,
        format!("its log group is in account {central}"),
    )
}

/// The account whose log group a report's qualifying trail sends to, when it is another one.
pub fn central_account(report: &Report) -> Option<String> {
    report.trails.iter().find_map(|t| {
        let group = model::arn::parse_log_group_arn(t.log_group_arn.as_deref()?).ok()?;
        t.findings
            .iter()
            .any(|f| f.code == FindingCode::MonitoredCentrally)
            .then_some(group.account_id)
    })
}

/// Gives each member's `not_applicable` control the status of the same control in the account
/// that holds its trail's log group, when that account is among `reports`. The log group is
/// judged once, where it lives (and only that account gets actions).
pub fn centralise(reports: &mut [&mut Report]) {
    let verdicts: BTreeMap<(String, String), Status> = reports
        .iter()
        .flat_map(|rep| rep.controls.iter())
        .map(|c| ((c.account_id.clone(), c.id.clone()), c.status))
        .collect();
    for report in reports.iter_mut() {
        let Some(central) = central_account(report) else {
            continue;
        };
        for control in report.controls.iter_mut() {
            if control.status != Status::NotApplicable {
                continue;
            }
            let Some(status) = verdicts.get(&(central.clone(), control.id.clone())) else {
                continue;
            };
            control.status = *status;
            control.findings = vec![Finding::new(
                FindingCode::MonitoredCentrally,
                format!(
                    "monitored centrally in account {central}, where the control is {}",
                    status.as_str()
                ),
            )];
        }
    }
}
