//! Convergence, the property that matters for apply: plan an account, apply the plan's actions
//! to the snapshot in memory (as AWS would), plan again — nothing is left to do, and every
//! control holds or waits only for a person to confirm a subscription. Over generated accounts.

use proptest::prelude::*;

use super::*;
use model::catalog::Catches;
use model::Action;

/// What a control's log group holds.
#[derive(Debug, Clone, Copy)]
enum FilterCase {
    None,
    Exact,
    MissingOneEvent,
    NamesakeOnOtherMetric,
    Unrelated,
    /// trailwatch's own filter for the control, as an interrupted apply leaves it.
    Ours,
}

/// What watches the control's default metric.
#[derive(Debug, Clone, Copy)]
enum AlarmCase {
    None,
    Notifying,
    Disabled,
    WithoutActions,
    WrongNamespace,
    NameClash,
}

#[derive(Debug, Clone, Copy)]
enum TopicCase {
    Absent,
    Confirmed,
    Pending,
    NoSubscribers,
}

#[derive(Debug, Clone)]
struct Account {
    controls: Vec<(FilterCase, AlarmCase)>,
    topic: TopicCase,
    notify: Option<&'static str>,
    named_topic: bool,
    adopt: bool,
}

fn account() -> impl Strategy<Value = Account> {
    let filter = prop_oneof![
        Just(FilterCase::None),
        Just(FilterCase::Exact),
        Just(FilterCase::MissingOneEvent),
        Just(FilterCase::NamesakeOnOtherMetric),
        Just(FilterCase::Unrelated),
        Just(FilterCase::Ours),
    ];
    let alarm = prop_oneof![
        Just(AlarmCase::None),
        Just(AlarmCase::Notifying),
        Just(AlarmCase::Disabled),
        Just(AlarmCase::WithoutActions),
        Just(AlarmCase::WrongNamespace),
        Just(AlarmCase::NameClash),
    ];
    let topic = prop_oneof![
        Just(TopicCase::Absent),
        Just(TopicCase::Confirmed),
        Just(TopicCase::Pending),
        Just(TopicCase::NoSubscribers),
    ];
    let notify = prop_oneof![
        Just(None),
        Just(Some("email:sec@example.com")),
        Just(Some("sqs:arn:aws:sqs:us-east-1:111122223333:alerts")),
    ];
    (
        prop::collection::vec((filter, alarm), 3),
        topic,
        notify,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(controls, topic, notify, named_topic, adopt)| Account {
            controls,
            topic,
            notify,
            named_topic,
            adopt,
        })
}

/// Two controls of API calls, and root usage, whose events include some of theirs.
fn controls() -> Vec<Control> {
    vec![iam(), ct(), control("root-account-usage")]
}

/// A pattern naming every event of the control but the last.
fn missing_one_event(control: &Control) -> String {
    let Catches::Calls { events, .. } = control.catches else {
        // Root usage: the published pattern without its clause on the event type.
        return "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS }"
            .to_string();
    };
    let names: Vec<String> = events[..events.len() - 1]
        .iter()
        .map(|e| format!("($.eventName = {e})"))
        .collect();
    format!("{{ {} }}", names.join(" || "))
}

fn build(account: &Account) -> (Snapshot, Desired) {
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    for (control, (filter_case, alarm_case)) in controls().iter().zip(&account.controls) {
        let metric = control.default_metric_name;
        let own = resource_name(control);
        let f = match filter_case {
            FilterCase::None => None,
            FilterCase::Exact => Some(filter(
                &format!("{}-f", control.id),
                control.pattern,
                metric,
            )),
            FilterCase::MissingOneEvent => Some(filter(
                &format!("{}-f", control.id),
                &missing_one_event(control),
                metric,
            )),
            FilterCase::NamesakeOnOtherMetric => {
                Some(filter(&own, "{ $.eventName = Foo }", "Theirs"))
            }
            FilterCase::Unrelated => Some(filter("reads", "{ $.eventName = GetObject }", "Reads")),
            FilterCase::Ours => Some(filter(&own, control.pattern, metric)),
        };
        if let Some(f) = f {
            let filters = s.log_groups[0].filters.as_mut().unwrap();
            if !filters.iter().any(|g| g.name == f.name) {
                filters.push(f);
            }
        }
        let a = match alarm_case {
            AlarmCase::None => None,
            AlarmCase::Notifying => {
                Some(alarm(&format!("{}-a", control.id), metric, Some("alerts")))
            }
            AlarmCase::Disabled => {
                let mut a = alarm(&format!("{}-a", control.id), metric, Some("alerts"));
                a.actions_enabled = false;
                Some(a)
            }
            AlarmCase::WithoutActions => Some(alarm(&format!("{}-a", control.id), metric, None)),
            AlarmCase::WrongNamespace => {
                let mut a = alarm(&format!("{}-a", control.id), metric, Some("alerts"));
                a.namespace = Some("Elsewhere".into());
                Some(a)
            }
            AlarmCase::NameClash => Some(alarm(&own, "SomethingElse", None)),
        };
        s.regions[0].alarms.as_mut().unwrap().extend(a);
    }
    let topics = match account.topic {
        TopicCase::Absent => vec![],
        TopicCase::Confirmed => vec![topic("alerts", true)],
        TopicCase::Pending => vec![topic("alerts", false)],
        TopicCase::NoSubscribers => {
            let mut t = topic("alerts", true);
            t.subscriptions = Ok(vec![]);
            vec![t]
        }
    };
    s.regions[0].topics_read = vec![
        topic_arn("alerts"),
        topic_arn(model::desired::DEFAULT_TOPIC_NAME),
    ];
    s.regions[0].topics = Ok(topics);
    let desired = Desired {
        notify: account.notify.iter().map(|n| n.parse().unwrap()).collect(),
        topic: if account.named_topic {
            TopicChoice::Name("alerts".into())
        } else {
            TopicChoice::Auto
        },
        adopt: account.adopt,
        ..Desired::default()
    };
    (s, desired)
}

/// Applies the actions to the snapshot as AWS would (`model::sample::write`).
pub(super) fn apply_in_memory(s: &mut Snapshot, actions: &[Action]) {
    for action in actions {
        model::sample::write(s, action);
    }
}

/// The log groups, alarms and topics that differ between `before` and `after` but that
/// `written` does not name.
fn changed_but_not_written(before: &Snapshot, after: &Snapshot, written: &Written) -> Vec<String> {
    let named = |region: &str| written.regions.get(region).cloned().unwrap_or_default();
    let mut unread = Vec::new();
    for group in &after.log_groups {
        let old = before
            .log_groups
            .iter()
            .find(|g| g.region == group.region && g.name == group.name);
        if old.map(|g| &g.filters) != Some(&group.filters)
            && !named(&group.region).log_groups.contains(&group.name)
        {
            unread.push(format!("log group {}", group.name));
        }
    }
    for state in &after.regions {
        let old = before.regions.iter().find(|r| r.region == state.region);
        let objects = named(&state.region);
        let (old_alarms, old_topics) = match old {
            Some(r) => (
                r.alarms.clone().unwrap_or_default(),
                r.topics.clone().unwrap_or_default(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        for alarm in state.alarms.iter().flatten() {
            if !old_alarms.contains(alarm) && !objects.alarms.contains(&alarm.name) {
                unread.push(format!("alarm {}", alarm.name));
            }
        }
        for topic in state.topics.iter().flatten() {
            if !old_topics.contains(topic) && !objects.topics.contains(&topic.arn) {
                unread.push(format!("topic {}", topic.arn));
            }
        }
    }
    unread
}

/// Findings that only a person can clear: confirming a subscription, or giving an endpoint.
fn waits_for_a_person(finding: &Finding) -> bool {
    matches!(
        finding.code,
        FindingCode::SubscriptionPending
            | FindingCode::TopicNoSubscriber
            | FindingCode::TopicNoConfirmedSubscriber
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn applying_a_plan_leaves_nothing_to_do(account in account()) {
        let (mut s, desired) = build(&account);
        let first = plan(&s, &controls(), &desired).unwrap();
        let before = s.clone();
        apply_in_memory(&mut s, &first.actions);
        // What apply reads again after writing covers everything the writes changed.
        let unread = changed_but_not_written(&before, &s, &Written::of(&first.actions));
        prop_assert!(unread.is_empty(), "changed but not read again: {unread:?}");
        let second = plan(&s, &controls(), &desired).unwrap();
        prop_assert!(second.actions.is_empty(), "still to do: {:#?}\nfirst plan: {:#?}", second.actions, first.actions);
        for control in &second.controls {
            let ok = control.status == Status::Compliant || control.findings.iter().all(waits_for_a_person);
            prop_assert!(ok, "{} after apply: {:?}", control.id, control.findings);
        }
        // What someone else owns is never rewritten without --adopt.
        if !account.adopt {
            for action in &first.actions {
                if let Operation::PutMetricFilter { before: Some(before), .. } = &action.operation {
                    prop_assert!(before.metric_name != "Theirs", "rewrote someone else's filter: {action:?}");
                }
            }
        }
    }
}
