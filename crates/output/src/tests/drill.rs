//! The drill's report and exit status: an alarm that notified, and EventBridge rules proven,
//! contradicted or not tested by AWS's matcher.

use model::drill::{Disagreement, DrillOutcome, DrillResult, DrillTarget, RuleDrill, RuleOutcome};
use model::live::Invocations;

use super::plain;
use crate::exit::{self, Exit};
use crate::render;

fn notified() -> DrillResult {
    DrillResult {
        target: DrillTarget {
            control: "iam-policy-changes".into(),
            region: "us-east-1".into(),
            alarm: "cis-iam".into(),
            topic: "arn:aws:sns:us-east-1:111122223333:alerts".into(),
        },
        outcome: DrillOutcome::Notified {
            detail: "Successfully executed action arn:aws:sns:us-east-1:111122223333:alerts".into(),
        },
    }
}

fn rule(outcome: RuleOutcome) -> RuleDrill {
    RuleDrill {
        control: "root-account-usage".into(),
        rule: "arn:aws:events:us-east-1:111122223333:rule/root".into(),
        region: "us-east-1".into(),
        outcome,
        invocations: Some(Invocations {
            invoked: 5,
            failed: 1,
        }),
        invocations_error: None,
        notification_sent: false,
    }
}

fn agreed() -> RuleDrill {
    rule(RuleOutcome::Agreed {
        tested: 3,
        matched: 3,
    })
}

fn disagreed() -> RuleDrill {
    rule(RuleOutcome::Disagreed {
        tested: 3,
        matched: 2,
        disagreements: vec![Disagreement {
            event: "ListBuckets by root".into(),
            aws: false,
            trailwatch: true,
        }],
    })
}

#[test]
fn the_drill_is_clean_only_when_alarms_notified_and_aws_agreed() {
    assert_eq!(exit::drill(&[notified()], &[agreed()]), Exit::Clean);
    assert_eq!(exit::drill(&[], &[agreed()]), Exit::Clean);
    assert_eq!(exit::drill(&[notified()], &[disagreed()]), Exit::Error);
    let refused = rule(RuleOutcome::Refused {
        error: "events:TestEventPattern was denied".into(),
    });
    assert_eq!(exit::drill(&[], &[refused]), Exit::Error);
}

#[test]
fn the_report_shows_alarms_then_rules_and_a_disagreement_loudly() {
    let text = plain(render::drill_report(
        &[notified()],
        &[agreed(), disagreed()],
        60,
    ));
    insta::assert_snapshot!(text);
    let only_rules = plain(render::drill_report(&[], &[agreed()], 60));
    assert!(
        !only_rules.contains("Drill\n"),
        "no alarm section: {only_rules}"
    );
}
