//! Normalised comparison of CloudWatch Logs JSON filter patterns (interim; issue [2] brings semantics).
//!
//! Two patterns are treated as the same filter when their parsed trees are equal after removing
//! whitespace, quotes around bare words, redundant parentheses, and sorting the operands of `||`
//! and `&&` (both are commutative). The parser covers the JSON pattern grammar that CIS uses:
//! `{ … }`, `&&`, `||`, parentheses, and conditions of the form `selector op value`,
//! `selector IS NULL|TRUE|FALSE` and `selector NOT EXISTS`. Anything else is kept as text.

use std::collections::BTreeSet;
use std::fmt;

/// A parsed JSON filter pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expr {
    /// Any operand matches (`||`).
    Or(Vec<Expr>),
    /// Every operand matches (`&&`).
    And(Vec<Expr>),
    /// One comparison.
    Cond(Condition),
}

/// One comparison inside a JSON pattern, such as `$.eventName = DeleteTrail`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Condition {
    /// The selector, such as `$.eventName`.
    pub selector: String,
    /// The operator: `=`, `!=`, `<`, `>`, `<=`, `>=`, `IS`, or `NOT EXISTS`.
    pub op: String,
    /// The value as written without surrounding quotes (empty for `NOT EXISTS`).
    pub value: String,
    /// True when the value needs quotes to be printed back (it is not a bare word).
    pub quoted: bool,
}

/// A pattern that could not be parsed, with the 1-based column where parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based character column.
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for PatternError {}

/// Parses a JSON filter pattern (`{ … }`).
pub fn parse(pattern: &str) -> Result<Expr, PatternError> {
    let mut p = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
    };
    p.skip_ws();
    p.expect('{')?;
    let expr = p.or_expr()?;
    p.skip_ws();
    p.expect('}')?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.error("end of pattern"));
    }
    Ok(expr)
}

/// The canonical text of a pattern: equal for patterns that differ only in whitespace, quoting of
/// bare words, redundant parentheses, or the order of `||`/`&&` operands. A pattern that does not
/// parse as JSON is canonicalised by collapsing its whitespace.
pub fn canonical(pattern: &str) -> String {
    match parse(pattern) {
        Ok(expr) => format!("{{ {} }}", print(&normalise(expr), false)),
        Err(_) => pattern.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// True when two patterns are the same filter up to formatting (see [`canonical`]).
pub fn equivalent(a: &str, b: &str) -> bool {
    canonical(a) == canonical(b)
}

/// The canonical pattern laid out one top-level operand per line, for readable diffs.
pub fn pretty(pattern: &str) -> String {
    let Ok(expr) = parse(pattern) else {
        return format!("{}\n", pattern.trim());
    };
    let expr = normalise(expr);
    let mut out = String::from("{\n");
    match &expr {
        Expr::Or(items) => {
            for (i, item) in items.iter().enumerate() {
                let sep = if i + 1 < items.len() { " ||" } else { "" };
                out.push_str(&format!("  {}{}\n", print(item, true), sep));
            }
        }
        other => out.push_str(&format!("  {}\n", print(other, true))),
    }
    out.push_str("}\n");
    out
}

/// Event names that the pattern names in a positive `$.eventName = Name` condition.
pub fn event_names(pattern: &str) -> BTreeSet<String> {
    fn walk(expr: &Expr, out: &mut BTreeSet<String>) {
        match expr {
            Expr::Or(items) | Expr::And(items) => items.iter().for_each(|e| walk(e, out)),
            Expr::Cond(c) => {
                if c.selector == "$.eventName" && c.op == "=" {
                    out.insert(c.value.clone());
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    if let Ok(expr) = parse(pattern) {
        walk(&expr, &mut out);
    }
    out
}

fn normalise(expr: Expr) -> Expr {
    match expr {
        Expr::Cond(c) => Expr::Cond(c),
        Expr::Or(items) => rebuild(items, true),
        Expr::And(items) => rebuild(items, false),
    }
}

fn rebuild(items: Vec<Expr>, is_or: bool) -> Expr {
    let mut flat = Vec::new();
    for item in items.into_iter().map(normalise) {
        match item {
            Expr::Or(inner) if is_or => flat.extend(inner),
            Expr::And(inner) if !is_or => flat.extend(inner),
            other => flat.push(other),
        }
    }
    flat.sort();
    flat.dedup();
    if flat.len() == 1 {
        return flat.pop().expect("one item");
    }
    if is_or {
        Expr::Or(flat)
    } else {
        Expr::And(flat)
    }
}

fn print(expr: &Expr, parens_on_conditions: bool) -> String {
    match expr {
        Expr::Cond(c) => {
            let text = print_condition(c);
            if parens_on_conditions {
                format!("({text})")
            } else {
                text
            }
        }
        Expr::Or(items) => items
            .iter()
            .map(|e| match e {
                Expr::And(_) => format!("({})", print(e, parens_on_conditions)),
                _ => print(e, parens_on_conditions),
            })
            .collect::<Vec<_>>()
            .join(" || "),
        Expr::And(items) => items
            .iter()
            .map(|e| match e {
                Expr::Or(_) => format!("({})", print(e, parens_on_conditions)),
                _ => print(e, parens_on_conditions),
            })
            .collect::<Vec<_>>()
            .join(" && "),
    }
}

fn print_condition(c: &Condition) -> String {
    match c.op.as_str() {
        "NOT EXISTS" => format!("{} NOT EXISTS", c.selector),
        "IS" => format!("{} IS {}", c.selector, c.value),
        op if c.quoted => format!("{} {} \"{}\"", c.selector, op, c.value.replace('"', "\\\"")),
        op => format!("{} {} {}", c.selector, op, c.value),
    }
}

/// A value that can be printed without quotes and means the same thing.
fn is_bare_word(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.*:/@+".contains(c))
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn error(&self, expected: &str) -> PatternError {
        let found = match self.chars.get(self.pos) {
            Some(c) => format!("`{c}`"),
            None => "the end of the pattern".to_string(),
        };
        PatternError {
            column: self.pos + 1,
            message: format!("expected {expected}, found {found}"),
        }
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek_str(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }

    fn expect(&mut self, c: char) -> Result<(), PatternError> {
        if self.chars.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("`{c}`")))
        }
    }

    fn or_expr(&mut self) -> Result<Expr, PatternError> {
        let mut items = vec![self.and_expr()?];
        loop {
            self.skip_ws();
            if self.peek_str("||") {
                self.pos += 2;
                items.push(self.and_expr()?);
            } else {
                break;
            }
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Expr::Or(items)
        })
    }

    fn and_expr(&mut self) -> Result<Expr, PatternError> {
        let mut items = vec![self.primary()?];
        loop {
            self.skip_ws();
            if self.peek_str("&&") {
                self.pos += 2;
                items.push(self.primary()?);
            } else {
                break;
            }
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Expr::And(items)
        })
    }

    fn primary(&mut self) -> Result<Expr, PatternError> {
        self.skip_ws();
        if self.chars.get(self.pos) == Some(&'(') {
            self.pos += 1;
            let inner = self.or_expr()?;
            self.skip_ws();
            self.expect(')')?;
            return Ok(inner);
        }
        self.condition().map(Expr::Cond)
    }

    fn condition(&mut self) -> Result<Condition, PatternError> {
        if self.chars.get(self.pos) != Some(&'$') {
            return Err(self.error("a selector such as `$.eventName` or `(`"));
        }
        let start = self.pos;
        while let Some(&c) = self.chars.get(self.pos) {
            if c.is_whitespace() || "=!<>)}&|".contains(c) {
                break;
            }
            self.pos += 1;
        }
        let selector: String = self.chars[start..self.pos].iter().collect();
        self.skip_ws();
        for op in ["!=", "<=", ">=", "=", "<", ">"] {
            if self.peek_str(op) {
                self.pos += op.len();
                self.skip_ws();
                let (value, quoted) = self.value()?;
                return Ok(Condition {
                    selector,
                    op: op.to_string(),
                    quoted: quoted && !is_bare_word(&value),
                    value,
                });
            }
        }
        if self.peek_str("IS") {
            self.pos += 2;
            self.skip_ws();
            for word in ["NULL", "TRUE", "FALSE"] {
                if self.peek_str(word) {
                    self.pos += word.len();
                    return Ok(Condition {
                        selector,
                        op: "IS".into(),
                        value: word.into(),
                        quoted: false,
                    });
                }
            }
            return Err(self.error("`NULL`, `TRUE` or `FALSE` after `IS`"));
        }
        if self.peek_str("NOT") {
            self.pos += 3;
            self.skip_ws();
            if self.peek_str("EXISTS") {
                self.pos += 6;
                return Ok(Condition {
                    selector,
                    op: "NOT EXISTS".into(),
                    value: String::new(),
                    quoted: false,
                });
            }
            return Err(self.error("`EXISTS` after `NOT`"));
        }
        Err(self.error("an operator (`=`, `!=`, `<`, `>`, `<=`, `>=`, `IS`, `NOT EXISTS`)"))
    }

    fn value(&mut self) -> Result<(String, bool), PatternError> {
        match self.chars.get(self.pos) {
            Some('"') => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    match self.chars.get(self.pos) {
                        None => return Err(self.error("a closing `\"`")),
                        Some('\\') => {
                            if let Some(&c) = self.chars.get(self.pos + 1) {
                                out.push(c);
                            }
                            self.pos += 2;
                        }
                        Some('"') => {
                            self.pos += 1;
                            return Ok((out, true));
                        }
                        Some(&c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some('%') => {
                let start = self.pos;
                self.pos += 1;
                while self.chars.get(self.pos).is_some_and(|&c| c != '%') {
                    self.pos += 1;
                }
                self.expect('%')?;
                Ok((self.chars[start..self.pos].iter().collect(), false))
            }
            _ => {
                let start = self.pos;
                while let Some(&c) = self.chars.get(self.pos) {
                    if c.is_whitespace() || c == ')' || c == '}' || self.peek_str("&&") {
                        break;
                    }
                    if self.peek_str("||") {
                        break;
                    }
                    self.pos += 1;
                }
                if start == self.pos {
                    return Err(self.error("a value"));
                }
                Ok((self.chars[start..self.pos].iter().collect(), false))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_quotes_order_and_parentheses_do_not_matter() {
        let a = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }";
        let b = "{$.eventName=\"UpdateTrail\"||(($.eventName = \"CreateTrail\"))}";
        assert!(equivalent(a, b));
    }

    #[test]
    fn a_missing_or_narrowing_clause_is_a_different_pattern() {
        let a = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }";
        assert!(!equivalent(a, "{ $.eventName = CreateTrail }"));
        assert!(!equivalent(
            a,
            "{ (($.eventName = CreateTrail) || ($.eventName = UpdateTrail)) && $.userIdentity.type = Root }"
        ));
    }

    #[test]
    fn precedence_is_kept() {
        // A || (B && C) is not (A || B) && C.
        assert!(!equivalent(
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
            "{ ($.a = 1 || $.b = 2) && $.c = 3 }"
        ));
        assert!(equivalent(
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
            "{ ($.c = 3 && $.b = 2) || $.a = 1 }"
        ));
    }

    #[test]
    fn quoted_values_with_spaces_stay_quoted() {
        assert_eq!(
            canonical("{ $.errorMessage = \"Failed authentication\" }"),
            "{ $.errorMessage = \"Failed authentication\" }"
        );
        assert!(!equivalent("{ $.a = \"x y\" }", "{ $.a = \"x  y\" }"));
    }

    #[test]
    fn is_and_not_exists_parse() {
        let c = canonical("{ $.userIdentity.invokedBy NOT EXISTS && $.x IS NULL }");
        assert_eq!(c, "{ $.userIdentity.invokedBy NOT EXISTS && $.x IS NULL }");
    }

    #[test]
    fn syntax_errors_name_the_column() {
        let err = parse("{ $.eventName = }").unwrap_err();
        assert_eq!(err.column, 17);
        assert!(err.message.contains("expected a value"), "{err}");
        let err = parse("{ eventName = X }").unwrap_err();
        assert_eq!(err.column, 3);
    }

    #[test]
    fn event_names_are_collected() {
        let names =
            event_names("{ ($.eventName = A) || ($.eventName = \"B\") || ($.eventName != C) }");
        assert_eq!(names.into_iter().collect::<Vec<_>>(), vec!["A", "B"]);
    }

    #[test]
    fn pretty_puts_each_operand_on_a_line() {
        assert_eq!(
            pretty("{ $.eventName = B || $.eventName = A }"),
            "{\n  ($.eventName = A) ||\n  ($.eventName = B)\n}\n"
        );
    }
}
