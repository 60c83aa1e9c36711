//! The drill's reading of an alarm's history and of AWS's answers for EventBridge rules.

use crate::drill::*;
use crate::live::Invocations;

fn item(timestamp: i64, summary: &str, data: Option<&str>) -> HistoryItem {
    HistoryItem {
        timestamp,
        summary: summary.into(),
        data: data.map(str::to_string),
    }
}

#[test]
fn the_history_after_the_drill_decides() {
    let ok = item(
        100,
        "Successfully executed action arn:aws:sns:us-east-1:1:t",
        None,
    );
    let failed = item(
        101,
        "Failed to execute action arn:aws:sns:us-east-1:1:t",
        Some("KMS.AccessDeniedException"),
    );
    let before = item(
        10,
        "Failed to execute action arn:aws:sns:us-east-1:1:t",
        None,
    );
    assert_eq!(outcome(&[], 100), None, "nothing yet");
    assert_eq!(
        outcome(std::slice::from_ref(&before), 100),
        None,
        "an earlier failure is not the drill's"
    );
    assert!(matches!(
        outcome(&[ok.clone(), before], 100),
        Some(DrillOutcome::Notified { .. })
    ));
    assert_eq!(
        outcome(&[ok, failed], 100),
        Some(DrillOutcome::Failed {
            error: "Failed to execute action arn:aws:sns:us-east-1:1:t (KMS.AccessDeniedException)"
                .into()
        }),
        "a failure wins"
    );
}

fn probe(judged: &[(&str, bool)], invocations: Result<Option<Invocations>, String>) -> RuleProbe {
    RuleProbe {
        control: "iam-policy-changes".into(),
        rule: "arn:aws:events:us-east-1:1:rule/iam".into(),
        region: "us-east-1".into(),
        pattern: r#"{"source": ["aws.iam"]}"#.into(),
        events: judged
            .iter()
            .map(|(name, trailwatch)| ProbeEvent {
                name: name.to_string(),
                event: serde_json::json!({"source": "aws.iam"}),
                trailwatch: *trailwatch,
            })
            .collect(),
        invocations,
    }
}

#[test]
fn aws_s_answers_as_trailwatch_judged_agree() {
    let p = probe(&[("CreatePolicy", true), ("GetPolicy", false)], Ok(None));
    let drill = RuleDrill::from_answers(&p, vec![Ok(true), Ok(false)]);
    assert_eq!(
        drill.outcome,
        RuleOutcome::Agreed {
            tested: 2,
            matched: 1
        }
    );
    assert!(drill.agreed());
    assert_eq!(
        drill.invocations,
        Some(Invocations::default()),
        "no data is no invocation"
    );
    assert!(!drill.notification_sent);
}

#[test]
fn a_different_answer_is_a_disagreement_naming_the_event() {
    let calls = Invocations {
        invoked: 4,
        failed: 1,
    };
    let p = probe(
        &[("CreatePolicy", true), ("DeletePolicy", true)],
        Ok(Some(calls)),
    );
    let drill = RuleDrill::from_answers(&p, vec![Ok(true), Ok(false)]);
    assert!(!drill.agreed());
    assert_eq!(
        drill.outcome,
        RuleOutcome::Disagreed {
            tested: 2,
            matched: 1,
            disagreements: vec![Disagreement {
                event: "DeletePolicy".into(),
                aws: false,
                trailwatch: true
            }]
        }
    );
    assert_eq!(drill.invocations, Some(calls));
}

#[test]
fn a_refused_call_is_the_rule_s_outcome_and_unread_invocations_are_said() {
    let p = probe(
        &[("CreatePolicy", true), ("DeletePolicy", true)],
        Err("cloudwatch:GetMetricData failed: AccessDenied: no".into()),
    );
    let denied = "events:TestEventPattern was denied (AccessDeniedException: no)".to_string();
    let drill = RuleDrill::from_answers(&p, vec![Ok(true), Err(denied.clone())]);
    assert_eq!(drill.outcome, RuleOutcome::Refused { error: denied });
    assert!(!drill.agreed());
    assert_eq!(drill.invocations, None);
    assert!(drill.invocations_error.unwrap().contains("GetMetricData"));
}
