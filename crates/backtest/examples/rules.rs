//! What counting EventBridge rules costs a backtest: the same CloudTrail records tallied for
//! every control of the newest benchmark, parsed sparsely with the tally's own fields, without
//! rules and with three rules per control (one per region of the records), one worker. Prints
//! events per second and the ratio of the two; asserts nothing.
//!
//!     cargo run --release -p backtest --example rules [EVENTS]

use std::time::Instant;

use backtest::{BacktestRule, BacktestRules, ControlSpec, Tally};
use model::catalog::{cloudtrail_record, default_benchmark, select};
use model::live::RuleState;
use serde_json::json;

const NAMES: &[(&str, &str)] = &[
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("s3.amazonaws.com", "GetObject"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("iam.amazonaws.com", "ListRoles"),
    ("iam.amazonaws.com", "AttachRolePolicy"),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
    ("logs.amazonaws.com", "PutLogEvents"),
    ("s3.amazonaws.com", "PutBucketPolicy"),
];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

/// The records, as JSON text: varied services, names, regions and minutes.
fn records(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let (source, name) = NAMES[i % NAMES.len()];
            let mut r = cloudtrail_record(source, name, "AssumedRole");
            r["eventID"] = json!(format!("id-{i}"));
            r["awsRegion"] = json!(REGIONS[i % REGIONS.len()]);
            r["eventTime"] = json!(format!("2026-11-{:02}T12:00:00Z", 1 + i % 28));
            r.to_string()
        })
        .collect()
}

/// Every control of the newest benchmark; with `rules`, three rules each: one per region, for
/// the control's event names as EventBridge patterns ask for them.
fn specs(rules: bool) -> Vec<ControlSpec> {
    let controls = select(default_benchmark(), &[], None).expect("the newest benchmark");
    controls
        .into_iter()
        .map(|control| {
            let names = model::catalog::corpus(&control)
                .iter()
                .filter_map(|(_, r)| r["eventName"].as_str().map(str::to_string))
                .collect::<Vec<_>>();
            let pattern = json!({"detail": {"eventName": names}}).to_string();
            let eventbridge = rules.then(|| BacktestRules {
                partition: "aws".into(),
                unread: Vec::new(),
                rules: REGIONS
                    .iter()
                    .map(|region| BacktestRule {
                        arn: format!("arn:aws:events:{region}:111122223333:rule/{}", control.id),
                        name: control.id.to_string(),
                        region: region.to_string(),
                        state: RuleState::EnabledWithAllManagementEvents,
                        pattern: pattern.clone(),
                    })
                    .collect(),
            });
            ControlSpec {
                control,
                filters: vec![],
                alarm: None,
                eventbridge,
            }
        })
        .collect()
}

/// Seconds to tally every record once, the best of `rounds`.
fn seconds(records: &[String], rules: bool, rounds: usize) -> f64 {
    (0..rounds)
        .map(|_| {
            let tally = Tally::new(specs(rules), None).expect("specs compile");
            let mut worker = tally.fork();
            let fields = tally.fields();
            let started = Instant::now();
            for message in records {
                let parsed = fields.parse(message).unwrap_or(serde_json::Value::Null);
                worker.add(message, &parsed);
            }
            let elapsed = started.elapsed().as_secs_f64();
            std::hint::black_box(worker.finish());
            elapsed
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let records = records(n);
    let without = seconds(&records, false, 5);
    let with = seconds(&records, true, 5);
    let rate = |s: f64| n as f64 / s;
    println!("{n} records, every control, one worker, best of 5:");
    println!(
        "  filters' patterns only:        {:>10.0} events/s",
        rate(without)
    );
    println!(
        "  and 3 EventBridge rules each:  {:>10.0} events/s",
        rate(with)
    );
    println!("  time with rules / without:     {:>10.2}", with / without);
}
