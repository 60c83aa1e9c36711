//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a table with a row
//! per account, the controls that need attention, and the plan's actions as a numbered list.

use std::fmt::Write;

use model::report::AccountResult;
use model::{Report, Status};

use super::run::{action_line, Item, Run};
use super::text;

/// The Markdown summary of a run.
pub fn document(run: &Run) -> String {
    let mut out = format!("## trailwatch: {}\n\n", run.standards());
    summary(&mut out, run.results);
    let items = run.items();
    attention(&mut out, &items);
    actions(&mut out, run.results);
    out
}

fn summary(out: &mut String, results: &[AccountResult]) {
    out.push_str(
        "| Account | Compliant | Non-compliant | Error | Waived | Not applicable | Actions |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for result in results {
        let _ = match &result.report {
            Ok(report) => writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                result.account_id,
                report.count(Status::Compliant),
                report.count(Status::NonCompliant),
                report.count(Status::Error),
                report.count(Status::Waived),
                report.count(Status::NotApplicable),
                report.actions.len()
            ),
            Err(why) => writeln!(
                out,
                "| {} | could not be read: {} | | | | | |",
                result.account_id,
                plain(why)
            ),
        };
    }
    out.push('\n');
}

/// Every control that is not compliant, with its findings.
fn attention(out: &mut String, items: &[Item]) {
    let open: Vec<&Item> = items
        .iter()
        .filter(|i| i.result.status != Status::Compliant)
        .collect();
    if open.is_empty() {
        out.push_str("Every selected control is compliant.\n\n");
        return;
    }
    out.push_str("### Controls that need attention\n\n");
    out.push_str("| Account | CIS | Control | Status | Findings |\n|---|---|---|---|---|\n");
    for item in open {
        let findings = match (&item.result.waiver, item.result.status) {
            (Some(w), Status::Waived) => format!("waived: {} (until {})", w.reason, w.expires),
            _ => item.findings_text(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} |",
            item.account,
            item.control.number(),
            item.control.id,
            item.result.status.as_str(),
            plain(&findings)
        );
    }
    out.push('\n');
}

fn actions(out: &mut String, results: &[AccountResult]) {
    let reports: Vec<(&str, &Report)> = model::report::read_reports(results)
        .into_iter()
        .filter(|(_, rep)| !rep.actions.is_empty())
        .collect();
    if reports.is_empty() {
        out.push_str("No changes to apply.\n");
        return;
    }
    let total: usize = reports.iter().map(|(_, r)| r.actions.len()).sum();
    let _ = writeln!(out, "### Actions ({total})\n");
    for (account, report) in reports {
        let _ = writeln!(out, "Account {account}:\n");
        for action in &report.actions {
            let _ = writeln!(
                out,
                "{} — for {}",
                plain(&action_line(action)),
                action.control_ids.join(", ")
            );
        }
        out.push('\n');
    }
    out.push_str("Run `trailwatch apply` with the same flags to make these changes.\n");
}

/// Text from AWS or a configuration file as Markdown that shows exactly it, on one line: the
/// characters that could start markup, an HTML tag or an entity, or end a table cell are
/// escaped with a backslash, line breaks become `<br>`, and other control characters show in
/// their visible form (`␛`, `␀`).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text::each_char(
        text,
        &mut out,
        |out| out.push_str("<br>"),
        |out, c| {
            if MARKUP.contains(&c) {
                out.push('\\');
            }
            out.push(c);
        },
    );
    out
}

/// The ASCII punctuation that starts or ends inline Markdown (code, emphasis, links and images,
/// strikethrough, HTML, entities, escapes) or a table cell; block markup cannot start inside a
/// line trailwatch begins.
const MARKUP: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~'];
