//! Printing patterns: the text form (which parses back to the same tree), the explained form
//! with every grouping made explicit, and the canonical form used to compare patterns.

use std::fmt::{self, Display, Write};

use crate::ast::*;

impl Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::MatchAll => Ok(()),
            Pattern::Terms(Terms::All(terms)) => {
                let parts: Vec<String> = terms
                    .iter()
                    .map(|t| {
                        let text = term_text(&t.text, t.quoted);
                        if t.exclude {
                            format!("-{text}")
                        } else {
                            text
                        }
                    })
                    .collect();
                f.write_str(&parts.join(" "))
            }
            Pattern::Terms(Terms::Any(terms)) => {
                let parts: Vec<String> = terms
                    .iter()
                    .map(|t| format!("?{}", term_text(t, false)))
                    .collect();
                f.write_str(&parts.join(" "))
            }
            Pattern::Regex(r) => write!(f, "%{r}%"),
            Pattern::Json(expr) => write!(f, "{{ {} }}", expr_text(expr, &condition_text, false)),
            Pattern::Space(SpacePattern(fields)) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|field| match field {
                        SpaceField::Ellipsis => "...".to_string(),
                        SpaceField::Named {
                            name,
                            condition: None,
                        } => name.clone(),
                        SpaceField::Named {
                            condition: Some(c), ..
                        } => expr_text(c, &space_condition_text, false),
                    })
                    .collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

fn term_text(text: &str, quoted: bool) -> String {
    let needs_quotes = quoted
        || text.is_empty()
        || text.chars().any(|c| c.is_whitespace() || c == '"')
        || text.starts_with(['-', '?', '{', '[', '%']);
    if needs_quotes {
        format!("\"{}\"", escape(text))
    } else {
        text.to_string()
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// An expression; nested groups get parentheses, so that parsing the text gives the same tree.
/// With `explicit`, every `&&` group inside `||` and every condition is parenthesised too.
fn expr_text<C>(expr: &Expr<C>, cond: &dyn Fn(&C) -> String, explicit: bool) -> String {
    match expr {
        Expr::Cond(c) => {
            if explicit {
                format!("({})", cond(c))
            } else {
                cond(c)
            }
        }
        Expr::Or(items) => items
            .iter()
            .map(|e| match e {
                Expr::Or(_) => format!("({})", expr_text(e, cond, explicit)),
                Expr::And(_) if explicit => format!("({})", expr_text(e, cond, explicit)),
                _ => expr_text(e, cond, explicit),
            })
            .collect::<Vec<_>>()
            .join(" || "),
        Expr::And(items) => items
            .iter()
            .map(|e| match e {
                Expr::Or(_) | Expr::And(_) => format!("({})", expr_text(e, cond, explicit)),
                _ => expr_text(e, cond, explicit),
            })
            .collect::<Vec<_>>()
            .join(" && "),
    }
}

/// A selector as written, such as `$.users[0].email`.
pub fn selector_text(selector: &Selector) -> String {
    let mut out = String::from("$");
    for segment in &selector.0 {
        match segment {
            Segment::Field(name) => {
                let _ = write!(out, ".{name}");
            }
            Segment::Key(key) => {
                let _ = write!(out, ".['{key}']");
            }
            Segment::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Segment::AnyIndex => out.push_str("[*]"),
            Segment::AnyField => out.push_str(".*"),
        }
    }
    out
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Str { text, quoted } => {
            let bare_ok = !text.is_empty()
                && !text.contains(|c: char| c.is_whitespace() || "\"(){}[],".contains(c))
                && !text.contains("&&")
                && !text.contains("||")
                && !text.starts_with('%')
                && crate::parse::parse_number(text).is_none();
            if *quoted || !bare_ok {
                format!("\"{}\"", escape(text))
            } else {
                text.clone()
            }
        }
        Value::Number(n) => n.text.clone(),
        Value::Regex(r) => format!("%{r}%"),
    }
}

fn test_text(test: &Test) -> String {
    match test {
        Test::Eq(v) => format!("= {}", value_text(v)),
        Test::Ne(v) => format!("!= {}", value_text(v)),
        Test::Lt(n) => format!("< {}", n.text),
        Test::Gt(n) => format!("> {}", n.text),
        Test::Le(n) => format!("<= {}", n.text),
        Test::Ge(n) => format!(">= {}", n.text),
        Test::IsNull => "IS NULL".into(),
        Test::IsTrue => "IS TRUE".into(),
        Test::IsFalse => "IS FALSE".into(),
        Test::NotExists => "NOT EXISTS".into(),
    }
}

/// One JSON condition as written, such as `$.eventName = DeleteTrail`.
pub fn condition_text(c: &Condition) -> String {
    format!("{} {}", selector_text(&c.selector), test_text(&c.test))
}

fn space_condition_text(c: &SpaceCondition) -> String {
    format!("{} {}", c.field, test_text(&c.test))
}

/// The pattern with every grouping explicit, as one line and as a tree, for `pattern explain`.
pub fn explain(pattern: &Pattern) -> String {
    let mut out = String::new();
    match pattern {
        Pattern::MatchAll => out.push_str("matches every event (empty pattern)\n"),
        Pattern::Terms(Terms::All(terms)) => {
            out.push_str("unstructured terms: an event matches when it contains every term and none of the excluded ones (case-sensitive substrings)\n");
            for t in terms {
                let _ = writeln!(
                    out,
                    "  {} {}",
                    if t.exclude {
                        "must not contain"
                    } else {
                        "must contain    "
                    },
                    term_text(&t.text, true)
                );
            }
        }
        Pattern::Terms(Terms::Any(terms)) => {
            out.push_str("unstructured terms: an event matches when it contains any of them (case-sensitive substrings)\n");
            for t in terms {
                let _ = writeln!(out, "  may contain {}", term_text(t, true));
            }
        }
        Pattern::Regex(r) => {
            let _ = writeln!(
                out,
                "regular expression: an event matches when `{r}` is found anywhere in it"
            );
        }
        Pattern::Json(expr) => {
            out.push_str("JSON pattern, with grouping made explicit (&& binds tighter than ||):\n");
            let _ = writeln!(out, "  {{ {} }}\n", expr_text(expr, &condition_text, true));
            tree(&mut out, expr, &condition_text, "", true, true);
        }
        Pattern::Space(SpacePattern(fields)) => {
            out.push_str("space-delimited pattern: the event is split into fields at spaces (\"…\" and […] are one field)\n");
            for (i, field) in fields.iter().enumerate() {
                match field {
                    SpaceField::Ellipsis => {
                        let _ = writeln!(out, "  {:>2}. ... (any number of fields)", i + 1);
                    }
                    SpaceField::Named { name, condition } => {
                        let _ = writeln!(
                            out,
                            "  {:>2}. {name}{}",
                            i + 1,
                            condition
                                .as_ref()
                                .map(|c| format!(": {}", expr_text(c, &space_condition_text, true)))
                                .unwrap_or_default()
                        );
                    }
                }
            }
        }
    }
    out
}

fn tree<C>(
    out: &mut String,
    expr: &Expr<C>,
    cond: &dyn Fn(&C) -> String,
    prefix: &str,
    last: bool,
    root: bool,
) {
    let (branch, next) = if root {
        ("", String::from("  "))
    } else if last {
        ("└─ ", format!("{prefix}   "))
    } else {
        ("├─ ", format!("{prefix}│  "))
    };
    let lead = if root { "  " } else { prefix };
    match expr {
        Expr::Cond(c) => {
            let _ = writeln!(out, "{lead}{branch}{}", cond(c));
        }
        Expr::Or(items) | Expr::And(items) => {
            let label = if matches!(expr, Expr::Or(_)) {
                "OR  (any of)"
            } else {
                "AND (all of)"
            };
            let _ = writeln!(out, "{lead}{branch}{label}");
            for (i, item) in items.iter().enumerate() {
                tree(out, item, cond, &next, i + 1 == items.len(), false);
            }
        }
    }
}

/// The canonical text of a pattern: equal for patterns that differ only in whitespace, quoting of
/// bare words, redundant parentheses, or the order of `||` and `&&` operands.
pub fn canonical(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Json(expr) => format!(
            "{{ {} }}",
            expr_text(&normalise(expr.clone()), &canonical_condition, false)
        ),
        other => other.to_string(),
    }
}

fn canonical_condition(c: &Condition) -> String {
    let test = match &c.test {
        Test::Eq(Value::Str { text, .. }) => Test::Eq(Value::Str {
            text: text.clone(),
            quoted: false,
        }),
        Test::Ne(Value::Str { text, .. }) => Test::Ne(Value::Str {
            text: text.clone(),
            quoted: false,
        }),
        other => other.clone(),
    };
    format!("{} {}", selector_text(&c.selector), test_text(&test))
}

fn normalise(expr: Expr) -> Expr {
    let rebuild = |items: Vec<Expr>, is_or: bool| {
        let mut flat = Vec::new();
        for item in items.into_iter().map(normalise) {
            match item {
                Expr::Or(inner) if is_or => flat.extend(inner),
                Expr::And(inner) if !is_or => flat.extend(inner),
                other => flat.push(other),
            }
        }
        let mut keyed: Vec<(String, Expr)> = flat
            .into_iter()
            .map(|e| (expr_text(&e, &canonical_condition, false), e))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.dedup_by(|a, b| a.0 == b.0);
        let mut flat: Vec<Expr> = keyed.into_iter().map(|(_, e)| e).collect();
        if flat.len() == 1 {
            flat.pop().expect("one item")
        } else if is_or {
            Expr::Or(flat)
        } else {
            Expr::And(flat)
        }
    };
    match expr {
        Expr::Cond(c) => Expr::Cond(c),
        Expr::Or(items) => rebuild(items, true),
        Expr::And(items) => rebuild(items, false),
    }
}

/// The canonical pattern laid out one top-level operand per line, for readable diffs.
pub fn pretty(pattern: &Pattern) -> String {
    let Pattern::Json(expr) = pattern else {
        return format!("{pattern}\n");
    };
    let expr = normalise(expr.clone());
    let mut out = String::from("{\n");
    match &expr {
        Expr::Or(items) => {
            for (i, item) in items.iter().enumerate() {
                let sep = if i + 1 < items.len() { " ||" } else { "" };
                let _ = writeln!(
                    out,
                    "  {}{sep}",
                    expr_text(item, &canonical_condition, true)
                );
            }
        }
        other => {
            let _ = writeln!(out, "  {}", expr_text(other, &canonical_condition, true));
        }
    }
    out.push_str("}\n");
    out
}
