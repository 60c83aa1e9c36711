//! `pattern test` in both languages over inputs of plain bytes.

use std::io::Read;

use crate::{test, Error, Language, Matcher, Tested};

const RECORDS: &str = concat!(
    r#"{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"CreatePolicy","eventType":"AwsApiCall","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventTime":"2024-05-01T10:00:00Z"}"#,
    "\n",
    r#"{"eventVersion":"1.08","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventTime":"2024-05-01T10:00:00Z"}"#,
    "\n",
    r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"eventName":"DeletePolicy"}}"#,
    "\n",
);

fn run(
    language: Language,
    pattern: &str,
    input: &'static str,
) -> Result<(Tested, Vec<usize>), Error> {
    let matcher = Matcher::compile(language, pattern)?;
    let mut numbers = Vec::new();
    let tested = test(
        &matcher,
        &["events.jsonl".to_string()],
        events::InputFormat::Auto,
        &mut |_| Ok(Box::new(input.as_bytes()) as Box<dyn Read>),
        &mut |number, _, _| {
            numbers.push(number);
            Ok(())
        },
    )?;
    Ok((tested, numbers))
}

#[test]
fn an_event_pattern_matches_cloudtrail_records_in_their_envelope_and_eventbridge_events_as_they_are(
) {
    let (tested, numbers) = run(
        Language::EventBridge,
        r#"{"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"]}"#,
        RECORDS,
    )
    .unwrap();
    assert_eq!(tested, Tested { count: 2, total: 3 });
    assert_eq!(numbers, [1, 3]);
}

#[test]
fn a_console_sign_in_is_told_by_its_detail_type() {
    let (_, numbers) = run(
        Language::EventBridge,
        r#"{"detail-type": ["AWS Console Sign In via CloudTrail"], "source": ["aws.signin"]}"#,
        RECORDS,
    )
    .unwrap();
    assert_eq!(numbers, [2]);
}

#[test]
fn a_filter_pattern_still_reads_the_record_itself() {
    let (tested, _) = run(
        Language::Filter,
        r#"{ $.eventSource = "iam.amazonaws.com" }"#,
        RECORDS,
    )
    .unwrap();
    assert_eq!(tested.count, 1);
}

#[test]
fn an_event_that_is_not_json_is_refused_by_its_number() {
    let error = run(
        Language::EventBridge,
        r#"{"source": ["aws.iam"]}"#,
        "{\"a\": 1}\nnot json\n",
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("event 2 of `events.jsonl` is not JSON"),
        "{error}"
    );
    let cause = std::error::Error::source(&error).expect("the parser's reason");
    assert!(cause.to_string().contains("line 1 column 2"), "{cause}");
}

#[test]
fn a_malformed_event_pattern_is_refused_with_eventbridges_reason() {
    let error = run(Language::EventBridge, r#"{"source": "aws.iam"}"#, RECORDS).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the event pattern is not valid: at `source`: \"source\" must be an object or an array"
    );
}

#[test]
fn no_input_is_standard_input() {
    let matcher = Matcher::compile(Language::EventBridge, r#"{"source": ["aws.iam"]}"#).unwrap();
    let mut opened = Vec::new();
    test(
        &matcher,
        &[],
        events::InputFormat::Auto,
        &mut |name| {
            opened.push(name.to_string());
            Ok(Box::new(RECORDS.as_bytes()) as Box<dyn Read>)
        },
        &mut |_, _, _| Ok(()),
    )
    .unwrap();
    assert_eq!(opened, ["-"]);
}

#[test]
fn a_language_is_named_or_refused() {
    assert_eq!("eventbridge".parse::<Language>(), Ok(Language::EventBridge));
    let refused = "cloudwatch".parse::<Language>().unwrap_err();
    assert!(refused.contains("give `filter`"), "{refused}");
}
