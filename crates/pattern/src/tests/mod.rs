//! The data-driven case table (`testdata/cases.jsonl`), round-trip and never-panic properties,
//! and the explanation helpers.

use proptest::prelude::*;
use serde_json::{json, Value as Json};

use crate::ast::*;
use crate::*;

mod fields;

const CASES: &str = include_str!("../../testdata/cases.jsonl");

/// A case that expects a parse error: the message, column and kind it names.
fn check_error(
    case: &Json,
    at: &str,
    expected: &str,
    parsed: Result<Pattern, Error>,
    failures: &mut Vec<String>,
) {
    let e = match parsed {
        Ok(_) => return failures.push(format!("{at}: parsed, expected error `{expected}`")),
        Err(e) => e,
    };
    if !e.message.contains(expected) {
        failures.push(format!("{at}: error `{e}`, expected `{expected}`"));
    }
    if let Some(col) = case["column"].as_u64() {
        if e.column as u64 != col {
            failures.push(format!("{at}: column {}, expected {col} ({e})", e.column));
        }
    }
    let kind = match e.kind {
        ErrorKind::Syntax => "syntax",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::Limit => "limit",
    };
    if let Some(k) = case["kind"].as_str() {
        if k != kind {
            failures.push(format!("{at}: kind {kind}, expected {k}"));
        }
    }
}

/// A case that expects a match or not: through the text path, the parsed path and the folded
/// evaluator, which must agree; and the pattern survives printing and parsing again.
fn check_match(case: &Json, at: &str, compiled: Compiled, failures: &mut Vec<String>) {
    let expected = case["match"].as_bool().unwrap();
    let got = match (&case["message"], &case["event"]) {
        (Json::String(message), _) => compiled.matches(message),
        (_, event) => {
            let text = compiled.matches(&event.to_string());
            let parsed = compiled.matches_json(event);
            if text != parsed {
                failures.push(format!("{at}: text and parsed evaluation disagree"));
            }
            if let Pattern::Json(expr) = compiled.pattern() {
                if compiled.matches_expr(expr, event) != parsed {
                    failures.push(format!("{at}: folded and plain evaluation disagree"));
                }
            }
            parsed
        }
    };
    if got != expected {
        failures.push(format!(
            "{at}: matched {got}, expected {expected} ({})",
            case["note"].as_str().unwrap_or("")
        ));
    }
    let printed = compiled.pattern().to_string();
    match parse(&printed) {
        Ok(again) if &again == compiled.pattern() => {}
        other => failures.push(format!(
            "{at}: printed as `{printed}`, parsed back as {other:?}"
        )),
    }
}

#[test]
fn every_case_in_the_table_holds() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (line_no, line) in CASES.lines().enumerate().skip(1) {
        let case: Json = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("testdata/cases.jsonl:{}: {e}", line_no + 1));
        let pattern = case["pattern"].as_str().unwrap();
        let at = format!("cases.jsonl:{} `{pattern}`", line_no + 1);
        count += 1;
        let parsed = parse(pattern);
        if let Some(expected) = case["error"].as_str() {
            check_error(&case, &at, expected, parsed, &mut failures);
        } else {
            match parsed {
                Ok(p) => check_match(&case, &at, Compiled::new(p), &mut failures),
                Err(e) => failures.push(format!("{at}: {e}")),
            }
        }
    }
    assert!(
        count >= 150,
        "the table should hold at least 150 cases, has {count}"
    );
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn an_error_completes_the_pattern_has_and_quotes_at_most_a_line_of_the_input() {
    let text = |pattern: &str| parse(pattern).unwrap_err().to_string();
    assert_eq!(
        text(&"x".repeat(1100)),
        "more than AWS allows at column 1025: 1100 characters, where AWS allows 1024"
    );
    assert_eq!(
        text("{ $.a = }"),
        "a syntax error at column 9: expected a value, found `}`"
    );
    assert!(
        text("{ $.a = %(x)% }").starts_with("a form AWS does not support at column 10: "),
        "{}",
        text("{ $.a = %(x)% }")
    );
    let value = format!("ab\"{}", "c".repeat(900));
    let error = text(&format!("{{ $.a = {value} }}"));
    assert_eq!(
        error,
        format!(
            "a syntax error at column 9: expected a value, found `ab\"{}…{}` (903 characters): quote the whole value, as in `\"ab{}…{}\"` (904 characters)",
            "c".repeat(41),
            "c".repeat(15),
            "c".repeat(41),
            "c".repeat(14)
        )
    );
}

#[test]
fn explain_makes_precedence_explicit() {
    let p = parse("{ $.a = 1 || $.b = 2 && $.c = 3 }").unwrap();
    let text = explain(&p);
    assert!(
        text.contains("{ ($.a = 1) || (($.b = 2) && ($.c = 3)) }"),
        "{text}"
    );
    assert!(text.contains("OR  (any of)"), "{text}");
    assert!(text.contains("└─ AND (all of)"), "{text}");
}

#[test]
fn canonical_form_ignores_formatting_but_not_meaning() {
    assert!(equivalent(
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }",
        "{$.eventName=\"UpdateTrail\"||(($.eventName = \"CreateTrail\"))}"
    ));
    assert!(!equivalent(
        "{ $.a = 1 || $.b = 2 && $.c = 3 }",
        "{ ($.a = 1 || $.b = 2) && $.c = 3 }"
    ));
    assert!(!equivalent("{ $.a = \"400\" }", "{ $.a = 400 }"));
    assert!(!equivalent("{ $.a = \"x y\" }", "{ $.a = \"x  y\" }"));
}

#[test]
fn blocking_conditions_name_the_narrowing_clause() {
    let c = compile("{ (($.eventName = CreateTrail) || ($.eventName = DeleteTrail)) && ($.userIdentity.type = Root) }").unwrap();
    let event = json!({"eventName": "CreateTrail", "userIdentity": {"type": "IAMUser"}});
    assert_eq!(
        blocking_conditions(&c, &event),
        vec!["$.userIdentity.type = Root"]
    );
    let event = json!({"eventName": "StopLogging", "userIdentity": {"type": "IAMUser"}});
    assert!(
        blocking_conditions(&c, &event).is_empty(),
        "not named at all: nothing narrows it"
    );
}

#[test]
fn unparenthesised_and_chains_inside_or_are_reported() {
    assert_eq!(
        precedence_traps("{ $.a = 1 || $.b = 2 && $.c = 3 }"),
        vec!["$.b = 2 && $.c = 3"]
    );
    assert!(precedence_traps("{ $.a = 1 || ($.b = 2 && $.c = 3) }").is_empty());
    assert!(precedence_traps("{ ($.a = 1 || $.b = 2) && $.c = 3 }").is_empty());
    assert!(precedence_traps("{ $.a = 1 && $.b = 2 }").is_empty());
}

#[test]
fn event_names_are_the_exact_positive_ones() {
    let p = parse("{ ($.eventName = A) || ($.eventName = \"B\") || ($.eventName != C) || ($.eventName = D*) }").unwrap();
    assert_eq!(
        event_names(&p).into_iter().collect::<Vec<_>>(),
        vec!["A", "B"]
    );
}

fn selector() -> impl Strategy<Value = Selector> {
    let segment = prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,6}".prop_map(Segment::Field),
        "[a-z]{1,3}\\.[a-z]{1,3}".prop_map(Segment::Key),
        (0usize..5).prop_map(Segment::Index),
    ];
    (
        proptest::collection::vec(segment, 1..4),
        prop_oneof![
            Just(None),
            Just(Some(Segment::AnyIndex)),
            Just(Some(Segment::AnyField))
        ],
    )
        .prop_map(|(mut segments, wildcard)| {
            if let Some(w) = wildcard {
                segments.insert(1.min(segments.len()), w);
            }
            Selector(segments)
        })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        ("\\*?[A-Za-z][A-Za-z0-9_.:/@-]{0,8}\\*?", any::<bool>())
            .prop_map(|(text, quoted)| Value::Str { text, quoted }),
        "[ -~]{0,10}".prop_map(|text| Value::Str { text, quoted: true }),
        (-1000i64..1000).prop_map(|n| Value::Number(Number {
            text: n.to_string(),
            value: n as f64
        })),
        "\\^?[a-z0-9]{1,5}(\\\\d|\\.|\\*|\\+)?\\$?".prop_map(Value::Regex),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    let number = (-100i64..100).prop_map(|n| Number {
        text: n.to_string(),
        value: n as f64,
    });
    let test = prop_oneof![
        value().prop_map(Test::Eq),
        value().prop_map(Test::Ne),
        number.clone().prop_map(Test::Lt),
        number.clone().prop_map(Test::Ge),
        Just(Test::IsNull),
        Just(Test::IsTrue),
        Just(Test::NotExists),
    ];
    (selector(), test).prop_map(|(selector, test)| Condition { selector, test })
}

fn expr() -> impl Strategy<Value = Expr> {
    condition()
        .prop_map(Expr::Cond)
        .prop_recursive(3, 12, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
                proptest::collection::vec(inner, 2..4).prop_map(Expr::And),
            ]
        })
}

/// AWS's quotas would reject some generated trees; those are not round-trip failures.
fn within_quotas(p: &Pattern) -> bool {
    let text = p.to_string();
    text.chars().count() <= MAX_LENGTH && text.matches('%').count() <= 2 * MAX_REGEXES && {
        let wild = text.matches("[*]").count() + text.matches(".*").count();
        wild <= MAX_WILDCARDS
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_never_panics(text in "\\PC{0,80}") {
        let _ = parse(&text);
    }

    #[test]
    fn the_parser_never_panics_on_pattern_like_text(text in "[{}()\\[\\]$.*%\"' =!<>&|a-zA-Z0-9_,-]{0,60}") {
        let _ = parse(&text);
        let _ = compile(&text).map(|c| c.matches("{\"a\":1}"));
    }

    #[test]
    fn printing_then_parsing_gives_the_same_tree(e in expr()) {
        let pattern = Pattern::Json(e);
        prop_assume!(within_quotas(&pattern));
        let printed = pattern.to_string();
        let again = parse(&printed);
        prop_assert_eq!(again.as_ref().ok(), Some(&pattern), "printed: {}", printed);
    }
}
