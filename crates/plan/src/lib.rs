//! The planner: compares an account's live state with the desired state and produces the report —
//! each control's status with its reasons, and the actions that fix what can be fixed.
//!
//! Pure and synchronous: it reads a [`Snapshot`] and returns a [`Report`]; it does no I/O.

pub mod audit;
pub mod fingerprint;
mod scope;

pub use scope::read_scope;

use std::collections::{BTreeMap, BTreeSet};

use audit::{ChainCheck, Stage, TrailCheck};
use model::arn::{self, LogGroupRef};
use model::desired::NAME_PREFIX;
use model::live::{Alarm, MetricFilter, RegionState, Topic};
use model::report::{
    AlarmSpec, Chain, FilterSpec, SubscriptionSpec, TopicSpec, TrailResult, SCHEMA_VERSION,
};
use model::{
    Action, Change, Control, ControlResult, Desired, Finding, Operation, Report, Snapshot, Status,
    TopicChoice,
};

/// A problem with the user's input that makes planning impossible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

/// Marks the alarms trailwatch creates (in their description), so it knows which it may change.
pub const MANAGED_MARKER: &str = "(managed by trailwatch)";

/// The name trailwatch gives the filter and the alarm it creates for a control.
pub fn resource_name(control: &Control) -> String {
    format!("{NAME_PREFIX}{}", control.id)
}

/// What one control needs on its target log group, before the topic is chosen.
struct Need<'a> {
    index: usize,
    control: &'a Control,
    group: LogGroupRef,
    chain: ChainCheck<'a>,
}

/// Plans the selected controls for one account, taking a topic the snapshot did not read as
/// absent (use [`plan_or_read`] on a snapshot from `aws`, which reads topics on demand).
pub fn plan(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Result<Report, PlanError> {
    plan_reads(snapshot, controls, desired).map(|(report, _)| report)
}

/// What planning made of a snapshot: the report, or the topics it turned to that the snapshot
/// did not read (read them, add them to the snapshot, and plan again).
#[derive(Debug)]
pub enum Planned {
    /// The plan: everything it depends on was read.
    Report(Report),
    /// `(region, topic ARN)` pairs to read first.
    Read(Vec<(String, String)>),
}

/// Like [`plan`], but says when the plan depends on a topic the snapshot did not read (the
/// default shared topic is read only when the plan turns to it).
pub fn plan_or_read(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Result<Planned, PlanError> {
    let (report, unread) = plan_reads(snapshot, controls, desired)?;
    Ok(if unread.is_empty() {
        Planned::Report(report)
    } else {
        Planned::Read(unread)
    })
}

fn plan_reads(
    snapshot: &Snapshot,
    controls: &[Control],
    desired: &Desired,
) -> Result<(Report, Vec<(String, String)>), PlanError> {
    let account = snapshot.account_id.as_str();
    let mut results = Vec::new();
    let mut needs: Vec<Need> = Vec::new();

    let trails = match &snapshot.trails {
        Ok(t) => t,
        Err(e) => {
            for control in controls {
                results.push(result(
                    account,
                    control,
                    Status::Error,
                    vec![audit::read_error_finding(e)],
                    None,
                ));
            }
            return Ok((
                report(controls, Vec::new(), results, Vec::new(), Vec::new()),
                Vec::new(),
            ));
        }
    };
    let checks = audit::check_trails(trails);
    let trail_results: Vec<TrailResult> = checks
        .iter()
        .map(|c| {
            let mut findings: Vec<Finding> =
                c.errors.iter().map(audit::read_error_finding).collect();
            findings.extend(c.problems.iter().cloned());
            if let Some(central) = c.central_account(account) {
                findings.push(Finding::new(
                    "monitored-centrally",
                    format!("its log group is in account {central}"),
                ));
            }
            TrailResult {
                account_id: account.to_string(),
                arn: c.trail.arn.clone(),
                name: c.trail.name.clone(),
                home_region: c.trail.home_region.clone(),
                qualifies: c.qualifies(account),
                log_group_arn: c.trail.log_group_arn.clone(),
                findings,
            }
        })
        .collect();

    for control in controls {
        let (status, findings, chain, need) = judge(snapshot, control, &checks, desired);
        let index = results.len();
        results.push(result(account, control, status, findings, chain));
        if let Some((group, chain)) = need {
            needs.push(Need {
                index,
                control,
                group,
                chain,
            });
        }
    }

    // Topics that already deliver a compliant control's alarms: the natural shared topic.
    let mut delivering: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &results {
        if let (Status::Compliant, Some(chain)) = (r.status, &r.chain) {
            if let Some(topic) = &chain.topic {
                delivering
                    .entry(chain.region.clone())
                    .or_default()
                    .push(topic.clone());
            }
        }
    }

    let mut notes = Vec::new();
    let mut builder = Builder::default();
    // Group the needs by the log group's region: one topic per region serves all its alarms.
    let mut by_region: BTreeMap<String, Vec<Need>> = BTreeMap::new();
    for need in needs {
        by_region
            .entry(need.group.region.clone())
            .or_default()
            .push(need);
    }
    for (region, needs) in by_region {
        let state = snapshot
            .region_state(&region)
            .ok_or_else(|| PlanError(format!("region `{region}` was not read")))?;
        let delivering = delivering.remove(&region).unwrap_or_default();
        plan_region(
            snapshot,
            desired,
            &region,
            state,
            needs,
            &delivering,
            &mut results,
            &mut builder,
            &mut notes,
        )?;
    }
    let unread = std::mem::take(&mut builder.unread_topics);
    Ok((
        report(controls, trail_results, results, builder.finish(), notes),
        unread,
    ))
}

fn report(
    selected: &[Control],
    trails: Vec<TrailResult>,
    controls: Vec<ControlResult>,
    actions: Vec<Action>,
    notes: Vec<String>,
) -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        benchmark: selected
            .first()
            .map(|c| c.benchmark)
            .unwrap_or_else(model::catalog::default_benchmark)
            .to_string(),
        trails,
        controls,
        actions,
        notes,
    }
}

fn result(
    account: &str,
    control: &Control,
    status: Status,
    findings: Vec<Finding>,
    chain: Option<Chain>,
) -> ControlResult {
    ControlResult {
        account_id: account.to_string(),
        id: control.id.to_string(),
        title: control.title.to_string(),
        cis_id: control.cis_id.clone(),
        level: control.level,
        status,
        findings,
        chain,
    }
}

type Judgement<'a> = (
    Status,
    Vec<Finding>,
    Option<Chain>,
    Option<(LogGroupRef, ChainCheck<'a>)>,
);

/// Decides one control's status, and which log group's chain to complete if it is fixable.
fn judge<'a>(
    snapshot: &'a Snapshot,
    control: &Control,
    checks: &[TrailCheck<'a>],
    desired: &Desired,
) -> Judgement<'a> {
    let account = snapshot.account_id.as_str();
    if checks.is_empty() {
        return (
            Status::NonCompliant,
            vec![Finding::new("no-trail", "the account has no CloudTrail trail").with_hint(
                "create a multi-region trail that logs all management events to a CloudWatch Logs group (trailwatch never creates trails)",
            )],
            None,
            None,
        );
    }
    let qualifying: Vec<&TrailCheck> = checks.iter().filter(|c| c.qualifies(account)).collect();
    if qualifying.is_empty() {
        if let Some(central) = checks.iter().find_map(|c| c.central_account(account)) {
            return (
                Status::NotApplicable,
                vec![Finding::new(
                    "monitored-centrally",
                    format!("monitored centrally in account {central}: the qualifying trail's log group lives there"),
                )
                .with_hint(format!("audit account {central}"))],
                None,
                None,
            );
        }
        let mut findings = Vec::new();
        let mut errors = false;
        for check in checks {
            for e in &check.errors {
                errors = true;
                findings.push(audit::read_error_finding(e));
            }
            findings.extend(check.problems.iter().cloned());
        }
        if errors {
            return (Status::Error, findings, None, None);
        }
        findings.insert(
            0,
            Finding::new(
                "no-qualifying-trail",
                "no trail is multi-region, logging, capturing all management events and sending to CloudWatch Logs",
            ),
        );
        return (Status::NonCompliant, findings, None, None);
    }

    // Follow the chain on each qualifying trail's log group; keep the one that gets furthest.
    let mut best: Option<(&TrailCheck, ChainCheck)> = None;
    let mut error = None;
    for check in &qualifying {
        let group = check
            .log_group
            .as_ref()
            .expect("qualifying trails have a group");
        let chain = audit::check_chain(snapshot, control, group, desired.match_mode);
        if let Some(e) = &chain.error {
            error.get_or_insert(e.clone());
            continue;
        }
        if best.as_ref().is_none_or(|(_, b)| chain.stage > b.stage) {
            best = Some((check, chain));
        }
    }
    let Some((check, chain)) = best else {
        let e = error.expect("every chain failed");
        return (
            Status::Error,
            vec![audit::read_error_finding(&e)],
            None,
            None,
        );
    };
    let group = check
        .log_group
        .clone()
        .expect("qualifying trails have a group");
    let described = Chain {
        trail: check.trail.arn.clone(),
        region: group.region.clone(),
        log_group: group.name.clone(),
        filter: chain.filter.map(|f| f.name.clone()),
        alarm: chain.alarm.map(|a| a.name.clone()),
        topic: chain.topic.map(|t| t.arn.clone()),
    };
    if chain.stage == Stage::Complete {
        // Only warnings (such as a filter so broad its alarm is noise) remain.
        return (
            Status::Compliant,
            chain.findings.clone(),
            Some(described),
            None,
        );
    }
    if let Some(e) = error {
        // A chain we could not read might have been the compliant one.
        return (
            Status::Error,
            vec![audit::read_error_finding(&e)],
            Some(described),
            None,
        );
    }
    if chain.findings.iter().any(|f| f.code == "read-error") {
        return (Status::Error, chain.findings.clone(), Some(described), None);
    }
    if !chain.fixable {
        return (
            Status::NonCompliant,
            chain.findings.clone(),
            Some(described),
            None,
        );
    }
    let findings = chain.findings.clone();
    (
        Status::NonCompliant,
        findings,
        Some(described),
        Some((group, chain)),
    )
}

/// Collects actions with provisional ids, then orders and numbers them.
#[derive(Default)]
struct Builder {
    actions: Vec<(usize, Action, Vec<usize>)>,
    claimed_filters: BTreeSet<(String, String, String)>,
    claimed_alarms: BTreeSet<(String, String)>,
    /// Topics the plan turned to that were not read: `(region, ARN)`.
    unread_topics: Vec<(String, String)>,
}

impl Builder {
    fn push(&mut self, action: Action, depends_on: Vec<usize>) -> usize {
        let id = self.actions.len();
        self.actions.push((id, action, depends_on));
        id
    }

    fn finish(mut self) -> Vec<Action> {
        self.actions
            .sort_by_key(|(id, a, _)| (a.operation.rank(), *id));
        let numbers: BTreeMap<usize, usize> = self
            .actions
            .iter()
            .enumerate()
            .map(|(n, (id, _, _))| (*id, n + 1))
            .collect();
        self.actions
            .into_iter()
            .enumerate()
            .map(|(n, (_, mut action, deps))| {
                action.number = n + 1;
                action.depends_on = deps.iter().map(|d| numbers[d]).collect();
                action.depends_on.sort_unstable();
                action
            })
            .collect()
    }
}

/// The topic the region's alarms will notify.
struct TopicDecision {
    arn: String,
    /// The provisional id of the create-topic action, when the topic is new.
    create: Option<usize>,
    existing: Option<Topic>,
}

/// The metric each need's alarm watches, and the filter action that makes it, if any.
struct Metric {
    name: String,
    namespace: String,
    filter_action: Option<usize>,
    filter_name: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn plan_region(
    snapshot: &Snapshot,
    desired: &Desired,
    region: &str,
    state: &RegionState,
    needs: Vec<Need>,
    delivering: &[String],
    results: &mut [ControlResult],
    builder: &mut Builder,
    notes: &mut Vec<String>,
) -> Result<(), PlanError> {
    let account = snapshot.account_id.as_str();
    let topics = state.topics.as_ref().map(Vec::as_slice).unwrap_or(&[]);
    let alarms = state.alarms.as_ref().map(Vec::as_slice).unwrap_or(&[]);
    let control_ids: Vec<String> = needs.iter().map(|n| n.control.id.to_string()).collect();

    // 1. The filter of each control: the matching one, or one to write.
    let mut metrics = Vec::new();
    for need in &needs {
        let metric = match (need.chain.filter, &need.chain.metric) {
            (Some(f), Some((name, namespace))) => Metric {
                name: name.clone(),
                namespace: namespace.clone(),
                filter_action: None,
                filter_name: Some(f.name.clone()),
            },
            _ => {
                let group = &need.group;
                let filters = snapshot
                    .log_group(&group.region, &group.name)
                    .and_then(|g| g.filters.as_ref().ok())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let (spec, before, reason) =
                    plan_filter(desired, need.control, group, filters, builder);
                let change = if before.is_some() {
                    Change::Update
                } else {
                    Change::Create
                };
                let metric = Metric {
                    name: spec.metric_name.clone(),
                    namespace: spec.namespace.clone(),
                    filter_action: None,
                    filter_name: Some(spec.name.clone()),
                };
                let id = builder.push(
                    action(
                        account,
                        region,
                        Operation::PutMetricFilter {
                            before,
                            after: spec,
                        },
                        change,
                        &[need.control.id.to_string()],
                        reason,
                    ),
                    Vec::new(),
                );
                Metric {
                    filter_action: Some(id),
                    ..metric
                }
            }
        };
        metrics.push(metric);
    }

    // 2. The topic: one for every alarm in the region.
    let on_metric = |m: &Metric| -> Option<&Alarm> {
        let candidates: Vec<&Alarm> = alarms
            .iter()
            .filter(|a| {
                a.metric_name.as_deref() == Some(m.name.as_str())
                    && a.namespace.as_deref() == Some(m.namespace.as_str())
                    && !a.has_dimensions
            })
            .collect();
        // The chain's own choice first: an enabled alarm that notifies a topic.
        candidates
            .iter()
            .find(|a| a.actions_enabled && a.alarm_actions.iter().any(|x| x.contains(":sns:")))
            .or(candidates.first())
            .copied()
    };
    let mut referenced: Vec<&Topic> = Vec::new();
    for m in &metrics {
        // Alarms on the metric first, then alarms on the same metric name in another namespace.
        let same_name = alarms
            .iter()
            .filter(|a| a.metric_name.as_deref() == Some(m.name.as_str()));
        for alarm in on_metric(m).into_iter().chain(same_name) {
            for arn in &alarm.alarm_actions {
                if let Some(t) = topics.iter().find(|t| t.arn == *arn) {
                    if !referenced.iter().any(|r| r.arn == t.arn) {
                        referenced.push(t);
                    }
                }
            }
        }
    }
    for arn in delivering {
        if let Some(t) = topics.iter().find(|t| t.arn == *arn) {
            if !referenced.iter().any(|r| r.arn == t.arn) {
                referenced.push(t);
            }
        }
    }
    let topic = choose_topic(snapshot, desired, region, topics, &referenced, notes)?;
    if topic.existing.is_none() && !state.topics_read.contains(&topic.arn) {
        builder
            .unread_topics
            .push((region.to_string(), topic.arn.clone()));
    }
    let topic_id = match &topic.existing {
        Some(_) => None,
        None => {
            let name = topic.arn.rsplit(':').next().unwrap_or_default().to_string();
            Some(
                builder.push(
                    action(
                        account,
                        region,
                        Operation::CreateTopic {
                            after: TopicSpec {
                                name,
                                policy: Some(topic_policy(&topic.arn, account, region)),
                                arn: topic.arn.clone(),
                            },
                        },
                        Change::Create,
                        &control_ids,
                        "no topic to notify exists yet; one topic serves every alarm in the region"
                            .into(),
                    ),
                    Vec::new(),
                ),
            )
        }
    };
    let topic = TopicDecision {
        create: topic_id,
        ..topic
    };
    // A topic chosen by the user that CloudWatch cannot deliver to: the plan cannot fix that.
    let blocked = topic
        .existing
        .as_ref()
        .and_then(|t| audit::undeliverable(t, account));

    // 3. Subscriptions on the topic.
    let subs = topic
        .existing
        .as_ref()
        .and_then(|t| t.subscriptions.as_ref().ok())
        .cloned()
        .unwrap_or_default();
    let mut confirmed = subs.iter().any(|s| s.is_confirmed());
    let pending: Vec<String> = subs
        .iter()
        .filter(|s| !s.is_confirmed())
        .map(|s| format!("{}:{}", s.protocol, s.endpoint))
        .collect();
    let mut subscribing = Vec::new();
    for endpoint in &desired.notify {
        if subs
            .iter()
            .any(|s| s.protocol == endpoint.protocol && s.endpoint == endpoint.endpoint)
        {
            continue;
        }
        builder.push(
            action(
                account,
                region,
                Operation::Subscribe {
                    after: SubscriptionSpec {
                        topic_arn: topic.arn.clone(),
                        protocol: endpoint.protocol.clone(),
                        endpoint: endpoint.endpoint.clone(),
                    },
                },
                Change::Create,
                &control_ids,
                format!(
                    "`{}:{}` (from --notify) is not subscribed to the topic yet",
                    endpoint.protocol, endpoint.endpoint
                ),
            ),
            topic.create.into_iter().collect(),
        );
        // SNS confirms SQS, Lambda, SMS, Firehose and application subscriptions at once;
        // email and HTTP(S) ones wait for the endpoint to confirm.
        if needs_confirmation(&endpoint.protocol) {
            subscribing.push(format!("{}:{}", endpoint.protocol, endpoint.endpoint));
        } else {
            confirmed = true;
        }
    }

    // 4. The alarm of each control.
    for (need, metric) in needs.iter().zip(&metrics) {
        let mut chain = results[need.index].chain.clone().unwrap_or_default();
        chain.filter = metric.filter_name.clone();
        let existing = on_metric(metric);
        let notifies_topic =
            existing.is_some_and(|a| a.actions_enabled && a.alarm_actions.contains(&topic.arn));
        if notifies_topic {
            chain.alarm = existing.map(|a| a.name.clone());
        } else {
            let key = (metric.name.clone(), metric.namespace.clone());
            let (spec, before, reason, note) = plan_alarm(
                desired,
                need.control,
                &key,
                existing,
                alarms,
                &topic.arn,
                builder,
                region,
            );
            notes.extend(note);
            chain.alarm = Some(spec.name.clone());
            let change = if before.is_some() {
                Change::Update
            } else {
                Change::Create
            };
            let deps = metric
                .filter_action
                .into_iter()
                .chain(topic.create)
                .collect();
            builder.push(
                action(
                    account,
                    region,
                    Operation::PutMetricAlarm {
                        before,
                        after: spec,
                    },
                    change,
                    &[need.control.id.to_string()],
                    reason,
                ),
                deps,
            );
        }
        chain.topic = Some(topic.arn.clone());

        let new_topic = if topic.create.is_some() {
            " (created by this plan)"
        } else {
            ""
        };
        let remaining = if confirmed {
            None
        } else if !subscribing.is_empty() {
            Some(
                Finding::new(
                    "topic-no-confirmed-subscriber",
                    format!("topic `{}`{new_topic} has no confirmed subscriber", topic.arn),
                )
                .with_hint(format!(
                    "apply subscribes {}; the control holds once the subscription is confirmed from the message SNS sends",
                    subscribing.join(", ")
                )),
            )
        } else if !pending.is_empty() {
            Some(
                Finding::new(
                    "subscription-pending",
                    format!(
                        "topic `{}` has only subscriptions awaiting confirmation ({})",
                        topic.arn,
                        pending.join(", ")
                    ),
                )
                .with_hint("confirm the subscription from the message SNS sent to the endpoint"),
            )
        } else {
            Some(
                Finding::new(
                    "topic-no-subscriber",
                    format!("topic `{}`{new_topic} has no subscribers", topic.arn),
                )
                .with_hint("pass `--notify email:security@example.com` (or another PROTOCOL:ENDPOINT) to subscribe one"),
            )
        };
        let entry = &mut results[need.index];
        if let Some(f) = &blocked {
            if !entry.findings.iter().any(|e| e.code == f.code) {
                entry.findings.push(f.clone());
            }
        }
        if let Some(f) = remaining {
            // This describes the chosen topic completely; drop the chain's partial view of it.
            entry.findings.retain(|e| {
                !matches!(
                    e.code.as_str(),
                    "topic-no-subscriber" | "subscription-pending"
                )
            });
            entry.findings.push(f);
        }
        entry.chain = Some(chain);
    }
    Ok(())
}

/// The access policy of a topic trailwatch creates: the account keeps every right on it, and
/// CloudWatch may publish to it for the account's alarms only.
pub fn topic_policy(topic_arn: &str, account: &str, region: &str) -> String {
    let partition = model::arn::partition_of(region);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountOwner",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
                "Action": [
                    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                    "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic", "SNS:Publish"
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "CloudWatchAlarms",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:{partition}:cloudwatch:{region}:{account}:alarm:*")}},
            }
        ]
    })
    .to_string()
}

fn needs_confirmation(protocol: &str) -> bool {
    matches!(protocol, "email" | "email-json" | "http" | "https")
}

fn action(
    account: &str,
    region: &str,
    operation: Operation,
    change: Change,
    control_ids: &[String],
    reason: String,
) -> Action {
    Action {
        number: 0,
        account_id: account.to_string(),
        region: region.to_string(),
        operation,
        change,
        control_ids: control_ids.to_vec(),
        reason,
        depends_on: Vec::new(),
    }
}

fn choose_topic(
    snapshot: &Snapshot,
    desired: &Desired,
    region: &str,
    topics: &[Topic],
    referenced: &[&Topic],
    notes: &mut Vec<String>,
) -> Result<TopicDecision, PlanError> {
    let account = snapshot.account_id.as_str();
    let by_name = |name: &str, why: &str, notes: &mut Vec<String>| {
        let arn = arn::topic_arn(&snapshot.partition, region, account, name);
        let existing = topics.iter().find(|t| t.arn == arn).cloned();
        notes.push(match &existing {
            Some(_) => format!("reusing topic `{arn}` in {region}: {why}, and it exists"),
            None => format!("creating topic `{arn}` in {region}: {why}"),
        });
        TopicDecision {
            arn,
            create: None,
            existing,
        }
    };
    match &desired.topic {
        TopicChoice::Arn(arn) => {
            let parsed = arn::parse_topic_arn(arn).map_err(PlanError)?;
            if parsed.region != region {
                return Err(PlanError(format!(
                    "topic `{arn}` is in {}, but the trail's log group is in {region} and alarms can only notify topics in their own region; pass a topic in {region}",
                    parsed.region
                )));
            }
            let existing = topics.iter().find(|t| t.arn == *arn).cloned().ok_or_else(|| {
                PlanError(format!(
                    "topic `{arn}` does not exist in account {account}; create it first or pass `--topic-name` to let trailwatch create one"
                ))
            })?;
            notes.push(format!("using topic `{arn}`: given with --topic-arn"));
            Ok(TopicDecision {
                arn: arn.clone(),
                create: None,
                existing: Some(existing),
            })
        }
        TopicChoice::Name(name) => Ok(by_name(name, "named with --topic-name", notes)),
        TopicChoice::Auto => {
            // Prefer a topic the controls' alarms already notify and that CloudWatch can
            // deliver to: first one with a confirmed subscriber, then any that exists.
            let referenced: Vec<&Topic> = referenced
                .iter()
                .copied()
                .filter(|t| audit::undeliverable(t, account).is_none())
                .collect();
            let confirmed = referenced.iter().find(|t| {
                t.subscriptions
                    .as_ref()
                    .is_ok_and(|s| s.iter().any(|s| s.is_confirmed()))
            });
            if let Some(t) = confirmed.or(referenced.first()) {
                let why = if confirmed.is_some() {
                    "an alarm of the selected controls already notifies it and it has a confirmed subscriber"
                } else {
                    "an alarm of the selected controls already notifies it"
                };
                notes.push(format!("reusing topic `{}` in {region}: {why}", t.arn));
                return Ok(TopicDecision {
                    arn: t.arn.clone(),
                    create: None,
                    existing: Some((*t).clone()),
                });
            }
            Ok(by_name(
                model::desired::DEFAULT_TOPIC_NAME,
                "the default shared topic for trailwatch's alarms",
                notes,
            ))
        }
    }
}

/// Chooses the filter to write: update one that is meant for this control, else create ours.
fn plan_filter(
    desired: &Desired,
    control: &Control,
    group: &LogGroupRef,
    filters: &[MetricFilter],
    builder: &mut Builder,
) -> (FilterSpec, Option<FilterSpec>, String) {
    let ours = resource_name(control);
    let default_metric = control.default_metric_name;
    let key = |f: &MetricFilter| (group.region.clone(), group.name.clone(), f.name.clone());
    let candidate = filters
        .iter()
        .find(|f| f.name == ours)
        .map(|f| (f, format!("filter `{}` is trailwatch's filter for this control but its pattern differs from the CIS pattern", f.name)))
        .or_else(|| {
            audit::attempts_at(control, filters)
                .into_iter()
                .next()
                .map(|(f, verdict)| (f, format!("{}; the plan corrects its pattern and keeps its name and metric", audit::explain_miss(f, &verdict))))
        })
        .or_else(|| {
            filters
                .iter()
                .find(|f| f.metrics.iter().any(|m| m.name == default_metric && m.namespace == desired.namespace))
                .map(|f| (f, format!("filter `{}` publishes the control's metric `{default_metric}` but does not catch the control's events", f.name)))
        })
        .filter(|(f, _)| !builder.claimed_filters.contains(&key(f)));
    if let Some((f, reason)) = candidate {
        builder.claimed_filters.insert(key(f));
        let metric = f.metrics.first();
        let before = FilterSpec {
            log_group: group.name.clone(),
            name: f.name.clone(),
            pattern: f.pattern.clone(),
            metric_name: metric.map(|m| m.name.clone()).unwrap_or_default(),
            namespace: metric.map(|m| m.namespace.clone()).unwrap_or_default(),
            metric_value: metric.map(|m| m.value.clone()).unwrap_or_default(),
            default_value: metric.and_then(|m| m.default_value),
        };
        let mut after = before.clone();
        after.pattern = control.pattern.to_string();
        if metric.is_none() {
            after.metric_name = default_metric.to_string();
            after.namespace = desired.namespace.clone();
            after.metric_value = "1".into();
        }
        return (after, Some(before), reason);
    }
    let mut name = ours.clone();
    let mut n = 2;
    while filters.iter().any(|f| f.name == name) {
        name = format!("{ours}-{n}");
        n += 1;
    }
    builder
        .claimed_filters
        .insert((group.region.clone(), group.name.clone(), name.clone()));
    (
        FilterSpec {
            log_group: group.name.clone(),
            name,
            pattern: control.pattern.to_string(),
            metric_name: default_metric.to_string(),
            namespace: desired.namespace.clone(),
            metric_value: "1".into(),
            default_value: None,
        },
        None,
        format!(
            "no metric filter on log group `{}` catches the control's events",
            group.name
        ),
    )
}

/// Chooses the alarm to write: fix the existing alarm on the metric, else create ours.
#[allow(clippy::too_many_arguments)]
fn plan_alarm(
    desired: &Desired,
    control: &Control,
    metric: &(String, String),
    existing: Option<&Alarm>,
    alarms: &[Alarm],
    topic_arn: &str,
    builder: &mut Builder,
    region: &str,
) -> (AlarmSpec, Option<AlarmSpec>, String, Option<String>) {
    if let Some(alarm) = existing.filter(|a| {
        !builder
            .claimed_alarms
            .contains(&(region.to_string(), a.name.clone()))
    }) {
        builder
            .claimed_alarms
            .insert((region.to_string(), alarm.name.clone()));
        let before = alarm_spec(alarm, metric);
        let mut after = before.clone();
        after.actions_enabled = true;
        if !after.alarm_actions.iter().any(|a| a == topic_arn) {
            after.alarm_actions.push(topic_arn.to_string());
        }
        let mut why = Vec::new();
        if !alarm.actions_enabled {
            why.push("its actions are disabled".to_string());
        }
        if !alarm.alarm_actions.iter().any(|a| a == topic_arn) {
            why.push(format!("it does not notify `{topic_arn}`"));
        }
        return (
            after,
            Some(before),
            format!(
                "alarm `{}` watches the metric but {}; the update keeps its other settings and actions",
                alarm.name,
                why.join(" and ")
            ),
            None,
        );
    }
    let ours = resource_name(control);
    let d = &desired.alarm;
    let fresh = |name: String,
                 alarm_actions: Vec<String>,
                 ok: Vec<String>,
                 insufficient: Vec<String>| AlarmSpec {
        name,
        description: Some(format!(
            "CIS {} {} {MANAGED_MARKER}",
            control.cis_id, control.title
        )),
        metric_name: metric.0.clone(),
        namespace: metric.1.clone(),
        statistic: d.statistic.clone(),
        period: d.period,
        evaluation_periods: d.evaluation_periods,
        threshold: d.threshold,
        comparison_operator: d.comparison_operator.clone(),
        treat_missing_data: Some(d.treat_missing_data.clone()),
        actions_enabled: true,
        alarm_actions,
        ok_actions: ok,
        insufficient_data_actions: insufficient,
    };
    let mut note = None;
    let taken = alarms.iter().find(|a| {
        a.name == ours
            && !builder
                .claimed_alarms
                .contains(&(region.to_string(), a.name.clone()))
    });
    if let Some(other) = taken {
        let managed = other
            .description
            .as_deref()
            .is_some_and(|d| d.contains(MANAGED_MARKER));
        if managed || desired.adopt {
            builder
                .claimed_alarms
                .insert((region.to_string(), other.name.clone()));
            let before = alarm_spec(other, metric);
            let mut actions = before.alarm_actions.clone();
            if !actions.iter().any(|a| a == topic_arn) {
                actions.push(topic_arn.to_string());
            }
            let after = fresh(
                ours.clone(),
                actions,
                before.ok_actions.clone(),
                before.insufficient_data_actions.clone(),
            );
            let reason = if managed {
                format!("trailwatch's alarm `{ours}` watches another metric; the update points it at `{}` and keeps its other actions", metric.0)
            } else {
                format!("alarm `{ours}` was not created by trailwatch; --adopt takes it over for this control, keeping its other actions")
            };
            return (after, Some(before), reason, None);
        }
        note = Some(format!(
            "alarm `{ours}` in {region} watches another metric and was not created by trailwatch: it is left alone and the new alarm gets a distinct name (pass --adopt to take `{ours}` over instead)"
        ));
    }
    let mut name = ours.clone();
    let mut n = 2;
    while alarms.iter().any(|a| a.name == name)
        || builder
            .claimed_alarms
            .contains(&(region.to_string(), name.clone()))
    {
        name = format!("{ours}-{n}");
        n += 1;
    }
    builder
        .claimed_alarms
        .insert((region.to_string(), name.clone()));
    (
        fresh(name, vec![topic_arn.to_string()], Vec::new(), Vec::new()),
        None,
        format!(
            "no alarm watches metric `{}` in namespace `{}`",
            metric.0, metric.1
        ),
        note,
    )
}

fn alarm_spec(alarm: &Alarm, metric: &(String, String)) -> AlarmSpec {
    let d = model::desired::AlarmDefaults::default();
    AlarmSpec {
        name: alarm.name.clone(),
        description: alarm.description.clone(),
        metric_name: alarm
            .metric_name
            .clone()
            .unwrap_or_else(|| metric.0.clone()),
        namespace: alarm.namespace.clone().unwrap_or_else(|| metric.1.clone()),
        statistic: alarm.statistic.clone().unwrap_or(d.statistic),
        period: alarm.period.unwrap_or(d.period),
        evaluation_periods: alarm.evaluation_periods.unwrap_or(d.evaluation_periods),
        threshold: alarm.threshold.unwrap_or(d.threshold),
        comparison_operator: alarm
            .comparison_operator
            .clone()
            .unwrap_or(d.comparison_operator),
        treat_missing_data: alarm.treat_missing_data.clone(),
        actions_enabled: alarm.actions_enabled,
        alarm_actions: alarm.alarm_actions.clone(),
        ok_actions: alarm.ok_actions.clone(),
        insufficient_data_actions: alarm.insufficient_data_actions.clone(),
    }
}

#[cfg(test)]
mod tests;
