//! Every control in every benchmark version: version-specific patterns, strict and semantic
//! matching, the precedence traps, both MFA variants, and a whole account fixed in one apply.

use serde_json::{json, Value};

use crate::support::{actions, codes, control_of, each, messages, status, Account};
use crate::trail_only;

/// An account whose trail's log group has, for each control of `benchmark`, a filter with the
/// given pattern (default: the version's first published pattern), an alarm and a subscribed
/// topic.
fn account_with_patterns(
    benchmark: &str,
    pattern_for: &dyn Fn(&Value) -> Option<String>,
) -> Account {
    let acct = Account::new();
    let (_, catalog) = acct.json(&["controls", "--benchmark", benchmark]);
    let mut spec = trail_only();
    let mut filters = Vec::new();
    let mut alarms = Vec::new();
    for c in catalog["controls"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let metric = c["default_metric_name"].as_str().unwrap();
        let pattern = pattern_for(c).unwrap_or_else(|| c["pattern"].as_str().unwrap().to_string());
        filters.push(json!({"log_group": "cloudtrail/main", "name": id, "pattern": pattern, "metric": metric}));
        alarms.push(json!({"name": id, "metric": metric, "topics": ["security-alerts"]}));
    }
    spec["filters"] = json!(filters);
    spec["alarms"] = json!(alarms);
    spec["topics"] = json!([{"name": "security-alerts", "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}]}]);
    acct.build(&spec);
    acct
}

#[test]
fn v1_2_patterns_are_strictly_compliant_under_v1_2_and_miss_the_v5_security_group_event() {
    let acct = account_with_patterns("cis-1.2", &|_| None);
    let (code, doc) = acct.json(&["plan", "--benchmark", "cis-1.2", "--match", "strict"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["controls"].as_array().unwrap().len(), 14);

    let (code, doc) = acct.json(&["plan", "--benchmark", "cis-5.0", "--match", "strict"]);
    assert_eq!(code, 2);
    assert_eq!(status(&doc, "security-group-changes"), "non_compliant");
    assert!(
        messages(&doc, "security-group-changes")
            .contains("does not catch ModifySecurityGroupRules"),
        "{doc:#}"
    );
    // v1.2's unauthorized-calls pattern is not a v5.0 pattern either, and Organizations is new.
    assert_eq!(status(&doc, "unauthorized-api-calls"), "non_compliant");
    assert_eq!(status(&doc, "organizations-changes"), "non_compliant");
    assert_eq!(status(&doc, "iam-policy-changes"), "compliant");
    // The SG filter is corrected in place: it is meant for that control alone.
    let sg = doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["action"] == "put-metric-filter"
                && a["control_ids"] == json!(["security-group-changes"])
        })
        .unwrap();
    assert_eq!(sg["change"], "update");
    assert!(sg["after"]["pattern"]
        .as_str()
        .unwrap()
        .contains("ModifySecurityGroupRules"));
}

#[test]
fn the_route_table_precedence_trap_is_judged_by_what_it_matches_and_explained() {
    const TRAP: &str = "{ ($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }";
    let acct = account_with_patterns("cis-7.0", &|c| {
        (c["id"] == "route-table-changes").then(|| TRAP.to_string())
    });
    let (_, doc) = acct.json(&["plan", "--controls", "route-table-changes"]);
    // It does catch every route-table change EC2 records, so it is compliant…
    assert_eq!(status(&doc, "route-table-changes"), "compliant", "{doc:#}");
    // …and the plan says what the grouping really means.
    assert_eq!(codes(&doc, "route-table-changes"), vec!["precedence-trap"]);
    assert!(messages(&doc, "route-table-changes")
        .contains("`($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute)` is one alternative of the `||`"));
    assert!(actions(&doc).is_empty());
}

#[test]
fn the_unauthorized_calls_precedence_trap_is_explained_and_a_parenthesised_narrowing_fails() {
    let later = "{ ($.errorCode =\"*UnauthorizedOperation\") || ($.errorCode =\"AccessDenied*\") && ($.sourceIPAddress!=\"delivery.logs.amazonaws.com\") && ($.eventName!=\"HeadBucket\") }";
    let acct = account_with_patterns("cis-7.0", &|c| {
        (c["id"] == "unauthorized-api-calls").then(|| later.to_string())
    });
    let (_, doc) = acct.json(&["plan", "--controls", "unauthorized-api-calls"]);
    assert_eq!(
        status(&doc, "unauthorized-api-calls"),
        "compliant",
        "{doc:#}"
    );
    assert_eq!(
        codes(&doc, "unauthorized-api-calls"),
        vec!["precedence-trap"]
    );

    // Parenthesised as its authors may have meant it, AND-ed with an errorCode it never has, it
    // catches nothing the control is about: judged by what it matches, not by its text.
    let wrong = "{ (($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\")) && ($.errorCode = \"Throttling\") }";
    let acct = account_with_patterns("cis-7.0", &|c| {
        (c["id"] == "unauthorized-api-calls").then(|| wrong.to_string())
    });
    let (_, doc) = acct.json(&["plan", "--controls", "unauthorized-api-calls"]);
    assert_eq!(status(&doc, "unauthorized-api-calls"), "non_compliant");
    assert_eq!(
        codes(&doc, "unauthorized-api-calls"),
        vec!["no-matching-filter"]
    );
}

#[test]
fn both_mfa_variants_are_accepted_where_cis_accepts_them() {
    let sso = "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") && ($.userIdentity.type = \"IAMUser\") && ($.responseElements.ConsoleLogin = \"Success\") }";
    let acct = account_with_patterns("cis-7.0", &|c| {
        (c["id"] == "console-signin-without-mfa").then(|| sso.to_string())
    });
    let mfa = "console-signin-without-mfa";
    for benchmark in ["cis-1.4", "cis-5.0", "cis-7.0"] {
        for mode in ["strict", "semantic"] {
            let (_, doc) = acct.json(&[
                "plan",
                "--benchmark",
                benchmark,
                "--match",
                mode,
                "--controls",
                mfa,
            ]);
            assert_eq!(
                status(&doc, mfa),
                "compliant",
                "{benchmark} {mode}: {doc:#}"
            );
        }
    }
    // Before v1.4 the variant was not published: strict flags it, semantic accepts what it catches.
    let (_, doc) = acct.json(&[
        "plan",
        "--benchmark",
        "cis-1.3",
        "--match",
        "strict",
        "--controls",
        mfa,
    ]);
    assert_eq!(status(&doc, mfa), "non_compliant");
    assert_eq!(
        codes(&doc, mfa),
        vec!["no-matching-filter", "filter-not-published"]
    );
    let (_, doc) = acct.json(&["plan", "--benchmark", "cis-1.3", "--controls", mfa]);
    assert_eq!(status(&doc, mfa), "compliant");

    // The base pattern is accepted everywhere.
    let acct = account_with_patterns("cis-1.2", &|_| None);
    for benchmark in ["cis-1.2", "cis-1.4", "cis-7.0"] {
        let (_, doc) = acct.json(&[
            "plan",
            "--benchmark",
            benchmark,
            "--match",
            "strict",
            "--controls",
            mfa,
        ]);
        assert_eq!(status(&doc, mfa), "compliant", "{benchmark}");
    }
}

#[test]
fn apply_makes_all_fifteen_controls_compliant_with_one_topic_and_then_does_nothing() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (code, doc) = acct.json(&[
        "apply",
        "--auto-approve",
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["controls"].as_array().unwrap().len(), 15);
    for id in each(&doc, "controls", "id") {
        assert_eq!(
            status(&doc, id),
            "compliant",
            "{id}: {:#}",
            control_of(&doc, id)
        );
    }
    let kinds = actions(&doc);
    assert_eq!(kinds.iter().filter(|a| **a == "create-topic").count(), 1);
    assert_eq!(
        kinds.iter().filter(|a| **a == "put-metric-filter").count(),
        15
    );
    assert_eq!(
        kinds.iter().filter(|a| **a == "put-metric-alarm").count(),
        15
    );
    let dump = acct.dump(&[]);
    assert_eq!(dump["us-east-1"]["topics"].as_array().unwrap().len(), 1);
    let filters: Vec<&str> = dump["us-east-1"]["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        filters.contains(&"trailwatch-security-group-changes"),
        "{filters:?}"
    );

    let (code, doc) = acct.json(&[
        "apply",
        "--auto-approve",
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(actions(&doc).is_empty(), "{doc:#}");
    assert_eq!(acct.dump(&[]), dump);
}

#[test]
fn level_1_leaves_out_level_2_controls() {
    let acct = Account::new();
    acct.build(&trail_only());
    let (_, doc) = acct.json(&["plan", "--benchmark", "cis-5.0", "--level", "1"]);
    let ids = each(&doc, "controls", "id");
    assert!(!ids.contains(&"unauthorized-api-calls"), "{ids:?}");
    assert!(!ids.contains(&"security-group-changes"), "{ids:?}");
    assert!(ids.contains(&"iam-policy-changes"), "{ids:?}");
    assert!(doc["controls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["level"] == 1));
}

/// The findings' codes of every control of a plan.
fn all_codes(doc: &Value) -> Vec<String> {
    doc["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn trailwatch_never_warns_about_the_pattern_it_wrote_and_strict_says_why_once() {
    for (mode, said) in [("semantic", 0), ("strict", 1)] {
        let acct = Account::new();
        acct.build(&trail_only());
        let args = [
            "--controls",
            "unauthorized-api-calls",
            "--match",
            mode,
            "--notify",
            "sqs:arn:aws:sqs:us-east-1:111122223333:alerts",
        ];
        let (code, doc) = acct.json(&[&["apply", "--auto-approve"][..], &args].concat());
        assert_eq!(code, 0, "{mode}: {doc:#}");
        let (code, doc) = acct.json(&[&["plan"][..], &args].concat());
        assert_eq!(code, 0, "{mode}: {doc:#}");
        assert!(actions(&doc).is_empty(), "{mode}: {doc:#}");
        assert!(
            !all_codes(&doc).contains(&"precedence-trap".to_string()),
            "{mode}: {doc:#}"
        );
        let notes = doc["notes"].as_array().unwrap();
        let why = notes
            .iter()
            .filter(|n| n.as_str().unwrap().contains("binds tighter"))
            .count();
        assert_eq!(why, said, "{mode}: {notes:?}");
    }
}
