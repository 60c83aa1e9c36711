//! A pattern back to JSON: as written (fields in their order, each matcher in its plain form),
//! or canonical (fields by name, each list sorted and without repeats), so two patterns that
//! differ only in order and formatting print the same.

use serde_json::{json, Map, Value};

use crate::ast::{AnythingBut, Matcher, Node, Numeric, Pattern};

/// The pattern as compact JSON, in the order written.
pub fn printed(pattern: &Pattern) -> String {
    object(pattern, false).to_string()
}

/// The pattern as compact JSON, fields by name and lists sorted without repeats.
pub fn canonical(pattern: &Pattern) -> String {
    object(pattern, true).to_string()
}

fn object(pattern: &Pattern, canonical: bool) -> Value {
    let mut entries: Vec<(String, Value)> = pattern
        .fields
        .iter()
        .map(|field| {
            let value = match &field.node {
                Node::Object(inner) => object(inner, canonical),
                Node::Leaf(matchers) => list(matchers.iter().map(matcher).collect(), canonical),
            };
            (field.name.clone(), value)
        })
        .collect();
    for alternatives in &pattern.any_of {
        let objects = alternatives.iter().map(|a| object(a, canonical)).collect();
        entries.push(("$or".into(), list(objects, canonical)));
    }
    if canonical {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Value::Object(entries.into_iter().collect::<Map<_, _>>())
}

/// A list of values, sorted by their JSON text without repeats when canonical.
fn list(mut values: Vec<Value>, canonical: bool) -> Value {
    if canonical {
        values.sort_by_cached_key(Value::to_string);
        values.dedup();
    }
    Value::Array(values)
}

fn matcher(matcher: &Matcher) -> Value {
    let ignoring_case = |text: &str, ignore: bool| match ignore {
        true => json!({ "equals-ignore-case": text }),
        false => json!(text),
    };
    match matcher {
        Matcher::Exact(value) => value.clone(),
        Matcher::Prefix { text, ignore_case } => {
            json!({ "prefix": ignoring_case(text, *ignore_case) })
        }
        Matcher::Suffix { text, ignore_case } => {
            json!({ "suffix": ignoring_case(text, *ignore_case) })
        }
        Matcher::EqualsIgnoreCase(text) => json!({ "equals-ignore-case": text }),
        Matcher::Wildcard(w) => json!({ "wildcard": w.text }),
        Matcher::AnythingBut(excluded) => json!({ "anything-but": anything_but(excluded) }),
        Matcher::Numeric(range) => json!({ "numeric": numeric(range) }),
        Matcher::Cidr(block) => json!({ "cidr": block.text }),
        Matcher::Exists(exists) => json!({ "exists": exists }),
    }
}

fn anything_but(excluded: &AnythingBut) -> Value {
    let one_or_list = |items: Vec<Value>| match <[Value; 1]>::try_from(items) {
        Ok([one]) => one,
        Err(items) => Value::Array(items),
    };
    let texts = |items: &[String]| one_or_list(items.iter().map(|s| json!(s)).collect());
    match excluded {
        AnythingBut::Strings(s) => texts(s),
        AnythingBut::Numbers(n) => one_or_list(n.iter().map(|x| number(*x)).collect()),
        AnythingBut::Prefix(p) => json!({ "prefix": texts(p) }),
        AnythingBut::Suffix(s) => json!({ "suffix": texts(s) }),
        AnythingBut::Wildcard(w) => {
            json!({ "wildcard": one_or_list(w.iter().map(|w| json!(w.text)).collect()) })
        }
        AnythingBut::IgnoreCase(s) => json!({ "equals-ignore-case": texts(s) }),
    }
}

fn numeric(range: &Numeric) -> Value {
    let mut terms = Vec::new();
    match (range.lower, range.upper) {
        (Some((x, true)), Some((y, true))) if x == y => terms.extend([json!("="), number(x)]),
        (lower, upper) => {
            if let Some((x, inclusive)) = lower {
                terms.extend([json!(if inclusive { ">=" } else { ">" }), number(x)]);
            }
            if let Some((y, inclusive)) = upper {
                terms.extend([json!(if inclusive { "<=" } else { "<" }), number(y)]);
            }
        }
    }
    Value::Array(terms)
}

/// A number as JSON: whole numbers without a fraction.
fn number(x: f64) -> Value {
    const WHOLE: f64 = 9.0e15;
    match x.fract() == 0.0 && x.abs() < WHOLE {
        true => json!(x as i64),
        false => json!(x),
    }
}
