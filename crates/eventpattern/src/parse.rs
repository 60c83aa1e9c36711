//! From a pattern's JSON text to a [`Pattern`], refusing what EventBridge refuses with its
//! reasons: a top level that is not an object, empty objects and lists, a field that is
//! neither, unknown matchers, wrong operand types, malformed `numeric`, `cidr`, `wildcard`
//! and `$or`.

use serde_json::{Map, Value};

use crate::ast::{AnythingBut, Field, Matcher, Node, Numeric, Pattern};
use crate::cidr::Cidr;
use crate::error::Error;
use crate::wildcard::Wildcard;

/// The key of alternatives.
const OR: &str = "$or";

/// Names the engine behind EventBridge reserves, refused as field names inside `$or`.
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// Parses a pattern's JSON text.
pub fn parse(text: &str) -> Result<Pattern, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::NotJson(e.to_string()))?;
    let Value::Object(object) = value else {
        return Err(invalid("", "Filter is not an object"));
    };
    object_pattern(&object, "", false)
}

fn invalid(path: &str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        path: path.to_string(),
        reason: reason.into(),
    }
}

fn child(path: &str, name: &str) -> String {
    match path.is_empty() {
        true => name.to_string(),
        false => format!("{path}.{name}"),
    }
}

/// An object of the pattern (`in_or`: within an alternative): its fields and its `$or`s.
fn object_pattern(object: &Map<String, Value>, path: &str, in_or: bool) -> Result<Pattern, Error> {
    if object.is_empty() {
        return Err(invalid(path, "Empty objects are not allowed"));
    }
    let mut pattern = Pattern {
        fields: Vec::new(),
        any_of: Vec::new(),
    };
    for (name, value) in object {
        if name == OR {
            pattern.any_of.push(alternatives(value, path)?);
            continue;
        }
        let here = child(path, name);
        if in_or && RESERVED_IN_OR.contains(&name.as_str()) {
            let reason =
                format!("{name} is Ruler reserved fieldName which cannot be used inside $or.");
            return Err(invalid(&here, reason));
        }
        let node = match value {
            Value::Object(inner) => Node::Object(object_pattern(inner, &here, in_or)?),
            Value::Array(values) => Node::Leaf(matchers(values, &here)?),
            _ => {
                return Err(invalid(
                    &here,
                    format!("\"{name}\" must be an object or an array"),
                ))
            }
        };
        pattern.fields.push(Field {
            name: name.clone(),
            node,
        });
    }
    Ok(pattern)
}

/// The objects of a `$or`: at least two.
fn alternatives(value: &Value, path: &str) -> Result<Vec<Pattern>, Error> {
    let here = child(path, OR);
    let Value::Array(values) = value else {
        return Err(invalid(&here, "It must be an Array followed with $or."));
    };
    let patterns = values
        .iter()
        .enumerate()
        .map(|(n, value)| match value {
            Value::Object(object) => object_pattern(object, &format!("{here}[{n}]"), true),
            _ => Err(invalid(
                &here,
                "Only JSON object is allowed in array of $or relationship.",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if patterns.len() < 2 {
        return Err(invalid(
            &here,
            "There must have at least 2 Objects in $or relationship.",
        ));
    }
    Ok(patterns)
}

/// A field's list of matchers: values and matcher objects, at least one.
fn matchers(values: &[Value], path: &str) -> Result<Vec<Matcher>, Error> {
    if values.is_empty() {
        return Err(invalid(path, "Empty arrays are not allowed"));
    }
    values
        .iter()
        .map(|value| match value {
            Value::Object(expression) => {
                matcher(expression).map_err(|reason| invalid(path, reason))
            }
            Value::Array(_) => Err(invalid(
                path,
                "Match value must be String, number, true, false, or null",
            )),
            exact => Ok(Matcher::Exact(exact.clone())),
        })
        .collect()
}

/// One matcher object: exactly one known key with an operand of its type.
fn matcher(expression: &Map<String, Value>) -> Result<Matcher, String> {
    let (name, operand) = single(expression, "Match expression name not found")?;
    match name.as_str() {
        "prefix" => affix(operand, "prefix")
            .map(|(text, ignore_case)| Matcher::Prefix { text, ignore_case }),
        "suffix" => affix(operand, "suffix")
            .map(|(text, ignore_case)| Matcher::Suffix { text, ignore_case }),
        "equals-ignore-case" => {
            string(operand, "equals-ignore-case").map(Matcher::EqualsIgnoreCase)
        }
        "wildcard" => Wildcard::parse(&string(operand, "wildcard")?).map(Matcher::Wildcard),
        "anything-but" => anything_but(operand).map(Matcher::AnythingBut),
        "numeric" => numeric(operand).map(Matcher::Numeric),
        "cidr" => Cidr::parse(&string(operand, "cidr")?).map(Matcher::Cidr),
        "exists" => match operand {
            Value::Bool(exists) => Ok(Matcher::Exists(*exists)),
            _ => Err("exists match pattern must be either true or false.".into()),
        },
        other => Err(format!("Unrecognized match type {other}")),
    }
}

/// The one key of a matcher object and its operand.
fn single<'a>(
    expression: &'a Map<String, Value>,
    empty: &str,
) -> Result<(&'a String, &'a Value), String> {
    let mut entries = expression.iter();
    let first = entries.next().ok_or_else(|| empty.to_string())?;
    match entries.next() {
        Some(_) => Err("Only one key allowed in match expression".into()),
        None => Ok(first),
    }
}

fn string(operand: &Value, name: &str) -> Result<String, String> {
    match operand {
        Value::String(text) => Ok(text.clone()),
        _ => Err(format!("{name} match pattern must be a string")),
    }
}

/// The operand of `prefix` or `suffix`: a string, or `{"equals-ignore-case": string}`.
fn affix(operand: &Value, name: &str) -> Result<(String, bool), String> {
    match operand {
        Value::String(text) => Ok((text.clone(), false)),
        Value::Object(inner) => match single(inner, "Match expression name not found")? {
            (key, value) if key == "equals-ignore-case" => {
                Ok((string(value, "equals-ignore-case")?, true))
            }
            (key, _) => Err(format!("Unsupported {name} pattern: {key}")),
        },
        _ => Err(format!("{name} match pattern must be a string")),
    }
}

/// The operand of `anything-but`: a value or a list of strings or of numbers, or one of
/// `prefix`, `suffix`, `wildcard`, `equals-ignore-case` with a string or a list of strings.
fn anything_but(operand: &Value) -> Result<AnythingBut, String> {
    match operand {
        Value::Object(inner) => anything_but_operator(inner),
        Value::String(text) => Ok(AnythingBut::Strings(vec![text.clone()])),
        Value::Number(n) => Ok(AnythingBut::Numbers(vec![number(n)])),
        Value::Array(values) => anything_but_list(values),
        _ => Err("Value of anything-but must be an array or single string/number value.".into()),
    }
}

fn anything_but_list(values: &[Value]) -> Result<AnythingBut, String> {
    let strings: Option<Vec<String>> = values
        .iter()
        .map(|v| v.as_str().map(String::from))
        .collect();
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.as_number().map(number)).collect();
    if values.iter().any(|v| !(v.is_string() || v.is_number())) {
        return Err("Inside anything but list, start|null|boolean is not supported.".into());
    }
    match (strings, numbers) {
        (Some(strings), _) if !strings.is_empty() => Ok(AnythingBut::Strings(strings)),
        (_, Some(numbers)) if !numbers.is_empty() => Ok(AnythingBut::Numbers(numbers)),
        _ => Err("Inside anything but list, either all values are number or string, mixed type is not supported".into()),
    }
}

fn anything_but_operator(inner: &Map<String, Value>) -> Result<AnythingBut, String> {
    let (name, operand) = single(inner, "Anything-But expression name not found")?;
    if !["prefix", "suffix", "equals-ignore-case", "wildcard"].contains(&name.as_str()) {
        return Err(format!("Unsupported anything-but pattern: {name}"));
    }
    let texts = strings(operand, name)?;
    match name.as_str() {
        "prefix" | "suffix" if texts.iter().any(String::is_empty) => {
            Err("Null prefix/suffix not allowed".into())
        }
        "prefix" => Ok(AnythingBut::Prefix(texts)),
        "suffix" => Ok(AnythingBut::Suffix(texts)),
        "equals-ignore-case" => Ok(AnythingBut::IgnoreCase(texts)),
        _ => texts
            .iter()
            .map(|text| Wildcard::parse(text))
            .collect::<Result<_, _>>()
            .map(AnythingBut::Wildcard),
    }
}

/// A string, or a non-empty list of strings, for `name` inside `anything-but`.
fn strings(operand: &Value, name: &str) -> Result<Vec<String>, String> {
    let refused =
        || format!("Inside anything-but/{name} list, number|start|null|boolean is not supported.");
    match operand {
        Value::String(text) => Ok(vec![text.clone()]),
        Value::Array(values) if !values.is_empty() => values
            .iter()
            .map(|v| v.as_str().map(String::from).ok_or_else(refused))
            .collect(),
        Value::Array(_) => Err("Empty arrays are not allowed".into()),
        _ => Err(refused()),
    }
}

fn number(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

/// The operand of `numeric`: `["=", x]`, or a lower bound (`>`, `>=`) and/or an upper bound
/// (`<`, `<=`), the lower first.
fn numeric(operand: &Value) -> Result<Numeric, String> {
    let Value::Array(terms) = operand else {
        return Err("Value of numeric must be an array.".into());
    };
    let comparisons = terms
        .chunks(2)
        .map(comparison)
        .collect::<Result<Vec<_>, _>>()?;
    let range = |lower, upper| Ok(Numeric { lower, upper });
    match comparisons.as_slice() {
        [] => Err("Invalid member in numeric match: ]".into()),
        [("=", x)] => range(Some((*x, true)), Some((*x, true))),
        [(op @ (">" | ">="), x)] => range(Some((*x, *op == ">=")), None),
        [(op @ ("<" | "<="), x)] => range(None, Some((*x, *op == "<="))),
        [(low @ (">" | ">="), x), (high @ ("<" | "<="), y)] => {
            range(Some((*x, *low == ">=")), Some((*y, *high == "<=")))
        }
        [(">" | ">=", _), (op, _)] => Err(format!("Bad numeric range operator: {op}")),
        _ => Err("Too many elements in numeric expression".into()),
    }
}

/// One operator and its number.
fn comparison(pair: &[Value]) -> Result<(&str, f64), String> {
    let operator = match &pair[0] {
        Value::String(op) if ["=", "<", "<=", ">", ">="].contains(&op.as_str()) => op.as_str(),
        Value::String(op) => return Err(format!("Unrecognized numeric range operator: {op}")),
        other => return Err(format!("Invalid member in numeric match: {other}")),
    };
    match pair.get(1).and_then(Value::as_number) {
        Some(n) => Ok((operator, number(n))),
        None => Err(format!("Value of {operator} must be numeric")),
    }
}
