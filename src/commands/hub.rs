//! `plan --security-hub`: each account's ASFF findings (compliant controls included, so that
//! what an earlier run found resolves) sent to Security Hub with that account's credentials,
//! in the run's region, and one line per account on stderr saying what Security Hub took and
//! which findings' workflow followed the waivers (suppressed, reopened).

use aws::securityhub::Imported;
use output::formats::{asff, Run};

/// What happened to one account's findings.
pub struct Sent {
    account: String,
    region: String,
    outcome: Result<Imported, String>,
}

/// Sends the findings of the run's only account; `None` when it was not read (there is
/// nothing to file, and its error is already the plan's).
pub async fn send(aws: &aws::Aws, run: &Run<'_>) -> Option<Sent> {
    let result = run.results.first().filter(|r| r.report.is_ok())?;
    let findings = asff::findings(run);
    let outcome = aws
        .import_findings(run.region, &findings)
        .await
        .map_err(|e| e.to_string());
    Some(Sent {
        account: result.account_id.clone(),
        region: run.region.to_string(),
        outcome,
    })
}

/// Prints a line per account; true when Security Hub took every finding of every account.
pub fn report(sent: &[Sent]) -> bool {
    let mut all = true;
    for s in sent {
        match &s.outcome {
            Ok(imported) if imported.failed.is_empty() => eprintln!(
                "Security Hub: {} finding(s) imported into account {} in {}{}",
                imported.imported,
                s.account,
                s.region,
                workflow(imported)
            ),
            Ok(imported) => {
                all = false;
                eprintln!(
                    "Security Hub: {} finding(s) imported into account {} in {}{}; {} refused",
                    imported.imported,
                    s.account,
                    s.region,
                    workflow(imported),
                    imported.failed.len()
                );
                for f in &imported.failed {
                    crate::args::error(&format!(
                        "Security Hub refused finding `{}` in account {} ({}: {})",
                        f.id, s.account, f.code, f.message
                    ));
                }
            }
            Err(e) => {
                all = false;
                crate::args::error(e);
            }
        }
    }
    all
}

/// `; N suppressed (waived), M reopened (waiver ended)`, naming only what happened.
fn workflow(imported: &Imported) -> String {
    let mut text = String::new();
    if imported.suppressed > 0 {
        text += &format!("; {} suppressed (waived)", imported.suppressed);
    }
    if imported.reopened > 0 {
        text += &format!("; {} reopened (waiver ended)", imported.reopened);
    }
    text
}
