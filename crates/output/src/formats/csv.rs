//! CSV (RFC 4180) for auditors: one row per account and control, with a header.

use serde::Serialize;

use super::Run;

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
}

/// The CSV of a run: findings are joined with "; " in one field.
pub fn document(run: &Run) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for item in run.items() {
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
        };
        writer.serialize(row).expect("a row serializes to memory");
    }
    let bytes = writer.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("rows are UTF-8")
}
