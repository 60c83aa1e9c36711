//! The Terraform of real plans (snapshots), and over generated accounts: every action appears
//! exactly once, with the attributes `apply` would send.

use model::desired::TopicChoice;
use model::sample::*;
use model::{Action, Desired, Operation, Report, Snapshot};
use proptest::prelude::*;

use crate::{
    resources, resources_to_import, stackset, stackset_warnings, template, terraform, Arn, Kind,
    Resource, StackSetError, Stage,
};

fn notify() -> Desired {
    Desired {
        notify: vec!["email:sec@example.com".parse().unwrap()],
        ..Desired::default()
    }
}

fn planned(snapshot: &Snapshot, desired: &Desired) -> Report {
    plan::plan(snapshot, &[iam(), ct()], desired).unwrap()
}

/// An existing topic with a pending subscriber, the IAM filter missing two events (it must
/// change), and no alarms at all.
fn broken() -> Snapshot {
    let narrow = iam().pattern.replace(
        "||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)",
        "",
    );
    let mut alarm = alarm("iam", "IAMPolicyChanges", Some("alerts"));
    alarm.actions_enabled = false;
    snapshot(
        vec![trail("main")],
        vec![filter("iam", &narrow, "IAMPolicyChanges")],
        vec![alarm],
        vec![topic("alerts", false)],
    )
}

#[test]
fn a_broken_account_imports_what_it_changes_and_references_what_it_creates() {
    let desired = Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..notify()
    };
    let report = planned(&broken(), &desired);
    insta::assert_snapshot!(terraform(&report, ACCOUNT));
}

#[test]
fn a_broken_account_as_cloudformation_retains_and_lists_what_it_imports() {
    let desired = Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..notify()
    };
    let report = planned(&broken(), &desired);
    let text = template(&report, ACCOUNT, Stage::Plan).unwrap();
    let import = template(&report, ACCOUNT, Stage::Import).unwrap();
    let imports = resources_to_import(&report).unwrap();
    insta::assert_snapshot!(format!(
        "{text}\n--- import template ---\n{import}\n--- resources to import ---\n{imports}"
    ));
}

#[test]
fn a_new_topic_as_cloudformation_is_referenced() {
    let account = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let report = planned(&account, &notify());
    insta::assert_snapshot!(template(&report, ACCOUNT, Stage::Plan).unwrap());
    assert_eq!(resources_to_import(&report).unwrap(), "[]\n");
}

#[test]
fn a_new_topic_gets_its_policy_and_subscriptions_by_reference() {
    let account = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let report = planned(&account, &notify());
    insta::assert_snapshot!(terraform(&report, ACCOUNT));
}

#[test]
fn a_compliant_account_says_there_is_nothing_to_do() {
    let report = plan::plan(&compliant(), &[iam()], &notify()).unwrap();
    let text = terraform(&report, ACCOUNT);
    assert!(text.contains("# The plan has no action: nothing to create or change."));
    assert!(!text.contains("resource \""));
}

#[test]
fn what_only_a_person_can_fix_is_named() {
    let account = snapshot(vec![], vec![], vec![], vec![]);
    let report = planned(&account, &notify());
    let text = terraform(&report, ACCOUNT);
    assert!(text.contains("# Not emitted: choices only a person can make"));
    assert!(text.contains(&format!("# {}: ", iam().id)));
}

#[test]
fn text_from_the_account_stays_text_in_both_formats() {
    let mut account = broken();
    let hostile = "Ops \"${team}\" %{if x}\\ \nsecond line";
    account.regions[0].alarms.as_mut().unwrap()[0].description = Some(hostile.into());
    let desired = Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..notify()
    };
    let report = planned(&account, &desired);
    let tf = terraform(&report, ACCOUNT);
    assert!(
        tf.contains(r#"alarm_description         = "Ops \"$${team}\" %%{if x}\\ \nsecond line""#),
        "{tf}"
    );
    let cfn = template(&report, ACCOUNT, Stage::Plan).unwrap();
    assert!(
        cfn.contains(r#"AlarmDescription: "Ops \"${team}\" %{if x}\\ \nsecond line""#),
        "{cfn}"
    );
}

#[test]
fn a_stack_set_template_names_no_account_and_takes_parameters() {
    let account = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let report = planned(&account, &notify());
    let text = stackset(&report, ACCOUNT).unwrap();
    assert!(!text.contains(ACCOUNT), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_stack_set_template_marks_what_exists_in_the_account_planned() {
    let narrow = iam().pattern.replace(
        "||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)",
        "",
    );
    let account = snapshot(
        vec![trail("main")],
        vec![filter("iam", &narrow, "IAMPolicyChanges")],
        vec![],
        vec![],
    );
    let report = planned(&account, &notify());
    let text = stackset(&report, ACCOUNT).unwrap();
    assert_eq!(
        text.matches("StackSets cannot import it").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("DeletionPolicy"), "{text}");
    let warnings = stackset_warnings(&report, ACCOUNT);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(&format!(
            "filter `iam` on log group `trail-logs` exists in account {ACCOUNT}"
        )),
        "{warnings:?}"
    );
}

#[test]
fn a_stack_set_template_refuses_a_topic_of_one_account() {
    let desired = Desired {
        topic: TopicChoice::Arn(topic_arn("alerts")),
        ..notify()
    };
    let report = planned(&broken(), &desired);
    assert_eq!(
        stackset(&report, ACCOUNT),
        Err(StackSetError::ExistingTopic(topic_arn("alerts")))
    );
}

#[test]
fn strings_are_never_templates() {
    assert_eq!(
        crate::hcl::string("a\"b\\c${x}%{y}\n"),
        r#""a\"b\\c$${x}%%{y}\n""#
    );
}

/// Generated accounts: the IAM and CloudTrail controls' filters and alarms in several states,
/// a topic or none, `--notify` or not.
fn account() -> impl Strategy<Value = (Snapshot, Desired)> {
    let filter_case = 0..4u8;
    let alarm_case = 0..3u8;
    (
        prop::collection::vec((filter_case, alarm_case), 2),
        0..3u8,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(cases, topic_case, notifies, named)| {
            let mut filters = vec![];
            let mut alarms = vec![];
            for (control, (f, a)) in [iam(), ct()].iter().zip(cases) {
                let metric = control.default_metric_name;
                let narrow = control.pattern.replacen("||", "&&", 1);
                match f {
                    1 => filters.push(filter(control.id, control.pattern, metric)),
                    2 => filters.push(filter(control.id, &narrow, metric)),
                    3 => filters.push(filter(
                        &plan::resource_name(control),
                        "{ $.x = 1 }",
                        "Other",
                    )),
                    _ => {}
                }
                let mut al = alarm(control.id, metric, Some("alerts"));
                match a {
                    1 => alarms.push(al),
                    2 => {
                        al.actions_enabled = false;
                        alarms.push(al)
                    }
                    _ => {}
                }
            }
            let topics = match topic_case {
                1 => vec![topic("alerts", true)],
                2 => vec![topic("alerts", false)],
                _ => vec![],
            };
            let desired = Desired {
                notify: match notifies {
                    true => vec!["email:sec@example.com".parse().unwrap()],
                    false => vec![],
                },
                topic: match named {
                    true => TopicChoice::Name("security-alerts".into()),
                    false => TopicChoice::Auto,
                },
                ..Desired::default()
            };
            (
                snapshot(vec![trail("main")], filters, alarms, topics),
                desired,
            )
        })
}

/// The operation a resource of the code carries out, as `apply` would send it.
fn sent(r: &Resource, all: &[Resource], actions: &[Action]) -> Operation {
    let arn = |a: &Arn| match a {
        Arn::Literal(arn) => arn.clone(),
        Arn::Created(name) => created_arn(name, all, actions),
    };
    let arns = |list: &[Arn]| list.iter().map(arn).collect::<Vec<_>>();
    let action = &actions[r.action - 1];
    match (&r.kind, &action.operation) {
        (Kind::MetricFilter(f), Operation::PutMetricFilter { before, .. }) => {
            Operation::PutMetricFilter {
                before: before.clone(),
                after: f.clone(),
            }
        }
        (
            Kind::Alarm {
                spec,
                alarm_actions,
                ok_actions,
                insufficient_data_actions,
            },
            Operation::PutMetricAlarm { before, .. },
        ) => {
            let mut after = spec.clone();
            after.alarm_actions = arns(alarm_actions);
            after.ok_actions = arns(ok_actions);
            after.insufficient_data_actions = arns(insufficient_data_actions);
            Operation::PutMetricAlarm {
                before: before.clone(),
                after,
            }
        }
        (Kind::Topic { topic_name }, Operation::CreateTopic { after }) => {
            let policy = all.iter().find_map(|p| match &p.kind {
                Kind::TopicPolicy { topic, policy, .. } if *topic == r.name => Some(policy.clone()),
                _ => None,
            });
            let mut spec = after.clone();
            spec.name = topic_name.clone();
            spec.policy = policy;
            Operation::CreateTopic { after: spec }
        }
        (
            Kind::Subscription {
                topic,
                protocol,
                endpoint,
            },
            Operation::Subscribe { .. },
        ) => Operation::Subscribe {
            after: model::report::SubscriptionSpec {
                topic_arn: arn(topic),
                protocol: protocol.clone(),
                endpoint: endpoint.clone(),
            },
        },
        (kind, op) => panic!("resource {kind:?} made from action {}", op.name()),
    }
}

fn created_arn(name: &str, all: &[Resource], actions: &[Action]) -> String {
    let topic = all
        .iter()
        .find(|r| r.name == name && matches!(r.kind, Kind::Topic { .. }))
        .expect("a reference to a topic of the code");
    match &actions[topic.action - 1].operation {
        Operation::CreateTopic { after } => after.arn.clone(),
        other => panic!("topic from {}", other.name()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_action_appears_once_with_what_apply_sends((account, desired) in account()) {
        let report = plan::plan(&account, &[iam(), ct()], &desired).unwrap();
        let all = resources(&report.actions);
        let text = terraform(&report, ACCOUNT);
        for action in &report.actions {
            let main: Vec<&Resource> = all
                .iter()
                .filter(|r| r.action == action.number && !matches!(r.kind, Kind::TopicPolicy { .. }))
                .collect();
            prop_assert_eq!(main.len(), 1, "action {} has {} resources", action.number, main.len());
            prop_assert_eq!(&sent(main[0], &all, &report.actions), &action.operation);
            prop_assert_eq!(main[0].import.is_some(), action.change == model::Change::Update);
        }
        for r in &all {
            let block = format!("resource \"{}\" \"{}\" {{", crate::terraform::type_name(&r.kind), r.name);
            prop_assert_eq!(text.matches(&block).count(), 1, "{}", block);
        }
        let updates = report.actions.iter().filter(|a| a.change == model::Change::Update).count();
        prop_assert_eq!(text.matches("\nimport {").count(), updates);
        let cfn = template(&report, ACCOUNT, Stage::Plan).unwrap();
        for r in &all {
            let id = format!("\n  {}:\n", crate::cloudformation::logical_id(r));
            prop_assert_eq!(cfn.matches(&id).count(), 1, "{}", id);
        }
        prop_assert_eq!(cfn.matches("DeletionPolicy: Retain").count(), updates);
        match stackset(&report, ACCOUNT) {
            Ok(set) => {
                for r in &all {
                    let id = format!("\n  {}:\n", crate::cloudformation::logical_id(r));
                    prop_assert_eq!(set.matches(&id).count(), 1, "{}", id);
                }
                prop_assert!(!set.contains(ACCOUNT), "{}", set);
                prop_assert_eq!(set.matches("StackSets cannot import it").count(), updates);
            }
            Err(StackSetError::ExistingTopic(arn)) => {
                prop_assert!(arn.contains(ACCOUNT));
                let named = all.iter().any(|r| format!("{:?}", r.kind).contains(&format!("Literal({arn:?})")));
                prop_assert!(named, "{} is named by a resource", arn);
            }
            Err(other) => prop_assert!(false, "{}", other),
        }
    }
}
