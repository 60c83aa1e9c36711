//! How far a control's chain gets on one log group: a filter that catches the control's events
//! → an alarm on its metric that can notify → a topic CloudWatch can deliver to → a confirmed
//! subscriber. The best chain found is what the report shows and what the plan completes.

use std::sync::Arc;

use crate::memo::{ByText, REMEMBERED_PATTERNS};

use model::arn::LogGroupRef;
use model::live::{Alarm, MetricFilter, MetricKey, ReadError, RegionState, Snapshot, Topic};
use model::report::Step;
use model::{Control, Finding, FindingCode, MatchMode};

use crate::delivery::{delivery, Delivery};
use crate::policy::{Sender, Source};
use crate::verdict::{
    explain_miss, intent, is_near_miss, is_published_variant, judge, serves, Verdict,
};

/// How far a control's chain gets on one log group; higher is closer to compliant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// No filter catches the control's events.
    NoFilter,
    /// A filter does; no alarm watches its metric.
    NoAlarm,
    /// An alarm watches it but cannot notify (disabled, or no SNS action).
    AlarmCannotNotify,
    /// The alarm notifies a topic that has no confirmed subscriber.
    NoConfirmedSubscriber,
    /// The topic has a confirmed subscriber but CloudWatch cannot publish to it (its access
    /// policy, or the key that encrypts it).
    TopicCannotDeliver,
    /// The topic has a confirmed subscriber, and whether CloudWatch can publish to it turns on a
    /// policy statement trailwatch cannot judge: closer than a definite block, not complete.
    DeliveryUnclear,
    /// CloudWatch can publish to the topic and it has a confirmed subscriber, but SNS failed
    /// every notification of the day before the read: nobody is told.
    DeliveriesFailing,
    /// The whole chain holds.
    Complete,
}

/// The best chain found for one control on one log group.
#[derive(Debug, Clone)]
pub struct ChainCheck<'a> {
    /// How far it gets.
    pub stage: Stage,
    /// Why it stops there.
    pub findings: Vec<Finding>,
    /// A read that stopped the check.
    pub error: Option<ReadError>,
    /// The filter that catches the control's events, if any.
    pub filter: Option<&'a MetricFilter>,
    /// The metric of that filter that the alarm watches or should watch.
    pub metric: Option<MetricKey>,
    /// The best alarm on that metric, if any.
    pub alarm: Option<&'a Alarm>,
    /// The topic the alarm notifies that comes closest to delivering, if any.
    pub topic: Option<&'a Topic>,
    /// False when trailwatch's calls cannot complete the chain (the log group does not exist).
    pub fixable: bool,
}

impl<'a> ChainCheck<'a> {
    fn at(stage: Stage, findings: Vec<Finding>) -> Self {
        ChainCheck {
            stage,
            findings,
            error: None,
            filter: None,
            metric: None,
            alarm: None,
            topic: None,
            fixable: true,
        }
    }

    /// The step of the chain where it stops: the one rule from a `Stage` to a `Step`.
    pub fn breaks_at(&self) -> Option<Step> {
        let group_missing = self
            .findings
            .iter()
            .any(|f| f.code == FindingCode::LogGroupMissing);
        match self.stage {
            Stage::NoFilter if group_missing => Some(Step::LogGroup),
            Stage::NoFilter => Some(Step::Filter),
            Stage::NoAlarm | Stage::AlarmCannotNotify => Some(Step::Alarm),
            Stage::TopicCannotDeliver | Stage::DeliveryUnclear => Some(Step::Topic),
            Stage::NoConfirmedSubscriber | Stage::DeliveriesFailing => Some(Step::Subscribers),
            Stage::Complete => None,
        }
    }

    fn failed(error: ReadError) -> Self {
        ChainCheck {
            error: Some(error),
            ..Self::at(Stage::NoFilter, Vec::new())
        }
    }
}

/// A region's alarms and topics as read, or the read that failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegionView<'a> {
    pub alarms: &'a [Alarm],
    pub topics: &'a [Topic],
}

impl<'a> RegionView<'a> {
    /// The region's alarms and topics; a region that was not read holds none.
    pub fn of(state: Option<&'a RegionState>) -> Result<Self, ReadError> {
        let Some(state) = state else {
            return Ok(RegionView {
                alarms: &[],
                topics: &[],
            });
        };
        Ok(RegionView {
            alarms: state.alarms.as_ref().map_err(Clone::clone)?,
            topics: state.topics.as_ref().map_err(Clone::clone)?,
        })
    }
}

/// The alarms that watch exactly this metric.
pub(crate) fn alarms_on<'a, 'm>(
    alarms: &'a [Alarm],
    metric: &'m MetricKey,
) -> impl Iterator<Item = &'a Alarm> + use<'a, 'm> {
    alarms.iter().filter(move |a| a.watches(metric))
}

/// Follows the chain for one control on one log group.
pub fn check_chain<'a>(
    snapshot: &'a Snapshot,
    control: &Control,
    group: &LogGroupRef,
    mode: MatchMode,
) -> ChainCheck<'a> {
    let filters = match group_filters(snapshot, group) {
        Ok(filters) => filters,
        Err(check) => return *check,
    };
    let judged: Vec<(&MetricFilter, Arc<Verdict>)> =
        filters.iter().map(|f| (f, judge(control, f))).collect();
    let matching: Vec<&MetricFilter> = judged
        .iter()
        .filter(|(f, v)| serves(control, f, v, mode))
        .map(|(f, _)| *f)
        .collect();
    if matching.is_empty() {
        return no_matching_filter(control, group, &judged);
    }
    let region = match RegionView::of(snapshot.region_state(&group.region)) {
        Ok(region) => region,
        Err(e) => return ChainCheck::failed(e),
    };
    let source = Source {
        sender: Sender::CloudWatch,
        partition: &snapshot.partition,
        region: &group.region,
        account: &snapshot.account_id,
        name: None,
    };
    let mut best = best_of_filters(source, &matching, region);
    best.findings
        .extend(filter_warnings(control, mode, best.filter, &judged));
    best
}

/// The group's filters, or the check that ends there (the group is missing or was not read).
fn group_filters<'a>(
    snapshot: &'a Snapshot,
    group: &LogGroupRef,
) -> Result<&'a [MetricFilter], Box<ChainCheck<'a>>> {
    let Some(state) = snapshot.log_group(&group.region, &group.name) else {
        return Err(Box::new(ChainCheck::failed(ReadError {
            action: "logs:DescribeMetricFilters".into(),
            code: None,
            message: format!("log group `{}` was not read", group.name),
        })));
    };
    match &state.filters {
        Ok(filters) => Ok(filters),
        Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => {
            Err(Box::new(ChainCheck {
                fixable: false,
                ..ChainCheck::at(Stage::NoFilter, vec![log_group_missing(group)])
            }))
        }
        Err(e) => Err(Box::new(ChainCheck::failed(e.clone()))),
    }
}

fn log_group_missing(group: &LogGroupRef) -> Finding {
    Finding::new(
        FindingCode::LogGroupMissing,
        format!(
            "the trail's log group `{}` does not exist in {}",
            group.name, group.region
        ),
    )
    .with_hint("create the log group or point the trail at an existing one (trailwatch never creates log groups or changes trails)")
}

/// No filter serves the control: say so, and why each near miss falls short.
fn no_matching_filter<'a>(
    control: &Control,
    group: &LogGroupRef,
    judged: &[(&MetricFilter, Arc<Verdict>)],
) -> ChainCheck<'a> {
    let mut findings = vec![Finding::new(
        FindingCode::NoMatchingFilter,
        format!(
            "no metric filter on log group `{}` ({}) catches the control's events",
            group.name, group.region
        ),
    )];
    let near_misses = judged
        .iter()
        .filter(|(f, v)| v.catches_all() || (!v.caught.is_empty() && is_near_miss(control, f, v)));
    for (near, verdict) in near_misses {
        if verdict.catches_all() {
            // Only in strict mode: it catches everything but is not a published pattern.
            findings.push(Finding::new(
                FindingCode::FilterNotPublished,
                format!(
                    "filter `{}` catches every event of the control but is not one of {}'s published patterns (`--match strict`)",
                    near.name, control.benchmark
                ),
            ));
            continue;
        }
        findings.push(Finding::new(
            FindingCode::FilterPatternDiffers,
            explain_miss(near, verdict),
        ));
        findings.extend(precedence_findings(near));
    }
    // A filter meant for the control whose pattern does not parse catches nothing: say why.
    for (broken, verdict) in judged
        .iter()
        .filter(|(f, v)| v.error.is_some() && intent(control, f, v).is_some())
    {
        findings.push(Finding::new(
            FindingCode::FilterPatternDiffers,
            explain_miss(broken, verdict),
        ));
    }
    ChainCheck::at(Stage::NoFilter, findings)
}

/// The best chain through any metric of any matching filter; the first wins a tie.
fn best_of_filters<'a>(
    source: Source,
    matching: &[&'a MetricFilter],
    region: RegionView<'a>,
) -> ChainCheck<'a> {
    let mut best: Option<ChainCheck<'a>> = None;
    for filter in matching {
        for m in &filter.metrics {
            let metric = MetricKey::new(&m.name, &m.namespace);
            let candidate = check_metric(source, filter, metric, region);
            if best.as_ref().is_none_or(|b| candidate.stage > b.stage) {
                best = Some(candidate);
            }
        }
    }
    best.unwrap_or_else(|| {
        let filter = matching[0];
        ChainCheck::at(
            Stage::NoFilter,
            vec![Finding::new(
                FindingCode::FilterWithoutMetric,
                format!("filter `{}` publishes no metric", filter.name),
            )],
        )
    })
}

/// Warnings about the filter the chain goes through: precedence traps, and a pattern so broad
/// its alarm would be noise. With `--match strict` a published pattern's grouping is what the
/// user asked for: the plan says so once (`strict_note`), not under every control.
fn filter_warnings(
    control: &Control,
    mode: MatchMode,
    filter: Option<&MetricFilter>,
    judged: &[(&MetricFilter, Arc<Verdict>)],
) -> Vec<Finding> {
    let Some(filter) = filter else {
        return Vec::new();
    };
    let as_published = mode == MatchMode::Strict && is_published_variant(control, filter);
    let mut findings = match as_published {
        true => Vec::new(),
        false => precedence_findings(filter),
    };
    let verdict = judged
        .iter()
        .find(|(f, _)| std::ptr::eq(*f, filter))
        .map(|(_, v)| v);
    if let Some(v) = verdict.filter(|v| v.too_broad()) {
        findings.push(
            Finding::new(
                FindingCode::FilterTooBroad,
                format!(
                    "filter `{}` also matches {} of {} everyday, unrelated events: its alarm will be noise",
                    filter.name, v.noise.matched, v.noise.of
                ),
            )
            .with_hint("narrow the pattern to the control's events, such as the CIS pattern"),
        );
    }
    findings
}

/// Warnings about a filter's `&&`/`||` grouping that its author probably did not intend.
fn precedence_findings(filter: &MetricFilter) -> Vec<Finding> {
    traps(&filter.pattern)
        .iter()
        .map(|chain| {
            Finding::new(
                FindingCode::PrecedenceTrap,
                format!(
                    "in filter `{}`, `&&` binds tighter than `||`: `{chain}` is one alternative of the `||`, so its conditions do not apply to the others",
                    filter.name
                ),
            )
            .with_hint("`trailwatch pattern explain` shows the grouping; add parentheses if the conditions were meant for every alternative")
        })
        .collect()
}

/// A pattern's precedence traps (`pattern::precedence_traps`, a parse of the pattern), remembered
/// by its text: the accounts of a run hold the same few filters. Bounded; a text always gives
/// the same traps, so what is remembered never changes an answer.
fn traps(pattern: &str) -> Arc<Vec<String>> {
    static MEMO: ByText<(), Vec<String>> = ByText::new(REMEMBERED_PATTERNS);
    MEMO.get((), pattern, || pattern::precedence_traps(pattern))
}

/// The chain through one metric of a matching filter: the best of the alarms on it.
fn check_metric<'a>(
    source: Source,
    filter: &'a MetricFilter,
    metric: MetricKey,
    region: RegionView<'a>,
) -> ChainCheck<'a> {
    let mut check = ChainCheck {
        filter: Some(filter),
        ..ChainCheck::at(Stage::NoAlarm, Vec::new())
    };
    let mut best: Option<AlarmCheck<'a>> = None;
    for alarm in alarms_on(region.alarms, &metric) {
        let candidate = check_alarm(source, alarm, region.topics);
        if best.as_ref().is_none_or(|b| candidate.stage > b.stage) {
            best = Some(candidate);
        }
    }
    match best {
        Some(found) => {
            check.stage = found.stage;
            check.findings = found.findings;
            check.alarm = Some(found.alarm);
            check.topic = found.topic;
        }
        None => check.findings = no_alarm(filter, &metric, region.alarms),
    }
    check.metric = Some(metric);
    check
}

/// Why no alarm watches the metric, with the alarms on its name in another namespace.
fn no_alarm(filter: &MetricFilter, metric: &MetricKey, alarms: &[Alarm]) -> Vec<Finding> {
    let MetricKey { name, namespace } = metric;
    let mut findings = vec![Finding::new(
        FindingCode::NoAlarm,
        format!(
            "no alarm watches metric `{name}` in namespace `{namespace}` (published by filter `{}`)",
            filter.name
        ),
    )];
    for other in alarms
        .iter()
        .filter(|a| a.watches_name(name) && a.namespace.as_deref() != Some(namespace.as_str()))
    {
        findings.push(Finding::new(
            FindingCode::AlarmWrongNamespace,
            format!(
                "alarm `{}` watches `{name}` in namespace `{}`, not `{namespace}`",
                other.name,
                other.namespace.as_deref().unwrap_or("")
            ),
        ));
    }
    findings
}

/// How far one alarm gets: the best of the topics it notifies.
struct AlarmCheck<'a> {
    stage: Stage,
    findings: Vec<Finding>,
    alarm: &'a Alarm,
    topic: Option<&'a Topic>,
}

/// How far one alarm gets; `source` is its account and region.
fn check_alarm<'a>(source: Source, alarm: &'a Alarm, topics: &'a [Topic]) -> AlarmCheck<'a> {
    if !alarm.can_notify() {
        return AlarmCheck {
            stage: Stage::AlarmCannotNotify,
            findings: why_alarm_cannot_notify(alarm),
            alarm,
            topic: None,
        };
    }
    let mut best: Option<AlarmCheck<'a>> = None;
    for arn in alarm.sns_actions() {
        let this_alarm = Source {
            name: Some(&alarm.name),
            ..source
        };
        let found = check_topic(arn, topics, this_alarm);
        // On a tie, a topic that exists says more than one that does not.
        let better =
            |b: &AlarmCheck| (found.stage, found.topic.is_some()) > (b.stage, b.topic.is_some());
        if best.as_ref().is_none_or(better) {
            best = Some(AlarmCheck {
                stage: found.stage,
                findings: found.finding.into_iter().collect(),
                alarm,
                topic: found.topic,
            });
        }
    }
    best.expect("an alarm that can notify has an SNS action")
}

fn why_alarm_cannot_notify(alarm: &Alarm) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !alarm.actions_enabled {
        findings.push(Finding::new(
            FindingCode::AlarmActionsDisabled,
            format!("alarm `{}` has its actions disabled", alarm.name),
        ));
    }
    if alarm.sns_actions().next().is_none() {
        findings.push(Finding::new(
            FindingCode::AlarmNoSnsAction,
            format!("alarm `{}` notifies no SNS topic", alarm.name),
        ));
    }
    findings
}

/// How far one topic an alarm notifies gets.
struct TopicCheck<'a> {
    stage: Stage,
    finding: Option<Finding>,
    topic: Option<&'a Topic>,
}

/// `source` names the alarm that notifies the topic.
fn check_topic<'a>(topic_arn: &str, topics: &'a [Topic], source: Source) -> TopicCheck<'a> {
    let alarm = source.name.unwrap_or_default();
    let Some(topic) = topics.iter().find(|t| t.arn == topic_arn) else {
        return TopicCheck {
            stage: Stage::NoConfirmedSubscriber,
            finding: Some(Finding::new(
                FindingCode::TopicNotFound,
                format!("alarm `{alarm}` notifies topic `{topic_arn}`, which was not found in this account and region"),
            )),
            topic: None,
        };
    };
    let (stage, finding) = match &topic.subscriptions {
        Err(e) => (
            Stage::NoConfirmedSubscriber,
            Some(crate::trails::read_error_finding(e)),
        ),
        Ok(subs) => match Subscribers::of(subs).finding(topic_arn, false) {
            Some(finding) => (Stage::NoConfirmedSubscriber, Some(finding)),
            None => match delivery(topic, &source) {
                Delivery::Delivers => deliveries(topic),
                Delivery::Blocked(finding) => (Stage::TopicCannotDeliver, Some(finding)),
                Delivery::Unclear(finding) => (Stage::DeliveryUnclear, Some(finding)),
            },
        },
    };
    TopicCheck {
        stage,
        finding,
        topic: Some(topic),
    }
}

/// What the topic's deliveries of the day before the read say about a chain that otherwise
/// holds: every notification failed (nobody is told), some failed (a warning), or nothing is
/// known (no data: nothing was published; or the metrics could not be read, a warning).
fn deliveries(topic: &Topic) -> (Stage, Option<Finding>) {
    let hint = "check the topic's subscription endpoints (an email address that bounces, an HTTPS endpoint that is down, an SQS queue or Lambda function that refuses SNS)";
    match &topic.deliveries {
        Ok(Some(d)) if d.failed > 0 && d.delivered == 0 => (
            Stage::DeliveriesFailing,
            Some(Finding::new(
                FindingCode::TopicDeliveriesFailing,
                format!("topic `{}` failed all {} notifications of the {} hours before the read and delivered none: nobody is told", topic.arn, d.failed, model::live::DELIVERIES_WINDOW_HOURS),
            ).with_hint(hint)),
        ),
        Ok(Some(d)) if d.failed > 0 => (
            Stage::Complete,
            Some(Finding::new(
                FindingCode::TopicDeliveriesPartlyFailing,
                format!("topic `{}` failed {} of {} notifications of the {} hours before the read", topic.arn, d.failed, d.failed + d.delivered, model::live::DELIVERIES_WINDOW_HOURS),
            ).with_hint(hint)),
        ),
        Ok(_) => (Stage::Complete, None),
        Err(e) => (
            Stage::Complete,
            Some(Finding::new(
                FindingCode::TopicDeliveriesUnread,
                format!("whether topic `{}` delivers its notifications is not known: {}", topic.arn, e.message),
            ).with_hint(format!("grant `{}` to read the topic's delivery metrics", e.action))),
        ),
    }
}

/// Who will hear a topic's alarms: the one rule for the subscription findings of the audit and
/// of the plan.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subscribers {
    /// Some subscriber is confirmed (or will be at once, when the plan subscribes it).
    pub confirmed: bool,
    /// Endpoints the plan subscribes that a person must confirm, as `PROTOCOL:ENDPOINT`.
    pub subscribing: Vec<String>,
    /// Existing subscriptions that await confirmation, as `PROTOCOL:ENDPOINT`.
    pub pending: Vec<String>,
}

impl Subscribers {
    /// The subscribers a topic has now.
    pub fn of(subscriptions: &[model::live::Subscription]) -> Self {
        Subscribers {
            confirmed: subscriptions.iter().any(|s| s.is_confirmed()),
            subscribing: Vec::new(),
            pending: subscriptions
                .iter()
                .filter(|s| !s.is_confirmed())
                .map(|s| format!("{}:{}", s.protocol, s.endpoint))
                .collect(),
        }
    }

    /// Why nobody will be told, if nobody will; `created` when the plan creates the topic.
    pub fn finding(&self, topic_arn: &str, created: bool) -> Option<Finding> {
        let new_topic = if created {
            " (created by this plan)"
        } else {
            ""
        };
        if self.confirmed {
            return None;
        }
        Some(if !self.subscribing.is_empty() {
            Finding::new(
                FindingCode::TopicNoConfirmedSubscriber,
                format!("topic `{topic_arn}`{new_topic} has no confirmed subscriber"),
            )
            .with_hint(format!(
                "apply subscribes {}; the control holds once the subscription is confirmed from the message SNS sends",
                self.subscribing.join(", ")
            ))
        } else if !self.pending.is_empty() {
            Finding::new(
                FindingCode::SubscriptionPending,
                format!(
                    "topic `{topic_arn}` has only subscriptions awaiting confirmation ({})",
                    self.pending.join(", ")
                ),
            )
            .with_hint("confirm the subscription from the message SNS sent to the endpoint")
        } else {
            Finding::new(
                FindingCode::TopicNoSubscriber,
                format!("topic `{topic_arn}`{new_topic} has no subscribers"),
            )
            .with_hint("pass `--notify email:security@example.com` (or another PROTOCOL:ENDPOINT) to subscribe one")
        })
    }
}

/// Said once in a `--match strict` plan whose controls' published patterns carry a precedence
/// trap: why they are written and accepted as published.
pub fn strict_note(controls: &[Control], mode: MatchMode) -> Option<String> {
    let trapped: Vec<&str> = controls
        .iter()
        .filter(|c| c.meant.is_some())
        .map(|c| c.id)
        .collect();
    (mode == MatchMode::Strict && !trapped.is_empty()).then(|| {
        format!(
            "--match strict: the pattern of {} is written and accepted as CIS publishes it, although its `&&` binds tighter than `||` (`trailwatch pattern explain` shows the grouping); the default semantic mode writes the grouping CIS meant",
            trapped.join(", ")
        )
    })
}
