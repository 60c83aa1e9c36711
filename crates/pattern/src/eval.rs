//! Evaluating a pattern against log events. A pattern is compiled once (its regular expressions
//! built); each event is parsed at most once. The decisions on the points the AWS documentation
//! leaves open are written down in `docs/filter-patterns.md`.

use std::collections::{HashMap, HashSet};

use regex::Regex;
use serde_json::Value as Json;

use crate::ast::*;
use crate::fields::Fields;

/// A pattern ready to evaluate.
#[derive(Debug, Clone)]
pub struct Compiled {
    pattern: Pattern,
    regexes: HashMap<String, Regex>,
    /// The JSON expression with runs of `$.x = A || $.x = B || …` folded into set lookups.
    json: Option<Node>,
    /// The paths the JSON expression reads: all `matches` parses of a message.
    fields: Fields,
}

/// A JSON expression prepared for evaluation.
#[derive(Debug, Clone)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Cond(Condition),
    /// Any of several exact string values at one wildcard-free selector: one lookup, one probe.
    OneOf(Vec<Segment>, HashSet<String>),
}

/// Folds `||` operands that compare one wildcard-free selector with exact strings.
fn prepare(expr: &Expr) -> Node {
    match expr {
        Expr::Cond(c) => Node::Cond(c.clone()),
        Expr::And(items) => Node::And(items.iter().map(prepare).collect()),
        Expr::Or(items) => {
            let mut sets: Vec<(Vec<Segment>, HashSet<String>)> = Vec::new();
            let mut rest = Vec::new();
            for item in items {
                match item {
                    Expr::Cond(Condition {
                        selector,
                        test: Test::Eq(Value::Str { text, .. }),
                    }) if selector.wildcards() == 0
                        && !text.starts_with('*')
                        && !text.ends_with('*') =>
                    {
                        match sets.iter_mut().find(|(s, _)| *s == selector.0) {
                            Some((_, set)) => {
                                set.insert(text.clone());
                            }
                            None => sets.push((selector.0.clone(), HashSet::from([text.clone()]))),
                        }
                    }
                    other => rest.push(prepare(other)),
                }
            }
            let mut nodes: Vec<Node> = sets
                .into_iter()
                .map(|(selector, set)| Node::OneOf(selector, set))
                .collect();
            nodes.extend(rest);
            Node::Or(nodes)
        }
    }
}

impl Compiled {
    /// Compiles a parsed pattern (its regular expressions were checked by the parser).
    pub fn new(pattern: Pattern) -> Compiled {
        let mut regexes = HashMap::new();
        collect_regexes(&pattern, &mut |r| {
            if let Ok(compiled) = Regex::new(r) {
                regexes.insert(r.to_string(), compiled);
            }
        });
        let json = match &pattern {
            Pattern::Json(expr) => Some(prepare(expr)),
            _ => None,
        };
        let mut fields = Fields::default();
        fields.add_pattern(&pattern);
        Compiled {
            pattern,
            regexes,
            json,
            fields,
        }
    }

    /// The pattern.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// True for JSON patterns, which match only events that are JSON objects.
    pub fn is_json(&self) -> bool {
        matches!(self.pattern, Pattern::Json(_))
    }

    /// The JSON paths the pattern reads (none for text patterns). To evaluate several JSON
    /// patterns on one event, parse it once with `Fields::of` over all of them and give the
    /// sparse value to each pattern's `matches_json`.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Whether the pattern matches a log event message. A JSON pattern parses only the paths it
    /// reads (`fields`), and an event that is not valid JSON does not match.
    pub fn matches(&self, message: &str) -> bool {
        match &self.json {
            Some(node) => match self.fields.parse(message) {
                Some(event) => self.node(node, &event),
                None => false,
            },
            None => self.text(message),
        }
    }

    /// Whether the pattern matches an event already parsed from JSON: in full, or sparse from
    /// `Fields::parse` with (at least) this pattern's `fields`. Text patterns see the event's
    /// compact JSON text, so give them a full value (or use `matches` on the message).
    pub fn matches_json(&self, event: &Json) -> bool {
        match &self.json {
            Some(node) => self.node(node, event),
            None => self.text(&event.to_string()),
        }
    }

    fn node(&self, node: &Node, event: &Json) -> bool {
        match node {
            Node::Or(items) => items.iter().any(|n| self.node(n, event)),
            Node::And(items) => items.iter().all(|n| self.node(n, event)),
            Node::Cond(c) => self.cond(c, event),
            Node::OneOf(selector, set) => match follow(selector, event) {
                Some(Json::String(s)) => set.contains(s.as_str()),
                Some(Json::Number(n)) => set.contains(&n.to_string()),
                _ => false,
            },
        }
    }

    /// Whether a JSON sub-expression of this pattern holds for an event (to explain misses).
    pub fn matches_expr(&self, expr: &Expr, event: &Json) -> bool {
        self.json(expr, event)
    }

    fn text(&self, message: &str) -> bool {
        match &self.pattern {
            Pattern::MatchAll => true,
            Pattern::Terms(Terms::All(terms)) => terms
                .iter()
                .all(|t| message.contains(t.text.as_str()) != t.exclude),
            Pattern::Terms(Terms::Any(terms)) => terms.iter().any(|t| message.contains(t.as_str())),
            Pattern::Regex(r) => self.regex(r, message),
            Pattern::Space(space) => self.space(space, message),
            Pattern::Json(_) => false,
        }
    }

    fn regex(&self, source: &str, text: &str) -> bool {
        self.regexes.get(source).is_some_and(|r| r.is_match(text))
    }

    fn json(&self, expr: &Expr, event: &Json) -> bool {
        match expr {
            Expr::Or(items) => items.iter().any(|e| self.json(e, event)),
            Expr::And(items) => items.iter().all(|e| self.json(e, event)),
            Expr::Cond(c) => self.cond(c, event),
        }
    }

    fn cond(&self, c: &Condition, event: &Json) -> bool {
        // Most selectors name one path: follow it without collecting.
        if c.selector.wildcards() == 0 {
            let node = follow(&c.selector.0, event);
            return self.test(&c.test, node.as_slice());
        }
        let mut nodes = Vec::new();
        select(&c.selector.0, event, &mut nodes);
        self.test(&c.test, &nodes)
    }

    fn test(&self, test: &Test, nodes: &[&Json]) -> bool {
        match test {
            Test::NotExists => nodes.is_empty(),
            Test::IsNull => nodes.iter().any(|n| n.is_null()),
            Test::IsTrue => nodes.iter().any(|n| n.as_bool() == Some(true)),
            Test::IsFalse => nodes.iter().any(|n| n.as_bool() == Some(false)),
            Test::Eq(v) => nodes.iter().any(|n| self.json_equals(n, v) == Some(true)),
            Test::Ne(v) => nodes.iter().any(|n| self.json_equals(n, v) == Some(false)),
            Test::Lt(x) => nodes
                .iter()
                .any(|n| n.as_f64().is_some_and(|n| n < x.value)),
            Test::Gt(x) => nodes
                .iter()
                .any(|n| n.as_f64().is_some_and(|n| n > x.value)),
            Test::Le(x) => nodes
                .iter()
                .any(|n| n.as_f64().is_some_and(|n| n <= x.value)),
            Test::Ge(x) => nodes
                .iter()
                .any(|n| n.as_f64().is_some_and(|n| n >= x.value)),
        }
    }

    /// Compares a selected node with a value: `None` when the node is not a value node (only
    /// strings and numbers are), so that neither `=` nor `!=` holds.
    fn json_equals(&self, node: &Json, value: &Value) -> Option<bool> {
        let compare = |text: &str| match value {
            Value::Str { text: pattern, .. } => wildcard(pattern, text),
            Value::Regex(r) => self.regex(r, text),
            Value::Number(x) => text == x.text,
        };
        match (node, value) {
            (Json::Number(n), Value::Number(x)) => Some(n.as_f64() == Some(x.value)),
            (Json::String(s), _) => Some(compare(s)),
            (Json::Number(n), _) => Some(compare(&n.to_string())),
            _ => None,
        }
    }

    fn space(&self, pattern: &SpacePattern, message: &str) -> bool {
        let tokens = split_fields(message);
        let mut bound: Vec<(&str, &str)> = Vec::new();
        self.space_match(&pattern.0, &tokens, &mut bound)
    }

    /// Matches fields to tokens, trying every split an ellipsis allows.
    fn space_match<'a>(
        &self,
        fields: &'a [SpaceField],
        tokens: &[&'a str],
        bound: &mut Vec<(&'a str, &'a str)>,
    ) -> bool {
        let Some((first, rest)) = fields.split_first() else {
            return tokens.is_empty() && self.space_conditions_hold(bound);
        };
        match first {
            SpaceField::Ellipsis => (0..=tokens.len()).any(|skip| {
                let mark = bound.len();
                let ok = self.space_match(rest, &tokens[skip..], bound);
                bound.truncate(mark);
                ok
            }),
            SpaceField::Named { name, .. } => {
                let Some((token, remaining)) = tokens.split_first() else {
                    return false;
                };
                bound.push((name.as_str(), token));
                let ok = self.space_match(rest, remaining, bound);
                bound.pop();
                ok
            }
        }
    }

    fn space_conditions_hold(&self, bound: &[(&str, &str)]) -> bool {
        // Conditions are checked once every field is bound; they may name any field.
        let Some(fields) = self.space_fields() else {
            return false;
        };
        fields.iter().all(|f| match f {
            SpaceField::Named {
                condition: Some(c), ..
            } => self.space_expr(c, bound),
            _ => true,
        })
    }

    fn space_fields(&self) -> Option<&[SpaceField]> {
        match &self.pattern {
            Pattern::Space(SpacePattern(fields)) => Some(fields),
            _ => None,
        }
    }

    fn space_expr(&self, expr: &Expr<SpaceCondition>, bound: &[(&str, &str)]) -> bool {
        match expr {
            Expr::Or(items) => items.iter().any(|e| self.space_expr(e, bound)),
            Expr::And(items) => items.iter().all(|e| self.space_expr(e, bound)),
            Expr::Cond(c) => {
                let Some((_, token)) = bound.iter().rev().find(|(name, _)| *name == c.field) else {
                    return false;
                };
                let number = token.parse::<f64>().ok();
                match &c.test {
                    Test::Eq(v) => self.token_equals(token, v),
                    Test::Ne(v) => !self.token_equals(token, v),
                    Test::Lt(x) => number.is_some_and(|n| n < x.value),
                    Test::Gt(x) => number.is_some_and(|n| n > x.value),
                    Test::Le(x) => number.is_some_and(|n| n <= x.value),
                    Test::Ge(x) => number.is_some_and(|n| n >= x.value),
                    _ => false,
                }
            }
        }
    }

    fn token_equals(&self, token: &str, value: &Value) -> bool {
        match value {
            Value::Str { text, .. } => wildcard(text, token),
            Value::Regex(r) => self.regex(r, token),
            Value::Number(x) => token
                .parse::<f64>()
                .map_or(token == x.text, |n| n == x.value),
        }
    }
}

/// The one node a wildcard-free selector picks, if any.
fn follow<'a>(segments: &[Segment], mut node: &'a Json) -> Option<&'a Json> {
    for segment in segments {
        node = match (segment, node) {
            (Segment::Field(name) | Segment::Key(name), Json::Object(map)) => map.get(name)?,
            (Segment::Index(i), Json::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The nodes a selector picks from an event; wildcards pick every element or field.
fn select<'a>(segments: &[Segment], node: &'a Json, out: &mut Vec<&'a Json>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(node);
        return;
    };
    match (first, node) {
        (Segment::Field(name) | Segment::Key(name), Json::Object(map)) => {
            if let Some(child) = map.get(name) {
                select(rest, child, out);
            }
        }
        (Segment::Index(i), Json::Array(items)) => {
            if let Some(child) = items.get(*i) {
                select(rest, child, out);
            }
        }
        (Segment::AnyIndex, Json::Array(items)) => {
            for child in items {
                select(rest, child, out);
            }
        }
        (Segment::AnyField, Json::Object(map)) => {
            for child in map.values() {
                select(rest, child, out);
            }
        }
        _ => {}
    }
}

/// String equality where a `*` at the start and/or end is a wildcard; `*` elsewhere is literal.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (starts, body) = match pattern.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let (ends, body) = match body.strip_suffix('*') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    match (starts, ends) {
        (false, false) => text == body,
        (true, false) => text.ends_with(body),
        (false, true) => text.starts_with(body),
        (true, true) => text.contains(body),
    }
}

/// Splits a space-delimited event into fields: runs of non-spaces, with `"…"` and `[…]` kept
/// whole (without their delimiters).
pub fn split_fields(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = message.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' || bytes[i] == b'\t' {
            i += 1;
            continue;
        }
        let close = match bytes[i] {
            b'"' => Some(b'"'),
            b'[' => Some(b']'),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(end) = bytes[i + 1..].iter().position(|b| *b == close) {
                out.push(&message[i + 1..i + 1 + end]);
                i += end + 2;
                continue;
            }
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'\t' {
            i += 1;
        }
        out.push(&message[start..i]);
    }
    out
}

fn collect_regexes(pattern: &Pattern, f: &mut dyn FnMut(&str)) {
    fn value(v: &Value, f: &mut dyn FnMut(&str)) {
        if let Value::Regex(r) = v {
            f(r);
        }
    }
    fn test(t: &Test, f: &mut dyn FnMut(&str)) {
        if let Test::Eq(v) | Test::Ne(v) = t {
            value(v, f);
        }
    }
    fn expr<C>(e: &Expr<C>, get: &dyn Fn(&C) -> &Test, f: &mut dyn FnMut(&str)) {
        match e {
            Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| expr(i, get, f)),
            Expr::Cond(c) => test(get(c), f),
        }
    }
    match pattern {
        Pattern::Regex(r) => f(r),
        Pattern::Json(e) => expr(e, &|c: &Condition| &c.test, f),
        Pattern::Space(SpacePattern(fields)) => {
            for field in fields {
                if let SpaceField::Named {
                    condition: Some(c), ..
                } = field
                {
                    expr(c, &|c: &SpaceCondition| &c.test, f);
                }
            }
        }
        _ => {}
    }
}
