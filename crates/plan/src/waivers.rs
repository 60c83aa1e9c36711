//! Waivers from the configuration file: an unexpired one turns a non-compliant control into
//! `waived` (findings kept for information, no actions); an expired one leaves the control
//! judged normally and says so with a `waiver-expired` finding.

use model::desired::Waiver;
use model::{Control, Desired, Finding, FindingCode, Status};

use crate::judgement::Judgement;

/// Applies the waiver that covers the control in this account, if any; returns it when it
/// changed the verdict or expired (for the report).
pub(crate) fn apply(
    judgement: &mut Judgement,
    desired: &Desired,
    control: &Control,
    account: &str,
) -> Option<Waiver> {
    // An unexpired waiver wins over an expired one for the same control.
    let waiver = desired
        .waivers
        .iter()
        .filter(|w| w.covers(control.id, account))
        .min_by_key(|w| w.expired)?;
    if waiver.expired {
        judgement.findings.push(expired(waiver));
        return Some(waiver.clone());
    }
    if judgement.status != Status::NonCompliant {
        return None;
    }
    judgement.status = Status::Waived;
    judgement.need = None;
    Some(waiver.clone())
}

fn expired(waiver: &Waiver) -> Finding {
    let ticket = waiver
        .ticket
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    Finding::new(
        FindingCode::WaiverExpired,
        format!(
            "the waiver of this control expired on {}: {}{ticket}",
            waiver.expires, waiver.reason
        ),
    )
    .with_hint(
        "fix the control, or renew the waiver in the configuration file with a new reason and date",
    )
}
