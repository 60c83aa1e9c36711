//! Filters: which serve a control (by what they match), which the plan corrects, and which it must leave alone.

use super::*;
use model::MatchMode;

#[test]
fn a_filter_missing_an_event_is_updated_in_place_with_its_metric() {
    let partial = iam()
        .pattern
        .replace("||($.eventName=DetachGroupPolicy)", "");
    let s = snapshot(
        vec![trail("main")],
        vec![filter("iam-changes", &partial, "MyMetric")],
        vec![alarm("a", "MyMetric", Some("alerts"))],
        vec![topic("alerts", true)],
    );
    let r = run(&s, &Desired::default());
    assert!(r.controls[0]
        .findings
        .iter()
        .any(|f| f.message.contains("does not catch DetachGroupPolicy")));
    assert_eq!(kinds(&r), vec!["put-metric-filter"]);
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(r.actions[0].change, Change::Update);
    assert_eq!(before.as_ref().unwrap().pattern, partial);
    assert_eq!(after.name, "iam-changes");
    assert_eq!(after.metric_name, "MyMetric");
    assert_eq!(after.pattern, iam().pattern);
}

#[test]
fn an_equivalent_pattern_is_accepted() {
    let mut s = compliant();
    let reordered = "{ $.eventName = \"DetachGroupPolicy\" || ($.eventName = AttachGroupPolicy) || $.eventName=DetachUserPolicy || $.eventName=AttachUserPolicy || $.eventName=DetachRolePolicy || $.eventName=AttachRolePolicy || $.eventName=DeletePolicyVersion || $.eventName=CreatePolicyVersion || $.eventName=DeletePolicy || $.eventName=CreatePolicy || $.eventName=PutUserPolicy || $.eventName=PutRolePolicy || $.eventName=PutGroupPolicy || $.eventName=DeleteUserPolicy || $.eventName=DeleteRolePolicy || $.eventName=DeleteGroupPolicy }";
    s.log_groups[0].filters = Ok(vec![filter("f", reordered, "IAMPolicyChanges")]);
    assert_eq!(
        run(&s, &Desired::default()).controls[0].status,
        Status::Compliant
    );
}

#[test]
fn trailwatchs_own_filter_is_corrected_not_duplicated() {
    let ours = filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = Foo }",
        "IAMPolicyChanges",
    );
    let s = snapshot(vec![trail("main")], vec![ours], vec![], vec![]);
    let r = run(&s, &notify());
    let (before, after) = filter_action(&r);
    assert_eq!(before.as_ref().unwrap().pattern, "{ $.eventName = Foo }");
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(after.pattern, iam().pattern);
}

#[test]
fn a_filter_with_our_name_on_another_metric_is_left_alone_unless_adopted() {
    let theirs = filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = Foo }",
        "X",
    );
    let s = snapshot(vec![trail("main")], vec![theirs], vec![], vec![]);
    let r = run(&s, &notify());
    let (before, after) = filter_action(&r);
    assert!(
        before.is_none(),
        "someone else's filter must not be rewritten"
    );
    assert_eq!(after.name, "trailwatch-iam-policy-changes-2");
    assert_eq!(after.metric_name, "IAMPolicyChanges");
    assert!(
        r.notes.iter().any(
            |n| n.contains("publishes a metric trailwatch would not create")
                && n.contains("--adopt")
        ),
        "{:?}",
        r.notes
    );
    let adopt = Desired {
        adopt: true,
        ..notify()
    };
    let r = run(&s, &adopt);
    let (before, after) = filter_action(&r);
    assert_eq!(
        before.as_ref().unwrap().name,
        "trailwatch-iam-policy-changes"
    );
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
    assert_eq!(after.metric_name, "X", "adopting keeps the filter's metric");
    assert!(
        r.actions[0].reason.contains("--adopt"),
        "{}",
        r.actions[0].reason
    );
}

fn combined(iam_pattern: &str) -> String {
    format!(
        "{{ {} || {} }}",
        iam_pattern.trim_start_matches('{').trim_end_matches('}'),
        ct().pattern.trim_start_matches('{').trim_end_matches('}')
    )
}

#[test]
fn a_combined_filter_that_catches_every_event_counts_for_both_controls() {
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "security-changes",
            &combined(iam().pattern),
            "SecurityChanges",
        )],
        vec![alarm("security", "SecurityChanges", Some("alerts"))],
        vec![topic("alerts", true)],
    );
    let r = plan(&s, &[iam(), ct()], &Desired::default()).unwrap();
    for c in &r.controls {
        assert_eq!(c.status, Status::Compliant, "{}: {:?}", c.id, c.findings);
        assert_eq!(
            c.chain.as_ref().unwrap().filter.as_deref(),
            Some("security-changes")
        );
    }
    assert!(r.is_clean());
}

#[test]
fn a_filter_that_also_serves_other_events_is_not_rewritten() {
    let partial = iam()
        .pattern
        .replace("||($.eventName=DetachGroupPolicy)", "");
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "security-changes",
            &combined(&partial),
            "SecurityChanges",
        )],
        vec![],
        vec![],
    );
    let r = run(&s, &notify());
    let f = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::FilterPatternDiffers)
        .unwrap();
    assert!(
        f.message.contains("does not catch DetachGroupPolicy"),
        "{}",
        f.message
    );
    // It also catches CloudTrail events, so the plan creates trailwatch's own filter beside it.
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert!(before.is_none());
    assert_eq!(after.name, "trailwatch-iam-policy-changes");
}

#[test]
fn a_narrowing_clause_is_named_and_the_filter_corrected() {
    let narrowed = format!(
        "{{ ({}) && ($.userIdentity.type = Root) }}",
        ct().pattern.trim_start_matches('{').trim_end_matches('}')
    );
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "trail-changes",
            &narrowed,
            "CloudTrailConfigChanges",
        )],
        vec![],
        vec![],
    );
    let r = plan(&s, &[ct()], &notify()).unwrap();
    let f = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::FilterPatternDiffers)
        .unwrap();
    assert!(
        f.message
            .contains("the clause `$.userIdentity.type = Root` narrows it"),
        "{}",
        f.message
    );
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(before.as_ref().unwrap().name, "trail-changes");
    assert_eq!(after.pattern, ct().pattern);
}

#[test]
fn a_filter_that_matches_nearly_everything_is_compliant_with_a_warning() {
    let mut s = compliant();
    s.log_groups[0].filters = Ok(vec![filter(
        "all",
        "{ $.eventName = * }",
        "IAMPolicyChanges",
    )]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert_eq!(codes(&r), vec!["filter-too-broad"]);
    assert!(r.controls[0].findings[0].message.contains("noise"));
    assert!(r.actions.is_empty());
}

#[test]
fn the_cis_1_3_unauthorized_chain_style_is_judged_by_what_it_matches() {
    // `||` with a `!=` clause matches nearly every event: it catches the control's events too.
    let mut s = compliant();
    let broad = format!(
        "{{ {} || ($.eventName != \"HeadBucket\") }}",
        iam().pattern.trim_start_matches('{').trim_end_matches('}')
    );
    s.log_groups[0].filters = Ok(vec![filter("f", &broad, "IAMPolicyChanges")]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::Compliant);
    assert_eq!(codes(&r), vec!["filter-too-broad"]);
}

#[test]
fn a_pattern_that_does_not_parse_is_reported_when_it_serves_the_control() {
    let mut s = compliant();
    s.log_groups[0].filters = Ok(vec![filter(
        "trailwatch-iam-policy-changes",
        "{ $.eventName = CreatePolicy ",
        "IAMPolicyChanges",
    )]);
    let r = run(&s, &Desired::default());
    assert_eq!(r.controls[0].status, Status::NonCompliant);
    let finding = r.controls[0]
        .findings
        .iter()
        .find(|f| f.code == FindingCode::FilterPatternDiffers)
        .expect("the broken filter is named");
    assert!(
        finding
            .message
            .contains("has a pattern that does not parse"),
        "{}",
        finding.message
    );
    let Operation::PutMetricFilter { before, .. } = &r.actions[0].operation else {
        panic!()
    };
    assert_eq!(
        before.as_ref().unwrap().name,
        "trailwatch-iam-policy-changes"
    );
}

#[test]
fn every_published_pattern_catches_its_corpus_and_little_else() {
    for benchmark in model::catalog::benchmarks() {
        for control in model::catalog::select(benchmark, &[], None).unwrap() {
            let corpus = model::catalog::corpus(&control);
            for variant in control.variants {
                let f = filter("f", variant, "M");
                let verdict = verdict::judge_filter(&corpus, &f);
                assert!(
                    verdict.catches_all(),
                    "{benchmark} {}: `{variant}` misses {:?}",
                    control.id,
                    verdict.missed
                );
                // Only the v1.3 unauthorized-calls chain matches everyday events (by design of
                // its `||` of `!=` clauses).
                let noisy = variant.contains("||($.sourceIPAddress!=")
                    || variant.contains("|| ($.sourceIPAddress!=");
                assert_eq!(
                    verdict.too_broad(),
                    noisy,
                    "{benchmark} {}: `{variant}`",
                    control.id
                );
            }
        }
    }
}

#[test]
fn dropping_any_one_event_from_a_pattern_is_noticed_by_name() {
    for control in model::catalog::select(model::catalog::default_benchmark(), &[], None).unwrap() {
        let model::catalog::Catches::Calls { events, .. } = control.catches else {
            continue;
        };
        let corpus = model::catalog::corpus(&control);
        for event in events {
            let others: Vec<String> = events
                .iter()
                .filter(|e| *e != event)
                .map(|e| format!("($.eventName = {e})"))
                .collect();
            let f = filter("f", &format!("{{ {} }}", others.join(" || ")), "M");
            let verdict = verdict::judge_filter(&corpus, &f);
            assert_eq!(verdict.missed, vec![*event], "{}", control.id);
            assert!(
                verdict::explain_miss(&f, &verdict).ends_with(&format!("does not catch {event}"))
            );
        }
    }
}

#[test]
fn no_published_pattern_of_one_control_is_meant_for_another() {
    for benchmark in model::catalog::benchmarks() {
        let controls = model::catalog::select(benchmark, &[], None).unwrap();
        for owner in &controls {
            for variant in owner.variants {
                let f = filter("theirs", variant, "Theirs");
                for other in controls.iter().filter(|c| c.id != owner.id) {
                    let verdict = verdict::judge(other, &f);
                    assert!(
                        verdict.catches_all() || verdict::intent(other, &f, &verdict).is_none(),
                        "{benchmark}: {}'s `{variant}` taken for an attempt at {}",
                        owner.id,
                        other.id
                    );
                }
            }
        }
    }
}

#[test]
fn a_filter_named_for_another_control_is_never_rewritten_for_this_one() {
    // What an interrupted apply leaves: trailwatch's root-usage filter, no alarm.
    let root = control("root-account-usage");
    let leftover = filter(
        "trailwatch-root-account-usage",
        root.pattern,
        root.default_metric_name,
    );
    let s = snapshot(vec![trail("main")], vec![leftover], vec![], vec![]);
    let report = plan(&s, &[iam(), root.clone()], &notify()).unwrap();
    for action in &report.actions {
        if let Operation::PutMetricFilter { before, after } = &action.operation {
            assert!(before.is_none(), "rewrote an existing filter: {action:?}");
            assert_eq!(after.name, "trailwatch-iam-policy-changes");
            assert_eq!(after.metric_name, iam().default_metric_name);
        }
        if let Operation::PutMetricAlarm { after, .. } = &action.operation {
            let control = &action.control_ids[0];
            let expected = if control == "iam-policy-changes" {
                iam().default_metric_name
            } else {
                root.default_metric_name
            };
            assert_eq!(after.metric_name, expected, "{action:?}");
        }
    }
    let iam_findings = &report.controls[0].findings;
    assert!(
        !iam_findings
            .iter()
            .any(|f| f.message.contains("trailwatch-root-account-usage")),
        "{iam_findings:?}"
    );
}

#[test]
fn a_filter_sharing_one_event_name_is_not_explained_under_another_control() {
    // `CreatePolicy` is both an IAM and an Organizations call.
    let orgs = control("organizations-changes");
    let s = snapshot(
        vec![trail("main")],
        vec![filter(
            "IAMPolicyChanges",
            iam().pattern,
            "IAMPolicyChanges",
        )],
        vec![],
        vec![],
    );
    let report = plan(&s, &[orgs], &notify()).unwrap();
    let findings = &report.controls[0].findings;
    assert!(
        !findings
            .iter()
            .any(|f| f.message.contains("IAMPolicyChanges")),
        "{findings:?}"
    );
}

#[test]
fn a_root_usage_filter_catches_a_third_of_iam_records_and_is_not_an_attempt() {
    let root = control("root-account-usage");
    let f = filter("mine", root.pattern, "Mine");
    let verdict = verdict::judge(&iam(), &f);
    assert!(verdict.records.matched > 0 && verdict.records.matched * 2 < verdict.records.of);
    assert_eq!(verdict::intent(&iam(), &f, &verdict), None);
}

#[test]
fn trailwatch_names_belong_to_exactly_one_control() {
    assert_eq!(
        verdict::owner_by_name("trailwatch-root-account-usage"),
        Some("root-account-usage")
    );
    assert_eq!(
        verdict::owner_by_name("trailwatch-iam-policy-changes-3"),
        Some("iam-policy-changes")
    );
    assert_eq!(
        verdict::owner_by_name("trailwatch-iam-policy-changes-x"),
        None
    );
    assert_eq!(verdict::owner_by_name("iam-policy-changes"), None);
}

#[test]
fn the_pattern_written_by_default_has_no_precedence_trap_and_is_judged_as_published() {
    for benchmark in model::catalog::benchmarks() {
        for control in model::catalog::select(benchmark, &[], None).unwrap() {
            let written = control.written(MatchMode::Semantic);
            assert!(
                pattern::precedence_traps(written).is_empty(),
                "{benchmark} {}: writes `{written}`",
                control.id
            );
            assert_eq!(control.written(MatchMode::Strict), control.pattern);
            let Some(meant) = control.meant else { continue };
            let published = verdict::judge(&control, &filter("p", control.pattern, "M"));
            let regrouped = verdict::judge(&control, &filter("m", meant, "M"));
            assert!(regrouped.catches_all(), "{benchmark} {}", control.id);
            assert_eq!(published.catches_all(), regrouped.catches_all());
            assert_eq!(
                published.noise, regrouped.noise,
                "{benchmark} {}",
                control.id
            );
        }
    }
}

/// Plans the unauthorized-calls control on a trail-only account, applies the filter in memory,
/// and plans again.
fn unauthorized_twice(mode: MatchMode) -> (Report, Report) {
    let control = control("unauthorized-api-calls");
    let desired = Desired {
        match_mode: mode,
        ..notify()
    };
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    let first = plan(&s, std::slice::from_ref(&control), &desired).unwrap();
    let (_, after) = filter_action(&first);
    s.log_groups[0].filters.as_mut().unwrap().push(filter(
        &after.name,
        &after.pattern,
        &after.metric_name,
    ));
    let second = plan(&s, &[control], &desired).unwrap();
    (first, second)
}

#[test]
fn trailwatch_does_not_warn_about_the_pattern_it_wrote() {
    let (first, second) = unauthorized_twice(MatchMode::Semantic);
    let (_, after) = filter_action(&first);
    assert!(
        pattern::precedence_traps(&after.pattern).is_empty(),
        "{}",
        after.pattern
    );
    assert!(first.notes.iter().all(|n| !n.contains("--match strict")));
    let codes: Vec<&str> = second.controls[0]
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    assert!(!codes.contains(&"precedence-trap"), "{codes:?}");
}

#[test]
fn with_match_strict_the_published_text_is_written_and_the_plan_says_why_once() {
    let (first, second) = unauthorized_twice(MatchMode::Strict);
    let (_, after) = filter_action(&first);
    assert_eq!(after.pattern, control("unauthorized-api-calls").pattern);
    for report in [&first, &second] {
        let said: Vec<&String> = report
            .notes
            .iter()
            .filter(|n| n.contains("binds tighter"))
            .collect();
        assert_eq!(said.len(), 1, "{:?}", report.notes);
        let codes: Vec<&str> = report.controls[0]
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect();
        assert!(!codes.contains(&"precedence-trap"), "{codes:?}");
    }
}
