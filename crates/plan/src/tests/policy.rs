//! The policy evaluator (`plan::policy`) on a table of topic and key policies, each case with the
//! reason for its answer: what IAM allows, denies, or what trailwatch cannot tell.

use serde_json::{json, Value};

use crate::policy::{
    evaluate, evaluate_text, glob, Decision, Request, Sender, Source, StatementRef,
};

/// The topic every SNS case publishes to.
const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:cis-alarms";
/// The key every KMS case uses.
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";
/// The sample alarm of the cases that know their alarm.
const ALARM: &str = "trailwatch-iam-policy-changes";

/// CloudWatch publishing for `alarm` (any alarm of the account in us-east-1 when `None`).
fn publish(alarm: Option<&'static str>) -> Request<'static> {
    call("sns:Publish", TOPIC, alarm)
}

fn call(
    action: &'static str,
    resource: &'static str,
    alarm: Option<&'static str>,
) -> Request<'static> {
    Request {
        action,
        resource,
        source: Source {
            sender: Sender::CloudWatch,
            partition: "aws",
            region: "us-east-1",
            account: "111122223333",
            name: alarm,
        },
    }
}

/// What a case expects; statements by how a finding names them.
#[derive(Debug)]
enum Want {
    Allowed,
    Denied(&'static str),
    NotAllowed,
    CannotTell(&'static str),
}

struct Case {
    reason: &'static str,
    policy: Value,
    request: Request<'static>,
    want: Want,
}

fn case(reason: &'static str, statements: Value, request: Request<'static>, want: Want) -> Case {
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    Case {
        reason,
        policy,
        request,
        want,
    }
}

fn holds(want: &Want, got: &Decision) -> bool {
    match (want, got) {
        (Want::Allowed, Decision::Allowed) | (Want::NotAllowed, Decision::NotAllowed) => true,
        (Want::Denied(s), Decision::Denied { by }) => by.to_string() == *s,
        (Want::CannotTell(s), Decision::CannotTell { statement, .. }) => {
            statement.to_string() == *s
        }
        _ => false,
    }
}

/// Allows CloudWatch to publish with these extra fields.
fn cw(extra: Value) -> Value {
    let mut st = json!({"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish", "Resource": TOPIC});
    merge(&mut st, extra);
    st
}

/// Denies everyone publishing with these extra fields.
fn deny(extra: Value) -> Value {
    let mut st =
        json!({"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC});
    merge(&mut st, extra);
    st
}

/// Overrides fields; a `null` removes one.
fn merge(st: &mut Value, extra: Value) {
    let fields = st.as_object_mut().unwrap();
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            fields.remove(k);
        } else {
            fields.insert(k.clone(), v.clone());
        }
    }
}

fn arn_like(arn: &str) -> Value {
    json!({"Condition": {"ArnLike": {"aws:SourceArn": arn}}})
}

/// The policy SNS gives a new topic: the owner's account, by `AWS:SourceOwner`.
fn sns_default(owner: &str) -> Value {
    json!([{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
            "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
            "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        "Resource": TOPIC,
        "Condition": {"StringEquals": {"AWS:SourceOwner": owner}}}])
}

fn owner_root() -> Value {
    json!({"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "sns:*", "Resource": TOPIC})
}

const ALL_ALARMS: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:*";
const CIS_ALARMS: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis-*";

// The tables keep one case per line: a case is its reason, its statements, its request and
// the answer IAM gives.

#[rustfmt::skip]
fn allowed_cases() -> Vec<Case> {
    use Want::Allowed;
    let any = publish(None);
    let one = publish(Some(ALARM));
    vec![
        case("SNS's default policy: {AWS: *} with AWS:SourceOwner = the account admits the account's alarms", sns_default("111122223333"), any, Allowed),
        case("`*` in the middle of a resource ARN is a wildcard (the glob reported it as blocking)", json!([cw(json!({"Resource": "arn:aws:sns:*:111122223333:*"}))]), any, Allowed),
        case("everyone, every action, every resource", json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]), any, Allowed),
        case("actions are case-insensitive", json!([cw(json!({"Action": "SNS:PUBLISH"}))]), any, Allowed),
        case("a service wildcard covers Publish", json!([cw(json!({"Action": "sns:*"}))]), any, Allowed),
        case("`*` inside an action", json!([cw(json!({"Action": "sns:Pub*"}))]), any, Allowed),
        case("`?` in an action is one character", json!([cw(json!({"Action": "sns:Publ?sh"}))]), any, Allowed),
        case("`?` in a resource ARN", json!([cw(json!({"Resource": ["arn:aws:sns:us-east-1:111122223333:other", "arn:aws:sns:us-east-1:111122223333:cis-?larms"]}))]), any, Allowed),
        case("a list of services naming CloudWatch", json!([cw(json!({"Principal": {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]}}))]), any, Allowed),
        case("no Resource in a resource policy applies to the topic itself", json!([cw(json!({"Resource": null}))]), any, Allowed),
        case("NotAction naming another action covers Publish", json!([cw(json!({"Action": null, "NotAction": "sns:Subscribe"}))]), any, Allowed),
        case("NotResource naming another topic covers this one", json!([cw(json!({"Resource": null, "NotResource": "arn:aws:sns:*:*:other"}))]), any, Allowed),
        case("Statement may be a single object", cw(json!({})), any, Allowed),
        case("ArnLike on every alarm of the account holds for whichever alarm publishes", json!([cw(arn_like("arn:aws:cloudwatch:*:111122223333:alarm:*"))]), any, Allowed),
        case("StringEquals on aws:SourceAccount, key in any case", json!([cw(json!({"Condition": {"StringEquals": {"AWS:SOURCEACCOUNT": "111122223333"}}}))]), any, Allowed),
        case("StringLike with a trailing `*` after the account's alarm prefix", json!([cw(json!({"Condition": {"StringLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:111122223333:*"}}}))]), any, Allowed),
        case("…IfExists: the key exists, so it is the operator itself", json!([cw(json!({"Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}}))]), any, Allowed),
        case("ArnEquals on the known alarm's own ARN", json!([cw(json!({"Condition": {"ArnEquals": {"aws:SourceArn": format!("arn:aws:cloudwatch:us-east-1:111122223333:alarm:{ALARM}")}}}))]), one, Allowed),
        case("ArnLike matching the known alarm's name", json!([cw(arn_like("arn:aws:cloudwatch:us-east-1:111122223333:alarm:trailwatch-*"))]), one, Allowed),
        case("any of a condition's values may match", json!([cw(json!({"Condition": {"StringEquals": {"aws:SourceAccount": ["999999999999", "111122223333"]}}}))]), any, Allowed),
        case("a Not… operator holds when no value matches", json!([cw(json!({"Condition": {"StringNotEquals": {"aws:SourceAccount": "999999999999"}}}))]), any, Allowed),
        case("an account id as a JSON number compares as its text", json!([cw(json!({"Condition": {"StringEquals": {"aws:SourceAccount": 111_122_223_333_u64}}}))]), any, Allowed),
        case("an undecided Allow does not matter when another Allow grants", json!([cw(json!({"Condition": {"Bool": {"aws:SecureTransport": "true"}}})), cw(json!({}))]), any, Allowed),
        case("a Deny naming an account does not reach a service principal", json!([deny(json!({"Principal": {"AWS": "111122223333"}})), cw(json!({}))]), any, Allowed),
        case("an unknown condition on a Deny that cannot apply to CloudWatch does not matter", json!([deny(json!({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}})), cw(json!({}))]), any, Allowed),
        case("a Deny of another action", json!([deny(json!({"Action": "sns:Subscribe"})), cw(json!({}))]), any, Allowed),
        case("a Deny with NotPrincipal naming CloudWatch spares it", json!([deny(json!({"Principal": null, "NotPrincipal": {"Service": "cloudwatch.amazonaws.com"}})), cw(json!({}))]), any, Allowed),
        case("a Deny of alarms outside the account spares every alarm of it", json!([deny(json!({"Condition": {"ArnNotLike": {"aws:SourceArn": ALL_ALARMS}}})), cw(json!({}))]), any, Allowed),
        case("trailwatch's policy for the topics it creates", ours(), any, Allowed),
    ]
}

#[rustfmt::skip]
fn denied_cases() -> Vec<Case> {
    use Want::Denied;
    let any = publish(None);
    vec![
        case("a Deny with `*` mid-ARN and a trailing `*` covers the topic (the glob missed it)", json!([deny(json!({"Sid": "NoCis", "Resource": "arn:aws:sns:*:111122223333:cis-*"})), cw(json!({}))]), any, Denied("statement `NoCis`")),
        case("an explicit Deny wins over an Allow; no Sid: by position", json!([cw(json!({})), deny(json!({}))]), any, Denied("statement #2 (it has no Sid)")),
        case("NotPrincipal naming only the owner denies the service", json!([deny(json!({"Sid": "OwnerOnly", "Principal": null, "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}})), cw(json!({}))]), any, Denied("statement `OwnerOnly`")),
        case("NotAction naming another action denies Publish", json!([deny(json!({"Sid": "D", "Action": null, "NotAction": "sns:Subscribe"})), cw(json!({}))]), any, Denied("statement `D`")),
        case("a conditional Deny whose condition holds", json!([deny(json!({"Sid": "D", "Condition": {"StringNotEquals": {"aws:SourceAccount": "999999999999"}}})), cw(json!({}))]), any, Denied("statement `D`")),
        case("a decided Deny settles it despite an undecided one", json!([deny(json!({"Sid": "Tls", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})), deny(json!({"Sid": "All", "Action": "SNS:*"})), cw(json!({}))]), any, Denied("statement `All`")),
        case("a Deny of alarms outside cis-* denies the known alarm", json!([deny(json!({"Sid": "D", "Condition": {"ArnNotLike": {"aws:SourceArn": CIS_ALARMS}}})), cw(json!({}))]), publish(Some("other")), Denied("statement `D`")),
    ]
}

#[rustfmt::skip]
fn not_allowed_cases() -> Vec<Case> {
    use Want::NotAllowed;
    let any = publish(None);
    vec![
        case("only the owner account: accounts never match a service principal", json!([owner_root()]), any, NotAllowed),
        case("another service", json!([cw(json!({"Principal": {"Service": "events.amazonaws.com"}}))]), any, NotAllowed),
        case("another topic", json!([cw(json!({"Resource": "arn:aws:sns:us-east-1:111122223333:other"}))]), any, NotAllowed),
        case("resource ARNs are case-sensitive", json!([cw(json!({"Resource": "arn:aws:sns:us-east-1:111122223333:CIS-ALARMS"}))]), any, NotAllowed),
        case("another action", json!([cw(json!({"Action": ["sns:Subscribe", "sns:GetTopicAttributes"]}))]), any, NotAllowed),
        case("NotResource naming this topic", json!([cw(json!({"Resource": null, "NotResource": TOPIC}))]), any, NotAllowed),
        case("NotPrincipal naming CloudWatch on an Allow", json!([cw(json!({"Principal": null, "NotPrincipal": {"Service": "cloudwatch.amazonaws.com"}}))]), any, NotAllowed),
        case("no statements: IAM's implicit deny", json!([]), any, NotAllowed),
        case("the source account condition names another account", json!([cw(json!({"Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}))]), any, NotAllowed),
        case("SNS's default policy of another owner", sns_default("999999999999"), any, NotAllowed),
        case("StringEquals takes `*` literally", json!([cw(json!({"Condition": {"StringEquals": {"aws:SourceAccount": "1111*"}}}))]), any, NotAllowed),
        case("ArnLike on alarms of another region holds for no alarm of this one", json!([cw(arn_like("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*"))]), any, NotAllowed),
        case("ArnLike on cis-* does not admit the known alarm `other`", json!([cw(arn_like(CIS_ALARMS))]), publish(Some("other")), NotAllowed),
        case("both operators must hold (ANDed)", json!([cw(json!({"Condition": {"ArnLike": {"aws:SourceArn": ALL_ALARMS}, "StringEquals": {"aws:SourceAccount": "999999999999"}}}))]), any, NotAllowed),
        case("ArnLike matches part by part: its `*` does not cross a colon, so `alarm` lands on the account", json!([cw(arn_like("arn:aws:cloudwatch:*:alarm:*"))]), any, NotAllowed),
    ]
}

#[rustfmt::skip]
fn cannot_tell_cases() -> Vec<Case> {
    use Want::{Allowed, CannotTell, Denied};
    let any = publish(None);
    vec![
        case("the common hardening: Deny when aws:SecureTransport is false; AWS services deliver over TLS", json!([deny(json!({"Sid": "Tls", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})), cw(json!({}))]), any, Allowed),
        case("the same hardening, the value a JSON boolean and the operator IfExists", json!([deny(json!({"Sid": "Tls", "Condition": {"BoolIfExists": {"aws:SecureTransport": false}}})), cw(json!({}))]), any, Allowed),
        case("a Deny of TLS deliveries (Bool true) denies CloudWatch", json!([deny(json!({"Sid": "NoTls", "Condition": {"Bool": {"aws:SecureTransport": "TRUE"}}})), cw(json!({}))]), any, Denied("statement `NoTls`")),
        case("an Allow only over TLS holds for CloudWatch", json!([cw(json!({"Sid": "Tls", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}))]), any, Allowed),
        case("a Deny on Bool of a key trailwatch does not know", json!([deny(json!({"Sid": "Mfa", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})), cw(json!({}))]), any, CannotTell("statement `Mfa`")),
        case("the only Allow is conditioned on a key trailwatch does not know", json!([cw(json!({"Sid": "Org", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}))]), any, CannotTell("statement `Org`")),
        case("an Allow on cis-* alarms, judged for any alarm: depends on which one", json!([cw(json!({"Sid": "Cis", "Condition": {"ArnLike": {"aws:SourceArn": CIS_ALARMS}}}))]), any, CannotTell("statement `Cis`")),
        case("a Deny of alarms outside cis-*, judged for any alarm", json!([deny(json!({"Condition": {"StringNotLike": {"aws:SourceArn": CIS_ALARMS}}})), cw(json!({}))]), any, CannotTell("statement #1 (it has no Sid)")),
        case("ArnEquals on one alarm, judged for any alarm", json!([cw(json!({"Condition": {"ArnEquals": {"aws:SourceArn": format!("arn:aws:cloudwatch:us-east-1:111122223333:alarm:{ALARM}")}}}))]), any, CannotTell("statement #1 (it has no Sid)")),
        case("a set operator trailwatch does not evaluate", json!([cw(json!({"Condition": {"ForAnyValue:StringEquals": {"aws:SourceAccount": "111122223333"}}}))]), any, CannotTell("statement #1 (it has no Sid)")),
        case("a policy variable in Resource", json!([cw(json!({"Resource": "arn:aws:sns:us-east-1:${aws:PrincipalAccount}:*"}))]), any, CannotTell("statement #1 (it has no Sid)")),
        case("ArnLike with a pattern that is not an ARN", json!([cw(arn_like("*"))]), any, CannotTell("statement #1 (it has no Sid)")),
        case("a service principal that differs only in case", json!([cw(json!({"Principal": {"Service": "CloudWatch.amazonaws.com"}}))]), any, CannotTell("statement #1 (it has no Sid)")),
        case("an undecided Deny is not overruled by an unconditional Allow", json!([cw(json!({})), deny(json!({"Sid": "Vpc", "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}}))]), any, CannotTell("statement `Vpc`")),
    ]
}

fn key(action: &'static str) -> Request<'static> {
    call(action, KEY, None)
}

#[rustfmt::skip]
fn key_cases() -> Vec<Case> {
    use Want::*;
    let root = json!({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"});
    let grant = |actions: Value| json!({"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": actions, "Resource": "*"});
    let documented = grant(json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
    vec![
        case("the documented statement grants kms:Decrypt", json!([root, documented]), key("kms:Decrypt"), Allowed),
        case("kms:GenerateDataKey* covers the kms:GenerateDataKey CloudWatch calls", json!([root, documented]), key("kms:GenerateDataKey"), Allowed),
        case("key policy actions are case-insensitive too", json!([grant(json!("KMS:generatedatakey*"))]), key("kms:GenerateDataKey"), Allowed),
        case("kms:GenerateDataKey* does not cover kms:Decrypt", json!([grant(json!("kms:GenerateDataKey*"))]), key("kms:Decrypt"), NotAllowed),
        case("the default key policy lets only the account's principals in", json!([root]), key("kms:Decrypt"), NotAllowed),
        case("a condition on kms:ViaService is not one trailwatch evaluates", json!([{"Sid": "Via", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}}]), key("kms:Decrypt"), CannotTell("statement `Via`")),
    ]
}

/// The statements of the policy trailwatch writes on the topics it creates.
/// The security account's bus the member's rule forwards to.
const BUS: &str = "arn:aws:events:us-east-1:999988887777:event-bus/central";

/// Account 111122223333's rule `forward` putting events on [`BUS`].
fn put_events() -> Request<'static> {
    Request {
        action: "events:PutEvents",
        resource: BUS,
        source: Source {
            sender: Sender::Account,
            partition: "aws",
            region: "us-east-1",
            account: "111122223333",
            name: Some("forward"),
        },
    }
}

fn let_in(principal: Value, extra: Value) -> Value {
    let mut st = json!({"Sid": "members", "Effect": "Allow", "Principal": principal,
                        "Action": "events:PutEvents", "Resource": BUS});
    merge(&mut st, extra);
    json!([st])
}

/// Event bus policies for an account whose rule forwards to another account's bus.
fn bus_cases() -> Vec<Case> {
    use Want::*;
    let root = json!({"AWS": "arn:aws:iam::111122223333:root"});
    vec![
        case(
            "the account's root is the account",
            let_in(root.clone(), json!({})),
            put_events(),
            Allowed,
        ),
        case(
            "the account by its id",
            let_in(json!({"AWS": "111122223333"}), json!({})),
            put_events(),
            Allowed,
        ),
        case(
            "everyone",
            let_in(json!("*"), json!({})),
            put_events(),
            Allowed,
        ),
        case(
            "another account",
            let_in(json!({"AWS": "arn:aws:iam::444455556666:root"}), json!({})),
            put_events(),
            NotAllowed,
        ),
        case(
            "a service is not an account",
            let_in(json!({"Service": "events.amazonaws.com"}), json!({})),
            put_events(),
            NotAllowed,
        ),
        case(
            "another action",
            let_in(root.clone(), json!({"Action": "events:PutRule"})),
            put_events(),
            NotAllowed,
        ),
        case(
            "a role of the account depends on the role the rule forwards with",
            let_in(
                json!({"AWS": "arn:aws:iam::111122223333:role/forwarder"}),
                json!({}),
            ),
            put_events(),
            CannotTell("statement `members`"),
        ),
        case(
            "aws:PrincipalAccount is the account",
            let_in(
                json!("*"),
                json!({"Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}),
            ),
            put_events(),
            Allowed,
        ),
        case(
            "aws:PrincipalOrgID is not known",
            let_in(
                json!("*"),
                json!({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}),
            ),
            put_events(),
            CannotTell("statement `members`"),
        ),
        case(
            "a Deny of the account wins",
            json!([let_in(json!("*"), json!({}))[0].clone(), {"Sid": "no", "Effect": "Deny", "Principal": root, "Action": "events:*"}]),
            put_events(),
            Denied("statement `no`"),
        ),
    ]
}

fn ours() -> Value {
    let policy: Value =
        serde_json::from_str(&crate::topic_policy(TOPIC, "111122223333", "us-east-1")).unwrap();
    policy["Statement"].clone()
}

#[test]
fn the_policy_table() {
    let cases: Vec<Case> = [
        allowed_cases(),
        denied_cases(),
        not_allowed_cases(),
        cannot_tell_cases(),
        key_cases(),
        bus_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let got = evaluate(&c.policy, &c.request);
            (!holds(&c.want, &got))
                .then(|| format!("{}: wanted {:?}, got {got:?}", c.reason, c.want))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn what_the_policy_document_itself_cannot_tell() {
    let bad = evaluate_text("{not json", &publish(None));
    assert!(
        matches!(
            bad,
            Decision::CannotTell {
                statement: StatementRef::Document,
                ..
            }
        ),
        "{bad:?}"
    );
    let no_statement = evaluate(&json!({"Version": "2012-10-17"}), &publish(None));
    assert!(matches!(
        no_statement,
        Decision::CannotTell {
            statement: StatementRef::Document,
            ..
        }
    ));
}

#[test]
fn cannot_tell_says_why() {
    let depends = json!({"Statement": [{"Sid": "Cis", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish", "Condition": {"ArnLike": {"aws:SourceArn": CIS_ALARMS}}}]});
    let Decision::CannotTell { why, .. } = evaluate(&depends, &publish(None)) else {
        panic!("depends on the alarm")
    };
    assert!(
        why.contains("`ArnLike` on `aws:SourceArn`") && why.contains("depends on which alarm"),
        "{why}"
    );
    let mfa = json!({"Statement": [deny(json!({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})), cw(json!({}))]});
    let Decision::CannotTell { why, .. } = evaluate(&mfa, &publish(None)) else {
        panic!("Bool on a key trailwatch does not know")
    };
    assert!(
        why.contains("`Bool` on `aws:MultiFactorAuthPresent`"),
        "{why}"
    );
}

#[test]
fn iam_wildcards() {
    let cases = [
        ("*", "", true),
        ("?", "", false),
        ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false),
        ("a?c", "abc", true),
        ("a?c", "abbc", false),
        ("*:alarm:*", "arn:aws:cloudwatch:r:1:alarm:x", true),
        ("a.c", "abc", false),
        ("a[bc]", "ab", false),
        ("**", "anything", true),
    ];
    for (pattern, text, want) in cases {
        assert_eq!(glob(pattern, text), want, "{pattern} on {text}");
    }
}
