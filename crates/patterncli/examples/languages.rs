//! The throughput of `pattern test` in each language over one JSON-lines file, in process:
//! the 16 IAM policy events as a filter pattern and as an event pattern, and the ratio of
//! their times. Usage: `cargo run --release -p patterncli --example languages -- FILE`.

use std::io::Read;
use std::time::Instant;

use patterncli::{Language, Matcher};

const NAMES: [&str; 16] = [
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];

fn main() {
    let file = std::env::args().nth(1).expect("usage: languages FILE");
    let filter = format!(
        "{{{}}}",
        NAMES.map(|n| format!("($.eventName={n})")).join("||")
    );
    let event = serde_json::json!({"detail": {"eventName": NAMES}}).to_string();
    let seconds = |language, text: &str| {
        let matcher = Matcher::compile(language, text).unwrap();
        let start = Instant::now();
        let tested = patterncli::test(
            &matcher,
            std::slice::from_ref(&file),
            events::InputFormat::Auto,
            &mut |name| Ok(Box::new(std::fs::File::open(name)?) as Box<dyn Read>),
            &mut |_, _, _| Ok(()),
        )
        .unwrap();
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "{language:<12} {elapsed:.2} s, {} of {} events",
            tested.count, tested.total
        );
        elapsed
    };
    let filter_time = seconds(Language::Filter, &filter);
    let event_time = seconds(Language::EventBridge, &event);
    println!(
        "ratio: {:.2}x the filter pattern's time",
        event_time / filter_time
    );
}
