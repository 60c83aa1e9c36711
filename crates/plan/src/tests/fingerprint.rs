//! Saved plans' fingerprints cover every live object that can change the plan, and nothing the
//! plan cannot depend on.

use super::*;
use crate::fingerprint::{changed, fingerprints, ABSENT};
use crate::staleness::{staleness, Staleness};

fn prints(s: &Snapshot, desired: &Desired) -> std::collections::BTreeMap<String, String> {
    let report = plan(s, &[iam()], desired).unwrap();
    fingerprints(s, &[iam()], desired, &report)
}

#[test]
fn an_alarm_on_the_metric_name_in_another_namespace_is_covered() {
    // Such an alarm's topic can become the chosen topic: changing it changes the plan.
    let s = snapshot(
        vec![trail("main")],
        vec![],
        vec![],
        vec![topic("alerts", true)],
    );
    let mut other = alarm("elsewhere", "IAMPolicyChanges", Some("alerts"));
    other.namespace = Some("Elsewhere".into());
    let mut with_other = s.clone();
    with_other.regions[0].alarms = Ok(vec![other.clone()]);
    let before = prints(&with_other, &notify());
    assert!(
        before.contains_key("alarm:us-east-1:elsewhere"),
        "{before:?}"
    );
    other.alarm_actions.clear();
    with_other.regions[0].alarms = Ok(vec![other]);
    let after = prints(&with_other, &notify());
    assert_eq!(changed(&before, &after), ["alarm:us-east-1:elsewhere"]);
}

#[test]
fn an_unrelated_alarm_is_not_covered() {
    let mut s = compliant();
    s.regions[0]
        .alarms
        .as_mut()
        .unwrap()
        .push(alarm("billing", "EstimatedCharges", None));
    let prints = prints(&s, &Desired::default());
    assert!(!prints.keys().any(|k| k.contains("billing")), "{prints:?}");
}

#[test]
fn an_alarm_the_plan_creates_is_recorded_absent_and_its_appearance_is_a_change() {
    let s = snapshot(
        vec![trail("main")],
        vec![],
        vec![],
        vec![topic("alerts", true)],
    );
    let desired = Desired {
        topic: TopicChoice::Name("alerts".into()),
        ..Desired::default()
    };
    let before = prints(&s, &desired);
    assert_eq!(
        before["alarm:us-east-1:trailwatch-iam-policy-changes"],
        ABSENT
    );
    let mut now = s.clone();
    now.regions[0].alarms = Ok(vec![alarm("trailwatch-iam-policy-changes", "Other", None)]);
    let after = prints(&now, &desired);
    assert!(changed(&before, &after)
        .contains(&"alarm:us-east-1:trailwatch-iam-policy-changes".to_string()));
}

#[test]
fn filters_trails_and_topics_are_covered() {
    let base = prints(&compliant(), &Desired::default());
    let mut s = compliant();
    s.log_groups[0].filters.as_mut().unwrap()[0].pattern = "{ $.eventName = X }".into();
    assert_eq!(
        changed(&base, &prints(&s, &Desired::default())),
        ["filters:us-east-1:trail-logs"]
    );
    let mut s = compliant();
    s.regions[0].topics = Ok(vec![topic("alerts", false)]);
    assert_eq!(
        changed(&base, &prints(&s, &Desired::default())),
        ["topics:us-east-1"]
    );
    let mut s = compliant();
    s.trails.as_mut().unwrap()[0].is_logging = Ok(false);
    assert!(changed(&base, &prints(&s, &Desired::default())).contains(&"trails".to_string()));
    assert!(changed(&base, &base).is_empty());
}

#[test]
fn a_saved_plan_is_current_then_applied_then_changed() {
    let desired = notify();
    let controls = [iam()];
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    s.regions[0].topics_read = vec![topic_arn(model::desired::DEFAULT_TOPIC_NAME)];
    let saved = plan(&s, &controls, &desired).unwrap();
    assert!(!saved.actions.is_empty());
    let prints = crate::fingerprint::fingerprints(&s, &controls, &desired, &saved);
    let judge = |s: &Snapshot| {
        let fresh = plan(s, &controls, &desired).unwrap();
        staleness(&saved, &prints, s, &fresh, (&controls, &desired))
    };
    assert_eq!(judge(&s), Staleness::Current);
    super::convergence::apply_in_memory(&mut s, &saved.actions);
    assert_eq!(judge(&s), Staleness::Applied);
    // The filter the plan wrote is rewritten by someone: changed, not applied.
    s.log_groups[0].filters.as_mut().unwrap()[0].pattern = "{ $.eventName = X }".into();
    assert!(
        matches!(judge(&s), Staleness::Changed(_)),
        "{:?}",
        judge(&s)
    );
}

#[test]
fn a_fingerprint_is_the_hex_of_the_first_16_bytes_of_the_sha256_of_the_compact_json() {
    // Saved plans hold fingerprints: their form must not change from one version to the next.
    use sha2::Digest;
    let s = compliant();
    let prints = prints(&s, &Desired::default());
    let hash = sha2::Sha256::digest(serde_json::to_vec(&s.trails).unwrap());
    let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(prints["trails"], hex);
}
