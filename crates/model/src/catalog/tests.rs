//! Tests of the control catalog: the data file parses and is consistent, every published pattern
//! catches its corpus and only its events (or shows its recorded defect), selection, and the
//! generated docs/controls.md.

use super::*;

#[test]
fn docs_controls_md_is_generated_from_the_catalog() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/controls.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, markdown()).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == markdown(),
        "docs/controls.md is stale: run `UPDATE_DOCS=1 cargo test -p model`"
    );
}

#[test]
fn every_version_has_fifteen_controls_except_v1_2() {
    for b in benchmarks() {
        let n = select(b, &[], None).unwrap().len();
        assert_eq!(n, if *b == "cis-1.2" { 14 } else { 15 }, "{b}");
    }
}

#[test]
fn cis_ids_follow_each_versions_numbering() {
    let id = |b, slug: &str| {
        let cis_id = select(b, &[slug.into()], None).unwrap()[0].cis_id.clone();
        cis_id.unwrap()
    };
    assert_eq!(id("cis-1.2", "iam-policy-changes"), "3.4");
    assert_eq!(id("cis-5.0", "iam-policy-changes"), "4.4");
    assert_eq!(id("cis-7.0", "iam-policy-changes"), "5.4");
    assert_eq!(
        select("cis-1.2", &["3.4".into()], None).unwrap()[0].id,
        "iam-policy-changes"
    );
    assert_eq!(
        select("cis-5.0", &["4.10".into()], None).unwrap()[0].id,
        "security-group-changes"
    );
}

#[test]
fn selection_errors_list_the_valid_choices() {
    let err = select("cis-5.0", &["root-usage".into()], None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown control `root-usage` in cis-5.0"),
        "{err}"
    );
    assert!(err.contains("root-account-usage (4.3)"), "{err}");
    let err = select("cis-1.2", &["organizations-changes".into()], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not part of cis-1.2"), "{err}");
    let err = select("cis-9", &[], None).unwrap_err().to_string();
    assert!(err.contains("valid benchmarks: cis-1.2, cis-1.3"), "{err}");
    let err = select("cis-5.0", &["3.4".into()], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown control `3.4`"), "{err}");
}

#[test]
fn levels_filter_and_change_across_versions() {
    let l1 = select("cis-1.4", &[], Some(1)).unwrap();
    assert!(l1.iter().all(|c| c.level == Some(1)));
    assert!(l1.iter().any(|c| c.id == "unauthorized-api-calls"));
    let l1 = select("cis-5.0", &[], Some(1)).unwrap();
    assert!(!l1.iter().any(|c| c.id == "unauthorized-api-calls"));
    assert_eq!(select("cis-5.0", &[], Some(2)).unwrap().len(), 15);
}

#[test]
fn security_group_changes_gained_an_event_in_v5() {
    let events = |b| match select(b, &["security-group-changes".into()], None).unwrap()[0].catches {
        Catches::Calls { events, .. } => events.len(),
        _ => 0,
    };
    assert_eq!(events("cis-4.0"), 6);
    assert_eq!(events("cis-5.0"), 7);
}

#[test]
fn the_catalog_file_parses_and_is_consistent() {
    if let Err(e) = data::parse(data::SOURCE) {
        panic!("{e}");
    }
    assert!(!entries().is_empty());
    assert_eq!(default_benchmark(), *benchmarks().last().unwrap());
}

#[test]
fn the_benchmark_name_has_one_check() {
    assert_eq!(parse_benchmark("cis-1.4"), Ok("cis-1.4"));
    let err = parse_benchmark("cis-5").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unknown benchmark `cis-5`; valid benchmarks: {}",
            benchmarks().join(", ")
        )
    );
    assert_eq!(select("cis-5", &[], None).unwrap_err(), err);
}

/// A small catalog file that passes the checks; the malformed ones below change one thing.
const GOOD: &str = r#"
benchmarks = ["cis-a", "cis-b"]

[[control]]
id = "one"
title = "One"
default_metric_name = "One"
cis = [{ from = "cis-a", to = "cis-b", id = "4.1", level = 1 }]

[[control.edition]]
from = "cis-a"
to = "cis-b"
catches = "calls"
source = "iam.amazonaws.com"
events = ["CreatePolicy"]

[[control.edition.variant]]
pattern = '{ $.eventName = CreatePolicy }'

[[control]]
id = "two"
title = "Two"
default_metric_name = "Two"
cis = [{ from = "cis-b", to = "cis-b", id = "4.2", level = 2 }]

[[control.edition]]
from = "cis-b"
to = "cis-b"
catches = "root-usage"

[[control.edition.variant]]
pattern = '{ $.userIdentity.type = Root }'
"#;

/// Malformed catalog files: (a text of [`GOOD`], what replaces it, what the error then says).
const MALFORMED: &[(&str, &str, &str)] = &[
    (
        r#"title = "One""#,
        r#"title = "One"
colour = "red""#,
        "unknown field `colour`",
    ),
    (
        r#"catches = "root-usage""#,
        r#"catches = "roots""#,
        "unknown variant `roots`",
    ),
    (
        r#"events = ["CreatePolicy"]"#,
        "",
        r#"control `one`: edition cis-a to cis-b: catches = "calls" needs a `source` and `events`"#,
    ),
    (
        r#"catches = "root-usage""#,
        r#"catches = "root-usage"
events = ["X"]"#,
        r#"`source` and `events` go with catches = "calls" only"#,
    ),
    (
        r#"["CreatePolicy"]"#,
        r#"["CreatePolicy", "CreatePolicy"]"#,
        "event `CreatePolicy` is listed twice",
    ),
    (
        r#"from = "cis-b"
to = "cis-b"
catches"#,
        r#"from = "cis-a"
to = "cis-b"
catches"#,
        "control `two`: it has an edition but no `cis` id in cis-a",
    ),
    (
        r#"id = "4.2", level = 2"#,
        r#"id = "4.2", level = 3"#,
        "control `two`: `cis` cis-b to cis-b: level 3 is not 1 or 2",
    ),
    (
        r#"id = "4.2""#,
        r#"id = "4.1""#,
        "controls `one` and `two` both have CIS id 4.1 in cis-b",
    ),
    (
        r#"id = "4.2""#,
        r#"id = "four""#,
        "`four` is not a CIS id such as 4.4",
    ),
    (
        r#"from = "cis-a", to = "cis-b""#,
        r#"from = "cis-b", to = "cis-a""#,
        "`from` cis-b comes after `to` cis-a",
    ),
    (
        r#"to = "cis-b"
catches = "calls""#,
        r#"to = "cis-c"
catches = "calls""#,
        "control `one`: edition: unknown benchmark `cis-c`",
    ),
    (
        "[[control.edition.variant]]
pattern = '{ $.userIdentity.type = Root }'",
        "",
        "missing field `variant`",
    ),
    (
        "pattern = '{ $.userIdentity.type = Root }'",
        r#"pattern = '{ $.userIdentity.type = Root }'
known_defect = { kind = "names-other-events", why = " " }"#,
        "has no `why`",
    ),
    (
        r#"id = "two""#,
        r#"id = "one""#,
        "control `one` is listed twice",
    ),
    (
        r#"["cis-a", "cis-b"]"#,
        r#"["cis-a", "cis-b", "cis-a"]"#,
        "benchmark `cis-a` is listed twice",
    ),
];

#[test]
fn a_malformed_catalog_file_is_refused_with_what_and_where() {
    data::parse(GOOD).unwrap();
    for (from, to, expected) in MALFORMED {
        assert!(
            GOOD.contains(from),
            "the case's text `{from}` is not in GOOD"
        );
        let err = data::parse(&GOOD.replacen(from, to, 1))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("crates/model/src/catalog.toml"), "{err}");
        assert!(err.contains(expected), "expected `{expected}` in:\n{err}");
    }
    // A second edition of control `two` for cis-b.
    let overlapping = GOOD.to_string()
        + r#"
[[control.edition]]
from = "cis-b"
to = "cis-b"
catches = "root-usage"

[[control.edition.variant]]
pattern = '{ $.userIdentity.type = Root }'
"#;
    let err = data::parse(&overlapping).unwrap_err().to_string();
    assert!(
        err.contains("control `two`: editions overlap in cis-b"),
        "{err}"
    );
}

/// The checks a published pattern of `control` fails beyond catching its corpus, each with what
/// was seen; or why it does not even parse or catch its corpus (which no pattern may fail).
fn flaws(control: &Control, text: &str) -> Result<Vec<(DefectKind, String)>, String> {
    let compiled = pattern::compile(text).map_err(|e| format!("does not parse: {e}"))?;
    let mut missed: Vec<&str> = corpus(control)
        .iter()
        .filter(|(_, record)| !compiled.matches_json(record))
        .map(|(label, _)| *label)
        .collect();
    missed.dedup();
    if !missed.is_empty() {
        return Err(format!("misses {missed:?} of its corpus"));
    }
    let mut found = Vec::new();
    let allowed = control.catches.event_names();
    let others: Vec<String> = pattern::event_names(compiled.pattern())
        .into_iter()
        .filter(|e| !allowed.contains(&e.as_str()))
        .collect();
    if !others.is_empty() {
        found.push((DefectKind::NamesOtherEvents, format!("names {others:?}")));
    }
    let noise = noise_corpus();
    let noisy = noise.iter().filter(|r| compiled.matches_json(r)).count();
    if noisy > 0 {
        let what = format!("matches {noisy} of {} everyday events", noise.len());
        found.push((DefectKind::MatchesEverydayEvents, what));
    }
    if let Catches::Calls { events, .. } = control.catches {
        let (matched, not): (Vec<&str>, Vec<&str>) = events.iter().partition(|e| {
            corpus(control).iter().any(|(label, record)| {
                let mut foreign = record.clone();
                foreign["eventSource"] = "example.amazonaws.com".into();
                label == *e && compiled.matches_json(&foreign)
            })
        });
        if !matched.is_empty() && !not.is_empty() {
            let what = format!("from another service, matches {matched:?} but not {not:?}");
            found.push((DefectKind::EventSourceOnSomeEvents, what));
        }
    }
    Ok(found)
}

/// What is wrong with one published pattern, given its flaws and its recorded defect.
fn judge(
    found: Result<Vec<(DefectKind, String)>, String>,
    known: Option<&KnownDefect>,
) -> Vec<String> {
    let found = match found {
        Ok(found) => found,
        Err(e) => return vec![e],
    };
    let mut wrong: Vec<String> = found
        .iter()
        .filter(|(kind, _)| known.is_none_or(|d| d.kind != *kind))
        .map(|(kind, what)| format!("{what} ({kind:?}, not a known_defect)"))
        .collect();
    if let Some(d) = known {
        if !found.iter().any(|(kind, _)| *kind == d.kind) {
            wrong.push(format!(
                "its known_defect {:?} is gone: remove it from catalog.toml",
                d.kind
            ));
        }
    }
    wrong
}

#[test]
fn every_published_pattern_catches_its_corpus_and_only_its_events() {
    let mut failures = Vec::new();
    for entry in entries() {
        for edition in &entry.editions {
            let control = entry
                .resolve(edition.from)
                .expect("an edition's first version has the control");
            for text in &edition.patterns {
                let known = edition.known_defect(text);
                for wrong in judge(flaws(&control, text), known) {
                    let (id, from, to) = (entry.id, edition.from, edition.to);
                    failures.push(format!("{id} {from} to {to}: `{text}`: {wrong}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn trailwatch_controls_are_selected_by_slug_only_and_name_no_cis_id() {
    for b in benchmarks() {
        assert!(select(b, &[], None)
            .unwrap()
            .iter()
            .all(|c| c.standard == Standard::Cis));
        let chosen = select(b, &["monitoring-changes".into()], Some(1)).unwrap();
        assert_eq!(chosen.len(), 1, "{b}");
        assert_eq!(chosen[0].standard, Standard::Trailwatch);
        assert_eq!((chosen[0].cis_id.as_deref(), chosen[0].level), (None, None));
        assert_eq!(chosen[0].security_hub_id, None);
        assert_eq!(chosen[0].label(), "trailwatch");
    }
    assert_eq!(extra_ids(), ["monitoring-changes"]);
    let both = extras(
        "cis-5.0",
        &["monitoring-changes".into(), "monitoring-changes".into()],
    );
    assert_eq!(both.unwrap().len(), 1);
    let err = extras("cis-5.0", &["iam-policy-changes".into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`iam-policy-changes` is not one of trailwatch's own controls; valid extras: monitoring-changes"
    );
    let err = select("cis-5.0", &["nope".into()], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("monitoring-changes (trailwatch)"), "{err}");
}

#[test]
fn monitoring_changes_catches_each_link_of_the_chain_from_its_own_service() {
    let control = &select("cis-7.0", &["monitoring-changes".into()], None).unwrap()[0];
    let compiled = pattern::compile(control.pattern).unwrap();
    let call = |source: &str, name: &str, parameters: Value| {
        let record = cloudtrail_record(source, name, "AssumedRole");
        compiled.matches_json(&with(record, json!({ "requestParameters": parameters })))
    };
    let caught = [
        ("logs.amazonaws.com", "DeleteMetricFilter"),
        ("logs.amazonaws.com", "PutMetricFilter"),
        ("logs.amazonaws.com", "DeleteLogGroup"),
        ("logs.amazonaws.com", "DeleteSubscriptionFilter"),
        ("monitoring.amazonaws.com", "DeleteAlarms"),
        ("monitoring.amazonaws.com", "DisableAlarmActions"),
        ("sns.amazonaws.com", "DeleteTopic"),
        ("sns.amazonaws.com", "SetTopicAttributes"),
        ("sns.amazonaws.com", "Unsubscribe"),
        ("sns.amazonaws.com", "RemovePermission"),
        ("events.amazonaws.com", "DeleteRule"),
        ("events.amazonaws.com", "DisableRule"),
        ("events.amazonaws.com", "RemoveTargets"),
    ];
    for (source, name) in caught {
        assert!(call(source, name, json!({})), "{source} {name}");
    }
    // The same API names of other services are not the chain's.
    for (source, name) in [
        ("lambda.amazonaws.com", "RemovePermission"),
        ("sqs.amazonaws.com", "RemovePermission"),
        ("elasticloadbalancing.amazonaws.com", "DeleteRule"),
        ("logs.amazonaws.com", "PutLogEvents"),
        ("monitoring.amazonaws.com", "EnableAlarmActions"),
        ("sns.amazonaws.com", "Subscribe"),
    ] {
        assert!(!call(source, name, json!({})), "{source} {name}");
    }
    let alarm = |name: &str, namespace: &str| {
        let parameters = json!({"alarmName": name, "namespace": namespace, "metricName": "M"});
        call("monitoring.amazonaws.com", "PutMetricAlarm", parameters)
    };
    assert!(alarm("trailwatch-root-account-usage", "Elsewhere"));
    assert!(alarm("CIS-3.3-RootUsage", "CISBenchmark"));
    assert!(!alarm(
        "TargetTracking-table/orders-AlarmHigh",
        "AWS/DynamoDB"
    ));
    assert!(!call(
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        json!({})
    ));
}

#[test]
fn a_trailwatch_control_is_refused_with_a_cis_id_or_without_about() {
    let numbered = GOOD.to_string()
        + r#"
[[control]]
id = "extra"
title = "Extra"
default_metric_name = "Extra"
standard = "trailwatch"
cis = [{ from = "cis-a", to = "cis-b", id = "9.1", level = 1 }]
about = "why"

[[control.edition]]
from = "cis-a"
to = "cis-b"
catches = "root-usage"

[[control.edition.variant]]
pattern = '{ $.userIdentity.type = Root }'
"#;
    let err = data::parse(&numbered).unwrap_err().to_string();
    assert!(
        err.contains("control `extra`: standard = \"trailwatch\" goes without `cis`"),
        "{err}"
    );
    let unexplained = numbered
        .replace(
            "cis = [{ from = \"cis-a\", to = \"cis-b\", id = \"9.1\", level = 1 }]\n",
            "",
        )
        .replace("about = \"why\"\n", "");
    let err = data::parse(&unexplained).unwrap_err().to_string();
    assert!(err.contains("needs an `about`"), "{err}");
    let partial = numbered
        .replace(
            "cis = [{ from = \"cis-a\", to = \"cis-b\", id = \"9.1\", level = 1 }]\n",
            "",
        )
        .replace(
            "from = \"cis-a\"\nto = \"cis-b\"\ncatches = \"root",
            "from = \"cis-b\"\nto = \"cis-b\"\ncatches = \"root",
        );
    let err = data::parse(&partial).unwrap_err().to_string();
    assert!(
        err.contains("needs an edition in every version; cis-a has none"),
        "{err}"
    );
}

#[test]
fn a_request_form_must_be_of_an_event_and_a_json_object() {
    let with_request = |request: &str| {
        GOOD.replace(
            "catches = \"root-usage\"",
            &format!("catches = \"calls\"\nservices = [{{ source = \"sns.amazonaws.com\", events = [\"DeleteTopic\"] }}]\n{request}"),
        )
    };
    let text = with_request("");
    assert!(data::parse(&text).is_ok(), "{:?}", data::parse(&text).err());
    let other =
        with_request("request = [{ event = \"Subscribe\", label = \"x\", parameters = '{}' }]");
    let err = data::parse(&other).unwrap_err().to_string();
    assert!(
        err.contains("request of `Subscribe`: not one of the edition's `events`"),
        "{err}"
    );
    let bad =
        with_request("request = [{ event = \"DeleteTopic\", label = \"x\", parameters = '[1]' }]");
    let err = data::parse(&bad).unwrap_err().to_string();
    assert!(err.contains("`parameters` is not a JSON object"), "{err}");
}
