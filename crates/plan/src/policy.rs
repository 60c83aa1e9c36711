//! IAM's evaluation of a resource policy (a topic's access policy, a KMS key policy, an event
//! bus's policy) for one request: an AWS service's principal (`cloudwatch.amazonaws.com` acting
//! for an alarm, or `events.amazonaws.com` acting for an EventBridge rule), or an account whose
//! rule forwards events to another account's bus, calls an action on a resource.
//!
//! The rules are IAM's: `*` and `?` wildcards anywhere in actions (case-insensitive) and resource
//! ARNs (case-sensitive); `Action`/`NotAction`, `Resource`/`NotResource` (no `Resource` at all
//! applies to the policy's own resource), `Principal`/`NotPrincipal`; an explicit `Deny` wins
//! over any `Allow`, and no `Allow` is an implicit deny. Conditions are judged on the keys the
//! request carries (`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOwner`, and
//! `aws:SecureTransport`, true: AWS services deliver to SNS and use KMS keys over TLS) with the
//! `String…` and `Arn…` equality and wildcard operators, their `Not…` and `…IfExists` forms, and
//! `Bool`. Anything
//! else — another key, another operator, a policy variable — makes the statement undecided, and
//! an undecided statement that could change the answer makes it [`Decision::CannotTell`], never a
//! guess.

use std::sync::Arc;

use crate::memo::{ByText, REMEMBERED_POLICIES};

use serde_json::{Map, Value};

/// CloudWatch's service principal: alarm actions publish to SNS as it.
pub const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";

/// EventBridge's service principal: rules deliver to their targets as it.
pub const EVENTBRIDGE: &str = "events.amazonaws.com";

/// The AWS service that sends: it sets the principal and the kind of source ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// CloudWatch, for an alarm (`arn:…:cloudwatch:REGION:ACCOUNT:alarm:NAME`).
    CloudWatch,
    /// EventBridge, for a rule of the default bus (`arn:…:events:REGION:ACCOUNT:rule/NAME`).
    EventBridge,
    /// An account whose EventBridge rule forwards events to another account's event bus
    /// (`events:PutEvents`): the principal is that account, or the role the rule forwards with.
    Account,
}

impl Sender {
    /// Its service principal.
    pub fn principal(self) -> &'static str {
        match self {
            Sender::CloudWatch => CLOUDWATCH,
            Sender::EventBridge => EVENTBRIDGE,
            Sender::Account => "the forwarding account",
        }
    }
}

/// The alarm or rule a request is made for, which sets its context keys: `aws:SourceAccount` and
/// `aws:SourceOwner` are its account, `aws:SourceArn` its ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    /// The service that sends.
    pub sender: Sender,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: &'a str,
    /// The alarm's or rule's region.
    pub region: &'a str,
    /// The alarm's or rule's account.
    pub account: &'a str,
    /// The alarm's or rule's name; `None` means any alarm of the account in the region, and an
    /// answer that depends on which one is [`Decision::CannotTell`].
    pub name: Option<&'a str>,
}

impl Source<'_> {
    /// The ARN of the alarm or rule without its name.
    fn arn_prefix(&self) -> String {
        let (service, kind) = match self.sender {
            Sender::CloudWatch => ("cloudwatch", "alarm:"),
            Sender::EventBridge | Sender::Account => ("events", "rule/"),
        };
        format!(
            "arn:{}:{service}:{}:{}:{kind}",
            self.partition, self.region, self.account
        )
    }
}

/// What is asked: may the sender, for `source`, call `action` on `resource`?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// A concrete action, such as `sns:Publish` or `kms:GenerateDataKey`.
    pub action: &'a str,
    /// The ARN of the resource the policy is attached to.
    pub resource: &'a str,
    /// The alarm (or alarms) the call is made for.
    pub source: Source<'a>,
}

/// A statement of a policy: by its `Sid` when it has one, else by its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementRef {
    /// The statement with this `Sid`.
    Sid(String),
    /// The statement at this index of `Statement`, counting from 0 (shown counting from 1).
    Index(usize),
    /// The policy document as a whole (it is not JSON, or has no statements).
    Document,
}

impl std::fmt::Display for StatementRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatementRef::Sid(sid) => write!(f, "statement `{sid}`"),
            StatementRef::Index(i) => write!(f, "statement #{} (it has no Sid)", i + 1),
            StatementRef::Document => f.write_str("the policy document"),
        }
    }
}

/// The policy's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows it and none denies it.
    Allowed,
    /// This statement denies it explicitly.
    Denied {
        /// The denying statement.
        by: StatementRef,
    },
    /// No statement allows it (IAM's implicit deny).
    NotAllowed,
    /// The answer depends on something trailwatch does not evaluate, or on which alarm asks.
    CannotTell {
        /// The statement that could change the answer.
        statement: StatementRef,
        /// Why it cannot be judged.
        why: String,
    },
}

/// Evaluates a policy given as JSON text; text that is not JSON cannot be judged.
pub fn evaluate_text(policy: &str, request: &Request) -> Decision {
    match &*parsed(policy) {
        Ok(policy) => evaluate(policy, request),
        Err(e) => Decision::CannotTell {
            statement: StatementRef::Document,
            why: format!("the policy is not valid JSON ({e})"),
        },
    }
}

/// A policy's JSON, or why it is not JSON, remembered by its text: every control of an account
/// judges the same topic and key policies, and each parse allocates the whole document. The
/// memo is bounded, and a text always parses to the same value, so what is remembered never
/// changes an answer.
fn parsed(policy: &str) -> Arc<Result<Value, String>> {
    static MEMO: ByText<(), Result<Value, String>> = ByText::new(REMEMBERED_POLICIES);
    MEMO.get((), policy, || {
        serde_json::from_str::<Value>(policy).map_err(|e| e.to_string())
    })
}

/// Evaluates a policy document for one request, as IAM does.
pub fn evaluate(policy: &Value, request: &Request) -> Decision {
    let statements = match statement_list(policy) {
        Ok(statements) => statements,
        Err(why) => {
            return Decision::CannotTell {
                statement: StatementRef::Document,
                why,
            }
        }
    };
    let judged: Vec<Judged> = statements
        .iter()
        .enumerate()
        .map(|(i, st)| judge_statement(i, st, request))
        .collect();
    decide(&judged)
}

/// The statements of a policy (`Statement` may be one object or a list).
fn statement_list(policy: &Value) -> Result<Vec<&Value>, String> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => Ok(items.iter().collect()),
        Some(one @ Value::Object(_)) => Ok(vec![one]),
        Some(_) => Err("its `Statement` is neither an object nor a list".into()),
        None => Err("it has no `Statement`".into()),
    }
}

/// A truth value that may be undecided (Kleene's logic): `No` decides a conjunction even when
/// another part is undecided, `Yes` decides a disjunction.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Truth {
    Yes,
    No,
    /// Undecided, and why.
    Unclear(String),
}

impl Truth {
    fn of(holds: bool) -> Truth {
        if holds {
            Truth::Yes
        } else {
            Truth::No
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            unclear => unclear,
        }
    }

    /// All hold: any `No` decides; else the first undecided part; else `Yes`.
    fn all(parts: impl IntoIterator<Item = Truth>) -> Truth {
        let mut out = Truth::Yes;
        for part in parts {
            match part {
                Truth::No => return Truth::No,
                Truth::Unclear(_) if out == Truth::Yes => out = part,
                _ => {}
            }
        }
        out
    }

    /// Any holds: any `Yes` decides; else the first undecided part; else `No`.
    fn any(parts: impl IntoIterator<Item = Truth>) -> Truth {
        Truth::all(parts.into_iter().map(Truth::not)).not()
    }

    /// The message of an undecided value, prefixed with what it is about.
    fn about(self, what: impl FnOnce() -> String) -> Truth {
        match self {
            Truth::Unclear(why) => Truth::Unclear(format!("{}: {why}", what())),
            decided => decided,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// One statement, judged for the request.
struct Judged {
    at: StatementRef,
    effect: Effect,
    applies: Truth,
}

fn judge_statement(index: usize, statement: &Value, request: &Request) -> Judged {
    let at = match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => StatementRef::Sid(sid.to_string()),
        _ => StatementRef::Index(index),
    };
    let Value::Object(st) = statement else {
        // IAM would not have stored it; it could be anything, a Deny included.
        let why = "the statement is not a JSON object".to_string();
        return Judged {
            at,
            effect: Effect::Deny,
            applies: Truth::Unclear(why),
        };
    };
    let applies = Truth::all([
        principal(st, &request.source),
        action(st, request.action),
        resource(st, request.resource),
        conditions(st, &request.source),
    ]);
    let (effect, applies) = match st.get("Effect").and_then(Value::as_str) {
        Some("Allow") => (Effect::Allow, applies),
        Some("Deny") => (Effect::Deny, applies),
        // An unknown effect that might apply is treated as a Deny nobody can read.
        other => (Effect::Deny, Truth::all([applies, unknown_effect(other)])),
    };
    Judged {
        at,
        effect,
        applies,
    }
}

fn unknown_effect(effect: Option<&str>) -> Truth {
    Truth::Unclear(match effect {
        Some(effect) => format!("its Effect `{effect}` is neither Allow nor Deny"),
        None => "it has no Effect".into(),
    })
}

/// IAM's order: an explicit Deny wins; then an Allow; else the implicit deny. An undecided
/// Deny leaves the answer open unless a decided one settles it; an undecided Allow matters only
/// when no other Allow grants.
fn decide(judged: &[Judged]) -> Decision {
    let of = |effect| judged.iter().filter(move |j| j.effect == effect);
    let undecided = |j: &Judged| match &j.applies {
        Truth::Unclear(why) => Some(Decision::CannotTell {
            statement: j.at.clone(),
            why: why.clone(),
        }),
        _ => None,
    };
    if let Some(deny) = of(Effect::Deny).find(|j| j.applies == Truth::Yes) {
        return Decision::Denied {
            by: deny.at.clone(),
        };
    }
    if let Some(open) = of(Effect::Deny).find_map(undecided) {
        return open;
    }
    if of(Effect::Allow).any(|j| j.applies == Truth::Yes) {
        return Decision::Allowed;
    }
    of(Effect::Allow)
        .find_map(undecided)
        .unwrap_or(Decision::NotAllowed)
}

/// Strings, or a list of strings.
fn strings<'v>(value: &'v Value, element: &str) -> Result<Vec<&'v str>, String> {
    let not_strings = || format!("`{element}` is not a string or a list of strings");
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(not_strings))
            .collect(),
        _ => Err(not_strings()),
    }
}

fn truth_of(result: Result<Truth, String>) -> Truth {
    result.unwrap_or_else(Truth::Unclear)
}

/// Whether the statement is about the sender: `Principal` names it, or `NotPrincipal` does not.
fn principal(st: &Map<String, Value>, source: &Source) -> Truth {
    let names = |p: &Value| match source.sender {
        Sender::Account => names_account(p, source),
        service => names_service(p, service.principal()),
    };
    match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(p), None) => names(p),
        (None, Some(p)) => names(p).not(),
        _ => Truth::Unclear("it has neither or both of `Principal` and `NotPrincipal`".into()),
    }
}

/// Whether a principal element covers the forwarding account: everyone, the account by its id
/// or its root ARN; a role or user of the account depends on the role the rule forwards with,
/// which trailwatch does not read. Services never cover an account.
fn names_account(principal: &Value, source: &Source) -> Truth {
    let root = format!("arn:{}:iam::{}:root", source.partition, source.account);
    let of_account = format!("arn:{}:iam::{}:", source.partition, source.account);
    let one = |name: &str| {
        if name == "*" || name == source.account || name == root {
            Truth::Yes
        } else if name.starts_with(&of_account) {
            Truth::Unclear(format!(
                "`{name}` is allowed, and whether the rule forwards as it is not read"
            ))
        } else {
            Truth::No
        }
    };
    match principal {
        Value::String(s) => Truth::of(s == "*"),
        Value::Object(kinds) => Truth::any(kinds.iter().map(|(kind, names)| match kind.as_str() {
            "AWS" => truth_of(
                strings(names, "Principal.AWS").map(|n| Truth::any(n.into_iter().map(one))),
            ),
            _ => Truth::No,
        })),
        _ => Truth::Unclear("`Principal` is neither \"*\" nor an object".into()),
    }
}

/// Whether a principal element covers the service principal: everyone (`"*"`,
/// `{"AWS": "*"}`) or `{"Service": SERVICE}`. Accounts, roles and users never cover a service.
fn names_service(principal: &Value, service: &str) -> Truth {
    match principal {
        Value::String(s) => Truth::of(s == "*"),
        Value::Object(kinds) => Truth::any(kinds.iter().map(|(kind, names)| {
            truth_of(match kind.as_str() {
                "AWS" => strings(names, "Principal.AWS").map(|n| Truth::of(n.contains(&"*"))),
                "Service" => strings(names, "Principal.Service")
                    .map(|n| Truth::any(n.into_iter().map(|n| is_service(n, service)))),
                _ => Ok(Truth::No),
            })
        })),
        _ => Truth::Unclear("`Principal` is neither \"*\" nor an object".into()),
    }
}

fn is_service(named: &str, service: &str) -> Truth {
    if named == service {
        Truth::Yes
    } else if named.eq_ignore_ascii_case(service) {
        Truth::Unclear(format!(
            "service principal `{named}` differs from `{service}` only in case"
        ))
    } else {
        Truth::No
    }
}

/// Whether `Action` covers the action (or `NotAction` does not): case-insensitive wildcards.
fn action(st: &Map<String, Value>, wanted: &str) -> Truth {
    let covers = |patterns: &Value, element: &str| {
        truth_of(strings(patterns, element).map(|list| {
            Truth::of(
                list.iter()
                    .any(|p| glob(&p.to_lowercase(), &wanted.to_lowercase())),
            )
        }))
    };
    match (st.get("Action"), st.get("NotAction")) {
        (Some(a), None) => covers(a, "Action"),
        (None, Some(a)) => covers(a, "NotAction").not(),
        _ => Truth::Unclear("it has neither or both of `Action` and `NotAction`".into()),
    }
}

/// Whether `Resource` covers the resource (or `NotResource` does not): case-sensitive
/// wildcards. A statement with neither applies to the resource the policy is attached to.
fn resource(st: &Map<String, Value>, arn: &str) -> Truth {
    let covers = |patterns: &Value, element: &str| {
        truth_of(strings(patterns, element).map(|list| {
            Truth::any(list.into_iter().map(|p| {
                if p.contains("${") {
                    Truth::Unclear(format!("`{element}` `{p}` uses a policy variable"))
                } else {
                    Truth::of(glob(p, arn))
                }
            }))
        }))
    };
    match (st.get("Resource"), st.get("NotResource")) {
        (None, None) => Truth::Yes,
        (Some(r), None) => covers(r, "Resource"),
        (None, Some(r)) => covers(r, "NotResource").not(),
        _ => Truth::Unclear("it has both `Resource` and `NotResource`".into()),
    }
}

/// Whether every condition holds: every operator, every key of each (IAM ANDs them).
fn conditions(st: &Map<String, Value>, source: &Source) -> Truth {
    let Some(block) = st.get("Condition") else {
        return Truth::Yes;
    };
    let Value::Object(operators) = block else {
        return Truth::Unclear("`Condition` is not an object".into());
    };
    Truth::all(
        operators
            .iter()
            .map(|(operator, keys)| condition(operator, keys, source)),
    )
}

/// One condition operator with its keys.
fn condition(operator: &str, keys: &Value, source: &Source) -> Truth {
    let Some(test) = Test::parse(operator) else {
        return Truth::Unclear(format!(
            "condition operator `{operator}` is not one trailwatch evaluates"
        ));
    };
    let Value::Object(keys) = keys else {
        return Truth::Unclear(format!("condition `{operator}` is not an object"));
    };
    Truth::all(keys.iter().map(|(key, values)| {
        test.check(key, values, source)
            .about(|| format!("condition `{operator}` on `{key}`"))
    }))
}

/// How a condition compares values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// `StringEquals`: exact, case-sensitive.
    Equals,
    /// `StringLike`: `*` and `?` wildcards.
    Like,
    /// `ArnEquals`, `ArnLike`: wildcards, each of the six colon-separated parts on its own.
    Arn,
    /// `Bool`: `true` or `false`, in any case.
    Bool,
}

/// A condition operator trailwatch evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Test {
    comparison: Comparison,
    /// The `Not…` form: true when no value matches.
    negated: bool,
}

impl Test {
    /// The operator, with or without `IfExists` (every key judged here is in the request, so
    /// `…IfExists` behaves as the operator itself).
    fn parse(operator: &str) -> Option<Test> {
        let base = operator.strip_suffix("IfExists").unwrap_or(operator);
        let (comparison, negated) = match base {
            "StringEquals" => (Comparison::Equals, false),
            "StringNotEquals" => (Comparison::Equals, true),
            "StringLike" => (Comparison::Like, false),
            "StringNotLike" => (Comparison::Like, true),
            "ArnEquals" | "ArnLike" => (Comparison::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Comparison::Arn, true),
            "Bool" => (Comparison::Bool, false),
            _ => return None,
        };
        Some(Test {
            comparison,
            negated,
        })
    }

    /// The condition on one key: any value matches (positive), or none does (`Not…`).
    fn check(self, key: &str, values: &Value, source: &Source) -> Truth {
        let Some(context) = Context::of(key, source) else {
            return Truth::Unclear(
                "trailwatch does not know this key's value in this request".into(),
            );
        };
        let values = match condition_values(values) {
            Ok(values) => values,
            Err(why) => return Truth::Unclear(why),
        };
        let matched = Truth::any(values.iter().map(|v| self.matches(v, &context)));
        if self.negated {
            matched.not()
        } else {
            matched
        }
    }

    fn matches(self, pattern: &str, context: &Context) -> Truth {
        if pattern.contains("${") {
            return Truth::Unclear(format!("`{pattern}` uses a policy variable"));
        }
        match (self.comparison, context) {
            (Comparison::Equals, Context::Known(value)) => Truth::of(pattern == value),
            (Comparison::Like, Context::Known(value)) => Truth::of(glob(pattern, value)),
            (Comparison::Arn, Context::Known(value)) => arn_like(pattern, value),
            (Comparison::Equals, Context::AnyAlarm(prefix)) => {
                // Equal to the ARN of one alarm at most.
                let one_alarm =
                    pattern.len() > prefix.len() && pattern.starts_with(prefix.as_str());
                let reach = if one_alarm { Reach::Some } else { Reach::None };
                reach.truth(pattern)
            }
            (Comparison::Like, Context::AnyAlarm(prefix)) => {
                glob_open(pattern, prefix).truth(pattern)
            }
            (Comparison::Arn, Context::AnyAlarm(prefix)) => arn_like_open(pattern, prefix),
            (Comparison::Bool, Context::Known(value)) => {
                Truth::of(pattern.eq_ignore_ascii_case(value))
            }
            (Comparison::Bool, Context::AnyAlarm(_)) => {
                Truth::Unclear("`Bool` on an ARN compares nothing trailwatch can judge".into())
            }
        }
    }
}

/// A condition key's value in CloudWatch's request.
enum Context {
    /// Known exactly.
    Known(String),
    /// The ARN of some alarm, of which only this prefix (up to the name) is known.
    AnyAlarm(String),
}

impl Context {
    /// The value of a key (case-insensitive) trailwatch knows, if it knows it. Every request
    /// judged here is an AWS service's delivery (CloudWatch alarm actions publishing to SNS,
    /// using a topic's KMS key), and AWS services call over TLS: `aws:SecureTransport` is true.
    fn of(key: &str, source: &Source) -> Option<Context> {
        let key = key.to_ascii_lowercase();
        if source.sender == Sender::Account {
            // A forwarded event is put by the account; what else its request carries is not
            // documented, so only that is known.
            return match key.as_str() {
                "aws:principalaccount" => Some(Context::Known(source.account.into())),
                "aws:securetransport" => Some(Context::Known("true".into())),
                _ => None,
            };
        }
        match key.as_str() {
            "aws:sourceaccount" | "aws:sourceowner" => Some(Context::Known(source.account.into())),
            "aws:securetransport" => Some(Context::Known("true".into())),
            "aws:sourcearn" => Some(match source.name {
                Some(name) => Context::Known(format!("{}{name}", source.arn_prefix())),
                None => Context::AnyAlarm(source.arn_prefix()),
            }),
            _ => None,
        }
    }
}

/// A condition's values: one or a list; numbers and booleans compare as their text.
fn condition_values(values: &Value) -> Result<Vec<String>, String> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("value `{other}` is not a string")),
    };
    match values {
        Value::Array(items) => items.iter().map(one).collect(),
        single => one(single).map(|v| vec![v]),
    }
}

/// The six colon-separated parts of an ARN (the last keeps its own colons).
fn arn_parts(arn: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    (parts.len() == 6).then_some(parts)
}

/// `ArnLike`: each of the six parts matched on its own, with wildcards.
fn arn_like(pattern: &str, value: &str) -> Truth {
    let Some(wanted) = arn_parts(pattern) else {
        return not_an_arn_pattern(pattern);
    };
    let Some(parts) = arn_parts(value) else {
        return Truth::No;
    };
    Truth::of(wanted.iter().zip(&parts).all(|(p, v)| glob(p, v)))
}

/// `ArnLike` against any alarm ARN with this prefix: the first five parts are known, the
/// sixth is `alarm:` and a name.
fn arn_like_open(pattern: &str, prefix: &str) -> Truth {
    let Some(wanted) = arn_parts(pattern) else {
        return not_an_arn_pattern(pattern);
    };
    let known = arn_parts(prefix).expect("an alarm ARN prefix has six parts");
    if !wanted[..5].iter().zip(&known[..5]).all(|(p, v)| glob(p, v)) {
        return Truth::No;
    }
    glob_open(wanted[5], known[5]).truth(pattern)
}

fn not_an_arn_pattern(pattern: &str) -> Truth {
    Truth::Unclear(format!(
        "`{pattern}` is not an ARN pattern (six colon-separated parts), which IAM's ARN operators expect"
    ))
}

/// How many of the strings `prefix` + a non-empty name a pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    All,
    Some,
    None,
}

impl Reach {
    fn truth(self, pattern: &str) -> Truth {
        match self {
            Reach::All => Truth::Yes,
            Reach::None => Truth::No,
            Reach::Some => Truth::Unclear(format!(
                "`{pattern}` matches some alarms of the account and not others, so it depends on which alarm publishes"
            )),
        }
    }
}

/// IAM's wildcard match: `*` is any run of characters (none included), `?` exactly one; every
/// other character stands for itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    // ARNs and actions are ASCII: compare bytes, allocating nothing (a policy is judged for
    // every control of every account); otherwise characters, so `?` is one character.
    match pattern.is_ascii() && text.is_ascii() {
        true => wildcard(pattern.as_bytes(), text.as_bytes(), b'*', b'?'),
        false => {
            let (p, t): (Vec<char>, Vec<char>) =
                (pattern.chars().collect(), text.chars().collect());
            wildcard(&p, &t, '*', '?')
        }
    }
}

/// The wildcard match, greedy with backtracking to the last `*`: linear in the text for each
/// `*` tried, no allocation.
fn wildcard<T: PartialEq + Copy>(pattern: &[T], text: &[T], any: T, one: T) -> bool {
    let (mut p, mut t) = (0, 0);
    // The last `*` seen, and the text position its run currently ends at.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(&c) if c == any => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == one || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((s, end)) => {
                    star = Some((s, end + 1));
                    p = s + 1;
                    t = end + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == any)
}

/// Which strings `prefix` + a non-empty unknown name the pattern matches: all of them (a
/// position it can reach after `prefix` matches any non-empty rest), some, or none.
fn glob_open(pattern: &str, prefix: &str) -> Reach {
    let pattern: Vec<char> = pattern.chars().collect();
    let states = prefix
        .chars()
        .fold(start(&pattern), |states, c| step(&pattern, &states, c));
    let reached = || (0..pattern.len()).filter(|&i| states[i]);
    if reached().any(|i| matches_any_name(&pattern[i..])) {
        Reach::All
    } else if reached().next().is_some() {
        Reach::Some
    } else {
        Reach::None
    }
}

/// True when a rest of a pattern matches every non-empty string: only wildcards, at least one
/// `*`, at most one `?`.
fn matches_any_name(rest: &[char]) -> bool {
    let stars = rest.iter().filter(|c| **c == '*').count();
    let ones = rest.iter().filter(|c| **c == '?').count();
    stars >= 1 && ones <= 1 && stars + ones == rest.len()
}

/// The positions of the pattern reachable before any character: 0 and past leading `*`s.
fn start(pattern: &[char]) -> Vec<bool> {
    let mut states = vec![false; pattern.len() + 1];
    states[0] = true;
    close(pattern, &mut states);
    states
}

/// The positions reachable after reading `c`.
fn step(pattern: &[char], states: &[bool], c: char) -> Vec<bool> {
    let mut next = vec![false; pattern.len() + 1];
    for (i, p) in pattern.iter().enumerate().filter(|(i, _)| states[*i]) {
        match p {
            '*' => next[i] = true,
            '?' => next[i + 1] = true,
            literal if *literal == c => next[i + 1] = true,
            _ => {}
        }
    }
    close(pattern, &mut next);
    next
}

/// A `*` may match nothing: a position before one reaches the position after it.
fn close(pattern: &[char], states: &mut [bool]) {
    for (i, p) in pattern.iter().enumerate() {
        if states[i] && *p == '*' {
            states[i + 1] = true;
        }
    }
}

#[cfg(test)]
mod glob_tests {
    use proptest::prelude::*;

    /// The automaton `glob_open` walks, run to the end: the reference the fast match must equal.
    fn by_automaton(pattern: &str, text: &str) -> bool {
        let pattern: Vec<char> = pattern.chars().collect();
        let states = text.chars().fold(super::start(&pattern), |states, c| {
            super::step(&pattern, &states, c)
        });
        states[pattern.len()]
    }

    proptest! {
        #[test]
        fn the_fast_match_is_the_automaton(pattern in "[ab*?é:]{0,8}", text in "[ab?*é:]{0,10}") {
            prop_assert_eq!(super::glob(&pattern, &text), by_automaton(&pattern, &text));
        }
    }

    #[test]
    fn iam_wildcards() {
        assert!(super::glob(
            "arn:aws:sns:*:111122223333:*",
            "arn:aws:sns:us-east-1:111122223333:t"
        ));
        assert!(super::glob("sns:Pub?ish", "sns:Publish"));
        assert!(!super::glob("sns:Pub?ish", "sns:Pubish"));
        assert!(super::glob("*", ""));
        assert!(!super::glob("a*b", "a"));
        assert!(super::glob("a**b*", "axxbyy"));
    }
}
