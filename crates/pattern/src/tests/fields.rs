//! The projection (`Fields`) against the full parse: the sparse values it builds, and matching
//! through it equals evaluating the full `serde_json::Value`, over the case table's patterns and
//! events and over generated ones (nested objects, arrays, wildcards, escapes, duplicate keys,
//! numbers, invalid and non-object JSON).

use proptest::prelude::*;
use serde_json::{json, Value as Json};

use crate::ast::*;
use crate::*;

const CASES: &str = include_str!("../../testdata/cases.jsonl");

/// What a pattern does with a message on the full parse: the reference.
fn full(compiled: &Compiled, message: &str) -> bool {
    match serde_json::from_str::<Json>(message) {
        Ok(event) if compiled.is_json() => compiled.matches_json(&event),
        Ok(_) => compiled.matches(message),
        Err(_) => !compiled.is_json() && compiled.matches(message),
    }
}

/// Every way through the projection agrees with the full parse: `matches`, the pattern's own
/// fields, and the union of several patterns' fields.
fn agree(patterns: &[&Compiled], message: &str) -> Result<(), String> {
    let union = Fields::of(patterns);
    let sparse = union.parse(message);
    if sparse.is_some() != serde_json::from_str::<Json>(message).is_ok() {
        return Err(format!(
            "accepts {:?}, full parse does not agree",
            sparse.is_some()
        ));
    }
    for compiled in patterns.iter().filter(|c| c.is_json()) {
        let expected = full(compiled, message);
        let own = compiled.fields().parse(message);
        let results = [
            compiled.matches(message),
            own.is_some_and(|e| compiled.matches_json(&e)),
            sparse.as_ref().is_some_and(|e| compiled.matches_json(e)),
        ];
        if results != [expected; 3] {
            let p = compiled.pattern();
            return Err(format!("`{p}`: {results:?}, full parse {expected}"));
        }
    }
    Ok(())
}

fn table() -> (Vec<Compiled>, Vec<String>) {
    let (mut patterns, mut messages) = (Vec::new(), Vec::new());
    for line in CASES.lines().skip(1) {
        let case: Json = serde_json::from_str(line).unwrap();
        if let Ok(compiled) = compile(case["pattern"].as_str().unwrap()) {
            patterns.push(compiled);
        }
        match (&case["message"], &case["event"]) {
            (Json::String(m), _) => messages.push(m.clone()),
            (_, Json::Null) => {}
            (_, event) => messages.push(event.to_string()),
        }
    }
    (patterns, messages)
}

#[test]
fn the_case_tables_patterns_agree_on_all_its_events() {
    let (patterns, messages) = table();
    let all: Vec<&Compiled> = patterns.iter().collect();
    assert!(all.iter().filter(|c| c.is_json()).count() > 100);
    let failures: Vec<String> = messages
        .iter()
        .filter_map(|m| agree(&all, m).err().map(|e| format!("{m}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_sparse_value_holds_the_selected_paths_and_nothing_else() {
    let fields = Fields::default()
        .with("userIdentity.arn")
        .with("eventTime")
        .with("resources[*].ARN")
        .with("tags.*")
        .with("items[2]");
    let message = r#"{"eventTime":"t","eventName":"X","userIdentity":{"type":"Root","arn":"a"},
        "resources":[{"ARN":"r1","type":"T"},{"type":"U"},7],"tags":{"k":{"v":1},"l":2},
        "items":[1,{"a":2},[3],4,5]}"#;
    let expected = json!({"eventTime":"t","userIdentity":{"arn":"a"},
        "resources":[{"ARN":"r1"},{},7],"tags":{"k":{"v":1},"l":2},"items":[null,null,[3]]});
    assert_eq!(fields.parse(message), Some(expected));
}

#[test]
fn a_wildcard_and_a_named_path_through_the_same_key_both_hold() {
    let fields = Fields::default()
        .with("a.*.x")
        .with("a.b.y")
        .with("l[*].x")
        .with("l[1].y");
    let message =
        r#"{"a":{"b":{"x":1,"y":2,"z":3},"c":{"x":4,"y":5}},"l":[{"x":1,"y":2},{"x":3,"y":4}]}"#;
    let expected = json!({"a":{"b":{"x":1,"y":2},"c":{"x":4}},"l":[{"x":1},{"x":3,"y":4}]});
    assert_eq!(fields.parse(message), Some(expected));
}

#[test]
fn keys_with_escapes_and_duplicates_read_as_a_full_parse_does() {
    let fields = Fields::default().with("a").with("b.c");
    let message = r#"{"\u0061":1,"b":{"c":1},"a":{"x":2},"b":5,"\"":3}"#;
    assert_eq!(fields.parse(message), Some(json!({"a":{"x":2},"b":5})));
    let with_dots = Fields::default().with("").parse(r#"{"a.b":1}"#);
    assert_eq!(with_dots, Some(json!({"a.b":1})));
}

#[test]
fn the_skipped_parts_are_validated_as_a_full_parse_does() {
    let fields = Fields::default().with("a");
    let deep = format!("{{\"b\":{}{}}}", "[".repeat(200), "]".repeat(200));
    for bad in [
        r#"{"a":1,"b":"\ud800"}"#,
        r#"{"a":1,"b":1e400}"#,
        r#"{"a":1,"b":"x\q"}"#,
        r#"{"a":1,"b":01}"#,
        r#"{"a":1,"b":[1,]}"#,
        r#"{"a":1,"b":"tab	"}"#,
        r#"{"a":1} x"#,
        r#"{"a":1,"a":}"#,
        deep.as_str(),
    ] {
        assert!(serde_json::from_str::<Json>(bad).is_err(), "{bad}");
        assert_eq!(fields.parse(bad), None, "{bad}");
    }
    assert_eq!(fields.parse(r#"[{"a":1}]"#), Some(json!([])));
    assert_eq!(fields.parse(" 5 "), Some(json!(5)));
    assert!(Fields::default().is_empty() && compile("ERROR").unwrap().fields().is_empty());
}

/// JSON text (not a `Value`: keys repeat, escapes and number spellings survive).
fn json_text() -> impl Strategy<Value = String> {
    let scalar = prop::sample::select(vec![
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "1.0",
        "400",
        "-1.5e-3",
        "1e2",
        "2E+1",
        "18446744073709551616",
        "-9223372036854775809",
        "\"x\"",
        "\"400\"",
        "\"1\"",
        "\"\"",
        "\"DeleteTrail\"",
        "\"Delete\\u0054rail\"",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
        "\"*\"",
        "\"é\"",
    ])
    .prop_map(str::to_string);
    scalar.prop_recursive(4, 40, 5, |inner| {
        let key = prop::sample::select(vec![
            "\"a\"",
            "\"b\"",
            "\"c\"",
            "\"a.b\"",
            "\"\\u0061\"",
            "\"b\\\"\"",
            "\"é\"",
            "\"\"",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key, inner), 0..5).prop_map(|kv| {
                let items: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", items.join(","))
            }),
        ]
    })
}

/// Valid JSON, or JSON broken by truncation or an inserted character.
fn message() -> impl Strategy<Value = String> {
    let broken = (json_text(), any::<prop::sample::Index>(), 0..4usize).prop_map(|(t, at, how)| {
        let cut = at.index(t.len() + 1);
        let cut = (0..=cut)
            .rev()
            .find(|i| t.is_char_boundary(*i))
            .unwrap_or(0);
        let insert = ["", ",", "\"", "}"][how];
        format!(
            "{}{insert}{}",
            &t[..cut],
            if how == 0 { "" } else { &t[cut..] }
        )
    });
    prop_oneof![4 => json_text(), 1 => broken]
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c", "é", ""]).prop_map(|f| Segment::Field(f.into())),
        Just(Segment::Key("a.b".into())),
        Just(Segment::Key("b\"".into())),
        (0..3usize).prop_map(Segment::Index),
        Just(Segment::AnyIndex),
        Just(Segment::AnyField),
    ]
}

fn test() -> impl Strategy<Value = Test> {
    let text = prop::sample::select(vec![
        "x",
        "400",
        "1",
        "DeleteTrail",
        "*",
        "Del*",
        "*\"b",
        "é",
    ]);
    let number = prop::sample::select(vec![("1", 1.0), ("400", 400.0), ("0", 0.0), ("1e2", 1e2)])
        .prop_map(|(t, v)| Number {
            text: t.into(),
            value: v,
        });
    let string = text.prop_map(|t| Value::Str {
        text: t.into(),
        quoted: true,
    });
    prop_oneof![
        string.clone().prop_map(Test::Eq),
        string.prop_map(Test::Ne),
        number.clone().prop_map(|n| Test::Eq(Value::Number(n))),
        number.clone().prop_map(|n| Test::Ne(Value::Number(n))),
        number.clone().prop_map(Test::Lt),
        number.prop_map(Test::Ge),
        Just(Test::IsNull),
        Just(Test::IsTrue),
        Just(Test::IsFalse),
        Just(Test::NotExists),
    ]
}

/// A JSON pattern of one to three conditions under `||` or `&&`.
fn json_pattern() -> impl Strategy<Value = Compiled> {
    let condition = (prop::collection::vec(segment(), 1..4), test()).prop_map(|(s, test)| {
        Expr::Cond(Condition {
            selector: Selector(s),
            test,
        })
    });
    (prop::collection::vec(condition, 1..4), any::<bool>()).prop_map(|(items, or)| {
        let expr = if or {
            Expr::Or(items)
        } else {
            Expr::And(items)
        };
        Compiled::new(Pattern::Json(expr))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matching_through_the_projection_equals_the_full_parse(
        patterns in prop::collection::vec(json_pattern(), 1..4),
        message in message(),
    ) {
        let refs: Vec<&Compiled> = patterns.iter().collect();
        prop_assert_eq!(agree(&refs, &message), Ok(()));
    }

    #[test]
    fn the_whole_path_is_the_full_parse(message in message()) {
        let fields = Fields::default().with("");
        prop_assert_eq!(fields.parse(&message), serde_json::from_str::<Json>(&message).ok());
    }
}
