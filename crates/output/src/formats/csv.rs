//! CSV (RFC 4180) for auditors: one row per account and control, with a header; a waived
//! control's row carries the waiver's reason, end date and ticket.

use serde::Serialize;

use super::run::Run;

/// One row.
#[derive(Serialize)]
struct Row<'a> {
    account_id: &'a str,
    region: &'a str,
    benchmark: &'a str,
    cis_id: &'a str,
    control: &'a str,
    title: &'a str,
    level: u8,
    status: &'a str,
    findings: String,
    actions: usize,
    waiver_reason: &'a str,
    waiver_expires: &'a str,
    waiver_ticket: &'a str,
}

/// The CSV of a run: findings are joined with "; " in one field.
pub fn document(run: &Run) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for item in run.items() {
        let waiver = item
            .result
            .waiver
            .as_ref()
            .filter(|_| item.result.status == model::Status::Waived);
        let row = Row {
            account_id: item.account,
            region: item.region(run),
            benchmark: run.benchmark,
            cis_id: &item.control.cis_id,
            control: item.control.id,
            title: item.control.title,
            level: item.control.level,
            status: item.result.status.as_str(),
            findings: item.findings_text().replace('\n', "; "),
            actions: item.actions.len(),
            waiver_reason: waiver.map_or("", |w| w.reason.as_str()),
            waiver_expires: waiver.map_or("", |w| w.expires.as_str()),
            waiver_ticket: waiver.and_then(|w| w.ticket.as_deref()).unwrap_or(""),
        };
        writer.serialize(row).expect("a row serializes to memory");
    }
    let bytes = writer.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("rows are UTF-8")
}
