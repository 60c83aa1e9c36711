//! The CIS audit procedure over a snapshot: which trails qualify, and how far each control's
//! chain (filter → alarm → topic → confirmed subscriber) gets on a qualifying trail's log group.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use model::arn::{self, LogGroupRef};
use model::catalog::Catches;
use model::live::{Alarm, EventSelectors, MetricFilter, ReadError, Snapshot, Topic, Trail};
use model::{Control, Finding, MatchMode};
use serde_json::Value;

/// A trail judged against the CIS trail requirements.
#[derive(Debug, Clone)]
pub struct TrailCheck<'a> {
    /// The trail.
    pub trail: &'a Trail,
    /// Why it does not qualify (empty when it does).
    pub problems: Vec<Finding>,
    /// Reads that failed while judging it.
    pub errors: Vec<ReadError>,
    /// Its log group, when it has a valid one.
    pub log_group: Option<LogGroupRef>,
}

impl TrailCheck<'_> {
    /// True when the trail meets every requirement and its log group is in this account.
    pub fn qualifies(&self, account_id: &str) -> bool {
        self.problems.is_empty()
            && self.errors.is_empty()
            && self
                .log_group
                .as_ref()
                .is_some_and(|g| g.account_id == account_id)
    }

    /// The account that owns the log group, when it is not this one and the trail otherwise qualifies.
    pub fn central_account(&self, account_id: &str) -> Option<&str> {
        let group = self.log_group.as_ref()?;
        (self.problems.is_empty() && self.errors.is_empty() && group.account_id != account_id)
            .then_some(group.account_id.as_str())
    }
}

/// The finding for a failed read; the hint says which permission to grant when it was denied.
pub fn read_error_finding(e: &ReadError) -> Finding {
    let finding = Finding::new("read-error", e.to_string());
    if e.is_access_denied() {
        finding.with_hint(format!(
            "grant `{}` to the identity trailwatch runs as",
            e.action
        ))
    } else {
        finding
    }
}

/// Judges every trail.
pub fn check_trails(trails: &[Trail]) -> Vec<TrailCheck<'_>> {
    trails.iter().map(check_trail).collect()
}

fn check_trail(trail: &Trail) -> TrailCheck<'_> {
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    let name = &trail.name;
    if !trail.is_multi_region {
        problems.push(
            Finding::new(
                "trail-not-multi-region",
                format!("trail `{name}` is a single-region trail"),
            )
            .with_hint(format!(
                "make it multi-region: `aws cloudtrail update-trail --name {name} --is-multi-region-trail` (trailwatch never changes trails)"
            )),
        );
    }
    match &trail.is_logging {
        Ok(true) => {}
        Ok(false) => problems.push(
            Finding::new(
                "trail-not-logging",
                format!("trail `{name}` is not logging"),
            )
            .with_hint(format!(
                "start it: `aws cloudtrail start-logging --name {}`",
                trail.arn
            )),
        ),
        Err(e) => errors.push(e.clone()),
    }
    match &trail.selectors {
        Ok(selectors) => {
            if let Err(why) = captures_all_management_events(selectors) {
                problems.push(
                    Finding::new(
                        "trail-not-all-management-events",
                        format!("trail `{name}` does not capture all management events: {why}"),
                    )
                    .with_hint("add an event selector with IncludeManagementEvents=true and ReadWriteType=All"),
                );
            }
        }
        Err(e) => errors.push(e.clone()),
    }
    let mut log_group = None;
    match &trail.log_group_arn {
        None => problems.push(
            Finding::new(
                "trail-no-cloudwatch-logs",
                format!("trail `{name}` does not send its logs to CloudWatch Logs"),
            )
            .with_hint("set the trail's CloudWatch Logs log group and role (trailwatch never changes trails or log groups)"),
        ),
        Some(text) => match arn::parse_log_group_arn(text) {
            Ok(group) => log_group = Some(group),
            Err(why) => problems.push(Finding::new(
                "trail-bad-log-group-arn",
                format!("trail `{name}`: {why}"),
            )),
        },
    }
    TrailCheck {
        trail,
        problems,
        errors,
        log_group,
    }
}

/// Whether the selectors capture every management event, read and write; the error says why not.
pub fn captures_all_management_events(selectors: &EventSelectors) -> Result<(), String> {
    if selectors
        .basic
        .iter()
        .any(|s| s.include_management_events && s.read_write_type.eq_ignore_ascii_case("All"))
    {
        return Ok(());
    }
    for selector in &selectors.advanced {
        let management = selector
            .fields
            .iter()
            .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
        let read_only = selector.fields.iter().any(|f| f.field == "readOnly");
        let excluded_sources = selector
            .fields
            .iter()
            .any(|f| f.field == "eventSource" && !f.not_equals.is_empty());
        if management && !read_only && !excluded_sources {
            return Ok(());
        }
    }
    let mut seen = Vec::new();
    for s in &selectors.basic {
        if s.include_management_events {
            seen.push(format!("{} management events", s.read_write_type));
        }
    }
    for s in &selectors.advanced {
        if s.fields
            .iter()
            .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"))
        {
            if let Some(f) = s.fields.iter().find(|f| f.field == "readOnly") {
                let v = f.equals.first().map(String::as_str).unwrap_or("?");
                seen.push(format!("advanced selector with readOnly = {v}"));
            } else {
                seen.push("advanced selector that excludes event sources".to_string());
            }
        }
    }
    Err(if seen.is_empty() {
        "no event selector includes management events".to_string()
    } else {
        format!("only {}", seen.join(", "))
    })
}

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
    /// policy, or the AWS-managed key that encrypts it).
    TopicCannotDeliver,
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
    /// The metric (name, namespace) of that filter that the alarm watches or should watch.
    pub metric: Option<(String, String)>,
    /// The best alarm on that metric, if any.
    pub alarm: Option<&'a Alarm>,
    /// The topic the alarm notifies that comes closest to delivering, if any.
    pub topic: Option<&'a Topic>,
    /// False when trailwatch's calls cannot complete the chain (the log group does not exist).
    pub fixable: bool,
}

impl ChainCheck<'_> {
    fn without_error(mut self) -> Self {
        self.error = None;
        self
    }

    fn failed(error: ReadError) -> Self {
        ChainCheck {
            stage: Stage::NoFilter,
            findings: Vec::new(),
            error: Some(error),
            filter: None,
            metric: None,
            alarm: None,
            topic: None,
            fixable: true,
        }
    }
}

/// What a filter's pattern does with a control's events, decided by evaluating it against the
/// control's positive corpus (see `model::catalog::corpus`).
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Event names with at least one record the filter does not match, in catalog order.
    pub missed: Vec<&'static str>,
    /// Event names the filter matches in at least one record.
    pub caught: Vec<&'static str>,
    /// Conditions inside `&&` groups that excluded records the rest of the group accepted.
    pub blocking: Vec<String>,
    /// How many of the everyday, unrelated events it matches, of how many.
    pub noise: (usize, usize),
    /// The pattern's syntax error, if it does not parse.
    pub error: Option<String>,
    /// Event names the pattern names in positive `$.eventName = X` conditions.
    pub named: Vec<String>,
}

impl Verdict {
    /// True when the filter matches every record of the corpus.
    pub fn catches_all(&self) -> bool {
        self.error.is_none() && self.missed.is_empty()
    }

    /// True when it also matches most everyday events: its alarm would be noise.
    pub fn too_broad(&self) -> bool {
        self.noise.1 > 0 && self.noise.0 * 4 >= self.noise.1 * 3
    }
}

/// Evaluates a filter pattern against the control's corpus.
pub fn judge_filter(corpus: &[(&'static str, Value)], filter: &MetricFilter) -> Verdict {
    let compiled = match pattern::compile(&filter.pattern) {
        Ok(c) => c,
        Err(e) => {
            return Verdict {
                missed: corpus
                    .iter()
                    .map(|(label, _)| *label)
                    .fold(Vec::new(), |mut v, l| {
                        if !v.contains(&l) {
                            v.push(l);
                        }
                        v
                    }),
                caught: Vec::new(),
                blocking: Vec::new(),
                noise: (0, 0),
                error: Some(e.to_string()),
                named: Vec::new(),
            }
        }
    };
    let mut missed: Vec<&'static str> = Vec::new();
    let mut caught: Vec<&'static str> = Vec::new();
    let mut blocking: Vec<String> = Vec::new();
    for (event, record) in corpus {
        if compiled.matches_json(record) {
            if !caught.contains(event) {
                caught.push(event);
            }
        } else {
            if !missed.contains(event) {
                missed.push(event);
            }
            for clause in pattern::blocking_conditions(&compiled, record) {
                if !blocking.contains(&clause) {
                    blocking.push(clause);
                }
            }
        }
    }
    let noise = model::catalog::noise_corpus();
    let noisy = noise.iter().filter(|e| compiled.matches_json(e)).count();
    Verdict {
        missed,
        caught,
        blocking,
        noise: (noisy, noise.len()),
        error: None,
        named: pattern::event_names(compiled.pattern())
            .into_iter()
            .collect(),
    }
}

/// The event names a control's own patterns name.
pub fn event_names(control: &Control) -> Vec<&'static str> {
    match control.catches {
        Catches::Calls { events, .. } => events.to_vec(),
        Catches::SigninWithoutMfa | Catches::ConsoleAuthFailures => vec!["ConsoleLogin"],
        Catches::Unauthorized | Catches::RootUsage => Vec::new(),
    }
}

/// The verdict on a filter for a control, remembered per kind of catch and pattern text: every
/// account of a run (and the read scope, and the planner) asks about the same few patterns, and
/// each answer costs a compile and a pass over the corpus.
pub fn judge(control: &Control, filter: &MetricFilter) -> Verdict {
    type Memo = Mutex<HashMap<(Catches, String), Verdict>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let key = (control.catches, filter.pattern.clone());
    if let Some(v) = memo.lock().expect("verdict memo").get(&key) {
        return v.clone();
    }
    let verdict = judge_filter(&model::catalog::corpus(control), filter);
    memo.lock()
        .expect("verdict memo")
        .insert(key, verdict.clone());
    verdict
}

/// True when a filter that falls short is meant for this control alone: it catches at least
/// half of its events and names no other events. Only these are corrected in place; a filter
/// that also serves other events (a combined "security changes" filter, say) is left alone.
pub fn is_attempt(control: &Control, verdict: &Verdict) -> bool {
    let own = event_names(control);
    !verdict.catches_all()
        && !verdict.caught.is_empty()
        && verdict.caught.len() * 2 >= model::catalog::corpus_labels(control)
        && verdict.named.iter().all(|e| own.contains(&e.as_str()))
}

/// The filters that are attempts at the control (see [`is_attempt`]), with their verdicts.
pub fn attempts_at<'a>(
    control: &Control,
    filters: &'a [MetricFilter],
) -> Vec<(&'a MetricFilter, Verdict)> {
    filters
        .iter()
        .map(|f| (f, judge(control, f)))
        .filter(|(_, v)| is_attempt(control, v))
        .collect()
}

/// Explains what a filter that falls short does not catch, and why.
pub fn explain_miss(filter: &MetricFilter, verdict: &Verdict) -> String {
    if let Some(error) = &verdict.error {
        return format!(
            "filter `{}` has a pattern that does not parse ({error})",
            filter.name
        );
    }
    let list = if verdict.missed.len() > 6 {
        format!(
            "{} and {} more",
            verdict.missed[..5].join(", "),
            verdict.missed.len() - 5
        )
    } else {
        verdict.missed.join(", ")
    };
    let mut text = format!("filter `{}` does not catch {list}", filter.name);
    if !verdict.blocking.is_empty() {
        let clauses: Vec<String> = verdict.blocking.iter().map(|c| format!("`{c}`")).collect();
        text.push_str(&format!(
            ": {} {} {} it",
            if clauses.len() == 1 {
                "the clause"
            } else {
                "the clauses"
            },
            clauses.join(" and "),
            if clauses.len() == 1 {
                "narrows"
            } else {
                "narrow"
            }
        ));
    }
    text
}

/// True when the filter's parsed pattern is one of the control's published variants, up to
/// whitespace, quoting, operand order and redundant parentheses (`--match strict`).
pub fn is_published_variant(control: &Control, filter: &MetricFilter) -> bool {
    control
        .variants
        .iter()
        .any(|v| pattern::equivalent(v, &filter.pattern))
}

/// Warnings about a filter's `&&`/`||` grouping that its author probably did not intend.
fn precedence_findings(filter: &MetricFilter) -> Vec<Finding> {
    pattern::precedence_traps(&filter.pattern)
        .into_iter()
        .map(|chain| {
            Finding::new(
                "precedence-trap",
                format!(
                    "in filter `{}`, `&&` binds tighter than `||`: `{chain}` is one alternative of the `||`, so its conditions do not apply to the others",
                    filter.name
                ),
            )
            .with_hint("`trailwatch pattern explain` shows the grouping; add parentheses if the conditions were meant for every alternative")
        })
        .collect()
}

/// Follows the chain for one control on one log group.
pub fn check_chain<'a>(
    snapshot: &'a Snapshot,
    control: &Control,
    group: &LogGroupRef,
    mode: MatchMode,
) -> ChainCheck<'a> {
    let Some(state) = snapshot.log_group(&group.region, &group.name) else {
        return ChainCheck::failed(ReadError {
            action: "logs:DescribeMetricFilters".into(),
            code: None,
            message: format!("log group `{}` was not read", group.name),
        });
    };
    let filters = match &state.filters {
        Ok(f) => f,
        Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => {
            return ChainCheck {
                findings: vec![Finding::new(
                    "log-group-missing",
                    format!(
                        "the trail's log group `{}` does not exist in {}",
                        group.name, group.region
                    ),
                )
                .with_hint("create the log group or point the trail at an existing one (trailwatch never creates log groups or changes trails)")],
                fixable: false,
                ..ChainCheck::failed(e.clone())
            }
            .without_error();
        }
        Err(e) => return ChainCheck::failed(e.clone()),
    };
    let judged: Vec<(&MetricFilter, Verdict)> =
        filters.iter().map(|f| (f, judge(control, f))).collect();
    let matching: Vec<&MetricFilter> = judged
        .iter()
        .filter(|(f, v)| match mode {
            MatchMode::Semantic => v.catches_all(),
            MatchMode::Strict => is_published_variant(control, f),
        })
        .map(|(f, _)| *f)
        .collect();
    if matching.is_empty() {
        let mut findings = vec![Finding::new(
            "no-matching-filter",
            format!(
                "no metric filter on log group `{}` ({}) catches the control's events",
                group.name, group.region
            ),
        )];
        for (near, verdict) in judged.iter().filter(|(_, v)| !v.caught.is_empty()) {
            if verdict.catches_all() {
                // Only in strict mode: it catches everything but is not a published pattern.
                findings.push(Finding::new(
                    "filter-not-published",
                    format!(
                        "filter `{}` catches every event of the control but is not one of {}'s published patterns (`--match strict`)",
                        near.name, control.benchmark
                    ),
                ));
                continue;
            }
            findings.push(Finding::new(
                "filter-pattern-differs",
                explain_miss(near, verdict),
            ));
            findings.extend(precedence_findings(near));
        }
        return ChainCheck {
            stage: Stage::NoFilter,
            findings,
            error: None,
            filter: None,
            metric: None,
            alarm: None,
            topic: None,
            fixable: true,
        };
    }
    let region = snapshot.region_state(&group.region);
    let alarms = match region.map(|r| &r.alarms) {
        Some(Ok(a)) => a.as_slice(),
        Some(Err(e)) => return ChainCheck::failed(e.clone()),
        None => &[],
    };
    let topics = match region.map(|r| &r.topics) {
        Some(Ok(t)) => t.as_slice(),
        Some(Err(e)) => return ChainCheck::failed(e.clone()),
        None => &[],
    };

    let mut best: Option<ChainCheck<'a>> = None;
    for filter in &matching {
        for metric in &filter.metrics {
            let candidate = check_metric(
                snapshot,
                filter,
                metric.name.clone(),
                metric.namespace.clone(),
                alarms,
                topics,
            );
            if best.as_ref().is_none_or(|b| candidate.stage > b.stage) {
                best = Some(candidate);
            }
        }
        if filter.metrics.is_empty() && best.is_none() {
            best = Some(ChainCheck {
                stage: Stage::NoFilter,
                findings: vec![Finding::new(
                    "filter-without-metric",
                    format!("filter `{}` publishes no metric", filter.name),
                )],
                error: None,
                filter: None,
                metric: None,
                alarm: None,
                topic: None,
                fixable: true,
            });
        }
    }
    let mut best = best.expect("at least one matching filter");
    if let Some(filter) = best.filter {
        best.findings.extend(precedence_findings(filter));
        let verdict = judged
            .iter()
            .find(|(f, _)| std::ptr::eq(*f, filter))
            .map(|(_, v)| v);
        if let Some(v) = verdict.filter(|v| v.too_broad()) {
            best.findings.push(
                Finding::new(
                    "filter-too-broad",
                    format!(
                        "filter `{}` also matches {} of {} everyday, unrelated events: its alarm will be noise",
                        filter.name, v.noise.0, v.noise.1
                    ),
                )
                .with_hint("narrow the pattern to the control's events, such as the CIS pattern"),
            );
        }
    }
    best
}

fn check_metric<'a>(
    snapshot: &Snapshot,
    filter: &'a MetricFilter,
    metric_name: String,
    namespace: String,
    alarms: &'a [Alarm],
    topics: &'a [Topic],
) -> ChainCheck<'a> {
    let mut check = ChainCheck {
        stage: Stage::NoAlarm,
        findings: Vec::new(),
        error: None,
        filter: Some(filter),
        metric: Some((metric_name.clone(), namespace.clone())),
        alarm: None,
        topic: None,
        fixable: true,
    };
    let on_metric: Vec<&Alarm> = alarms
        .iter()
        .filter(|a| {
            a.metric_name.as_deref() == Some(metric_name.as_str())
                && a.namespace.as_deref() == Some(namespace.as_str())
                && !a.has_dimensions
        })
        .collect();
    if on_metric.is_empty() {
        check.findings.push(Finding::new(
            "no-alarm",
            format!(
                "no alarm watches metric `{metric_name}` in namespace `{namespace}` (published by filter `{}`)",
                filter.name
            ),
        ));
        for other in alarms.iter().filter(|a| {
            a.metric_name.as_deref() == Some(metric_name.as_str())
                && a.namespace.as_deref() != Some(namespace.as_str())
        }) {
            check.findings.push(Finding::new(
                "alarm-wrong-namespace",
                format!(
                    "alarm `{}` watches `{metric_name}` in namespace `{}`, not `{namespace}`",
                    other.name,
                    other.namespace.as_deref().unwrap_or("")
                ),
            ));
        }
        return check;
    }

    let mut best_stage = Stage::NoAlarm;
    for alarm in on_metric {
        let mut findings = Vec::new();
        let sns: Vec<&String> = alarm
            .alarm_actions
            .iter()
            .filter(|a| a.starts_with(&format!("arn:{}:sns:", snapshot.partition)))
            .collect();
        if !alarm.actions_enabled {
            findings.push(Finding::new(
                "alarm-actions-disabled",
                format!("alarm `{}` has its actions disabled", alarm.name),
            ));
        }
        if sns.is_empty() {
            findings.push(Finding::new(
                "alarm-no-sns-action",
                format!("alarm `{}` notifies no SNS topic", alarm.name),
            ));
        }
        if !findings.is_empty() {
            if best_stage < Stage::AlarmCannotNotify || check.alarm.is_none() {
                best_stage = Stage::AlarmCannotNotify;
                check.alarm = Some(alarm);
                check.findings = findings;
            }
            continue;
        }
        // The alarm can notify: look at its topics.
        for topic_arn in sns {
            let (stage, finding, topic) =
                check_topic(topic_arn, topics, &alarm.name, &snapshot.account_id);
            if stage > best_stage || check.alarm.is_none() {
                best_stage = stage;
                check.alarm = Some(alarm);
                check.topic = topic;
                check.findings = finding.into_iter().collect();
            }
        }
    }
    check.stage = best_stage;
    check
}

/// Why CloudWatch alarms cannot deliver to a topic, if they cannot: an access policy that does
/// not let `cloudwatch.amazonaws.com` publish, or encryption with the AWS-managed `alias/aws/sns`
/// key (which CloudWatch cannot use). Unknown attributes give no finding here.
pub fn undeliverable(topic: &Topic, account: &str) -> Option<Finding> {
    let attributes = topic.attributes.as_ref().ok()?;
    if let Some(key_id) = &attributes.kms_master_key_id {
        let aws_managed = key_id.ends_with("alias/aws/sns")
            || matches!(&attributes.key, Some(Ok(k)) if k.manager == "AWS");
        if !aws_managed {
            if let Some(Ok(key)) = &attributes.key {
                let grants = key
                    .policy
                    .as_deref()
                    .and_then(|p| serde_json::from_str::<Value>(p).ok())
                    .is_some_and(|p| key_policy_allows_cloudwatch(&p));
                if !grants {
                    return Some(
                        Finding::new(
                            "topic-key-blocks-cloudwatch",
                            format!(
                                "topic `{}` is encrypted with key `{}`, whose policy does not grant cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*: alarms go to ALARM but nothing is delivered",
                                topic.arn, key.arn
                            ),
                        )
                        .with_hint("add a key policy statement allowing the service principal cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*"),
                    );
                }
            }
        }
        if aws_managed {
            return Some(
                Finding::new(
                    "topic-aws-managed-key",
                    format!("topic `{}` is encrypted with the AWS-managed key `alias/aws/sns`, which CloudWatch cannot use: alarms go to ALARM but nothing is delivered", topic.arn),
                )
                .with_hint("encrypt the topic with a customer-managed key whose policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or use another topic (--topic-name)"),
            );
        }
    }
    let policy: Value = serde_json::from_str(attributes.policy.as_deref()?).ok()?;
    if policy_allows_cloudwatch(&policy, &topic.arn, account) {
        return None;
    }
    Some(
        Finding::new(
            "topic-policy-blocks-cloudwatch",
            format!("the access policy of topic `{}` does not let cloudwatch.amazonaws.com publish: alarms go to ALARM but nothing is delivered", topic.arn),
        )
        .with_hint("allow sns:Publish to the service principal cloudwatch.amazonaws.com (scoped with aws:SourceArn to the account's alarms), or use another topic (--topic-name); trailwatch never changes a topic's policy it did not create"),
    )
}

/// Whether a KMS key policy lets CloudWatch use the key to publish to an encrypted topic:
/// `kms:Decrypt` and `kms:GenerateDataKey*` for the service principal (or everyone).
pub fn key_policy_allows_cloudwatch(policy: &Value) -> bool {
    let statements = statements(policy);
    let granted = |wanted: &str| {
        statements.iter().any(|st| {
            st["Effect"] == "Allow"
                && cloudwatch_is_principal(st)
                && as_list(&st["Action"]).iter().any(|a| {
                    *a == "*"
                        || a.eq_ignore_ascii_case("kms:*")
                        || a.eq_ignore_ascii_case(wanted)
                        || (wanted == "kms:GenerateDataKey*"
                            && a.eq_ignore_ascii_case("kms:GenerateDataKey"))
                })
        })
    };
    granted("kms:Decrypt") && granted("kms:GenerateDataKey*")
}

/// A policy's statements (`Statement` may be one object or a list).
fn statements(policy: &Value) -> Vec<&Value> {
    match &policy["Statement"] {
        Value::Array(items) => items.iter().collect(),
        other @ Value::Object(_) => vec![other],
        _ => Vec::new(),
    }
}

/// Whether a statement's principal covers `cloudwatch.amazonaws.com` (by service, or everyone).
fn cloudwatch_is_principal(statement: &Value) -> bool {
    match &statement["Principal"] {
        Value::String(p) => p == "*",
        Value::Object(map) => {
            map.get("AWS").is_some_and(|v| as_list(v).contains(&"*"))
                || map
                    .get("Service")
                    .is_some_and(|v| as_list(v).contains(&"cloudwatch.amazonaws.com"))
        }
        _ => false,
    }
}

fn as_list(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a topic policy lets CloudWatch alarms of `account` publish (simplified IAM
/// evaluation: an explicit unconditional deny wins; conditions on the source account, owner or
/// ARN are checked; other conditions are assumed to hold).
pub fn policy_allows_cloudwatch(policy: &Value, topic_arn: &str, account: &str) -> bool {
    let statements = statements(policy);
    let mut allowed = false;
    for st in statements {
        let principal = cloudwatch_is_principal(st);
        let action = as_list(&st["Action"]).iter().any(|a| {
            a.eq_ignore_ascii_case("sns:Publish") || a.eq_ignore_ascii_case("sns:*") || *a == "*"
        });
        let resource = as_list(&st["Resource"])
            .iter()
            .any(|r| *r == "*" || *r == topic_arn || pattern::wildcard(r, topic_arn));
        if !(principal && action && resource) {
            continue;
        }
        let conditions_hold = match &st["Condition"] {
            Value::Object(operators) => operators.values().all(|keys| match keys {
                Value::Object(keys) => keys.iter().all(|(key, values)| {
                    let values = as_list(values);
                    match key.to_ascii_lowercase().as_str() {
                        "aws:sourceowner" | "aws:sourceaccount" => values.contains(&account),
                        "aws:sourcearn" => values.iter().any(|v| {
                            *v == "*"
                                || (v.contains(":cloudwatch:")
                                    && (v.contains(account) || v.contains(":*:")))
                        }),
                        _ => true,
                    }
                }),
                _ => true,
            }),
            _ => true,
        };
        match st["Effect"].as_str() {
            Some("Deny") if st.get("Condition").is_none() => return false,
            Some("Allow") if conditions_hold => allowed = true,
            _ => {}
        }
    }
    allowed
}

fn check_topic<'a>(
    topic_arn: &str,
    topics: &'a [Topic],
    alarm: &str,
    account: &str,
) -> (Stage, Option<Finding>, Option<&'a Topic>) {
    let Some(topic) = topics.iter().find(|t| t.arn == topic_arn) else {
        return (
            Stage::NoConfirmedSubscriber,
            Some(Finding::new(
                "topic-not-found",
                format!("alarm `{alarm}` notifies topic `{topic_arn}`, which was not found in this account and region"),
            )),
            None,
        );
    };
    match &topic.subscriptions {
        Err(e) => (
            Stage::NoConfirmedSubscriber,
            Some(Finding::new("read-error", e.to_string())),
            Some(topic),
        ),
        Ok(subs) if subs.iter().any(|s| s.is_confirmed()) => match undeliverable(topic, account) {
            Some(finding) => (Stage::TopicCannotDeliver, Some(finding), Some(topic)),
            None => (Stage::Complete, None, Some(topic)),
        },
        Ok(subs) if !subs.is_empty() => (
            Stage::NoConfirmedSubscriber,
            Some(
                Finding::new(
                    "subscription-pending",
                    format!(
                        "topic `{topic_arn}` has only subscriptions awaiting confirmation ({})",
                        subs.iter()
                            .map(|s| format!("{}:{}", s.protocol, s.endpoint))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with_hint("confirm the subscription from the message SNS sent to the endpoint"),
            ),
            Some(topic),
        ),
        Ok(_) => (
            Stage::NoConfirmedSubscriber,
            Some(Finding::new(
                "topic-no-subscriber",
                format!("topic `{topic_arn}` has no subscribers"),
            )),
            Some(topic),
        ),
    }
}
