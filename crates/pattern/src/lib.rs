//! The CloudWatch Logs filter pattern language: parse a pattern, print it back, explain it, and
//! evaluate it against log events. Pure: no I/O, no async.
//!
//! ```text
//! let compiled = pattern::compile("{ $.eventName = DeleteTrail }")?;
//! assert!(compiled.matches(r#"{"eventName":"DeleteTrail"}"#));
//! ```

pub mod ast;
mod error;
mod eval;
mod fields;
mod parse;
mod print;
#[cfg(test)]
mod tests;
mod union;

use std::collections::BTreeSet;

pub use ast::{Condition, Expr, Pattern, Segment, Selector, Test, Value};
pub use error::{Error, ErrorKind};
pub use eval::{split_fields, wildcard, Compiled};
pub use fields::Fields;
pub use parse::{parse, parse_number, precedence_traps, MAX_LENGTH, MAX_REGEXES, MAX_WILDCARDS};
pub use print::{canonical, condition_text, explain, pretty, selector_text};

/// Parses and compiles a pattern.
pub fn compile(text: &str) -> Result<Compiled, Error> {
    parse(text).map(Compiled::new)
}

/// True when two patterns are the same up to whitespace, quoting of bare words, redundant
/// parentheses and the order of `||`/`&&` operands. Unparsable patterns compare as text.
pub fn equivalent(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Ok(a), Ok(b)) => canonical(&a) == canonical(&b),
        _ => a.split_whitespace().eq(b.split_whitespace()),
    }
}

/// Event names a JSON pattern names in a positive, exact `$.eventName = Name` condition.
pub fn event_names(pattern: &Pattern) -> BTreeSet<String> {
    fn walk(expr: &Expr, out: &mut BTreeSet<String>) {
        match expr {
            Expr::Or(items) | Expr::And(items) => items.iter().for_each(|e| walk(e, out)),
            Expr::Cond(c) => {
                if let (Some(Segment::Field(f)), 1, Test::Eq(Value::Str { text, .. })) =
                    (c.selector.0.first(), c.selector.0.len(), &c.test)
                {
                    if f == "eventName" && !text.starts_with('*') && !text.ends_with('*') {
                        out.insert(text.clone());
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    if let Pattern::Json(expr) = pattern {
        walk(expr, &mut out);
    }
    out
}

/// For a JSON event the pattern does not match: the conditions that stop it inside `&&` groups
/// whose other operands hold, such as `$.userIdentity.type = Root`. Empty when no `&&` group
/// comes close (the event is simply not named).
pub fn blocking_conditions(compiled: &Compiled, event: &serde_json::Value) -> Vec<String> {
    fn walk(c: &Compiled, expr: &Expr, event: &serde_json::Value, out: &mut Vec<String>) {
        let holds = |e: &Expr| c.matches_expr(e, event);
        match expr {
            Expr::Cond(_) => {}
            Expr::Or(items) => items.iter().for_each(|e| walk(c, e, event, out)),
            Expr::And(items) => {
                let (held, failed): (Vec<&Expr>, Vec<&Expr>) = items.iter().partition(|e| holds(e));
                if !held.is_empty() {
                    for e in failed {
                        let text = match e {
                            Expr::Cond(cond) => condition_text(cond),
                            other => format!(
                                "({})",
                                canonical(&Pattern::Json(other.clone()))
                                    .trim_start_matches("{ ")
                                    .trim_end_matches(" }")
                            ),
                        };
                        if !out.contains(&text) {
                            out.push(text);
                        }
                    }
                } else {
                    items.iter().for_each(|e| walk(c, e, event, out));
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Pattern::Json(expr) = compiled.pattern() {
        if !compiled.matches_expr(expr, event) {
            walk(compiled, expr, event, &mut out);
        }
    }
    out
}
