//! Planning one region: the filters of the controls whose log group lives there, the one topic
//! their alarms notify, its subscriptions, the alarms, and what still stands between each
//! control and a person being told.

use model::arn;
use model::live::{Alarm, MetricKey, RegionState, Snapshot, Topic, TopicRequest};
use model::report::{SubscriptionSpec, TopicSpec};
use model::{Desired, Finding, Operation, TopicChoice};

use crate::builder::{change_of, ActionId, Draft};
use crate::chain::{alarms_on, RegionView, Subscribers};
use crate::delivery::{delivery, Delivery};
use crate::judgement::Need;
use crate::policy::{Sender, Source};
use crate::resources::{plan_alarm, plan_filter, topic_policy, AlarmSite};
use crate::{AccountPlan, PlanError};

/// A fixable control and the index of its result in the report.
pub(crate) struct Target<'a> {
    pub index: usize,
    pub need: Need<'a>,
}

/// The metric a target's alarm watches, and the filter action that makes it, if any.
struct Metric {
    key: MetricKey,
    filter_action: Option<ActionId>,
    filter_name: String,
}

/// The topic the region's alarms will notify.
struct TopicDecision {
    arn: String,
    /// The create-topic action, when the topic is new.
    create: Option<ActionId>,
    existing: Option<Topic>,
}

/// One region of the account, as read.
struct Region<'a> {
    snapshot: &'a Snapshot,
    desired: &'a Desired,
    name: &'a str,
    state: &'a RegionState,
    alarms: &'a [Alarm],
    topics: &'a [Topic],
}

/// Plans the targets whose log groups live in `region`; `delivering` are the topics that already
/// deliver a compliant control's alarms there.
pub(crate) fn plan_region<'a>(
    plan: &mut AccountPlan<'a>,
    region: &str,
    targets: &[Target<'a>],
    delivering: &[String],
) -> Result<(), PlanError> {
    let state = plan
        .snapshot
        .region_state(region)
        .ok_or_else(|| PlanError::RegionNotRead(region.to_string()))?;
    let view = RegionView::of(Some(state)).unwrap_or(RegionView {
        alarms: &[],
        topics: &[],
    });
    let site = Region {
        snapshot: plan.snapshot,
        desired: plan.desired,
        name: &state.region,
        state,
        alarms: view.alarms,
        topics: view.topics,
    };
    let metrics = site.filters(plan, targets);
    let referenced = site.referenced_topics(&metrics, delivering);
    let alarms = site.alarm_names(targets, &metrics);
    let topic = site.topic(plan, targets, &referenced, &alarms)?;
    let subscribers = site.subscriptions(plan, targets, &topic);
    site.alarms(plan, targets, &metrics, &topic);
    site.remaining(plan, targets, &topic, &subscribers);
    Ok(())
}

impl<'a> Region<'a> {
    fn account(&self) -> &'a str {
        &self.snapshot.account_id
    }

    /// The alarm of this region named `alarm` as a policy sees it (any alarm when `None`).
    fn source<'s>(&self, alarm: Option<&'s str>) -> Source<'s>
    where
        'a: 's,
    {
        Source {
            sender: Sender::CloudWatch,
            partition: &self.snapshot.partition,
            region: self.name,
            account: self.account(),
            name: alarm,
        }
    }

    fn draft(&self, operation: Operation, control_ids: Vec<String>, reason: String) -> Draft<'a> {
        let change = match &operation {
            Operation::PutMetricFilter { before, .. } => change_of(before),
            Operation::PutMetricAlarm { before, .. } => change_of(before),
            Operation::CreateTopic { .. } | Operation::Subscribe { .. } => model::Change::Create,
        };
        Draft {
            account: self.account(),
            region: self.name,
            operation,
            change,
            control_ids,
            reason,
        }
    }

    /// Step 1: the filter of each target: the matching one, or one to write.
    fn filters(&self, plan: &mut AccountPlan, targets: &[Target]) -> Vec<Metric> {
        targets
            .iter()
            .map(|t| match (t.need.chain.filter, &t.need.chain.metric) {
                (Some(f), Some(key)) => Metric {
                    key: key.clone(),
                    filter_action: None,
                    filter_name: f.name.clone(),
                },
                _ => self.write_filter(plan, &t.need),
            })
            .collect()
    }

    fn write_filter(&self, plan: &mut AccountPlan, need: &Need) -> Metric {
        let group = &need.group;
        let filters = self
            .snapshot
            .log_group(&group.region, &group.name)
            .and_then(|g| g.filters.as_ref().ok())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let choice = plan_filter(
            self.desired,
            need.control,
            group,
            filters,
            &mut plan.builder.claims,
        );
        plan.notes.extend(choice.note);
        let key = MetricKey::new(&choice.after.metric_name, &choice.after.namespace);
        let filter_name = choice.after.name.clone();
        let operation = Operation::PutMetricFilter {
            before: choice.before,
            after: choice.after,
        };
        let draft = self.draft(operation, vec![need.control.id.to_string()], choice.reason);
        Metric {
            key,
            filter_action: Some(plan.builder.push(draft, Vec::new())),
            filter_name,
        }
    }

    /// The alarm the plan works with on a metric: one that can notify first, else the first.
    fn preferred_alarm(&self, metric: &MetricKey) -> Option<&'a Alarm> {
        let mut on_metric = alarms_on(self.alarms, metric).peekable();
        let first = on_metric.peek().copied();
        on_metric.find(|a| a.can_notify()).or(first)
    }

    /// The names of the alarms that will notify the topic, for the topic's policies: the alarm
    /// the plan works with on each target's metric, or the name a new one would most likely get.
    fn alarm_names(&self, targets: &[Target], metrics: &[Metric]) -> Vec<String> {
        targets
            .iter()
            .zip(metrics)
            .map(|(t, m)| match self.preferred_alarm(&m.key) {
                Some(alarm) => alarm.name.clone(),
                None => crate::resource_name(t.need.control),
            })
            .collect()
    }

    /// Step 2: the topics the targets' alarms already notify (on the metric, then on the same
    /// metric name in another namespace), then those delivering compliant controls' alarms.
    fn referenced_topics(&self, metrics: &[Metric], delivering: &[String]) -> Vec<&'a Topic> {
        let mut arns: Vec<&String> = Vec::new();
        for m in metrics {
            let same_name = self.alarms.iter().filter(|a| a.watches_name(&m.key.name));
            for alarm in self.preferred_alarm(&m.key).into_iter().chain(same_name) {
                arns.extend(alarm.alarm_actions.iter());
            }
        }
        arns.extend(delivering.iter());
        let mut referenced: Vec<&'a Topic> = Vec::new();
        for arn in arns {
            if let Some(t) = self.topics.iter().find(|t| t.arn == *arn) {
                if !referenced.iter().any(|r| r.arn == t.arn) {
                    referenced.push(t);
                }
            }
        }
        referenced
    }

    /// Step 3: the one topic every alarm of the region notifies, created when it is new;
    /// `alarms` are the names of the alarms that will notify it.
    fn topic(
        &self,
        plan: &mut AccountPlan,
        targets: &[Target],
        referenced: &[&Topic],
        alarms: &[String],
    ) -> Result<TopicDecision, PlanError> {
        let mut topic = self.choose_topic(&mut plan.notes, referenced, alarms)?;
        if topic.existing.is_some() {
            return Ok(topic);
        }
        if !self.state.topics_read.contains(&topic.arn) {
            plan.unread_topics.push(TopicRequest {
                region: self.name.to_string(),
                arn: topic.arn.clone(),
            });
        }
        let name = topic.arn.rsplit(':').next().unwrap_or_default().to_string();
        let operation = Operation::CreateTopic {
            after: TopicSpec {
                name,
                policy: Some(topic_policy(&topic.arn, self.account(), self.name)),
                arn: topic.arn.clone(),
            },
        };
        let reason = "no topic to notify exists yet; one topic serves every alarm in the region";
        let draft = self.draft(operation, control_ids(targets), reason.into());
        topic.create = Some(plan.builder.push(draft, Vec::new()));
        Ok(topic)
    }

    fn choose_topic(
        &self,
        notes: &mut Vec<String>,
        referenced: &[&Topic],
        alarms: &[String],
    ) -> Result<TopicDecision, PlanError> {
        match &self.desired.topic {
            TopicChoice::Arn(arn) => self.given_topic(notes, arn),
            TopicChoice::Name(name) => Ok(self.topic_named(notes, name, "named with --topic-name")),
            TopicChoice::Auto => {
                Ok(self
                    .reused_topic(notes, referenced, alarms)
                    .unwrap_or_else(|| {
                        self.topic_named(
                            notes,
                            model::desired::DEFAULT_TOPIC_NAME,
                            "the default shared topic for trailwatch's alarms",
                        )
                    }))
            }
        }
    }

    fn topic_named(&self, notes: &mut Vec<String>, name: &str, why: &str) -> TopicDecision {
        let arn = arn::topic_arn(&self.snapshot.partition, self.name, self.account(), name);
        let existing = self.topics.iter().find(|t| t.arn == arn).cloned();
        let region = self.name;
        notes.push(match &existing {
            Some(_) => format!("reusing topic `{arn}` in {region}: {why}, and it exists"),
            None => format!("creating topic `{arn}` in {region}: {why}"),
        });
        TopicDecision {
            arn,
            create: None,
            existing,
        }
    }

    fn given_topic(&self, notes: &mut Vec<String>, arn: &str) -> Result<TopicDecision, PlanError> {
        let (region, account) = (self.name, self.account());
        let parsed = arn::parse_topic_arn(arn)?;
        if parsed.region != region {
            return Err(PlanError::TopicInOtherRegion {
                arn: arn.to_string(),
                topic_region: parsed.region,
                region: region.to_string(),
            });
        }
        let existing = self
            .topics
            .iter()
            .find(|t| t.arn == arn)
            .cloned()
            .ok_or_else(|| PlanError::TopicMissing {
                arn: arn.to_string(),
                account: account.to_string(),
            })?;
        notes.push(format!("using topic `{arn}`: given with --topic-arn"));
        Ok(TopicDecision {
            arn: arn.to_string(),
            create: None,
            existing: Some(existing),
        })
    }

    /// A topic the controls' alarms already notify that CloudWatch can deliver to: one it
    /// surely can before one whose policy trailwatch cannot judge (which is still the user's
    /// choice, better than a new topic), and one with a confirmed subscriber first within each.
    fn reused_topic(
        &self,
        notes: &mut Vec<String>,
        referenced: &[&Topic],
        alarms: &[String],
    ) -> Option<TopicDecision> {
        let confirmed = |t: &Topic| {
            t.subscriptions
                .as_ref()
                .is_ok_and(|s| s.iter().any(|s| s.is_confirmed()))
        };
        let (topic, sure) = referenced
            .iter()
            .filter_map(|t| self.deliverable(t, alarms).map(|sure| (*t, sure)))
            .min_by_key(|(t, sure)| (!sure, !confirmed(t)))?;
        let why = match (confirmed(topic), sure) {
            (true, true) => "an alarm of the selected controls already notifies it and it has a confirmed subscriber",
            (false, true) => "an alarm of the selected controls already notifies it",
            (_, false) => "an alarm of the selected controls already notifies it, though trailwatch cannot tell whether CloudWatch can publish to it (see the findings)",
        };
        notes.push(format!(
            "reusing topic `{}` in {}: {why}",
            topic.arn, self.name
        ));
        Some(TopicDecision {
            arn: topic.arn.clone(),
            create: None,
            existing: Some(topic.clone()),
        })
    }

    /// Whether these alarms (any alarm of the region when there are none) can deliver to a
    /// topic: `Some(true)` surely, `Some(false)` when trailwatch cannot tell for some of them,
    /// `None` when one surely cannot.
    fn deliverable(&self, topic: &Topic, alarms: &[String]) -> Option<bool> {
        let mut sure = true;
        let named = alarms.iter().map(|name| Some(name.as_str()));
        for alarm in named.chain(alarms.is_empty().then_some(None)) {
            match delivery(topic, &self.source(alarm)) {
                Delivery::Delivers => {}
                Delivery::Unclear(_) => sure = false,
                Delivery::Blocked(_) => return None,
            }
        }
        Some(sure)
    }

    /// Step 4: subscribe the `--notify` endpoints that are not subscribed yet.
    fn subscriptions(
        &self,
        plan: &mut AccountPlan,
        targets: &[Target],
        topic: &TopicDecision,
    ) -> Subscribers {
        let subs = topic
            .existing
            .as_ref()
            .and_then(|t| t.subscriptions.as_ref().ok())
            .cloned()
            .unwrap_or_default();
        let mut subscribers = Subscribers::of(&subs);
        for endpoint in &self.desired.notify {
            let subscribed = subs
                .iter()
                .any(|s| s.protocol == endpoint.protocol && s.endpoint == endpoint.endpoint);
            if subscribed {
                continue;
            }
            let operation = Operation::Subscribe {
                after: SubscriptionSpec {
                    topic_arn: topic.arn.clone(),
                    protocol: endpoint.protocol.clone(),
                    endpoint: endpoint.endpoint.clone(),
                },
            };
            let reason = format!(
                "`{}` (from --notify) is not subscribed to the topic yet",
                endpoint.label()
            );
            let draft = self.draft(operation, control_ids(targets), reason);
            plan.builder.push(draft, topic.create.into_iter().collect());
            if model::desired::needs_confirmation(&endpoint.protocol) {
                subscribers.subscribing.push(endpoint.label());
            } else {
                subscribers.confirmed = true;
            }
        }
        subscribers
    }

    /// Step 5: the alarm of each target, unless one on its metric already notifies the topic.
    fn alarms(
        &self,
        plan: &mut AccountPlan,
        targets: &[Target],
        metrics: &[Metric],
        topic: &TopicDecision,
    ) {
        let site = AlarmSite {
            desired: self.desired,
            region: self.name,
            alarms: self.alarms,
            topic_arn: &topic.arn,
        };
        for (target, metric) in targets.iter().zip(metrics) {
            let existing = self.preferred_alarm(&metric.key);
            let chain = plan.results[target.index]
                .chain
                .get_or_insert_with(Default::default);
            chain.filter = Some(metric.filter_name.clone());
            chain.topic = Some(topic.arn.clone());
            if existing.is_some_and(|a| a.actions_enabled && a.alarm_actions.contains(&topic.arn)) {
                chain.alarm = existing.map(|a| a.name.clone());
                continue;
            }
            let control = target.need.control;
            let choice = plan_alarm(
                &site,
                control,
                &metric.key,
                existing,
                &mut plan.builder.claims,
            );
            plan.notes.extend(choice.note);
            if let Some(chain) = &mut plan.results[target.index].chain {
                chain.alarm = Some(choice.after.name.clone());
            }
            let operation = Operation::PutMetricAlarm {
                before: choice.before,
                after: choice.after,
            };
            let deps = metric
                .filter_action
                .into_iter()
                .chain(topic.create)
                .collect();
            let draft = self.draft(operation, vec![control.id.to_string()], choice.reason);
            plan.builder.push(draft, deps);
        }
    }

    /// Step 6: what still stands between each target and a person being told once the plan
    /// is applied: a topic CloudWatch cannot deliver to, or no confirmed subscriber.
    fn remaining(
        &self,
        plan: &mut AccountPlan,
        targets: &[Target],
        topic: &TopicDecision,
        subscribers: &Subscribers,
    ) {
        let remaining = subscribers.finding(&topic.arn, topic.create.is_some());
        for target in targets {
            let result = &mut plan.results[target.index];
            // The alarm step named each target's alarm.
            let alarm = result.chain.as_ref().and_then(|c| c.alarm.as_deref());
            let blocked = topic
                .existing
                .as_ref()
                .map(|t| delivery(t, &self.source(alarm)));
            let findings = &mut result.findings;
            if let Some(f) = blocked.as_ref().and_then(Delivery::finding) {
                if !findings.iter().any(|e| e.code == f.code) {
                    findings.push(f.clone());
                }
            }
            if let Some(f) = &remaining {
                // This describes the chosen topic completely; drop the chain's partial view of it.
                findings.retain(|e| !is_subscriber_finding(e));
                findings.push(f.clone());
            }
        }
    }
}

fn is_subscriber_finding(finding: &Finding) -> bool {
    matches!(
        finding.code,
        model::FindingCode::TopicNoSubscriber | model::FindingCode::SubscriptionPending
    )
}

fn control_ids(targets: &[Target]) -> Vec<String> {
    targets
        .iter()
        .map(|t| t.need.control.id.to_string())
        .collect()
}
