//! `plan --security-hub`: each account's ASFF findings (compliant controls included, so that
//! what an earlier run found resolves) sent to Security Hub with that account's credentials,
//! in the run's region, and one line per account on stderr saying what Security Hub took and
//! which findings' workflow followed the waivers (suppressed, reopened).

use futures::StreamExt;
use model::asff::Sent;
use model::report::AccountResult;

use crate::emit::RunInfo;
use output::formats::{asff, Run};

/// Sends the findings of the run's only account; `None` when it was not read (there is
/// nothing to file, and its error is already the plan's).
pub async fn send(aws: &aws::Aws, run: &Run<'_>) -> Option<Sent> {
    let result = run.results.first().filter(|r| r.report.is_ok())?;
    let outcome = aws.import_findings(run.region, &asff::findings(run)).await;
    Some(Sent {
        account: result.account_id.clone(),
        region: run.region.to_string(),
        outcome: outcome.map_err(|e| e.to_string()),
    })
}

/// Prints a line per account on stderr; true when Security Hub took every finding.
pub fn report(sent: &[Sent]) -> bool {
    let (text, all) = output::render::security_hub(sent);
    let _ = std::io::Write::write_all(&mut anstream::stderr(), text.as_bytes());
    all
}

/// `--security-hub`: every read account's findings, as merged (a member monitored centrally
/// takes its organization trail's verdict), sent with its own credentials.
pub async fn send_all(
    run: &aws::Run<'_>,
    settings: &config::Settings,
    info: &RunInfo<'_>,
    results: &[AccountResult],
) -> Vec<Sent> {
    let sent: Vec<Option<Sent>> =
        futures::stream::iter(results.iter().filter(|r| r.report.is_ok()))
            .map(|result| async move {
                let role = settings.role_of(&result.account_id);
                let aws = reconcile::reach(run, &result.account_id, role).await.ok()?;
                send(&aws, &info.run(std::slice::from_ref(result))).await
            })
            .buffered(usize::from(settings.concurrency))
            .collect()
            .await;
    sent.into_iter().flatten().collect()
}
