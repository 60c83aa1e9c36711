//! Waivers: an unexpired one makes a non-compliant control `waived` with no actions; an expired
//! one brings the verdict back with a `waiver-expired` finding; accounts not listed are judged.

use super::*;
use model::desired::Waiver;

fn waiver(accounts: Option<Vec<String>>, expired: bool) -> Waiver {
    Waiver {
        control: "iam-policy-changes".into(),
        accounts,
        reason: "sandbox account".into(),
        expires: "2027-03-01".into(),
        ticket: Some("SEC-42".into()),
        expired,
    }
}

fn waived(w: Waiver) -> Desired {
    Desired {
        waivers: vec![w],
        ..notify()
    }
}

#[test]
fn a_waived_control_keeps_its_findings_gets_no_actions_and_the_plan_is_clean() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let r = run(&s, &waived(waiver(None, false)));
    assert_eq!(r.controls[0].status, Status::Waived);
    assert_eq!(
        codes(&r),
        ["no-matching-filter"],
        "findings kept for information"
    );
    assert!(r.actions.is_empty(), "{:?}", kinds(&r));
    assert!(r.is_clean());
    assert_eq!(
        r.controls[0].waiver.as_ref().unwrap().reason,
        "sandbox account"
    );
}

#[test]
fn an_expired_waiver_brings_the_verdict_and_actions_back_with_a_finding() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let r = run(&s, &waived(waiver(None, true)));
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    let expired = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::WaiverExpired)
        .expect("the expiry is a finding");
    assert!(expired.message.contains("2027-03-01") && expired.message.contains("sandbox account"));
    assert!(!r.actions.is_empty());
}

#[test]
fn a_waiver_for_other_accounts_does_not_apply() {
    let s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let r = run(
        &s,
        &waived(waiver(Some(vec!["999999999999".into()]), false)),
    );
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    assert!(r.controls[0].waiver.is_none());
    let r = run(&s, &waived(waiver(Some(vec![ACCOUNT.into()]), false)));
    assert_eq!(r.controls[0].status, Status::Waived);
}

#[test]
fn a_compliant_control_is_not_marked_waived() {
    let r = run(&compliant(), &waived(waiver(None, false)));
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert!(r.controls[0].waiver.is_none());
}
