//! The case table (`testdata/cases.jsonl`): each pattern against its event, or refused with
//! its reason; every pattern accepted prints back to JSON that parses to the same tree.

use serde_json::Value;

const CASES: &str = include_str!("../../testdata/cases.jsonl");

#[test]
fn every_case_of_the_table_holds() {
    let mut failures = Vec::new();
    let cases: Vec<Value> = CASES
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).expect("a case is JSON"))
        .collect();
    assert!(cases.len() >= 60, "the table has {} cases", cases.len());
    for case in &cases {
        if let Some(problem) = check(case) {
            failures.push(format!("{problem}: {case}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check(case: &Value) -> Option<String> {
    let text = case["pattern"].to_string();
    match (
        crate::parse(&text),
        case.get("error").and_then(Value::as_str),
    ) {
        (Ok(_), Some(error)) => Some(format!("accepted, expected `{error}`")),
        (Err(e), Some(error)) if !e.to_string().contains(error) => {
            Some(format!("refused with `{e}`, expected `{error}`"))
        }
        (Err(_), Some(_)) => None,
        (Err(e), None) => Some(format!("refused with `{e}`")),
        (Ok(pattern), None)
            if crate::parse(&crate::printed(&pattern)).ok() != Some(pattern.clone()) =>
        {
            Some(format!(
                "printed as {}, which parses otherwise",
                crate::printed(&pattern)
            ))
        }
        (Ok(pattern), None) => {
            let expected = case["match"]
                .as_bool()
                .expect("a case says whether it matches");
            (pattern.matches(&case["event"]) != expected).then(|| format!("matched: {}", !expected))
        }
    }
}

#[test]
fn text_that_is_not_json_is_refused_as_such() {
    let error = crate::parse("{\"source\": [\"aws.iam\"]").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("an event pattern must be JSON"),
        "{error}"
    );
}

#[test]
fn an_error_names_where_it_is() {
    let error = crate::parse(r#"{"detail": {"eventName": []}}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "at `detail.eventName`: Empty arrays are not allowed"
    );
}
