//! Whether EventBridge rules on the default bus tell a person of a control's events: each
//! record of the control's corpus, in every region CloudTrail delivers it to, must be matched by
//! an enabled rule in a state that sees it, whose SNS target delivers to a confirmed subscriber.
//! The CIS verdict stays the metric filters' unless the user accepts EventBridge
//! (`Desired::accept_eventbridge`).

use std::collections::BTreeSet;

use model::arn::EventBusRef;
use model::live::{
    forwarded_unread, BusPolicy, BusRegion, EventBridgeRead, ReadError, Rule, RuleState, Snapshot,
    Topic, Trail, DEFAULT_BUS, FORWARD_HOPS,
};
use model::report::{Chain, ChainKind};
use model::{Control, Desired, Finding, FindingCode, Status};
use serde_json::Value;

use crate::delivery::{delivery, Delivery};
use crate::judgement::Judgement;
use crate::policy::{evaluate_text, Decision, Request, Sender, Source};

/// Services whose calls CloudTrail records in the partition's home region only (IAM,
/// Organizations, CloudFront, Route 53, the global STS endpoint): their events reach the default
/// bus of that region alone.
const GLOBAL_SERVICES: [&str; 5] = [
    "iam.amazonaws.com",
    "organizations.amazonaws.com",
    "cloudfront.amazonaws.com",
    "route53.amazonaws.com",
    "sts.amazonaws.com",
];

/// Event names CloudTrail marks `readOnly` start with one of these: rules in state `ENABLED`
/// do not see them.
const READ_ONLY_PREFIXES: [&str; 6] = ["Get", "List", "Describe", "Head", "Lookup", "Decrypt"];

/// The region where a partition's global services record their events.
fn home_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// What EventBridge does for one control.
#[derive(Debug)]
pub(crate) enum Coverage {
    /// The rules were not read (`RulesRead::Skip`).
    NotRead,
    /// Nothing to say: no rule matches any of its events.
    Silent,
    /// It could not be read, so whether it covers the control is not known.
    Unread(Finding),
    /// Some events reach a person, not all: the finding says which do not and why.
    Partial(Finding),
    /// Every event reaches a person through these rules (ARNs), in these regions.
    Covered {
        rules: Vec<String>,
        regions: Vec<String>,
        topic: String,
        trail: String,
    },
}

/// Whether weighing a control against the rules judged it or found them not read.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weighed {
    /// Judged, or nothing to judge: the filters make the control compliant.
    Done,
    /// The control is open and the rules were not read (`RulesRead::Skip`): the report says so
    /// once ([`NOT_READ_NOTE`]) rather than leave their findings out unannounced.
    RulesNotRead,
}

/// The report's note when some open control was not weighed against the rules.
pub(crate) const NOT_READ_NOTE: &str = "EventBridge rules were not read for this report: without --accept eventbridge they cannot change what apply writes; `trailwatch plan` judges them";

/// Adds what EventBridge does for a control that metric filters do not make compliant; with
/// `--accept eventbridge`, a covered control is compliant through its rules.
pub(crate) fn weigh(
    judgement: &mut Judgement<'_>,
    snapshot: &Snapshot,
    control: &Control,
    desired: &Desired,
) -> Weighed {
    if matches!(judgement.status, Status::Compliant | Status::NotApplicable) {
        return Weighed::Done;
    }
    match coverage(snapshot, control) {
        Coverage::Silent => {}
        Coverage::NotRead => return Weighed::RulesNotRead,
        Coverage::Partial(finding) => judgement.findings.push(finding),
        Coverage::Unread(finding) => {
            if desired.accept_eventbridge {
                judgement.status = Status::Error;
                judgement.need = None;
            }
            judgement.findings.push(finding);
        }
        Coverage::Covered {
            rules,
            regions,
            topic,
            trail,
        } => {
            let finding = covered_finding(&rules, &regions, desired.accept_eventbridge);
            if desired.accept_eventbridge {
                judgement.status = Status::Compliant;
                judgement.findings = vec![finding];
                judgement.need = None;
                judgement.chain = Some(Chain {
                    kind: ChainKind::Eventbridge,
                    trail,
                    region: regions.first().cloned().unwrap_or_default(),
                    topic: Some(topic),
                    rules,
                    ..Chain::default()
                });
            } else {
                judgement.findings.push(finding);
            }
        }
    }
    Weighed::Done
}

fn covered_finding(rules: &[String], regions: &[String], accepted: bool) -> Finding {
    let names = rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (rules_are, tell) = match rules.len() {
        1 => ("rule", "tells"),
        _ => ("rules", "tell"),
    };
    let message = format!(
        "EventBridge {rules_are} {names} {tell} a confirmed subscriber of every event of this control in {}",
        regions_phrase(regions)
    );
    let finding = Finding::new(FindingCode::CoveredByEventbridge, message);
    match accepted {
        true => finding,
        false => finding.with_hint("CIS still asks for a metric filter and alarm; pass --accept eventbridge (or accept = [\"eventbridge\"] in the configuration) to count the rules instead"),
    }
}

fn regions_phrase(regions: &[String]) -> String {
    match regions {
        [one] => format!("region {one} (the only region they arrive in)"),
        many => format!("all {} enabled regions", many.len()),
    }
}

/// Judges the default buses of every enabled region, and the buses their rules forward to,
/// against the control's corpus.
pub(crate) fn coverage(snapshot: &Snapshot, control: &Control) -> Coverage {
    let buses = match &snapshot.eventbridge {
        EventBridgeRead::NotRead => return Coverage::NotRead,
        EventBridgeRead::Read(Err(e)) => return Coverage::Unread(unread(e)),
        EventBridgeRead::Read(Ok(buses)) => buses,
    };
    let trails = match &snapshot.trails {
        Ok(trails) => trails.as_slice(),
        Err(_) => &[],
    };
    let mut tally = Tally::default();
    let network = Network::judge(buses, snapshot, &mut tally);
    let corpus = model::catalog::corpus(control);
    let own = |b: &&BusRegion| b.bus == DEFAULT_BUS && b.account == snapshot.account_id;
    for bus in buses.iter().filter(own) {
        if let Err(e) = &bus.rules {
            return Coverage::Unread(unread(e));
        }
        let logging = trail_logging(trails, &bus.region);
        let at = bus.reference();
        let silent = network.matches_nothing(&at);
        for (label, record) in corpus.iter() {
            if !arrives_in(record, &bus.region, &snapshot.partition) {
                continue;
            }
            let fate = match &logging {
                None => Fate::NoTrail,
                // What `fate` finds for every event, without making the event.
                Some(_) if silent => Fate::Unmatched,
                Some(trail) => {
                    let event = eventpattern::envelope(in_region(record, &bus.region));
                    (network.fate(&at, &event, is_read_only(record), 0)).told_through(trail)
                }
            };
            tally.record(&bus.region, label, fate);
        }
    }
    tally.conclude(control)
}

/// The buses of other accounts the account's rules forward to that were not read yet, each
/// once: what a run that holds those accounts reads in them (with `events:DescribeEventBus`) and
/// adds to the snapshot before judging it again.
pub fn foreign_buses(snapshot: &Snapshot) -> Vec<EventBusRef> {
    let EventBridgeRead::Read(Ok(buses)) = &snapshot.eventbridge else {
        return Vec::new();
    };
    let own = &snapshot.account_id;
    forwarded_unread(buses, |b| b.account == *own)
        .into_iter()
        .filter(|bus| bus.account_id != *own)
        .collect()
}

/// Every bus read, its enabled rules parsed and judged on whom they reach.
struct Network<'a> {
    account: &'a str,
    partition: &'a str,
    buses: Vec<(&'a BusRegion, Vec<JudgedRule<'a>>)>,
}

impl<'a> Network<'a> {
    /// Parses each bus's enabled rules; a rule trailwatch cannot judge (a pattern it does not
    /// read, a state it does not know) is recorded in the tally by name.
    fn judge(buses: &'a [BusRegion], snapshot: &'a Snapshot, tally: &mut Tally) -> Self {
        let mut judged = Vec::new();
        for bus in buses {
            let mut rules = Vec::new();
            for rule in bus.rules.iter().flatten().filter(|r| is_enabled(r)) {
                if let RuleState::Unknown(state) = &rule.state {
                    tally
                        .unjudged
                        .push(format!("`{}`: state `{state}`", rule.arn));
                    continue;
                }
                match eventpattern::parse(&rule.pattern) {
                    Ok(pattern) => rules.push(JudgedRule {
                        rule,
                        pattern,
                        reach: reach(rule, bus, snapshot),
                    }),
                    Err(e) => tally.unjudged.push(format!("`{}`: {e}", rule.arn)),
                }
            }
            judged.push((bus, rules));
        }
        Network {
            account: &snapshot.account_id,
            partition: &snapshot.partition,
            buses: judged,
        }
    }

    /// Whether the bus was read and has no rule [`Network::fate`] could match: every event
    /// there is [`Fate::Unmatched`] (most regions of most accounts).
    fn matches_nothing(&self, at: &EventBusRef) -> bool {
        let bus = self.buses.iter().find(|(b, _)| b.reference() == *at);
        bus.is_some_and(|(read, rules)| read.rules.is_ok() && rules.is_empty())
    }

    /// What becomes of an event on a bus, `hop` forwards from CloudTrail's default bus: told
    /// through a rule that reaches a topic here or on a bus it forwards to, or the closest miss.
    fn fate(&self, at: &EventBusRef, event: &Value, read_only: bool, hop: usize) -> Fate {
        let Some((read, rules)) = self.buses.iter().find(|(b, _)| b.reference() == *at) else {
            return Fate::CannotTell(format!("{} was not read", self.named(at)));
        };
        if let Err(e) = &read.rules {
            return Fate::CannotTell(format!("the rules of {}: {e}", self.named(at)));
        }
        let mut closest = Fate::Unmatched;
        for judged in rules.iter().filter(|j| j.pattern.matches(event)) {
            // Only CloudTrail's own delivery to the default bus holds back read-only events.
            if hop == 0 && !judged.rule.state.sees(read_only) {
                closest = Fate::ReadOnlyUnseen(judged.rule.name.clone());
                continue;
            }
            if let Ok(topic) = judged.reach.topic {
                return Fate::Told(Told::new(judged.rule, topic));
            }
            closest = match self.forwarded(judged, event, read_only, hop) {
                Fate::Told(told) => return Fate::Told(told.through(judged.rule)),
                Fate::Unmatched | Fate::NoTrail => self.unreached(judged),
                miss => miss,
            };
        }
        closest
    }

    /// Why a rule that matched tells nobody: its topics, and the buses it forwards to.
    fn unreached(&self, judged: &JudgedRule) -> Fate {
        let why = judged
            .reach
            .topic
            .as_ref()
            .err()
            .cloned()
            .unwrap_or_default();
        let forwards: Vec<String> = (judged.reach.forwards.iter())
            .map(|bus| format!("`{}` in {}", bus.name, bus.region))
            .collect();
        let why = match forwards.is_empty() {
            true => why,
            false => format!(
                "{why}; no rule on the event bus it forwards to ({}) matches and tells someone",
                forwards.join(", ")
            ),
        };
        Fate::Unreached(judged.rule.name.clone(), why)
    }

    /// The event on the buses the rule forwards to: this account's, or another account's of
    /// the run that lets this one put events on it.
    fn forwarded(&self, judged: &JudgedRule, event: &Value, read_only: bool, hop: usize) -> Fate {
        let mut closest = Fate::Unmatched;
        for bus in &judged.reach.forwards {
            let fate = if hop + 1 > FORWARD_HOPS {
                Fate::Unreached(
                    judged.rule.name.clone(),
                    format!("it forwards through more than {FORWARD_HOPS} event buses"),
                )
            } else {
                match self.admitted(judged.rule, bus) {
                    Ok(()) => self.fate(bus, event, read_only, hop + 1),
                    Err(refused) => refused,
                }
            };
            match fate {
                told @ Fate::Told(_) => return told,
                Fate::Unmatched => {}
                miss => closest = miss,
            }
        }
        closest
    }
}

impl Network<'_> {
    /// A bus in words: by name and region, and by account when it is another's.
    fn named(&self, bus: &EventBusRef) -> String {
        match bus.account_id == self.account {
            true => format!("event bus `{}` in {}", bus.name, bus.region),
            false => format!(
                "event bus `{}` of account {} in {}",
                bus.name, bus.account_id, bus.region
            ),
        }
    }

    /// Whether events the rule forwards arrive on the bus: always on this account's; on
    /// another account's when it was read and its policy lets this account put events.
    fn admitted(&self, rule: &Rule, at: &EventBusRef) -> Result<(), Fate> {
        if at.account_id == self.account {
            return Ok(());
        }
        let refused = |why: String| Err(Fate::Unreached(rule.name.clone(), why));
        let Some((read, _)) = self.buses.iter().find(|(b, _)| b.reference() == *at) else {
            let why = format!(
                "it forwards to {}, which is not part of this run",
                self.named(at)
            );
            return refused(why);
        };
        let policy = match &read.policy {
            BusPolicy::Read(Some(policy)) => policy,
            BusPolicy::Read(None) => {
                let why = format!(
                    "{} has no resource policy, so it takes no events from account {}",
                    self.named(at),
                    self.account
                );
                return refused(why);
            }
            BusPolicy::Unreadable(e) => {
                let why = format!("the policy of {}: {e}", self.named(at));
                return Err(Fate::CannotTell(why));
            }
            BusPolicy::NotRead => {
                let why = format!("the policy of {} was not read", self.named(at));
                return Err(Fate::CannotTell(why));
            }
        };
        let arn = format!(
            "arn:{}:events:{}:{}:event-bus/{}",
            self.partition, at.region, at.account_id, at.name
        );
        let request = Request {
            action: "events:PutEvents",
            resource: &arn,
            source: Source {
                sender: Sender::Account,
                partition: self.partition,
                region: &at.region,
                account: self.account,
                name: Some(&rule.name),
            },
        };
        let (bus, account) = (self.named(at), self.account);
        match evaluate_text(policy, &request) {
            Decision::Allowed => Ok(()),
            Decision::Denied { by } => refused(format!(
                "{by} of the policy of {bus} denies account {account} events:PutEvents"
            )),
            Decision::NotAllowed => refused(format!(
                "the policy of {bus} does not let account {account} put events"
            )),
            Decision::CannotTell { statement, why } => Err(Fate::CannotTell(format!(
                "whether the policy of {bus} lets account {account} put events: {statement}: {why}"
            ))),
        }
    }
}

fn unread(e: &ReadError) -> Finding {
    Finding::new(
        FindingCode::EventbridgeUnread,
        format!("trailwatch cannot tell whether EventBridge rules cover this control: {e}"),
    )
    .with_hint(format!("grant {} to judge EventBridge rules", e.action))
}

/// A logging trail whose events reach the region's default bus (multi-region, or homed there).
fn trail_logging(trails: &[Trail], region: &str) -> Option<String> {
    trails
        .iter()
        .find(|t| {
            matches!(t.is_logging, Ok(true)) && (t.is_multi_region || t.home_region == region)
        })
        .map(|t| t.arn.clone())
}

/// Whether CloudTrail delivers the record's event to the default bus of `region`.
pub(crate) fn arrives_in(record: &Value, region: &str, partition: &str) -> bool {
    match is_global(record) {
        true => region == home_region(partition),
        false => true,
    }
}

/// Whether the record is a global service's (recorded in the partition's home region only).
fn is_global(record: &Value) -> bool {
    let source = record.get("eventSource").and_then(Value::as_str);
    source.is_some_and(|s| GLOBAL_SERVICES.contains(&s))
}

/// Whether a rule of the default bus of `region`, in `state`, sees a CloudTrail record as it
/// was made (`backtest`): see [`Arrival`].
pub fn rule_sees(state: &RuleState, region: &str, record: &Value, partition: &str) -> bool {
    Arrival::of(record, partition).seen_by(state, region)
}

/// What decides which rules see a CloudTrail record: the region whose default bus it arrives on
/// — a global service's in the partition's home region, any other in its own `awsRegion` — and
/// whether it is read-only. Worked out once per record, asked of each rule.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    /// The region it arrives in; `None` when the record names none.
    pub region: Option<&'a str>,
    /// Whether CloudTrail marks it read-only.
    pub read_only: bool,
}

impl<'a> Arrival<'a> {
    /// Where `record` arrives, in `partition`.
    pub fn of(record: &'a Value, partition: &str) -> Arrival<'a> {
        let region = match is_global(record) {
            true => Some(home_region(partition)),
            false => record.get("awsRegion").and_then(Value::as_str),
        };
        Arrival {
            region,
            read_only: is_read_only(record),
        }
    }

    /// Whether a rule of `region`'s default bus in `state` sees it (`DISABLED` and unknown
    /// states nothing, `ENABLED` no read-only record).
    pub fn seen_by(&self, state: &RuleState, region: &str) -> bool {
        self.region == Some(region) && state.sees(self.read_only)
    }
}

/// The record fields [`rule_sees`] reads.
pub const RULE_SEES_FIELDS: [&str; 4] = ["eventSource", "awsRegion", "readOnly", "eventName"];

/// The record as made in `region` (a global service's still arrives in its home region).
pub fn in_region(record: &Value, region: &str) -> Value {
    let mut record = record.clone();
    if let Some(fields) = record.as_object_mut() {
        fields.insert("awsRegion".into(), Value::String(region.into()));
    }
    record
}

/// Whether CloudTrail marks the record read-only: its `readOnly` field, else its name.
fn is_read_only(record: &Value) -> bool {
    match record.get("readOnly").and_then(Value::as_bool) {
        Some(true) => true,
        _ => record
            .get("eventName")
            .and_then(Value::as_str)
            .is_some_and(|name| READ_ONLY_PREFIXES.iter().any(|p| name.starts_with(p))),
    }
}

/// A rule of one bus, parsed and judged on whether it reaches a person.
struct JudgedRule<'a> {
    rule: &'a Rule,
    pattern: eventpattern::Pattern,
    reach: Reach<'a>,
}

/// Where a rule's targets lead: a topic that delivers to a confirmed subscriber (or why none
/// does), and the event buses it forwards to.
struct Reach<'a> {
    topic: Result<&'a Topic, String>,
    forwards: Vec<EventBusRef>,
}

/// Whether the rule sees events at all (a state this version does not know is reported by
/// name when it matters, see [`Tally::unjudged`]).
fn is_enabled(rule: &Rule) -> bool {
    matches!(
        rule.state,
        RuleState::Enabled | RuleState::EnabledWithAllManagementEvents | RuleState::Unknown(_)
    )
}

/// The first SNS target that delivers to a confirmed subscriber (or why none does), and the
/// buses the rule forwards to.
fn reach<'a>(rule: &'a Rule, bus: &'a BusRegion, snapshot: &Snapshot) -> Reach<'a> {
    let targets = match &rule.targets {
        Ok(targets) => targets.as_slice(),
        Err(e) => {
            return Reach {
                topic: Err(e.to_string()),
                forwards: Vec::new(),
            }
        }
    };
    let forwards = targets
        .iter()
        .filter_map(|t| model::arn::parse_event_bus_arn(t))
        .collect();
    Reach {
        topic: topic_target(rule, targets, bus, snapshot),
        forwards,
    }
}

/// The first SNS target that delivers to a confirmed subscriber, or why none does.
fn topic_target<'a>(
    rule: &'a Rule,
    targets: &[String],
    bus: &'a BusRegion,
    snapshot: &Snapshot,
) -> Result<&'a Topic, String> {
    if let Ok(Some(calls)) = &rule.invocations {
        if calls.failed > 0 && calls.failed >= calls.invoked {
            return Err(format!(
                "every invocation of the day before the read failed ({} FailedInvocations)",
                calls.failed
            ));
        }
    }
    let mut why = Vec::new();
    for target in targets {
        match bus.topics.iter().find(|t| &t.arn == target) {
            Some(topic) => match topic_reaches(topic, rule, bus, snapshot) {
                Ok(()) => return Ok(topic),
                Err(e) => why.push(e),
            },
            None if model::arn::is_sns_arn(target) => why.push(format!(
                "its topic `{target}` does not exist or is in another account"
            )),
            None => {}
        }
    }
    Err(match why.is_empty() {
        true => "it has no SNS topic target".to_string(),
        false => why.join("; "),
    })
}

/// Whether EventBridge can publish to the topic for the rule and a confirmed subscriber is
/// there to read it.
fn topic_reaches(
    topic: &Topic,
    rule: &Rule,
    bus: &BusRegion,
    snapshot: &Snapshot,
) -> Result<(), String> {
    let source = Source {
        sender: Sender::EventBridge,
        partition: &snapshot.partition,
        region: &bus.region,
        account: &bus.account,
        name: Some(&rule.name),
    };
    if let Delivery::Blocked(f) | Delivery::Unclear(f) = delivery(topic, &source) {
        return Err(f.message);
    }
    match &topic.subscriptions {
        Ok(subs) if subs.iter().any(|s| s.is_confirmed()) => Ok(()),
        Ok(_) => Err(format!(
            "its topic `{}` has no confirmed subscriber",
            topic.arn
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// What becomes of one event in one region.
enum Fate {
    /// A working rule catches it.
    Told(Told),
    /// No trail that is logging delivers it there.
    NoTrail,
    /// No enabled rule matches it.
    Unmatched,
    /// Only rules in state `ENABLED` match it, and it is read-only.
    ReadOnlyUnseen(String),
    /// Rules match it but reach nobody: the rule and why.
    Unreached(String, String),
    /// A bus it is forwarded to could not be read: whether it is told cannot be told.
    CannotTell(String),
}

impl Fate {
    /// The fate with the trail that delivered the event named.
    fn told_through(self, trail: &str) -> Fate {
        match self {
            Fate::Told(told) => Fate::Told(Told {
                trail: trail.to_string(),
                ..told
            }),
            other => other,
        }
    }
}

/// The rules that tell a person of an event (the first on CloudTrail's default bus, then each
/// bus it is forwarded to), the topic the last publishes to, and the trail that delivers it.
struct Told {
    rules: Vec<String>,
    topic: String,
    trail: String,
}

impl Told {
    fn new(rule: &Rule, topic: &Topic) -> Told {
        Told {
            rules: vec![rule.arn.clone()],
            topic: topic.arn.clone(),
            trail: String::new(),
        }
    }

    /// The same, reached through `rule`, which forwarded the event.
    fn through(mut self, rule: &Rule) -> Told {
        self.rules.insert(0, rule.arn.clone());
        self
    }
}

/// What the events of every region came to.
#[derive(Default)]
struct Tally {
    told: BTreeSet<String>,
    /// The first topic and trail of a told event: the chain shown.
    first: Option<(String, String)>,
    regions: BTreeSet<String>,
    any_told: bool,
    missed_events: BTreeSet<String>,
    unmatched_regions: BTreeSet<String>,
    untrailed_regions: BTreeSet<String>,
    read_only: BTreeSet<String>,
    unreached: BTreeSet<String>,
    matched_somewhere: bool,
    /// Enabled rules trailwatch cannot judge (a pattern it cannot read, a state it does not
    /// know): with events missed, whether they catch them cannot be told.
    unjudged: Vec<String>,
}

impl Tally {
    fn record(&mut self, region: &str, label: &str, fate: Fate) {
        self.regions.insert(region.to_string());
        match fate {
            Fate::Told(told) => {
                self.told.extend(told.rules);
                self.first.get_or_insert((told.topic, told.trail));
                self.any_told = true;
                self.matched_somewhere = true;
                return;
            }
            Fate::NoTrail => {
                self.untrailed_regions.insert(region.to_string());
            }
            Fate::Unmatched => {
                self.unmatched_regions.insert(region.to_string());
            }
            Fate::ReadOnlyUnseen(rule) => {
                self.matched_somewhere = true;
                self.read_only.insert(format!("`{rule}` ({label})"));
            }
            Fate::Unreached(rule, why) => {
                self.matched_somewhere = true;
                self.unreached.insert(format!("`{rule}`: {why}"));
            }
            Fate::CannotTell(why) => {
                self.matched_somewhere = true;
                if !self.unjudged.contains(&why) {
                    self.unjudged.push(why);
                }
            }
        }
        self.missed_events.insert(label.to_string());
    }

    fn conclude(self, control: &Control) -> Coverage {
        if !self.missed_events.is_empty() && !self.unjudged.is_empty() {
            return Coverage::Unread(
                Finding::new(
                    FindingCode::EventbridgeUnread,
                    format!(
                        "trailwatch cannot tell whether EventBridge rules cover this control: it cannot judge {}",
                        self.unjudged.join("; ")
                    ),
                )
                .with_hint("check those rules by hand, or report the pattern to trailwatch"),
            );
        }
        if !self.matched_somewhere {
            return Coverage::Silent;
        }
        if self.missed_events.is_empty() {
            let (topic, trail) = self.first.unwrap_or_default();
            return Coverage::Covered {
                rules: self.told.into_iter().collect(),
                regions: self.regions.into_iter().collect(),
                topic,
                trail,
            };
        }
        Coverage::Partial(self.partial_finding(control))
    }

    fn partial_finding(&self, control: &Control) -> Finding {
        let mut parts = Vec::new();
        if !self.unmatched_regions.is_empty() {
            parts.push(format!(
                "no enabled rule matches them in {}",
                listed(&self.unmatched_regions)
            ));
        }
        if !self.untrailed_regions.is_empty() {
            parts.push(format!(
                "no logging trail delivers events to EventBridge in {}",
                listed(&self.untrailed_regions)
            ));
        }
        if !self.read_only.is_empty() {
            parts.push(format!(
                "rules in state ENABLED do not see read-only events: {} (they need ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)",
                listed(&self.read_only)
            ));
        }
        if !self.unreached.is_empty() {
            parts.push(format!(
                "rules that match reach nobody: {}",
                listed(&self.unreached)
            ));
        }
        let told = match self.any_told {
            true => "tell a person of some of its events, not all",
            false => "match its events but tell nobody",
        };
        Finding::new(
            FindingCode::EventbridgePartial,
            format!(
                "EventBridge rules {told}: missed {}; {}",
                listed(&self.missed_events),
                parts.join("; ")
            ),
        )
        .with_hint(format!(
            "change the rules so every event of {} reaches a confirmed subscriber in every region it arrives in (trailwatch never writes EventBridge rules)",
            control.id
        ))
    }
}

/// At most five items, then how many more.
fn listed(items: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    match items.len().saturating_sub(5) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
