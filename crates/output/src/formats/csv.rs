//! CSV (RFC 4180) for auditors: one row per account and control, with a header; a waived
//! control's row carries the waiver's reason, end date and ticket.
//!
//! Every text field is one line of plain text a spreadsheet shows as written (`field`).

use serde::Serialize;

use super::run::Run;
use super::text;

/// One row.
#[derive(Serialize)]
struct Row {
    account_id: String,
    region: String,
    benchmark: String,
    cis_id: Option<String>,
    control: String,
    title: String,
    level: Option<u8>,
    status: String,
    findings: String,
    actions: usize,
    waiver_reason: String,
    waiver_expires: String,
    waiver_ticket: String,
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
        let findings: Vec<String> = item.findings().iter().map(|f| one_line(f)).collect();
        let row = Row {
            account_id: field(item.account),
            region: field(item.region(run)),
            benchmark: field(run.benchmark),
            cis_id: item.control.cis_id.as_deref().map(field),
            control: field(item.control.id),
            title: field(item.control.title),
            level: item.control.level,
            status: field(item.result.status.as_str()),
            findings: field(&findings.join("; ")),
            actions: item.actions.len(),
            waiver_reason: field(waiver.map_or("", |w| w.reason.as_str())),
            waiver_expires: field(waiver.map_or("", |w| w.expires.as_str())),
            waiver_ticket: field(waiver.and_then(|w| w.ticket.as_deref()).unwrap_or("")),
        };
        writer.serialize(row).expect("a row serializes to memory");
    }
    let bytes = writer.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("rows are UTF-8")
}

/// A text field a spreadsheet shows as written: on one line (`one_line`), and starting with `'`
/// when it would otherwise start with `=`, `+`, `-` or `@`, which spreadsheets read as a
/// formula (CSV injection; OWASP's advice). The `csv` crate quotes it as RFC 4180 requires.
fn field(text: &str) -> String {
    let line = one_line(text);
    match line.starts_with(['=', '+', '-', '@']) {
        true => format!("'{line}"),
        false => line,
    }
}

/// Text on one line: line breaks become spaces, other control characters (tab included) their
/// visible form (`␉`, `␛`), so that tools that read CSV a line at a time see one row per record.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text::each_char(text, &mut out, |out| out.push(' '), |out, c| out.push(c));
    out
}
