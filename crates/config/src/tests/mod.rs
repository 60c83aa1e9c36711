//! The configuration file on plain text: what it accepts, how a bad file is refused (with its
//! line and column), how flags override it, and which waivers apply.

use std::path::Path;

use model::{MatchMode, TopicChoice};

use crate::file::{one_year_after, parse, parse_date};
use crate::settings::{Flags, Settings};
use crate::FileSettings;

mod docs;

fn today() -> time::Date {
    parse_date("2026-11-29").unwrap()
}

fn read(text: &str) -> Result<FileSettings, String> {
    parse(Path::new("trailwatch.toml"), text, None, today()).map_err(|e| e.to_string())
}

const FULL: &str = r#"
benchmark = "cis-1.4"
controls = ["4.4", "cloudtrail-config-changes"]
level = 1
match = "strict"
region = "eu-west-1"
namespace = "Audit"
topic_name = "security"
notify = ["email:security@example.com"]
organization = false
assume_role = "SecurityAudit"
concurrency = 4
adopt = true

[accounts."111122223333"]
notify = ["email:team-a@example.com"]

[accounts."222233334444"]
topic_arn = "arn:aws:sns:eu-west-1:222233334444:sandbox"
namespace = "Sandbox"

[[waiver]]
control = "4.4"
accounts = ["222233334444"]
reason = "sandbox account, no IAM users"
expires = 2027-03-01
ticket = "SEC-42"
"#;

#[test]
fn every_key_is_read_and_cis_ids_become_slugs() {
    let file = read(FULL).unwrap();
    assert_eq!(file.benchmark.as_deref(), Some("cis-1.4"));
    assert_eq!(
        file.controls.as_deref().unwrap(),
        ["iam-policy-changes", "cloudtrail-config-changes"]
    );
    assert_eq!(file.match_mode, Some(MatchMode::Strict));
    assert_eq!(
        file.accounts.as_deref().unwrap(),
        ["111122223333", "222233334444"]
    );
    assert_eq!(file.waivers[0].control, "iam-policy-changes");
    assert_eq!(file.waivers[0].expires, "2027-03-01");
    assert!(!file.waivers[0].expired);
}

fn refused(text: &str) -> String {
    read(text).expect_err("the file must be refused")
}

#[test]
fn bad_files_are_refused_with_line_column_and_what_was_expected() {
    let cases = [
        ("colour = \"red\"\n", "trailwatch.toml:1:1: unknown field `colour`, expected one of"),
        ("level = \"one\"\n", "trailwatch.toml:1:9: invalid type: string \"one\", expected i64"),
        ("level = 3\n", "trailwatch.toml:1:9: level 3 does not exist (expected 1 or 2)"),
        ("controls = [\"nope\"]\n", "trailwatch.toml:1:13: unknown control `nope` in cis-7.0"),
        ("\n[[waiver]]\ncontrol = \"5.4\"\nexpires = 2027-01-01\n", "trailwatch.toml:2:1: missing field `reason`"),
        ("[[waiver]]\ncontrol = \"5.4\"\nreason = \"  \"\nexpires = 2027-01-01\n", "trailwatch.toml:3:10: a waiver's `reason` is empty"),
        ("[[waiver]]\ncontrol = \"5.4\"\nreason = \"r\"\nexpires = \"March\"\n", "trailwatch.toml:4:11: `expires` is not a date (expected YYYY-MM-DD"),
        ("[[waiver]]\ncontrol = \"5.4\"\nreason = \"r\"\nexpires = 2027-11-30\n", "trailwatch.toml:4:11: `expires` 2027-11-30 is more than a year after today, 2026-11-29 (expected a date on or before 2027-11-29"),
        ("[accounts.\"1234\"]\n", "trailwatch.toml:1:11: `1234` is not an AWS account id (12 digits)"),
        ("[accounts.\"111122223333\"]\ncolour = 1\n", "trailwatch.toml:2:1: unknown field `colour`"),
        ("topic_name = \"a\"\ntopic_arn = \"arn:aws:sns:us-east-1:111122223333:b\"\n", "trailwatch.toml:2:13: `topic_name` and `topic_arn` both name the topic"),
        ("notify = [\"pager:x\"]\n", "trailwatch.toml:1:11: unknown protocol `pager`"),
        ("benchmark = \"cis-9\"\n", "trailwatch.toml:1:13: unknown benchmark `cis-9`"),
        ("extras = [\"4.4\", \"iam-policy-changes\"]\n", "trailwatch.toml:1:11: `4.4` is not one of trailwatch's own controls; valid extras: monitoring-changes"),
        ("controls = [\"1.1\"]\n", "trailwatch.toml:1:13: unknown control `1.1` in cis-7.0; valid controls: unauthorized-api-calls (5.1)"),
        ("benchmark = \n", "trailwatch.toml:1:"),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = refused(text);
            (!got.starts_with(want)).then(|| format!("{text:?}\n   got: {got}\n  want: {want}…"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_huge_value_is_quoted_by_its_start_and_end_on_one_line() {
    let huge = "a".repeat(10_000_000);
    let shown = format!(
        "`{}…{}` (10000000 characters)",
        "a".repeat(44),
        "a".repeat(15)
    );
    let cases = [
        (
            format!("topic_name = \"{huge}\"\n"),
            format!("trailwatch.toml:1:14: {shown} is not a valid SNS topic name"),
        ),
        (
            format!("controls = [\"{huge}\"]\n"),
            format!("trailwatch.toml:1:13: unknown control {shown} in cis-7.0"),
        ),
        (
            format!("[accounts.\"{huge}\"]\n"),
            format!("trailwatch.toml:1:11: {shown} is not an AWS account id"),
        ),
        (
            format!("notify = [\"email:{huge}\"]\n"),
            format!("trailwatch.toml:1:11: {shown} is not a valid email endpoint"),
        ),
        // The TOML parser's own messages.
        (
            format!("level = \"{huge}\"\n"),
            format!(
                "trailwatch.toml:1:9: invalid type: string \"{}…{}\", expected i64",
                "a".repeat(44),
                "a".repeat(15)
            ),
        ),
        (
            format!("{huge} = 1\n"),
            format!(
                "trailwatch.toml:1:1: unknown field `{}…{}`, expected one of",
                "a".repeat(44),
                "a".repeat(15)
            ),
        ),
        (
            format!("region = \"a\nb{huge}\"\n"),
            "trailwatch.toml:2:".to_string(),
        ),
    ];
    for (text, want) in cases {
        let got = refused(&text);
        assert!(
            got.starts_with(&want),
            "\n   got: {:.300}\n  want: {want}…",
            got
        );
        assert!(got.len() < 1000 && !got.contains('\n'), "{:.2000}", got);
    }
}

#[test]
fn a_waiver_expiring_today_has_expired_and_one_a_year_out_is_accepted() {
    let waiver = |date: &str| {
        format!("[[waiver]]\ncontrol = \"iam-policy-changes\"\nreason = \"r\"\nexpires = {date}\n")
    };
    assert!(
        read(&waiver("2026-11-29")).unwrap().waivers[0].expired,
        "on the day itself"
    );
    assert!(!read(&waiver("2026-11-30")).unwrap().waivers[0].expired);
    assert!(read(&waiver("2027-11-29")).is_ok(), "exactly a year out");
    assert!(
        read(&waiver("\"2020-01-01\"")).unwrap().waivers[0].expired,
        "quoted dates too"
    );
    assert_eq!(
        one_year_after(parse_date("2028-02-29").unwrap()),
        parse_date("2029-02-28").unwrap()
    );
}

#[test]
fn a_waiver_names_a_control_by_the_selected_versions_cis_id() {
    let text = "[[waiver]]\ncontrol = \"4.4\"\nreason = \"r\"\nexpires = 2027-01-01\n";
    let path = Path::new("t.toml");
    let v14 = parse(path, text, Some("cis-1.4"), today()).unwrap();
    assert_eq!(v14.waivers[0].control, "iam-policy-changes");
    let v70 = parse(path, text, None, today()).unwrap_err().to_string();
    assert!(
        v70.starts_with("t.toml:2:11: unknown control `4.4` in cis-7.0"),
        "{v70}"
    );
    let slug = parse(
        path,
        &text.replace("4.4", "iam-policy-changes"),
        None,
        today(),
    )
    .unwrap();
    assert_eq!(slug.waivers[0].control, "iam-policy-changes");
}

#[test]
fn waivers_cover_their_accounts_only() {
    let file = read(FULL).unwrap();
    let w = &file.waivers[0];
    assert!(w.covers("iam-policy-changes", "222233334444"));
    assert!(!w.covers("iam-policy-changes", "111122223333"));
    assert!(!w.covers("cloudtrail-config-changes", "222233334444"));
    let everywhere =
        read("[[waiver]]\ncontrol = \"5.4\"\nreason = \"r\"\nexpires = 2027-01-01\n").unwrap();
    assert!(everywhere.waivers[0].covers("iam-policy-changes", "999999999999"));
}

#[test]
fn flags_override_keys_and_lists_replace_lists() {
    let file = read(FULL).unwrap();
    let flags = Flags {
        benchmark: Some("cis-7.0".into()),
        notify: vec!["email:oncall@example.com".parse().unwrap()],
        concurrency: Some(16),
        ..Flags::default()
    };
    let s = Settings::merge(flags, file.clone());
    assert_eq!(s.benchmark, "cis-7.0");
    assert_eq!(s.concurrency, 16);
    assert_eq!(s.region.as_deref(), Some("eu-west-1"), "from the file");
    assert_eq!(s.destination.namespace, "Audit");
    let notify: Vec<String> = s
        .desired(Some("111122223333"))
        .notify
        .iter()
        .map(|e| e.label())
        .collect();
    assert_eq!(
        notify,
        ["email:oncall@example.com"],
        "a flag list replaces every file list"
    );
    let s = Settings::merge(Flags::default(), file);
    assert_eq!(s.benchmark, "cis-1.4");
    assert_eq!(s.concurrency, 4);
    assert!(s.adopt);
}

#[test]
fn account_tables_override_the_files_destination_for_their_account_only() {
    let s = Settings::merge(Flags::default(), read(FULL).unwrap());
    let a = s.desired(Some("111122223333"));
    assert_eq!(a.notify[0].label(), "email:team-a@example.com");
    assert_eq!(a.topic, TopicChoice::Name("security".into()), "inherited");
    let b = s.desired(Some("222233334444"));
    assert_eq!(b.namespace, "Sandbox");
    assert_eq!(
        b.topic,
        TopicChoice::Arn("arn:aws:sns:eu-west-1:222233334444:sandbox".into())
    );
    assert_eq!(
        b.notify[0].label(),
        "email:security@example.com",
        "inherited"
    );
    let other = s.desired(Some("333344445555"));
    assert_eq!(other.namespace, "Audit");
    assert_eq!(
        s.destination_of(Some("222233334444"))
            .assume_role
            .as_deref(),
        Some("SecurityAudit")
    );
}

#[test]
fn no_file_and_no_flags_is_todays_behaviour() {
    let s = Settings::merge(Flags::default(), FileSettings::default());
    assert_eq!(s.benchmark, model::catalog::default_benchmark());
    assert_eq!(s.desired(None), model::Desired::default());
    assert_eq!(s.concurrency, 64);
}

#[test]
fn an_unreviewed_apply_reads_the_rules_only_when_they_decide_verdicts() {
    use model::desired::RulesRead;
    let unreviewed = |accept_eventbridge| Settings {
        unreviewed_apply: true,
        ..Settings::merge(
            Flags {
                accounts: vec!["111122223333".into()],
                assume_role: Some("audit".into()),
                accept_eventbridge,
                ..Flags::default()
            },
            FileSettings::default(),
        )
    };
    let skipped = unreviewed(false);
    assert_eq!(skipped.desired(None).rules, RulesRead::Skip);
    let targets = skipped.targets(&skipped.accounts).unwrap();
    assert_eq!(
        targets[0].desired.rules,
        RulesRead::Skip,
        "each account's too"
    );
    assert_eq!(unreviewed(true).desired(None).rules, RulesRead::Read);
    let reviewed = Settings::merge(Flags::default(), FileSettings::default());
    assert_eq!(reviewed.desired(None).rules, RulesRead::Read);
}

#[test]
fn the_effective_settings_written_as_a_file_read_back_the_same() {
    let settings = Settings::merge(Flags::default(), read(FULL).unwrap());
    let text = crate::effective::to_table(&settings).to_string();
    let again = Settings::merge(
        Flags::default(),
        read(&text).unwrap_or_else(|e| panic!("{e}\n{text}")),
    );
    assert_eq!(again, settings, "{text}");
}

#[test]
fn the_starter_file_parses_and_keeps_the_flags_given() {
    let flags = Flags {
        notify: vec!["email:sec@example.com".parse().unwrap()],
        ..Flags::default()
    };
    let settings = Settings::merge(flags, FileSettings::default());
    let text = crate::effective::starter(&settings, &["notify"]);
    let file = read(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        file.defaults.notify.unwrap()[0].label(),
        "email:sec@example.com"
    );
    assert!(
        file.benchmark.is_none(),
        "keys not given stay commented out:\n{text}"
    );
    assert!(text.contains("# benchmark = \"cis-"), "{text}");
}

#[test]
fn the_schema_names_every_key_the_file_accepts() {
    let schema = crate::file::schema();
    let properties = schema["properties"].as_object().expect("an object schema");
    let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
    for key in [
        "benchmark",
        "controls",
        "extras",
        "level",
        "match",
        "region",
        "namespace",
        "topic_name",
        "topic_arn",
        "notify",
        "accounts",
        "organization",
        "assume_role",
        "concurrency",
        "adopt",
        "accept",
        "waiver",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
        let text = format!("{key} = 0\n");
        let err = read(&text).unwrap_err();
        assert!(
            !err.contains("unknown field"),
            "the parser refuses the schema's key {key}: {err}"
        );
    }
    assert_eq!(keys.len(), 17, "{keys:?}");
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are refused in editors too"
    );
}

#[test]
fn targets_need_a_role_for_every_account_and_take_each_tables_desired_state() {
    let without = Settings::merge(Flags::default(), FileSettings::default());
    let error = without.targets(&["111122223333".into()]).unwrap_err();
    assert!(error
        .to_string()
        .contains("no role to assume in account 111122223333"));
    let flags = Flags {
        assume_role: Some("audit".into()),
        ..Flags::default()
    };
    let s = Settings::merge(flags, read(FULL).unwrap());
    let targets = s
        .targets(&["111122223333".into(), "999999999999".into()])
        .unwrap();
    assert_eq!(targets[0].role.as_deref(), Some("audit"));
    assert_eq!(
        targets[0].desired.notify[0].label(),
        "email:team-a@example.com"
    );
    assert_eq!(targets[1].desired, s.desired(None));
}

#[test]
fn waivers_that_can_match_nothing_are_named_once_the_run_is_known() {
    let s = Settings::merge(Flags::default(), read(FULL).unwrap());
    let (controls, _) = s.selection().unwrap();
    assert!(s
        .idle_waivers(&controls, Some(&["222233334444".into()]))
        .is_empty());
    let elsewhere = s.idle_waivers(&controls, Some(&["999999999999".into()]));
    assert_eq!(elsewhere.len(), 1, "{elsewhere:?}");
    assert!(elsewhere[0].contains("matches no account of this run"));
    assert!(
        s.idle_waivers(&controls, None).is_empty(),
        "no accounts: no account check"
    );
    let none = Settings {
        controls: vec!["root-account-usage".into()],
        ..s.clone()
    };
    let (controls, _) = none.selection().unwrap();
    let unselected = none.idle_waivers(&controls, None);
    assert!(
        unselected[0].contains("matches no selected control"),
        "{unselected:?}"
    );
}

#[test]
fn extras_add_trailwatchs_own_controls_to_the_cis_selection() {
    let selected = |text: &str, flags: Flags| {
        let s = Settings::merge(flags, read(text).unwrap());
        let (controls, _) = s.selection().unwrap();
        controls.iter().map(|c| c.id).collect::<Vec<_>>()
    };
    let all = selected("extras = [\"monitoring-changes\"]\n", Flags::default());
    assert_eq!(all.len(), 16, "{all:?}");
    assert_eq!(all.last(), Some(&"monitoring-changes"));
    let some = selected(
        "controls = [\"5.4\"]\nextras = [\"monitoring-changes\"]\nlevel = 1\n",
        Flags::default(),
    );
    assert_eq!(some, ["iam-policy-changes", "monitoring-changes"]);
    let flags = Flags {
        controls: vec!["monitoring-changes".into(), "5.5".into()],
        ..Flags::default()
    };
    let named = selected("extras = [\"monitoring-changes\"]\n", flags);
    assert_eq!(
        named,
        ["monitoring-changes", "cloudtrail-config-changes"],
        "named once"
    );
    assert_eq!(
        selected("", Flags::default()).len(),
        15,
        "CIS only by default"
    );
    let s = Settings::merge(
        Flags::default(),
        read("extras = [\"monitoring-changes\"]\n").unwrap(),
    );
    let text = toml::to_string(&crate::effective::to_table(&s)).unwrap();
    assert!(text.contains("extras = [\"monitoring-changes\"]"), "{text}");
}

#[test]
fn a_saved_plan_is_compared_by_what_the_user_chose_not_by_what_a_read_skips() {
    use model::planfile::{AccountPlan, PlanOrUnread};
    let flags = || Flags {
        accounts: vec!["111122223333".into()],
        assume_role: Some("audit".into()),
        ..Flags::default()
    };
    let saved_with = |desired| AccountPlan {
        account_id: "111122223333".into(),
        assume_role: Some("audit".into()),
        desired,
        fingerprints: Default::default(),
        plan: PlanOrUnread::Unread("not read".into()),
    };
    let reviewed = Settings::merge(flags(), FileSettings::default());
    let unreviewed = Settings {
        unreviewed_apply: true,
        ..Settings::merge(flags(), FileSettings::default())
    };
    let saved = [saved_with(reviewed.desired(Some("111122223333")))];
    assert!(!reviewed.differs_from(&saved));
    assert!(
        !unreviewed.differs_from(&saved),
        "skipping the rules is a read's choice, not a setting"
    );
    let adopting = Settings::merge(
        Flags {
            adopt: true,
            ..flags()
        },
        FileSettings::default(),
    );
    assert!(adopting.differs_from(&saved), "a setting still differs");
}
