//! `trailwatch backtest`: CloudTrail log files written to the local server's S3 (three days, two
//! regions, one gzipped file per hour, and a file delivered after the window) are read back
//! from the trail's archive and counted; the same files synced to a folder give the same result.

use serde_json::{json, Value};

use crate::support::{Account, FaultProxy};
use crate::{trail_only, IAM_PATTERN};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// The IAM pattern without the two role-policy attachments: an attempt at the control that
/// misses `AttachRolePolicy` and `DetachRolePolicy`.
fn partial_iam_pattern() -> String {
    IAM_PATTERN.replace(
        "||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)",
        "",
    )
}

fn record(account: &str, region: &str, time: &str, name: &str, id: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{account}:user/alice"), "accountId": account},
        "eventTime": time, "eventSource": "iam.amazonaws.com", "eventName": name,
        "awsRegion": region, "sourceIPAddress": "203.0.113.7", "eventID": id,
        "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": account,
    })
}

/// One hour's log file: `CreatePolicy` at :10 every third hour (both patterns), `AttachRolePolicy`
/// at :20 when the hour is 1 mod 4 (the published pattern only), `ListRoles` at :30 (neither).
fn hour_file(account: &str, region: &str, day: u32, hour: u32) -> Value {
    let bucket = format!("trail-bucket-{account}-main");
    hour_file_in(
        &bucket,
        &format!("AWSLogs/{account}"),
        account,
        region,
        (day, hour),
    )
}

/// [`hour_file`] in `bucket`, under `root` (`AWSLogs/ACCOUNT`, or `AWSLogs/o-ORGID/ACCOUNT` for an
/// organization trail).
fn hour_file_in(bucket: &str, root: &str, account: &str, region: &str, at: (u32, u32)) -> Value {
    let (day, hour) = at;
    let at = |minute: u32| format!("2026-11-{day:02}T{hour:02}:{minute:02}:00Z");
    let id = |name: &str| format!("{region}-{day}-{hour}-{name}");
    let mut records = vec![record(account, region, &at(30), "ListRoles", &id("list"))];
    if hour % 3 == 0 {
        records.push(record(
            account,
            region,
            &at(10),
            "CreatePolicy",
            &id("create"),
        ));
    }
    if hour % 4 == 1 {
        records.push(record(
            account,
            region,
            &at(20),
            "AttachRolePolicy",
            &id("attach"),
        ));
    }
    let key = format!(
        "{root}/CloudTrail/{region}/2026/11/{day:02}/{account}_CloudTrail_{region}_202611{day:02}T{hour:02}00Z_x.json.gz"
    );
    json!({"bucket": bucket, "key": key, "records": records})
}

/// An account whose trail's archive holds 2026-11-01..03 (and one file of the 4th), with a
/// partial IAM filter and its alarm.
pub fn archived_account() -> (Account, Vec<Value>) {
    archived_account_in("us-east-1")
}

/// [`archived_account`] with the trail's bucket in `bucket_region` (the trail is in us-east-1).
fn archived_account_in(bucket_region: &str) -> (Account, Vec<Value>) {
    let account = Account::new();
    let mut spec = trail_only();
    spec["trails"][0]["bucket_region"] = json!(bucket_region);
    spec["filters"] = json!([{"log_group": "cloudtrail/main", "name": "iam-custom", "pattern": partial_iam_pattern(), "metric": "IAMPolicyChanges"}]);
    spec["topics"] = json!([{"name": "alerts", "subscriptions": [{"protocol": "email", "endpoint": "sec@example.com"}]}]);
    spec["alarms"] =
        json!([{"name": "iam-custom", "metric": "IAMPolicyChanges", "topics": ["alerts"]}]);
    account.build(&spec);
    let mut objects = Vec::new();
    for region in REGIONS {
        for day in 1..=3 {
            objects.extend((0..24).map(|hour| hour_file(&account.id, region, day, hour)));
        }
    }
    // Delivered after the window: listed (the day after it), read, not counted.
    objects.push(hour_file(&account.id, "us-east-1", 4, 0));
    account.archive(&json!(objects));
    (account, objects)
}

/// `backtest` of the IAM control over the archive's three days.
pub const BACKTEST_IAM: [&str; 7] = [
    "backtest",
    "--controls",
    "iam-policy-changes",
    "--from",
    "2026-11-01",
    "--to",
    "2026-11-03",
];

fn backtest(account: &Account, extra: &[&str]) -> Value {
    let mut args = BACKTEST_IAM.to_vec();
    args.extend(extra);
    let (code, doc) = account.json(&args);
    assert_eq!(code, 0, "{doc}");
    doc
}

/// The backtest read the archive: every file written to it, and every event of each.
fn assert_reads_every_file(doc: &Value, objects: &[Value]) {
    assert_eq!(doc["source"]["kind"], "archive");
    assert_eq!(doc["input"]["files"], objects.len());
    let written: usize = objects
        .iter()
        .map(|o| o["records"].as_array().unwrap().len())
        .sum();
    assert_eq!(doc["events"], written, "every event of every file is read");
}

#[test]
fn an_archive_bucket_in_another_region_is_read_in_its_own_region() {
    let (account, objects) = archived_account_in("eu-west-1");
    let doc = backtest(&account, &[]);
    assert_reads_every_file(&doc, &objects);
    // Each account names its own filters' account: compare what was counted.
    let counts = |doc: &Value| {
        let mut patterns = doc["controls"][0]["patterns"].clone();
        for p in patterns.as_array_mut().unwrap() {
            p["source"].as_object_mut().unwrap().remove("account_id");
        }
        patterns
    };
    assert_eq!(
        counts(&doc),
        counts(&backtest(&archived_account().0, &[])),
        "the same files give the same counts wherever the bucket is"
    );
}

#[test]
fn the_trail_archive_is_counted_per_day_pattern_and_alarm() {
    let (account, objects) = archived_account();
    let doc = backtest(&account, &[]);
    assert_reads_every_file(&doc, &objects);
    assert_eq!(
        doc["outside_window"], 2,
        "the 4th's file: ListRoles and CreatePolicy"
    );
    let c = &doc["controls"][0];
    // Per day and region: 8 CreatePolicy hours, 6 AttachRolePolicy hours.
    let published = &c["patterns"][0];
    assert_eq!(published["source"]["kind"], "published");
    assert_eq!(published["matched"], 3 * 2 * (8 + 6));
    let days: Vec<(&str, u64)> = published["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["day"].as_str().unwrap(), d["events"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        days,
        [("2026-11-01", 28), ("2026-11-02", 28), ("2026-11-03", 28)]
    );
    let filter = &c["patterns"][1];
    assert_eq!(filter["source"]["name"], "iam-custom");
    assert_eq!(filter["matched"], 3 * 2 * 8);
    assert_eq!(c["missed"]["events"], 3 * 2 * 6, "every AttachRolePolicy");
    assert_eq!(c["missed"]["first"][0]["event_name"], "AttachRolePolicy");
    assert_eq!(c["top_event_names"][0]["name"], "CreatePolicy");
    assert_eq!(
        c["top_event_names"].as_array().unwrap().len(),
        1,
        "the filter's matches only"
    );
    // The alarm (Sum >= 1 over 5 minutes) on the filter: each CreatePolicy hour is one breaching
    // period, three hours from the next, so one notification each.
    let alarm = &c["alarm"]["outcome"];
    assert_eq!(alarm["kind"], "estimated", "{alarm}");
    assert_eq!(alarm["breaching_periods"], 3 * 8);
    assert_eq!(alarm["notifications"], 3 * 8);
}

#[test]
fn a_synced_folder_gives_what_the_archive_gives_and_published_only_needs_no_account() {
    let (account, objects) = archived_account();
    let archive = backtest(&account, &[]);
    let dir = tempfile::tempdir().unwrap();
    for o in &objects {
        let path = dir.path().join(o["key"].as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = json!({"Records": o["records"]}).to_string();
        // Half gzipped, half not, as a sync of mixed sources might be.
        match o["key"].as_str().unwrap().contains("us-east-1") {
            true => std::fs::write(&path, gzip(&text)).unwrap(),
            false => std::fs::write(path.with_extension(""), text).unwrap(),
        }
    }
    // What people keep beside a synced archive is not read as events.
    std::fs::write(
        dir.path().join("README.md"),
        "# Synced from the trail's bucket\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("SOURCE.md"), "aws s3 sync s3://bucket .\n").unwrap();
    let folder = dir.path().to_str().unwrap();
    let local = backtest(&account, &[folder]);
    assert_eq!(local["source"]["kind"], "files");
    assert_eq!(local["input"]["skipped"], 2);
    assert_eq!(local["undated"], 0);
    assert_eq!(local["controls"], archive["controls"]);
    assert_eq!(local["events"], archive["events"]);

    let (code, doc) = crate::support::json_of(
        assert_cmd::Command::cargo_bin("trailwatch")
            .unwrap()
            .args([
                "backtest",
                "--published-only",
                "--controls",
                "iam-policy-changes",
                "--json",
                folder,
            ])
            .env_remove("AWS_PROFILE")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    );
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        doc["controls"][0]["patterns"][0]["matched"],
        3 * 2 * 14 + 1,
        "no window: the 4th too"
    );
    assert!(
        doc["controls"][0]["missed"].is_null(),
        "no account, no filters to miss with"
    );
}

/// Writes each object's records as a CloudTrail log file under `dir`, at its key.
fn sync(dir: &std::path::Path, objects: &[&Value]) {
    for o in objects {
        let path = dir.join(o["key"].as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, gzip(&json!({"Records": o["records"]}).to_string())).unwrap();
    }
}

#[test]
fn a_log_file_in_two_folders_is_counted_once_and_the_copies_are_reported() {
    let (account, objects) = archived_account();
    let archive = backtest(&account, &[]);
    let (whole, again) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    sync(whole.path(), &objects.iter().collect::<Vec<_>>());
    // A second sync of the 2nd of November, under another folder: the same files again.
    let second: Vec<&Value> = objects
        .iter()
        .filter(|o| o["key"].as_str().unwrap().contains("/2026/11/02/"))
        .collect();
    sync(again.path(), &second);
    let copies: usize = second
        .iter()
        .map(|o| o["records"].as_array().unwrap().len())
        .sum();
    assert!(copies > 0);
    let folders = [
        whole.path().to_str().unwrap(),
        again.path().to_str().unwrap(),
    ];
    let local = backtest(&account, &folders);
    assert_eq!(local["controls"], archive["controls"], "counted once");
    assert_eq!(local["duplicates"], copies);
    assert_eq!(archive["duplicates"], 0);
    assert_eq!(
        local["events"].as_u64().unwrap(),
        archive["events"].as_u64().unwrap() + copies as u64
    );
    let mut args = BACKTEST_IAM.to_vec();
    args.extend(folders);
    let (code, text, stderr) = account.run(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains(&format!("{copies} duplicate events")),
        "{text}"
    );
}

#[test]
fn no_window_for_the_archive_and_unreadable_files_are_refused_in_one_line() {
    let account = Account::new();
    account.build(&trail_only());
    let (code, _, stderr) = account.run(&["backtest"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--since 7d"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("other.json"),
        "{\n  \"Items\": [{\"a\": 1}]\n}\n",
    )
    .unwrap();
    let (code, _, stderr) =
        account.run(&["backtest", "--published-only", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("other.json") && stderr.contains("lookup-events"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    // Told the files are CloudTrail log files, a file of JSON lines is not one.
    let lines = tempfile::tempdir().unwrap();
    std::fs::write(
        lines.path().join("events.jsonl"),
        "{\"eventName\": \"CreatePolicy\"}\n",
    )
    .unwrap();
    let folder = lines.path().to_str().unwrap();
    let (code, _, stderr) = account.run(&[
        "backtest",
        "--published-only",
        "--input-format",
        "cloudtrail",
        folder,
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("events.jsonl") && stderr.contains("is not a CloudTrail log file"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let (code, _, stderr) = account.run(&[
        "backtest",
        "--published-only",
        "--input-format",
        "lines",
        folder,
    ]);
    assert_eq!(code, 0, "{stderr}");
}

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_denied_read_of_the_archive_is_one_line_naming_the_action() {
    let (account, _) = archived_account();
    for (operation, action) in [
        ("GetObject", "s3:GetObject"),
        ("ListBucket", "s3:ListBucket"),
    ] {
        let proxy = crate::support::FaultProxy::new(operation, 1000, "AccessDenied");
        let out = account
            .trailwatch_via(&proxy)
            .args(["backtest", "--from", "2026-11-01", "--to", "2026-11-01"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(action), "{operation}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty(), "no report from a partial read");
    }
}

/// An organization trail's member and the account that owns the trail: the member's trail sends
/// to log group `cloudtrail/main` of the owner, which holds a partial IAM filter and its alarm;
/// the member's events of 2026-11-01 (us-east-1) are archived in the organization layout.
pub fn organization_member() -> (Account, Account) {
    let owner = Account::new();
    let mut spec = trail_only();
    spec["filters"] = json!([{"log_group": "cloudtrail/main", "name": "org-iam", "pattern": partial_iam_pattern(), "metric": "IAMPolicyChanges"}]);
    spec["topics"] = json!([{"name": "org-alerts", "subscriptions": [{"protocol": "email", "endpoint": "soc@example.com"}]}]);
    spec["alarms"] =
        json!([{"name": "org-iam-alarm", "metric": "IAMPolicyChanges", "topics": ["org-alerts"]}]);
    owner.build(&spec);
    let member = Account::new();
    member.build(&json!({
        "trails": [{"name": "org", "log_group": "cloudtrail/main", "log_group_account": owner.id}],
    }));
    let (bucket, root) = (
        format!("trail-bucket-{}-org", member.id),
        format!("AWSLogs/o-a1b2c3d4e5/{}", member.id),
    );
    let objects: Vec<Value> = (0..24)
        .map(|hour| hour_file_in(&bucket, &root, &member.id, "us-east-1", (1, hour)))
        .collect();
    member.archive(&json!(objects));
    (member, owner)
}

/// `backtest` of the IAM control over the 1st of November, with `extra` flags.
pub fn member_backtest<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = BACKTEST_IAM[..5].to_vec();
    args.extend(["--to", "2026-11-01"]);
    args.extend(extra);
    args
}

#[test]
fn a_member_of_an_organization_trail_is_backtested_with_the_filters_and_alarm_of_the_log_groups_account(
) {
    let (member, owner) = organization_member();
    let args = member_backtest(&["--assume-role", "trailwatch-audit"]);
    let (code, doc) = member.json(&args);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["account_id"], member.id.as_str());
    assert_eq!(doc["source"]["kind"], "archive");
    assert_eq!(
        doc["input"]["files"], 24,
        "the member's folder of the organization layout"
    );
    let c = &doc["controls"][0];
    assert_eq!(
        c["patterns"][0]["matched"],
        8 + 6,
        "published: CreatePolicy and AttachRolePolicy"
    );
    assert_eq!(
        c["patterns"][1]["source"],
        json!({"kind": "filter", "name": "org-iam", "log_group": "cloudtrail/main", "account_id": owner.id})
    );
    assert_eq!(
        c["patterns"][1]["matched"], 8,
        "the owner's filter: CreatePolicy only"
    );
    assert_eq!(c["alarmed"], "account-filters");
    assert_eq!(c["missed"]["events"], 6, "every AttachRolePolicy");
    assert_eq!(
        c["alarm"]["source"],
        json!({"kind": "account", "name": "org-iam-alarm", "account_id": owner.id})
    );
    assert_eq!(c["alarm"]["outcome"]["notifications"], 8);

    let (code, text, stderr) = member.run(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains(&format!(
            "filter org-iam on cloudtrail/main in account {}",
            owner.id
        )),
        "{text}"
    );
}

#[test]
fn a_member_whose_log_groups_account_cannot_be_reached_is_told_where_to_run_in_one_line() {
    let (member, owner) = organization_member();
    // No role to reach the owner: where to run instead, and how to reach it from here.
    let (code, stdout, stderr) = member.run(&member_backtest(&[]));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.is_empty(), "no report without the filters: {stdout}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("is in account {}", owner.id))
            && stderr.contains("run backtest there, or pass --assume-role ROLE"),
        "{stderr}"
    );

    // The role cannot be assumed (the profile's own AssumeRole goes through first).
    let proxy = FaultProxy::after("AssumeRole", 1, 100, "AccessDenied");
    let out = member
        .trailwatch_via(&proxy)
        .args(member_backtest(&["--assume-role", "trailwatch-audit"]))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "no report without the filters");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot assume role `trailwatch-audit` in account {}",
            owner.id
        )) && stderr.contains(&format!("run backtest in account {}", owner.id)),
        "{stderr}"
    );
}

#[test]
fn months_of_quiet_days_are_one_row_and_detail_shows_every_day() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let lines: Vec<String> = [
        ("2026-06-01", "a"),
        ("2026-06-02", "b"),
        ("2026-10-02", "c"),
    ]
    .iter()
    .map(|(day, id)| {
        let at = format!("{day}T12:00:00Z");
        record("111122223333", "us-east-1", &at, "CreatePolicy", id).to_string()
    })
    .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let run = |extra: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("trailwatch")
            .unwrap()
            .args([
                "backtest",
                "--published-only",
                "--controls",
                "iam-policy-changes",
            ])
            .args(extra)
            .arg(&file)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bars = |text: &str| text.lines().filter(|l| l.starts_with("    2026-")).count();

    let summary = run(&[]);
    assert_eq!(bars(&summary), 4, "{summary}");
    let quiet = summary
        .lines()
        .find(|l| l.contains("2026-06-03 … 2026-10-01"))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(quiet.trim_end().ends_with(" 0 (121 days)"), "{quiet}");
    assert!(summary.contains("`--detail` shows every day"), "{summary}");

    let detail = run(&["--detail"]);
    assert_eq!(bars(&detail), 124, "{detail}");
    assert!(
        !detail.contains('…') && !detail.contains("--detail"),
        "{detail}"
    );
}

/// The archived account with EventBridge rules on its default buses: in us-east-1 one for
/// `AttachRolePolicy` that sees read-only events too, one in state `ENABLED` for `ListRoles` and
/// `DeletePolicy` (`ListRoles` is read-only: it sees none), and in eu-west-1 one for every IAM
/// event (IAM's events arrive in us-east-1 only: it watches nothing).
pub fn archived_account_with_rules() -> (Account, Vec<Value>) {
    let (account, objects) = archived_account();
    let rule = |name: &str, region: &str, state: &str, pattern: Value| json!({"name": name, "regions": [region], "state": state, "pattern": pattern, "topics": ["alerts"]});
    let iam = |names: &[&str]| json!({"source": ["aws.iam"], "detail": {"eventName": names}});
    account.build(&json!({"rules": [
        rule("iam-attach", "us-east-1", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", iam(&["AttachRolePolicy"])),
        rule("iam-reads", "us-east-1", "ENABLED", iam(&["ListRoles", "DeletePolicy"])),
        rule("iam-eu", "eu-west-1", "ENABLED", json!({"source": ["aws.iam"]})),
    ]}));
    (account, objects)
}

/// The records of the window's files (the 1st to the 3rd) named `name`, per day.
fn per_day(objects: &[Value], name: &str) -> Vec<(String, u64)> {
    let mut days = std::collections::BTreeMap::new();
    let records = objects
        .iter()
        .flat_map(|o| o["records"].as_array().unwrap());
    for r in records.filter(|r| r["eventName"] == name) {
        let day = r["eventTime"].as_str().unwrap()[..10].to_string();
        if day.as_str() <= "2026-11-03" {
            *days.entry(day).or_insert(0) += 1;
        }
    }
    days.into_iter().collect()
}

#[test]
fn the_accounts_eventbridge_rules_are_counted_per_day_with_the_events_no_rule_catches() {
    let (account, objects) = archived_account_with_rules();
    let doc = backtest(&account, &[]);
    let bridge = &doc["controls"][0]["eventbridge"];
    let rules = bridge["rules"].as_array().unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["iam-attach", "iam-reads"],
        "the eu-west-1 rule never sees IAM's events: {bridge}"
    );
    let days = |rule: &Value| -> Vec<(String, u64)> {
        let days = rule["days"].as_array().unwrap().iter();
        days.map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["events"].as_u64().unwrap(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
    };
    // Both regions' AttachRolePolicy records arrive on us-east-1's bus.
    let attach = per_day(&objects, "AttachRolePolicy");
    assert_eq!(days(&rules[0]), attach);
    assert_eq!(
        rules[0]["matched"],
        attach.iter().map(|(_, n)| n).sum::<u64>()
    );
    assert_eq!(
        rules[0]["state"],
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    );
    assert_eq!(rules[1]["matched"], 0, "ENABLED does not see ListRoles");
    assert_eq!(rules[1]["days"].as_array().unwrap().len(), 3);
    // CreatePolicy: the published pattern catches it, no rule does.
    let created: u64 = per_day(&objects, "CreatePolicy")
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(bridge["missed"]["events"], created);
    let first = bridge["missed"]["first"].as_array().unwrap();
    assert_eq!(first.len(), 20);
    assert!(
        first.iter().all(|e| e["event_name"] == "CreatePolicy"),
        "{bridge}"
    );
    assert_eq!(first[0]["event_time"], "2026-11-01T00:10:00Z");

    // The same files read locally give the same figures.
    let dir = tempfile::tempdir().unwrap();
    sync(dir.path(), &objects.iter().collect::<Vec<_>>());
    let folder = dir.path().to_str().unwrap();
    let local = backtest(&account, &[folder]);
    assert_eq!(local["controls"][0]["eventbridge"], *bridge);

    let mut args = BACKTEST_IAM.to_vec();
    args.push(folder);
    let (code, text, err) = account.run(&args);
    assert_eq!(code, 0, "{err}");
    let line = format!(
        "{:>8}  EventBridge rule iam-attach in us-east-1 (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS), on 3 of 3 days, most on 2026-11-01 ({})",
        rules[0]["matched"], attach[0].1
    );
    assert!(text.contains(&line), "{text}");
    assert!(
        text.contains(&format!(
            "{created} events the published pattern catches, no EventBridge rule catches:"
        )),
        "{text}"
    );
}
