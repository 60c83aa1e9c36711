//! The resources a plan's actions make or change, derived in this one place for every format:
//! one resource per action (a created topic's access policy is a second resource of the same
//! action), with the attributes the action sends, references between resources the plan
//! creates, and the existing resource an update takes over (imported, not created).

use std::collections::BTreeSet;

use model::report::{AlarmSpec, FilterSpec};
use model::{Action, Change, Operation};

/// One resource of the emitted code.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Its name in the code: from trailwatch's name for it, stable between runs, unique per kind.
    pub name: String,
    /// The region it is in.
    pub region: String,
    /// What it is, with the attributes `apply` would send.
    pub kind: Kind,
    /// The existing resource the plan changes, which the code must import first.
    pub import: Option<Import>,
    /// That resource as it is now (the action's `before`), for a template that imports it
    /// unchanged.
    pub existing: Option<Kind>,
    /// The number of the plan's action it comes from.
    pub action: usize,
    /// The controls that action serves.
    pub controls: Vec<String>,
    /// Why the plan chose it.
    pub reason: String,
}

/// A resource's type and attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A metric filter (`PutMetricFilter`).
    MetricFilter(FilterSpec),
    /// A metric alarm (`PutMetricAlarm`); its actions as references where the plan creates
    /// the topic.
    Alarm {
        /// Every setting, as sent.
        spec: AlarmSpec,
        /// `AlarmActions`.
        alarm_actions: Vec<Arn>,
        /// `OKActions`.
        ok_actions: Vec<Arn>,
        /// `InsufficientDataActions`.
        insufficient_data_actions: Vec<Arn>,
    },
    /// A topic (`CreateTopic`).
    Topic {
        /// The topic name.
        topic_name: String,
    },
    /// The access policy a topic is created with (`CreateTopic`'s `Policy` attribute).
    TopicPolicy {
        /// The topic, a resource of the same code.
        topic: String,
        /// The ARN the plan gives that topic (which the policy names).
        topic_arn: String,
        /// The policy document, as sent.
        policy: String,
    },
    /// A subscription (`Subscribe`).
    Subscription {
        /// The topic.
        topic: Arn,
        /// The protocol.
        protocol: String,
        /// The endpoint.
        endpoint: String,
    },
}

impl Kind {
    /// The kind's word in resource names and messages.
    fn word(&self) -> &'static str {
        match self {
            Kind::MetricFilter(_) => "filter",
            Kind::Alarm { .. } => "alarm",
            Kind::Topic { .. } => "topic",
            Kind::TopicPolicy { .. } => "topic-policy",
            Kind::Subscription { .. } => "subscription",
        }
    }
}

/// An ARN the code names: a topic it creates (by its resource name), or a literal one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arn {
    /// The topic resource of this name.
    Created(String),
    /// An existing resource's ARN.
    Literal(String),
}

/// An existing resource the code takes over, by the identifiers its type is imported with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// A metric filter: its log group and name.
    MetricFilter {
        /// The log group.
        log_group: String,
        /// The filter name.
        name: String,
    },
    /// An alarm: its name.
    Alarm {
        /// The alarm name.
        name: String,
    },
}

/// The resources of a plan's actions, in plan order.
pub fn resources(actions: &[Action]) -> Vec<Resource> {
    let created = created_topics(actions);
    let mut names = Names::default();
    let mut out = Vec::new();
    for action in actions {
        for (base, kind) in kinds(action, &created) {
            out.push(Resource {
                name: names.claim(&kind, &base, &action.region),
                region: action.region.clone(),
                import: import(action),
                existing: existing(action),
                kind,
                action: action.number,
                controls: action.control_ids.clone(),
                reason: action.reason.clone(),
            });
        }
    }
    out
}

/// The topics the plan creates: their ARN and resource name (claimed in plan order, as
/// [`resources`] claims them).
fn created_topics(actions: &[Action]) -> Vec<(String, String)> {
    let mut names = Names::default();
    let topic = Kind::Topic {
        topic_name: String::new(),
    };
    actions
        .iter()
        .filter_map(|a| match &a.operation {
            Operation::CreateTopic { after } => {
                let name = names.claim(&topic, &after.name, &a.region);
                Some((after.arn.clone(), name))
            }
            _ => None,
        })
        .collect()
}

/// The resources of one action, each with the base of its name.
fn kinds(action: &Action, created: &[(String, String)]) -> Vec<(String, Kind)> {
    let arn = |a: &String| match created.iter().find(|(arn, _)| arn == a) {
        Some((_, name)) => Arn::Created(name.clone()),
        None => Arn::Literal(a.clone()),
    };
    let arns = |list: &[String]| list.iter().map(arn).collect();
    match &action.operation {
        Operation::PutMetricFilter { after, .. } => {
            vec![(after.name.clone(), Kind::MetricFilter(after.clone()))]
        }
        Operation::PutMetricAlarm { after, .. } => vec![(
            after.name.clone(),
            Kind::Alarm {
                alarm_actions: arns(&after.alarm_actions),
                ok_actions: arns(&after.ok_actions),
                insufficient_data_actions: arns(&after.insufficient_data_actions),
                spec: after.clone(),
            },
        )],
        Operation::CreateTopic { after } => {
            let topic = Kind::Topic {
                topic_name: after.name.clone(),
            };
            let claimed = created.iter().find(|(arn, _)| *arn == after.arn);
            let policy = after.policy.as_ref().map(|p| {
                let kind = Kind::TopicPolicy {
                    topic: claimed.map(|(_, n)| n.clone()).unwrap_or_default(),
                    topic_arn: after.arn.clone(),
                    policy: p.clone(),
                };
                (after.name.clone(), kind)
            });
            std::iter::once((after.name.clone(), topic))
                .chain(policy)
                .collect()
        }
        Operation::Subscribe { after } => {
            let topic = after.topic_arn.rsplit(':').next().unwrap_or_default();
            let base = format!("{topic}-{}-{}", after.protocol, after.endpoint);
            let kind = Kind::Subscription {
                topic: arn(&after.topic_arn),
                protocol: after.protocol.clone(),
                endpoint: after.endpoint.clone(),
            };
            vec![(base, kind)]
        }
    }
}

/// The existing resource an update changes.
fn import(action: &Action) -> Option<Import> {
    if action.change != Change::Update {
        return None;
    }
    match &action.operation {
        Operation::PutMetricFilter { after, .. } => Some(Import::MetricFilter {
            log_group: after.log_group.clone(),
            name: after.name.clone(),
        }),
        Operation::PutMetricAlarm { after, .. } => Some(Import::Alarm {
            name: after.name.clone(),
        }),
        Operation::CreateTopic { .. } | Operation::Subscribe { .. } => None,
    }
}

/// The existing resource an update changes, as it is now.
fn existing(action: &Action) -> Option<Kind> {
    if action.change != Change::Update {
        return None;
    }
    let literal = |list: &[String]| list.iter().cloned().map(Arn::Literal).collect();
    match &action.operation {
        Operation::PutMetricFilter { before, .. } => before.clone().map(Kind::MetricFilter),
        Operation::PutMetricAlarm { before, .. } => before.as_ref().map(|b| Kind::Alarm {
            alarm_actions: literal(&b.alarm_actions),
            ok_actions: literal(&b.ok_actions),
            insufficient_data_actions: literal(&b.insufficient_data_actions),
            spec: b.clone(),
        }),
        Operation::CreateTopic { .. } | Operation::Subscribe { .. } => None,
    }
}

/// The names already given, per kind: a second resource of a kind with the same name takes
/// its region, then a number.
#[derive(Default)]
struct Names {
    taken: BTreeSet<(&'static str, String)>,
}

impl Names {
    fn claim(&mut self, kind: &Kind, base: &str, region: &str) -> String {
        let word = kind.word();
        let plain = identifier(base);
        let regional = identifier(&format!("{base}-{region}"));
        let candidates = [plain, regional.clone()]
            .into_iter()
            .chain((2..).map(|n| format!("{regional}_{n}")));
        for name in candidates {
            if self.taken.insert((word, name.clone())) {
                return name;
            }
        }
        unreachable!("the numbered names never run out")
    }
}

/// A name as an identifier every format takes: letters, digits and `_`, starting with a
/// letter (`trailwatch-root-usage` is `trailwatch_root_usage`).
pub fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '_',
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "r_");
    }
    out
}
