//! The `--output` documents of a run over three accounts (one broken with a waived control, one
//! compliant, one unreadable): what each format holds, and snapshots of each.

use model::desired::Waiver;
use model::report::AccountResult;
use model::sample::*;
use model::{Control, Desired, Status};
use time::macros::datetime;

use super::{broken, notify, planned, several};
use crate::formats::{self, ConfigFile, Format, OutputSpec, Run};

/// The run's configuration file: `trailwatch.toml` at the top of a repository checked out in
/// `/home/runner/work/infra`.
static CONFIG: std::sync::LazyLock<ConfigFile> =
    std::sync::LazyLock::new(|| ConfigFile::InRepository {
        root: "/home/runner/work/infra".into(),
        path: "trailwatch.toml".into(),
    });

/// The broken account of `several`, its CloudTrail control waived.
pub(super) fn results() -> Vec<AccountResult> {
    let mut results = several();
    let desired = Desired {
        waivers: vec![Waiver {
            control: "cloudtrail-config-changes".into(),
            accounts: None,
            reason: "CloudTrail is managed by the landing zone".into(),
            expires: "2027-03-31".into(),
            ticket: Some("SEC-1234".into()),
            expired: false,
        }],
        ..notify()
    };
    results[0].report = Ok(planned(&broken(), &desired));
    results
}

pub(super) fn controls() -> Vec<Control> {
    vec![iam(), ct()]
}

pub(super) fn run<'a>(results: &'a [AccountResult], controls: &'a [Control]) -> Run<'a> {
    Run {
        benchmark: "cis-7.0",
        region: REGION,
        controls,
        results,
        at: datetime!(2026-11-29 12:00:00 UTC),
        version: "0.1.0",
        config_file: Some(&CONFIG),
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the document is JSON")
}

#[test]
fn the_fixture_has_a_failing_a_waived_a_compliant_and_an_unread_control() {
    let results = results();
    let report = results[0].report.as_ref().unwrap();
    assert_eq!(report.controls[0].status, Status::NonCompliant);
    assert_eq!(report.controls[1].status, Status::Waived);
    assert!(results[2].report.is_err());
}

#[test]
fn output_specs_name_a_format_and_an_optional_file() {
    let spec: OutputSpec = "sarif=out/trailwatch.sarif".parse().unwrap();
    assert_eq!(spec.format, Format::Sarif);
    assert_eq!(spec.path.unwrap().to_str(), Some("out/trailwatch.sarif"));
    assert_eq!("csv".parse::<OutputSpec>().unwrap().path, None);
    let unknown = "xml=a".parse::<OutputSpec>().unwrap_err();
    assert!(
        unknown.contains("use one of human, json, sarif"),
        "{unknown}"
    );
    assert!("json="
        .parse::<OutputSpec>()
        .unwrap_err()
        .contains("names no file"));
}

#[test]
fn a_dash_or_dev_stdout_as_the_path_means_stdout() {
    for spec in ["sarif=-", "sarif=/dev/stdout"] {
        let spec: OutputSpec = spec.parse().unwrap();
        assert_eq!((spec.format, spec.path), (Format::Sarif, None));
    }
    let file: OutputSpec = "csv=./-".parse().unwrap();
    assert_eq!(file.path.unwrap().to_str(), Some("./-"));
}

#[test]
fn sarif_has_a_rule_per_control_and_a_result_per_failing_waived_or_unread_control() {
    let (results, controls) = (results(), controls());
    let log = json(&formats::sarif::document(&run(&results, &controls)));
    let sarif_run = &log["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["id"], "iam-policy-changes");
    assert_eq!(rules[0]["properties"]["security_hub_id"], "CloudWatch.4");
    let found = sarif_run["results"].as_array().unwrap();
    // Account 1: iam failing, ct waived; account 2 compliant; account 3 unread: 2 errors.
    assert_eq!(found.len(), 4);
    let waived = &found[1];
    assert_eq!(waived["suppressions"][0]["kind"], "external");
    assert!(waived["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .starts_with("CloudTrail is managed by the landing zone"));
    assert_eq!(
        found[2]["level"], "warning",
        "a control that cannot be read"
    );
    assert_eq!(sarif_run["invocations"][0]["executionSuccessful"], false);
    let fingerprint = &found[0]["partialFingerprints"]["trailwatchControl/v1"];
    assert_eq!(fingerprint, "111122223333/us-east-1/iam-policy-changes");
}

/// The physical location of the first result, and the run's `originalUriBaseIds`.
fn sarif_location(config: &ConfigFile) -> (serde_json::Value, serde_json::Value) {
    let (results, controls) = (results(), controls());
    let run = Run {
        config_file: Some(config),
        ..run(&results, &controls)
    };
    let log = json(&formats::sarif::document(&run));
    let sarif_run = &log["runs"][0];
    (
        sarif_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone(),
        sarif_run["originalUriBaseIds"].clone(),
    )
}

#[test]
fn sarif_names_a_file_in_a_repository_relative_to_its_top_level() {
    let (artifact, bases) = sarif_location(&ConfigFile::InRepository {
        root: "/srv/my repo".into(),
        path: "ops/aws:prod/trailwatch.toml".into(),
    });
    assert_eq!(
        artifact,
        serde_json::json!({"uri": "ops/aws%3Aprod/trailwatch.toml", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(
        bases,
        serde_json::json!({"%SRCROOT%": {"uri": "file:///srv/my%20repo/"}})
    );
}

#[test]
fn sarif_names_a_file_outside_any_repository_by_its_absolute_uri() {
    let (artifact, bases) = sarif_location(&ConfigFile::Outside {
        path: "/etc/trailwatch/trail watch.toml".into(),
    });
    assert_eq!(
        artifact,
        serde_json::json!({"uri": "file:///etc/trailwatch/trail%20watch.toml"})
    );
    assert!(bases.is_null(), "no base without a repository: {bases}");
    let (windows, _) = sarif_location(&ConfigFile::Outside {
        path: r"C:\infra\trailwatch.toml".into(),
    });
    assert_eq!(windows["uri"], "file:///C:/infra/trailwatch.toml");
}

#[test]
fn sarif_without_a_configuration_file_gives_each_result_its_account_as_a_file() {
    let (results, controls) = (results(), controls());
    let run = Run {
        config_file: None,
        ..run(&results, &controls)
    };
    let log = json(&formats::sarif::document(&run));
    let sarif_run = &log["runs"][0];
    let physical: Vec<&serde_json::Value> = sarif_run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"])
        .collect();
    let at = |account: &str| {
        serde_json::json!({
            "artifactLocation": {"uri": format!("aws/{account}/us-east-1"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 1}
        })
    };
    let unread = "333344445555";
    assert_eq!(
        physical,
        [&at(ACCOUNT), &at(ACCOUNT), &at(unread), &at(unread)]
    );
    assert!(sarif_run["originalUriBaseIds"].is_null());
}

#[test]
fn sarif_fingerprints_and_asff_ids_do_not_change_between_runs() {
    let (results, controls) = (results(), controls());
    let first = run(&results, &controls);
    let later = Run {
        at: datetime!(2026-12-01 08:30:00 UTC),
        ..first
    };
    let ids = |r: &Run| -> Vec<String> {
        formats::asff::findings(r)
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    assert_eq!(ids(&first), ids(&later));
    let prints = |r: &Run| {
        json(&formats::sarif::document(r))["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(prints(&first), prints(&later));
}

#[test]
fn asff_files_every_read_control_with_its_compliance_and_waivers_suppressed() {
    let (results, controls) = (results(), controls());
    let findings = formats::asff::findings(&run(&results, &controls));
    assert_eq!(
        findings.len(),
        4,
        "two controls of the two readable accounts"
    );
    let status: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.compliance.status.as_str(), f.workflow.status.as_str()))
        .collect();
    assert_eq!(
        status,
        [
            ("FAILED", "NEW"),
            ("FAILED", "SUPPRESSED"),
            ("PASSED", "NEW"),
            ("PASSED", "NEW")
        ]
    );
    let failing = &findings[0];
    assert_eq!(
        failing.product_arn,
        "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
    );
    assert!(failing
        .remediation
        .recommendation
        .text
        .starts_with("Run `trailwatch apply`: 1. "));
    assert!(findings[1].note.as_ref().unwrap().text.contains("SEC-1234"));
    let types: Vec<&str> = findings[2]
        .resources
        .iter()
        .map(|r| r.kind.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "AwsCloudTrailTrail",
            "Other",
            "Other",
            "AwsCloudWatchAlarm",
            "AwsSnsTopic",
            "AwsAccount"
        ]
    );
}

#[test]
fn ocsf_has_an_event_per_control_of_every_account() {
    let (results, controls) = (results(), controls());
    let events = json(&formats::ocsf::document(&run(&results, &controls)));
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 6);
    let statuses: Vec<(u64, u64)> = events
        .iter()
        .map(|e| {
            (
                e["status_id"].as_u64().unwrap(),
                e["compliance"]["status_id"].as_u64().unwrap(),
            )
        })
        .collect();
    // New/fail, suppressed/fail, resolved/pass ×2, new/unknown ×2 (unread).
    assert_eq!(statuses, [(1, 3), (3, 3), (4, 1), (4, 1), (1, 0), (1, 0)]);
    assert_eq!(events[0]["class_uid"], 2003);
    assert_eq!(events[0]["type_uid"], 200301);
    assert_eq!(events[0]["metadata"]["version"], "1.5.0");
    assert_eq!(events[0]["cloud"]["account"]["uid"], ACCOUNT);
}

#[test]
fn junit_fails_errs_and_skips_as_ci_dashboards_expect() {
    let (results, controls) = (results(), controls());
    let xml = formats::junit::document(&run(&results, &controls));
    assert!(xml.contains(r#"<testsuites name="trailwatch cis-7.0" tests="6" failures="1" errors="2" skipped="1">"#), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 3);
    assert!(xml.contains(r#"<skipped message="waived: CloudTrail is managed by the landing zone (until 2027-03-31)"/>"#));
}

#[test]
fn csv_has_a_header_and_a_row_per_account_and_control() {
    let (results, controls) = (results(), controls());
    let text = formats::csv::document(&run(&results, &controls));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "account_id",
            "region",
            "benchmark",
            "cis_id",
            "control",
            "title",
            "level",
            "status",
            "findings",
            "actions",
            "waiver_reason",
            "waiver_expires",
            "waiver_ticket"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[1][7], "waived");
    assert_eq!(&rows[1][10], "CloudTrail is managed by the landing zone");
    assert_eq!(&rows[1][12], "SEC-1234");
    assert!(rows[5][8].contains("cannot assume role"));
}

#[test]
fn markdown_summarises_each_account_and_lists_the_actions() {
    let (results, controls) = (results(), controls());
    let text = formats::markdown::document(&run(&results, &controls));
    assert!(
        text.contains("| 222233334444 | 2 | 0 | 0 | 0 | 0 | 0 |"),
        "{text}"
    );
    assert!(text.contains("### Actions ("));
}

#[test]
fn snapshots_of_every_format() {
    let (results, controls) = (results(), controls());
    let run = run(&results, &controls);
    insta::assert_snapshot!("sarif", formats::sarif::document(&run));
    insta::assert_snapshot!("ocsf", formats::ocsf::document(&run));
    insta::assert_snapshot!("asff", formats::asff::document(&run));
    insta::assert_snapshot!("junit", formats::junit::document(&run));
    insta::assert_snapshot!("csv", formats::csv::document(&run));
    insta::assert_snapshot!("markdown", formats::markdown::document(&run));
}

/// A run of trailwatch's own `monitoring-changes` control over the broken account of the
/// fixture (where it is missing: a non-compliant item), in every format.
fn own_control_documents() -> Vec<(Format, String)> {
    let controls = vec![control("monitoring-changes")];
    let mut results = results()[..1].to_vec();
    results[0].report = Ok(plan::plan(&broken(), &controls, &notify()).unwrap());
    let run = run(&results, &controls);
    [
        Format::Sarif,
        Format::Asff,
        Format::Ocsf,
        Format::Csv,
        Format::Junit,
        Format::Markdown,
    ]
    .into_iter()
    .map(|format| {
        (
            format,
            formats::document(format, &run).expect("a document format"),
        )
    })
    .collect()
}

#[test]
fn trailwatchs_own_control_claims_no_cis_id_or_standard_in_any_format() {
    for (format, text) in own_control_documents() {
        for claim in [
            "CIS AWS Foundations",
            "CIS 5.",
            "\"cis_id\"",
            "trailwatch/cis_id",
        ] {
            assert!(!text.contains(claim), "{format:?} claims {claim}:\n{text}");
        }
        assert!(text.contains("monitoring-changes"), "{format:?}:\n{text}");
    }
    let documents = own_control_documents();
    let of = |format: Format| {
        let found = documents.iter().find(|(f, _)| *f == format);
        found.map(|(_, text)| text.as_str()).unwrap()
    };
    let sarif = json(of(Format::Sarif));
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["properties"]["standard"], "trailwatch");
    assert_eq!(
        rule["properties"]["tags"],
        serde_json::json!(["security", "monitoring"])
    );
    assert!(rule["properties"].get("benchmark").is_none());
    let asff = json(of(Format::Asff));
    let finding = &asff[0];
    assert_eq!(
        finding["Types"][0],
        "Software and Configuration Checks/AWS Security Best Practices"
    );
    assert!(finding["Compliance"].get("RelatedRequirements").is_none());
    assert_eq!(
        finding["ProductFields"]["trailwatch/standard"],
        "trailwatch monitoring controls"
    );
    let ocsf = json(of(Format::Ocsf));
    let compliance = &ocsf[0]["compliance"];
    assert_eq!(compliance["standards"][0], "trailwatch monitoring controls");
    assert_eq!(compliance["control"], "monitoring-changes");
    let csv_text = of(Format::Csv);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!((&row[3], &row[4], &row[6]), ("", "monitoring-changes", ""));
}
