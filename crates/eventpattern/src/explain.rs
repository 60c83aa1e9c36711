//! What a pattern asks, in words: one condition a line (all must hold), each field's path and
//! the values it takes (any may match), `$or` as indented alternatives; and the event names
//! a pattern names.

use std::fmt::Write;

use serde_json::Value;

use crate::ast::{AnythingBut, Matcher, Node, Numeric, Pattern};

/// The explanation of a pattern, one condition a line.
pub fn explain(pattern: &Pattern) -> String {
    let mut out = String::from("an event matches when all of these hold:\n");
    conditions(pattern, "", 1, &mut out);
    out
}

/// The values `detail.eventName` is asked to equal exactly, at any level of `$or`.
pub fn event_names(pattern: &Pattern) -> Vec<String> {
    let mut names = Vec::new();
    collect_names(pattern, "", &mut names);
    names.dedup();
    names
}

fn collect_names(pattern: &Pattern, path: &str, names: &mut Vec<String>) {
    for field in &pattern.fields {
        let here = join(path, &field.name);
        match &field.node {
            Node::Object(inner) => collect_names(inner, &here, names),
            Node::Leaf(matchers) if here == "detail.eventName" => {
                names.extend(matchers.iter().filter_map(|m| match m {
                    Matcher::Exact(Value::String(name)) => Some(name.clone()),
                    _ => None,
                }));
            }
            Node::Leaf(_) => {}
        }
    }
    for alternative in pattern.any_of.iter().flatten() {
        collect_names(alternative, path, names);
    }
}

fn join(path: &str, name: &str) -> String {
    match path.is_empty() {
        true => name.to_string(),
        false => format!("{path}.{name}"),
    }
}

fn conditions(pattern: &Pattern, path: &str, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for field in &pattern.fields {
        let here = join(path, &field.name);
        match &field.node {
            Node::Object(inner) => conditions(inner, &here, depth, out),
            Node::Leaf(matchers) => {
                let said: Vec<String> = matchers.iter().map(describe).collect();
                let _ = writeln!(out, "{indent}{here} {}", said.join(" or "));
            }
        }
    }
    for alternatives in &pattern.any_of {
        let _ = writeln!(out, "{indent}one of:");
        for (n, alternative) in alternatives.iter().enumerate() {
            let _ = writeln!(out, "{indent}  ({}) all of:", n + 1);
            conditions(alternative, path, depth + 2, out);
        }
    }
}

fn describe(matcher: &Matcher) -> String {
    let case = |ignore: bool| if ignore { " in any case" } else { "" };
    match matcher {
        Matcher::Exact(value) => format!("is {value}"),
        Matcher::Prefix { text, ignore_case } => {
            format!(
                "starts with {}{}",
                Value::from(text.as_str()),
                case(*ignore_case)
            )
        }
        Matcher::Suffix { text, ignore_case } => {
            format!(
                "ends with {}{}",
                Value::from(text.as_str()),
                case(*ignore_case)
            )
        }
        Matcher::EqualsIgnoreCase(text) => format!("is {} in any case", Value::from(text.as_str())),
        Matcher::Wildcard(w) => format!("matches the wildcard {}", Value::from(w.text.as_str())),
        Matcher::AnythingBut(excluded) => format!("is present and {}", describe_excluded(excluded)),
        Matcher::Numeric(range) => format!("is a number {}", describe_range(range)),
        Matcher::Cidr(block) => format!("is an IP address in {}", block.text),
        Matcher::Exists(true) => "exists (holds a value, not an object)".into(),
        Matcher::Exists(false) => "is absent (or holds an object)".into(),
    }
}

fn describe_excluded(excluded: &AnythingBut) -> String {
    let list = |items: Vec<String>| items.join(", ");
    let texts = |items: &[String]| {
        list(
            items
                .iter()
                .map(|s| Value::from(s.as_str()).to_string())
                .collect(),
        )
    };
    match excluded {
        AnythingBut::Strings(s) => format!("is none of the strings {}", texts(s)),
        AnythingBut::Numbers(n) => format!(
            "is none of the numbers {}",
            list(n.iter().map(f64::to_string).collect())
        ),
        AnythingBut::Prefix(p) => format!("does not start with {}", texts(p)),
        AnythingBut::Suffix(s) => format!("does not end with {}", texts(s)),
        AnythingBut::Wildcard(w) => format!(
            "matches none of the wildcards {}",
            list(
                w.iter()
                    .map(|w| Value::from(w.text.as_str()).to_string())
                    .collect()
            )
        ),
        AnythingBut::IgnoreCase(s) => format!("is none of {} in any case", texts(s)),
    }
}

fn describe_range(range: &Numeric) -> String {
    let bound = |(x, inclusive): (f64, bool), strict: &str, or_equal: &str| {
        format!("{} {x}", if inclusive { or_equal } else { strict })
    };
    match (range.lower, range.upper) {
        (Some((x, true)), Some((y, true))) if x == y => format!("= {x}"),
        (Some(l), Some(u)) => format!("{} and {}", bound(l, ">", ">="), bound(u, "<", "<=")),
        (Some(l), None) => bound(l, ">", ">="),
        (None, Some(u)) => bound(u, "<", "<="),
        (None, None) => "of any value".into(),
    }
}
