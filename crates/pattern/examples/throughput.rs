//! Throughput of the pattern evaluator over a CloudTrail-like event stream, on the same events in
//! the same run, in events per second: a full `serde_json::Value` parse, the projection parse of
//! the paths the 16-clause CIS IAM pattern reads (`Fields::parse`), and `Compiled::matches`
//! (projection parse plus evaluation); then the evaluation's overhead over the projection parse.
//! With `--write PATH` it also writes the events as JSON lines, so that `jq` and `trailwatch
//! pattern test` can be timed on the identical file. Prints figures; asserts nothing.
//!
//!     cargo run --release -p pattern --example throughput [EVENTS] [--write PATH]

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

const IAM: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";

const NAMES: &[(&str, &str)] = &[
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("s3.amazonaws.com", "GetObject"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("iam.amazonaws.com", "ListRoles"),
    ("iam.amazonaws.com", "AttachRolePolicy"),
    ("kms.amazonaws.com", "Decrypt"),
    ("logs.amazonaws.com", "PutLogEvents"),
    ("iam.amazonaws.com", "DetachGroupPolicy"),
];

/// A CloudTrail record of about 1 KiB, as CloudTrail delivers it to CloudWatch Logs.
fn event(i: usize) -> String {
    let (source, name) = NAMES[i % NAMES.len()];
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLE{i}:session","arn":"arn:aws:sts::111122223333:assumed-role/Admin/session{i}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE{i}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"}},"attributes":{{"creationDate":"2026-11-01T11:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"2026-11-01T12:{:02}:{:02}Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.{}","userAgent":"aws-cli/2.17.0 Python/3.11.6 Linux/6.1 exe/x86_64","requestParameters":{{"roleName":"role-{i}","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess","maxItems":100}},"responseElements":null,"requestID":"6f1c0f1e-{i:04}-4000-8000-000000000000","eventID":"0e9c5b36-{i:04}-4000-8000-000000000000","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"iam.amazonaws.com"}}}}"#,
        (i / 60) % 60,
        i % 60,
        i % 250
    )
}

/// The best time of each measurement over several rounds, and the counts they return. Each
/// round runs every measurement once, so that a busy machine slows them alike.
fn best_of<const N: usize>(
    rounds: usize,
    mut measurements: [&mut dyn FnMut() -> usize; N],
) -> [(Duration, usize); N] {
    let mut best = [(Duration::MAX, 0); N];
    for _ in 0..rounds {
        for (f, best) in measurements.iter_mut().zip(best.iter_mut()) {
            let start = Instant::now();
            let count = f();
            *best = (best.0.min(start.elapsed()), count);
        }
    }
    best
}

/// The event count and the `--write` path, from the command line.
fn arguments() -> (usize, Option<String>) {
    let mut count = 200_000;
    let mut write = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => write = Some(args.next().expect("--write takes a path")),
            n => count = n.parse().expect("the event count is a number"),
        }
    }
    (count, write)
}

/// Writes the events, one a line.
fn write_lines(path: &str, events: &[String]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for event in events {
        writeln!(out, "{event}")?;
    }
    out.flush()
}

fn main() {
    let (n, write) = arguments();
    let events: Vec<String> = (0..n).map(event).collect();
    if let Some(path) = &write {
        write_lines(path, &events).expect("the events file is written");
        println!("wrote {n} events to {path}");
    }
    let bytes: usize = events.iter().map(String::len).sum();
    let compiled = pattern::compile(IAM).expect("the CIS pattern parses");
    let fields = compiled.fields();

    let [(full, parsed), (projection, projected), (eval, matched)] = best_of(
        7,
        [
            &mut || {
                let parse = |e: &&String| serde_json::from_str::<serde_json::Value>(e).is_ok();
                events.iter().filter(|e| black_box(parse(e))).count()
            },
            &mut || {
                let parse = |e: &&String| fields.parse(e).is_some();
                events.iter().filter(|e| black_box(parse(e))).count()
            },
            &mut || events.iter().filter(|e| compiled.matches(e)).count(),
        ],
    );
    assert_eq!((parsed, projected), (n, n));
    report(n, bytes, [full, projection, eval], matched);
}

/// Prints the figures.
fn report(n: usize, bytes: usize, [full, projection, eval]: [Duration; 3], matched: usize) {
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    let mbs = |d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
    println!(
        "events: {n} CloudTrail-like records, {:.0} bytes each on average",
        bytes as f64 / n as f64
    );
    println!(
        "full parse (serde_json::Value):       {:>10.0} events/s  ({:.1} MB/s)",
        rate(full),
        mbs(full)
    );
    println!(
        "projection parse (Fields::parse):     {:>10.0} events/s  ({:.1} MB/s, {:.1}x the full parse)",
        rate(projection),
        mbs(projection),
        full.as_secs_f64() / projection.as_secs_f64()
    );
    println!(
        "projection parse + evaluate IAM:      {:>10.0} events/s  ({:.1} MB/s, {matched} matched)",
        rate(eval),
        mbs(eval)
    );
    println!(
        "evaluation overhead over projection:  {:>+10.1} %  (target: at most +25 %)",
        (eval.as_secs_f64() / projection.as_secs_f64() - 1.0) * 100.0
    );
}
