//! `trailwatch plan` on accounts broken in each way the CIS audit procedure checks.

use serde_json::json;

use crate::support::{actions, codes, control_of, each, messages, status, Account};
use crate::{compliant, trail_only, CT, CT_PATTERN, IAM, IAM_PATTERN, PAIR};

#[test]
fn a_compliant_account_plans_nothing_and_exits_0() {
    let acct = Account::new();
    acct.build(&compliant());
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(status(&doc, IAM), "compliant");
    assert_eq!(status(&doc, CT), "compliant");
    assert_eq!(control_of(&doc, IAM)["account_id"], acct.id.as_str());
    assert_eq!(control_of(&doc, IAM)["chain"]["alarm"], "iam-changes");
    assert!(actions(&doc).is_empty());
}

#[test]
fn no_trail_is_reported_and_not_fixable() {
    let acct = Account::new();
    let (code, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 2);
    assert_eq!(status(&doc, IAM), "non_compliant");
    assert_eq!(codes(&doc, IAM), vec!["no-trail"]);
    assert!(actions(&doc).is_empty(), "trailwatch never creates trails");
}

#[test]
fn a_single_region_trail_does_not_qualify() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["trails"][0]["multi_region"] = json!(false);
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 2);
    assert_eq!(
        codes(&doc, IAM),
        vec!["no-qualifying-trail", "trail-not-multi-region"]
    );
    assert!(actions(&doc).is_empty());
}

#[test]
fn a_trail_that_is_not_logging_does_not_qualify() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["trails"][0]["logging"] = json!(false);
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(
        codes(&doc, CT),
        vec!["no-qualifying-trail", "trail-not-logging"]
    );
    let hint = control_of(&doc, CT)["findings"][1]["hint"]
        .as_str()
        .unwrap();
    assert!(hint.contains("start-logging"), "{hint}");
}

#[test]
fn a_trail_without_cloudwatch_logs_does_not_qualify() {
    let acct = Account::new();
    acct.build(&json!({"trails": [{"name": "main"}]}));
    let (code, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        codes(&doc, IAM),
        vec!["no-qualifying-trail", "trail-no-cloudwatch-logs"]
    );
    assert!(
        actions(&doc).is_empty(),
        "trailwatch never changes trails or creates log groups"
    );
}

#[test]
fn write_only_selectors_do_not_capture_all_management_events() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["trails"][0]["selectors"] =
        json!({"basic": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}]});
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(
        codes(&doc, IAM),
        vec!["no-qualifying-trail", "trail-not-all-management-events"]
    );
    assert!(messages(&doc, IAM).contains("only WriteOnly management events"));
}

#[test]
fn advanced_selectors_for_all_management_events_qualify() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["trails"][0]["selectors"] = json!({"advanced": [{
        "Name": "management",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]
    }]});
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(status(&doc, IAM), "compliant");
}

#[test]
fn advanced_selectors_for_read_only_events_do_not_qualify() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["trails"][0]["selectors"] = json!({"advanced": [{
        "Name": "reads",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["true"]}
        ]
    }]});
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(status(&doc, IAM), "non_compliant");
    assert!(messages(&doc, IAM).contains("readOnly = true"), "{doc:#}");
}

#[test]
fn no_filter_plans_a_filter_and_an_alarm() {
    let acct = Account::new();
    let mut spec = compliant();
    // Keep only the CloudTrail filter and alarm.
    spec["filters"] = json!([spec["filters"][1].clone()]);
    spec["alarms"] = json!([spec["alarms"][1].clone()]);
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 2);
    assert_eq!(status(&doc, CT), "compliant");
    assert_eq!(codes(&doc, IAM), vec!["no-matching-filter"]);
    assert_eq!(actions(&doc), vec!["put-metric-filter", "put-metric-alarm"]);
    let filter = &doc["actions"][0];
    assert_eq!(filter["change"], "create");
    assert_eq!(filter["after"]["name"], "trailwatch-iam-policy-changes");
    assert_eq!(filter["after"]["log_group"], "cloudtrail/main");
    assert_eq!(filter["after"]["namespace"], "CISBenchmark");
    assert_eq!(filter["control_ids"], json!([IAM]));
    assert_eq!(filter["account_id"], acct.id.as_str());
    assert_eq!(filter["region"], "us-east-1");
    // The new alarm reuses the topic that already delivers the other control's alarm.
    let alarm = &doc["actions"][1];
    assert_eq!(alarm["depends_on"], json!([1]));
    assert_eq!(alarm["after"]["metric_name"], "IAMPolicyChanges");
    assert_eq!(
        alarm["after"]["alarm_actions"],
        json!([format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)])
    );
}

#[test]
fn a_filter_missing_one_event_is_shown_as_a_diff_and_updated_in_place() {
    let acct = Account::new();
    let mut spec = compliant();
    let partial = IAM_PATTERN.replace("||($.eventName=DetachGroupPolicy)", "");
    spec["filters"][0]["pattern"] = json!(partial);
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert!(messages(&doc, IAM).contains("filter `iam-changes` does not catch DetachGroupPolicy"));
    assert_eq!(actions(&doc), vec!["put-metric-filter"]);
    assert_eq!(doc["actions"][0]["change"], "update");
    assert_eq!(doc["actions"][0]["before"]["pattern"], partial.as_str());
    assert_eq!(doc["actions"][0]["after"]["name"], "iam-changes");
    assert_eq!(doc["actions"][0]["after"]["pattern"], IAM_PATTERN);

    let (code, text, _) = acct.run(&["plan", "--controls", PAIR]);
    assert_eq!(code, 2);
    assert!(text.contains("--- before\n"), "{text}");
    assert!(
        text.contains("+  ($.eventName = DetachGroupPolicy) ||"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when stdout is not a terminal"
    );
}

#[test]
fn an_equivalent_pattern_with_other_spacing_quotes_and_order_is_compliant() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["filters"][1]["pattern"] = json!(
        "{$.eventName = \"StopLogging\" || (($.eventName=\"StartLogging\")) ||\n  $.eventName = DeleteTrail || ($.eventName = UpdateTrail) || ($.eventName = CreateTrail)}"
    );
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(status(&doc, CT), "compliant");
}

#[test]
fn a_narrowing_clause_is_not_compliant() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["filters"][1]["pattern"] = json!(format!(
        "{{ ({}) && ($.userIdentity.type = Root) }}",
        CT_PATTERN.trim_start_matches('{').trim_end_matches('}')
    ));
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(status(&doc, CT), "non_compliant");
    assert!(
        messages(&doc, CT).contains("the clause `$.userIdentity.type = Root` narrows it"),
        "{doc:#}"
    );
}

#[test]
fn a_filter_on_a_log_group_the_trail_does_not_write_to_does_not_count() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["log_groups"] = json!([{"name": "cloudtrail/main"}, {"name": "app-logs"}]);
    for f in spec["filters"].as_array_mut().unwrap() {
        f["log_group"] = json!("app-logs");
    }
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(codes(&doc, IAM), vec!["no-matching-filter"]);
    assert!(messages(&doc, IAM).contains("log group `cloudtrail/main`"));
    // The fix goes on the trail's log group.
    let groups: Vec<&str> = crate::support::actions_of(&doc, "put-metric-filter")
        .iter()
        .map(|a| a["after"]["log_group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, vec!["cloudtrail/main", "cloudtrail/main"]);
}

#[test]
fn no_alarm_on_the_filters_metric() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"] = json!([spec["alarms"][1].clone()]);
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(codes(&doc, IAM), vec!["no-alarm"]);
    assert_eq!(actions(&doc), vec!["put-metric-alarm"]);
    assert_eq!(
        doc["actions"][0]["after"]["alarm_actions"],
        json!([format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)])
    );
    assert_eq!(
        doc["actions"][0]["after"]["name"],
        "trailwatch-iam-policy-changes"
    );
    assert_eq!(
        doc["actions"][0]["after"]["treat_missing_data"],
        "notBreaching"
    );
}

#[test]
fn an_alarm_on_the_right_metric_name_in_the_wrong_namespace_does_not_count() {
    // The filter publishes in `Custom`; the alarm watches the same name in the namespace
    // trailwatch is configured with (`CISBenchmark`), the usual slip.
    let acct = Account::new();
    let mut spec = compliant();
    spec["filters"][0]["namespace"] = json!("Custom");
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(codes(&doc, IAM), vec!["no-alarm", "alarm-wrong-namespace"]);
    assert!(messages(&doc, IAM).contains("in namespace `CISBenchmark`, not `Custom`"));
    assert_eq!(actions(&doc), vec!["put-metric-alarm"]);
    assert_eq!(doc["actions"][0]["after"]["namespace"], "Custom");
}

#[test]
fn an_alarm_without_actions_does_not_count() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"][0]["topics"] = json!([]);
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(codes(&doc, IAM), vec!["alarm-no-sns-action"]);
    assert_eq!(actions(&doc), vec!["put-metric-alarm"]);
    assert_eq!(doc["actions"][0]["change"], "update");
    assert_eq!(doc["actions"][0]["after"]["name"], "iam-changes");
}

#[test]
fn an_alarm_with_actions_disabled_does_not_count() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["alarms"][1]["actions_enabled"] = json!(false);
    acct.build(&spec);
    let (_, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(codes(&doc, CT), vec!["alarm-actions-disabled"]);
    assert_eq!(doc["actions"][0]["before"]["actions_enabled"], false);
    assert_eq!(doc["actions"][0]["after"]["actions_enabled"], true);
}

#[test]
fn a_topic_without_subscribers_needs_an_endpoint() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["topics"][0]["subscriptions"] = json!([]);
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 2);
    assert_eq!(codes(&doc, IAM), vec!["topic-no-subscriber"]);
    assert!(messages(&doc, IAM).contains("security-alerts"));
    assert!(actions(&doc).is_empty());
    let (_, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:oncall@example.com",
    ]);
    assert_eq!(actions(&doc), vec!["subscribe"]);
    assert_eq!(doc["actions"][0]["after"]["endpoint"], "oncall@example.com");
    assert_eq!(
        doc["actions"][0]["after"]["topic_arn"],
        format!("arn:aws:sns:us-east-1:{}:security-alerts", acct.id)
    );
    assert_eq!(doc["actions"][0]["control_ids"], json!([IAM, CT]));
}

#[test]
fn of_two_trails_the_qualifying_one_decides() {
    let acct = Account::new();
    let mut spec = compliant();
    spec["log_groups"] = json!([{"name": "cloudtrail/main"}, {"name": "cloudtrail/old"}]);
    spec["trails"] = json!([
        {"name": "old", "multi_region": false, "log_group": "cloudtrail/old"},
        {"name": "main", "log_group": "cloudtrail/main"},
    ]);
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 0, "{doc:#}");
    let trail = control_of(&doc, IAM)["chain"]["trail"].as_str().unwrap();
    assert!(trail.ends_with(":trail/main"), "{trail}");
    // Every trail is reported, with the reasons it does not qualify.
    let trails = doc["trails"].as_array().unwrap();
    assert_eq!(trails.len(), 2);
    let old = trails.iter().find(|t| t["name"] == "old").unwrap();
    assert_eq!(old["qualifies"], false);
    assert_eq!(old["findings"][0]["code"], "trail-not-multi-region");
    assert_eq!(old["account_id"], acct.id.as_str());
    let main = trails.iter().find(|t| t["name"] == "main").unwrap();
    assert_eq!(main["qualifies"], true);
    assert_eq!(main["findings"], json!([]));
}

#[test]
fn a_log_group_in_another_region_is_read_and_fixed_in_that_region() {
    let acct = Account::new();
    acct.build(&json!({
        "log_groups": [{"name": "central", "region": "eu-west-1"}],
        "trails": [{"name": "main", "log_group": "central", "log_group_region": "eu-west-1"}],
    }));
    let (_, doc) = acct.json(&[
        "plan",
        "--controls",
        IAM,
        "--notify",
        "email:sec@example.com",
    ]);
    assert!(
        messages(&doc, IAM).contains("`central` (eu-west-1)"),
        "{doc:#}"
    );
    let regions = each(&doc, "actions", "region");
    assert_eq!(regions, vec!["eu-west-1"; 4]);
    assert_eq!(
        doc["actions"][1]["after"]["arn"],
        format!("arn:aws:sns:eu-west-1:{}:trailwatch-cis-alarms", acct.id)
    );
}

#[test]
fn an_organization_trail_logging_to_another_account_is_not_applicable() {
    let acct = Account::new();
    acct.build(&json!({
        "trails": [{"name": "org", "log_group": "org-trail", "log_group_account": "999988887777"}],
    }));
    let (code, doc) = acct.json(&[
        "plan",
        "--controls",
        PAIR,
        "--notify",
        "email:sec@example.com",
    ]);
    assert_eq!(code, 2);
    assert_eq!(status(&doc, IAM), "not_applicable");
    assert!(messages(&doc, IAM).contains("monitored centrally in account 999988887777"));
    assert!(actions(&doc).is_empty());
}

#[test]
fn controls_are_selected_by_slug_or_the_versions_cis_id() {
    let acct = Account::new();
    acct.build(&trail_only());
    for (benchmark, id) in [("cis-5.0", "4.5"), ("cis-7.0", "5.5"), ("cis-1.2", "3.5")] {
        let (_, doc) = acct.json(&["plan", "--benchmark", benchmark, "--controls", id]);
        assert_eq!(each(&doc, "controls", "id"), vec![CT], "{benchmark}");
        assert_eq!(control_of(&doc, CT)["cis_id"], id);
        assert_eq!(doc["benchmark"], benchmark);
    }
}

#[test]
fn beyond_a_page_of_alarms_the_same_verdicts_come_from_per_metric_reads() {
    // 120 unrelated alarms push the region past one page of DescribeAlarms; one of them has the
    // name trailwatch would give the IAM alarm, and the IAM filter's own alarm is missing.
    let acct = Account::new();
    let mut spec = compliant();
    let mut alarms = vec![spec["alarms"][1].clone()];
    alarms.extend((0..120).map(|i| json!({"name": format!("app-{i:03}"), "metric": format!("App{i}"), "topics": ["security-alerts"]})));
    alarms.push(
        json!({"name": "trailwatch-iam-policy-changes", "metric": "Unrelated", "topics": []}),
    );
    spec["alarms"] = json!(alarms);
    acct.build(&spec);
    let (code, doc) = acct.json(&["plan", "--controls", PAIR]);
    assert_eq!(code, 2);
    assert_eq!(status(&doc, CT), "compliant");
    assert_eq!(codes(&doc, IAM), vec!["no-alarm"]);
    assert_eq!(actions(&doc), vec!["put-metric-alarm"]);
    // The clash was seen although the alarm is not on a metric that matters.
    assert_eq!(
        doc["actions"][0]["after"]["name"],
        "trailwatch-iam-policy-changes-2"
    );
    let calls = &doc["summary"]["calls"];
    assert_eq!(calls["cloudwatch:DescribeAlarms"], 2, "{calls}");
    assert_eq!(calls["cloudwatch:DescribeAlarmsForMetric"], 2, "{calls}");
}
