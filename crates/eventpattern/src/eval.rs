//! Whether an event matches a pattern. A field absent from the event fails every matcher but
//! `exists: false`; an array matches when one of its values does; the fields a pattern asks
//! of an array of objects must all hold in one of its objects.

use serde_json::{Map, Value};

use crate::ast::{AnythingBut, Matcher, Node, Pattern};

/// Numbers within this magnitude compare by value; beyond it (account ids written as
/// numbers), by their text, as EventBridge compares them.
const LARGEST_COMPARED: f64 = 5.0e9;

impl Pattern {
    /// Whether `event` matches the pattern.
    pub fn matches(&self, event: &Value) -> bool {
        object_matches(self, event)
    }
}

/// Whether `value` matches an object of the pattern: an object by its fields, an array by one
/// of its objects, anything else as an object without fields.
fn object_matches(pattern: &Pattern, value: &Value) -> bool {
    match value {
        Value::Object(object) => fields_match(pattern, object),
        Value::Array(items) => {
            let mut objects = objects(items).peekable();
            match objects.peek() {
                Some(_) => objects.any(|object| fields_match(pattern, object)),
                None => fields_match(pattern, &Map::new()),
            }
        }
        _ => fields_match(pattern, &Map::new()),
    }
}

/// The objects of an array, nested arrays flattened.
fn objects(items: &[Value]) -> Box<dyn Iterator<Item = &Map<String, Value>> + '_> {
    Box::new(items.iter().flat_map(|item| match item {
        Value::Object(object) => Box::new(std::iter::once(object)),
        Value::Array(inner) => objects(inner),
        _ => Box::new(std::iter::empty()) as Box<dyn Iterator<Item = _>>,
    }))
}

fn fields_match(pattern: &Pattern, object: &Map<String, Value>) -> bool {
    pattern.fields.iter().all(|field| match &field.node {
        Node::Object(inner) => match object.get(&field.name) {
            Some(value) => object_matches(inner, value),
            None => fields_match(inner, &Map::new()),
        },
        Node::Leaf(matchers) => leaf_matches(matchers, object.get(&field.name)),
    }) && pattern.any_of.iter().all(|alternatives| {
        alternatives
            .iter()
            .any(|alternative| fields_match(alternative, object))
    })
}

/// Whether a field's values (none when absent or an object) match one of the matchers.
fn leaf_matches(matchers: &[Matcher], value: Option<&Value>) -> bool {
    // A single value, the usual case, is matched without gathering.
    if let Some(scalar) = value.filter(|v| !v.is_array() && !v.is_object()) {
        return matchers.iter().any(|matcher| match matcher {
            Matcher::Exists(exists) => *exists,
            _ => value_matches(matcher, scalar),
        });
    }
    let mut values = Vec::new();
    if let Some(value) = value {
        leaves(value, &mut values);
    }
    matchers.iter().any(|matcher| match matcher {
        Matcher::Exists(exists) => *exists != values.is_empty(),
        _ => values.iter().any(|value| value_matches(matcher, value)),
    })
}

/// The values of a field: itself, or the values of an array (flattened); objects hold none.
fn leaves<'a>(value: &'a Value, into: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| leaves(item, into)),
        Value::Object(_) => {}
        scalar => into.push(scalar),
    }
}

fn value_matches(matcher: &Matcher, value: &Value) -> bool {
    let text = value.as_str();
    match matcher {
        Matcher::Exact(expected) => exact(expected, value),
        Matcher::Prefix {
            text: p,
            ignore_case,
        } => text.is_some_and(|t| match ignore_case {
            true => lower(t).starts_with(&lower(p)),
            false => t.starts_with(p.as_str()),
        }),
        Matcher::Suffix {
            text: s,
            ignore_case,
        } => text.is_some_and(|t| match ignore_case {
            true => lower(t).ends_with(&lower(s)),
            false => t.ends_with(s.as_str()),
        }),
        Matcher::EqualsIgnoreCase(e) => text.is_some_and(|t| lower(t) == lower(e)),
        Matcher::Wildcard(w) => text.is_some_and(|t| w.matches(t)),
        Matcher::AnythingBut(excluded) => !excludes(excluded, value),
        Matcher::Numeric(range) => value.as_f64().is_some_and(|x| range.contains(x)),
        Matcher::Cidr(block) => text.is_some_and(|t| block.contains(t)),
        Matcher::Exists(_) => unreachable!("exists is decided on the field"),
    }
}

/// Whether `anything-but` excludes a value: a string it names (a number it names, for a list
/// of numbers); values of the other type are never excluded.
fn excludes(excluded: &AnythingBut, value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return match (excluded, value.as_f64()) {
            (AnythingBut::Numbers(numbers), Some(x)) => numbers.iter().any(|n| same_number(*n, x)),
            _ => false,
        };
    };
    match excluded {
        AnythingBut::Strings(strings) => strings.iter().any(|s| s == text),
        AnythingBut::Numbers(_) => false,
        AnythingBut::Prefix(prefixes) => prefixes.iter().any(|p| text.starts_with(p.as_str())),
        AnythingBut::Suffix(suffixes) => suffixes.iter().any(|s| text.ends_with(s.as_str())),
        AnythingBut::Wildcard(patterns) => patterns.iter().any(|w| w.matches(text)),
        AnythingBut::IgnoreCase(strings) => strings.iter().any(|s| lower(s) == lower(text)),
    }
}

/// An exact value: strings, `true`, `false` and `null` as themselves, numbers by value.
fn exact(expected: &Value, value: &Value) -> bool {
    match (expected, value) {
        (Value::Number(a), Value::Number(b)) => {
            a.to_string() == b.to_string()
                || a.as_f64().zip(b.as_f64()).is_some_and(|(x, y)| {
                    x.abs() <= LARGEST_COMPARED && y.abs() <= LARGEST_COMPARED && same_number(x, y)
                })
        }
        (a, b) => a == b,
    }
}

fn same_number(a: f64, b: f64) -> bool {
    a == b
}

fn lower(text: &str) -> String {
    text.to_lowercase()
}
