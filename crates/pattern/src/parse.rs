//! The parser: text to [`Pattern`], with errors that give the column, what was expected and what
//! was found, and with AWS's limits and unsupported forms rejected by name.

use crate::ast::*;
use crate::error::{Error, ErrorKind};
use quoted::quoted;

/// AWS's limit on a filter pattern's length, in characters.
pub const MAX_LENGTH: usize = 1024;
/// At most this many wildcard segments in one pattern.
pub const MAX_WILDCARDS: usize = 3;
/// At most this many regular expressions in a JSON or space-delimited pattern.
pub const MAX_REGEXES: usize = 2;

/// Parses a filter pattern. Never panics, whatever the input.
pub fn parse(text: &str) -> Result<Pattern, Error> {
    parse_with_traps(text).map(|(pattern, _)| pattern)
}

/// The `&&` chains written without parentheses as one operand of a `||` (`A || B && C`): since
/// `&&` binds tighter, their conditions apply only to that operand, which authors often do not
/// intend. Returns each chain's text; empty for patterns that do not parse.
pub fn precedence_traps(text: &str) -> Vec<String> {
    match parse_with_traps(text) {
        Ok((_, spans)) => {
            let chars: Vec<char> = text.chars().collect();
            spans
                .into_iter()
                .map(|(from, to)| {
                    chars[from..to]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_string()
                })
                .collect()
        }
        Err(_) => Vec::new(),
    }
}

fn parse_with_traps(text: &str) -> Result<(Pattern, Vec<(usize, usize)>), Error> {
    let length = text.chars().count();
    if length > MAX_LENGTH {
        return Err(Error::new(
            MAX_LENGTH + 1,
            ErrorKind::Limit,
            format!("{length} characters, where AWS allows {MAX_LENGTH}"),
        ));
    }
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        regexes: 0,
        wildcards: 0,
        traps: Vec::new(),
    };
    p.skip_ws();
    let pattern = match p.peek() {
        None => Pattern::MatchAll,
        Some('{') => {
            p.pos += 1;
            let expr = p.json_or()?;
            p.skip_ws();
            p.expect('}', "`&&`, `||` or `}`")?;
            Pattern::Json(expr)
        }
        Some('[') => {
            p.pos += 1;
            Pattern::Space(p.space_fields()?)
        }
        Some('%') => {
            let regex = p.regex()?;
            Pattern::Regex(regex)
        }
        Some(_) => p.terms()?,
    };
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.syntax("the end of the pattern"));
    }
    Ok((pattern, p.traps))
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    regexes: usize,
    wildcards: usize,
    /// Spans of unparenthesised `&&` chains that are operands of a `||`.
    traps: Vec<(usize, usize)>,
}

/// Characters a bare JSON or space-delimited value stops at.
fn ends_bare(c: char) -> bool {
    c.is_whitespace() || matches!(c, ')' | '}' | ']' | ',')
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_str(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }

    /// A keyword at the cursor, followed by a non-name character.
    fn peek_word(&self, word: &str) -> bool {
        self.peek_str(word)
            && !self
                .chars
                .get(self.pos + word.chars().count())
                .is_some_and(|c| is_name_char(*c))
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the pattern".into(),
            Some(c) if c.is_whitespace() => "a space".into(),
            Some(_) => {
                let rest: String = self.chars[self.pos..]
                    .iter()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                quoted(&rest).to_string()
            }
        }
    }

    fn syntax(&self, expected: &str) -> Error {
        Error::new(
            self.pos + 1,
            ErrorKind::Syntax,
            format!("expected {expected}, found {}", self.found()),
        )
    }

    fn expect(&mut self, c: char, expected: &str) -> Result<(), Error> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(expected))
        }
    }

    // ---- JSON patterns ----

    fn json_or(&mut self) -> Result<Expr, Error> {
        let mut chains = Vec::new();
        let (first, span) = self.json_and()?;
        chains.extend(span);
        let mut items = vec![first];
        loop {
            self.skip_ws();
            if self.peek_str("||") {
                self.pos += 2;
                let (item, span) = self.json_and()?;
                chains.extend(span);
                items.push(item);
            } else if self.peek() == Some('|') {
                return Err(self.syntax("`||`"));
            } else {
                break;
            }
        }
        if items.len() > 1 {
            self.traps.extend(chains);
        }
        Ok(one_or(items, Expr::Or))
    }

    /// An `&&` chain, with its span when it has more than one operand.
    fn json_and(&mut self) -> Result<(Expr, Option<(usize, usize)>), Error> {
        self.skip_ws();
        let start = self.pos;
        let mut items = vec![self.json_primary()?];
        let mut end = self.pos;
        loop {
            self.skip_ws();
            if self.peek_str("&&") {
                self.pos += 2;
                items.push(self.json_primary()?);
                end = self.pos;
            } else if self.peek() == Some('&') {
                return Err(self.syntax("`&&`"));
            } else {
                break;
            }
        }
        let span = (items.len() > 1).then_some((start, end));
        Ok((one_or(items, Expr::And), span))
    }

    fn json_primary(&mut self) -> Result<Expr, Error> {
        self.skip_ws();
        if self.peek() == Some('(') {
            self.pos += 1;
            let inner = self.json_or()?;
            self.skip_ws();
            self.expect(')', "`&&`, `||` or `)`")?;
            return Ok(inner);
        }
        if self.peek() != Some('$') {
            return Err(self.syntax("a selector such as `$.eventName`, or `(`"));
        }
        let selector = self.selector()?;
        self.skip_ws();
        let test = self.json_test()?;
        self.skip_ws();
        match self.peek() {
            None | Some('&' | '|' | ')' | '}') => {}
            _ => return Err(self.syntax("`&&`, `||`, `)` or `}`")),
        }
        Ok(Expr::Cond(Condition { selector, test }))
    }

    fn selector(&mut self) -> Result<Selector, Error> {
        let start = self.pos;
        self.pos += 1; // `$`
        let mut segments = Vec::new();
        loop {
            match self.peek() {
                Some('.') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('*') => {
                            self.pos += 1;
                            segments.push(Segment::AnyField);
                        }
                        Some('[') => segments.push(self.bracket_key()?),
                        Some(c) if is_name_char(c) => {
                            let from = self.pos;
                            while self.peek().is_some_and(is_name_char) {
                                self.pos += 1;
                            }
                            segments
                                .push(Segment::Field(self.chars[from..self.pos].iter().collect()));
                        }
                        _ => return Err(self.syntax("a property name, `*` or `['key']` after `.`")),
                    }
                }
                Some('[') => {
                    if self.chars.get(self.pos + 1) == Some(&'\'') {
                        segments.push(self.bracket_key()?);
                        continue;
                    }
                    self.pos += 1;
                    if self.peek() == Some('*') {
                        self.pos += 1;
                        segments.push(Segment::AnyIndex);
                    } else {
                        let from = self.pos;
                        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                            self.pos += 1;
                        }
                        let digits: String = self.chars[from..self.pos].iter().collect();
                        let index = digits
                            .parse::<usize>()
                            .map_err(|_| self.syntax("an array index such as `0`, or `*`"))?;
                        segments.push(Segment::Index(index));
                    }
                    self.expect(']', "`]`")?;
                }
                _ => break,
            }
        }
        if segments.is_empty() {
            return Err(self.syntax("`.` and a property name after `$`"));
        }
        let selector = Selector(segments);
        let wildcards = selector.wildcards();
        if wildcards > 1 {
            return Err(Error::new(
                start + 1,
                ErrorKind::Limit,
                "a second wildcard in one selector, where AWS allows one (`[*]` or `.*`)".into(),
            ));
        }
        self.wildcards += wildcards;
        if self.wildcards > MAX_WILDCARDS {
            return Err(Error::new(
                start + 1,
                ErrorKind::Limit,
                format!("a wildcard selector beyond the {MAX_WILDCARDS} AWS allows in a pattern"),
            ));
        }
        Ok(selector)
    }

    /// `['key.with.dots']` (after an optional `.`).
    fn bracket_key(&mut self) -> Result<Segment, Error> {
        self.expect('[', "`[`")?;
        self.expect('\'', "`'`")?;
        let from = self.pos;
        while self.peek().is_some_and(|c| c != '\'') {
            self.pos += 1;
        }
        let key: String = self.chars[from..self.pos].iter().collect();
        self.expect('\'', "a closing `'`")?;
        self.expect(']', "`]`")?;
        if key.is_empty() {
            return Err(self.syntax("a key inside `['…']`"));
        }
        Ok(Segment::Key(key))
    }

    fn json_test(&mut self) -> Result<Test, Error> {
        if let Some(test) = self.comparison()? {
            return Ok(test);
        }
        if self.peek_word("IS") {
            self.pos += 2;
            self.skip_ws();
            for (word, test) in [
                ("NULL", Test::IsNull),
                ("TRUE", Test::IsTrue),
                ("FALSE", Test::IsFalse),
            ] {
                if self.peek_word(word) {
                    self.pos += word.len();
                    return Ok(test);
                }
            }
            if self.peek_word("NOT") {
                return Err(Error::new(
                    self.pos + 1,
                    ErrorKind::Unsupported,
                    "`IS NOT` is not supported; use `!=` to compare, or `NOT EXISTS` for an absent field".into(),
                ));
            }
            return Err(self.syntax("`NULL`, `TRUE` or `FALSE` after `IS`"));
        }
        if self.peek_word("NOT") {
            self.pos += 3;
            self.skip_ws();
            if self.peek_word("EXISTS") {
                self.pos += 6;
                return Ok(Test::NotExists);
            }
            return Err(self.syntax("`EXISTS` after `NOT`"));
        }
        if self.peek_word("EXISTS") {
            return Err(Error::new(
                self.pos + 1,
                ErrorKind::Unsupported,
                "`EXISTS` is not supported; use `= *` for a field that has a value, or `NOT EXISTS` for an absent one".into(),
            ));
        }
        Err(self.syntax("an operator (`=`, `!=`, `<`, `>`, `<=`, `>=`, `IS`, `NOT EXISTS`)"))
    }

    /// `= value`, `!= value`, `< number` …; `None` when no comparison operator is at the cursor.
    fn comparison(&mut self) -> Result<Option<Test>, Error> {
        for op in ["!=", "<=", ">=", "=", "<", ">"] {
            if !self.peek_str(op) {
                continue;
            }
            self.pos += op.len();
            self.skip_ws();
            return Ok(Some(match op {
                "=" => Test::Eq(self.value()?),
                "!=" => Test::Ne(self.value()?),
                _ => {
                    let number = self.number_after(op)?;
                    match op {
                        "<" => Test::Lt(number),
                        ">" => Test::Gt(number),
                        "<=" => Test::Le(number),
                        _ => Test::Ge(number),
                    }
                }
            }));
        }
        Ok(None)
    }

    fn number_after(&mut self, op: &str) -> Result<Number, Error> {
        let from = self.pos;
        let text = self.bare_token();
        match parse_number(&text) {
            Some(value) => Ok(Number { text, value }),
            None => {
                self.pos = from;
                Err(self.syntax(&format!("a number after `{op}`")))
            }
        }
    }

    fn bare_token(&mut self) -> String {
        let from = self.pos;
        while let Some(c) = self.peek() {
            if ends_bare(c) || self.peek_str("&&") || self.peek_str("||") {
                break;
            }
            self.pos += 1;
        }
        self.chars[from..self.pos].iter().collect()
    }

    fn value(&mut self) -> Result<Value, Error> {
        match self.peek() {
            Some('"') => Ok(Value::Str {
                text: self.quoted()?,
                quoted: true,
            }),
            Some('%') => Ok(Value::Regex(self.regex()?)),
            _ => {
                let text = self.bare_token();
                if text.is_empty() {
                    return Err(self.syntax("a value"));
                }
                if text.contains('"') {
                    return Err(Error::new(
                        self.pos - text.chars().count() + 1,
                        ErrorKind::Syntax,
                        format!(
                            "expected a value, found {}: quote the whole value, as in {}",
                            quoted(&text),
                            quoted(&format!("\"{}\"", text.replace('"', "")))
                        ),
                    ));
                }
                Ok(match parse_number(&text) {
                    Some(value) => Value::Number(Number { text, value }),
                    None => Value::Str {
                        text,
                        quoted: false,
                    },
                })
            }
        }
    }

    /// A double-quoted string; `\"` and `\\` are escapes.
    fn quoted(&mut self) -> Result<String, Error> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(Error::new(
                        start + 1,
                        ErrorKind::Syntax,
                        "expected a closing `\"` for the string that starts here, found the end of the pattern".into(),
                    ))
                }
                Some('\\') if matches!(self.chars.get(self.pos + 1), Some('"' | '\\')) => {
                    out.push(self.chars[self.pos + 1]);
                    self.pos += 2;
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// `%regex%`, checked against AWS's restrictions.
    fn regex(&mut self) -> Result<String, Error> {
        let start = self.pos;
        self.pos += 1;
        let from = self.pos;
        while self.peek().is_some_and(|c| c != '%') {
            self.pos += 1;
        }
        if self.peek().is_none() {
            return Err(Error::new(
                start + 1,
                ErrorKind::Syntax,
                "expected a closing `%` for the regular expression that starts here, found the end of the pattern".into(),
            ));
        }
        let body: String = self.chars[from..self.pos].iter().collect();
        self.pos += 1;
        if body.is_empty() {
            return Err(Error::new(
                start + 1,
                ErrorKind::Syntax,
                "expected a regular expression between `%` and `%`".into(),
            ));
        }
        check_regex(&body, from)?;
        self.regexes += 1;
        if self.regexes > MAX_REGEXES {
            return Err(Error::new(
                start + 1,
                ErrorKind::Limit,
                format!("a regular expression beyond the {MAX_REGEXES} AWS allows in a pattern"),
            ));
        }
        Ok(body)
    }

    // ---- space-delimited patterns ----

    fn space_fields(&mut self) -> Result<SpacePattern, Error> {
        let mut fields = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(']') && fields.is_empty() {
                return Err(self.syntax("a field name or `...`"));
            }
            if self.peek_str("...") {
                self.pos += 3;
                fields.push(SpaceField::Ellipsis);
            } else {
                fields.push(self.space_field()?);
            }
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    return Ok(SpacePattern(fields));
                }
                _ => return Err(self.syntax("`,` or `]`")),
            }
        }
    }

    fn space_field(&mut self) -> Result<SpaceField, Error> {
        let start = self.pos;
        if self.peek() == Some('(') {
            let condition = self.space_or()?;
            let name = first_field(&condition).to_string();
            return Ok(SpaceField::Named {
                name,
                condition: Some(condition),
            });
        }
        let name = self.space_name()?;
        self.skip_ws();
        if self.peek().is_none() {
            return Err(self.syntax("`,` or `]`"));
        }
        if matches!(self.peek(), Some(',' | ']')) {
            return Ok(SpaceField::Named {
                name,
                condition: None,
            });
        }
        self.pos = start;
        let condition = self.space_or()?;
        Ok(SpaceField::Named {
            name,
            condition: Some(condition),
        })
    }

    fn space_name(&mut self) -> Result<String, Error> {
        let from = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        if from == self.pos {
            return Err(self.syntax("a field name (letters, digits and `_`) or `...`"));
        }
        Ok(self.chars[from..self.pos].iter().collect())
    }

    fn space_or(&mut self) -> Result<Expr<SpaceCondition>, Error> {
        let mut items = vec![self.space_and()?];
        loop {
            self.skip_ws();
            if self.peek_str("||") {
                self.pos += 2;
                items.push(self.space_and()?);
            } else {
                break;
            }
        }
        Ok(one_or(items, Expr::Or))
    }

    fn space_and(&mut self) -> Result<Expr<SpaceCondition>, Error> {
        let mut items = vec![self.space_primary()?];
        loop {
            self.skip_ws();
            if self.peek_str("&&") {
                self.pos += 2;
                items.push(self.space_primary()?);
            } else {
                break;
            }
        }
        Ok(one_or(items, Expr::And))
    }

    fn space_primary(&mut self) -> Result<Expr<SpaceCondition>, Error> {
        self.skip_ws();
        if self.peek() == Some('(') {
            self.pos += 1;
            let inner = self.space_or()?;
            self.skip_ws();
            self.expect(')', "`&&`, `||` or `)`")?;
            return Ok(inner);
        }
        let field = self.space_name()?;
        self.skip_ws();
        match self.comparison()? {
            Some(test) => Ok(Expr::Cond(SpaceCondition { field, test })),
            None => Err(self.syntax("an operator (`=`, `!=`, `<`, `>`, `<=`, `>=`)")),
        }
    }

    // ---- unstructured terms ----

    fn terms(&mut self) -> Result<Pattern, Error> {
        let mut all = Vec::new();
        let mut any = Vec::new();
        loop {
            self.skip_ws();
            let Some(c) = self.peek() else { break };
            let (exclude, optional) = match c {
                '-' => (true, false),
                '?' => (false, true),
                _ => (false, false),
            };
            if exclude || optional {
                self.pos += 1;
                if self.peek().is_none_or(char::is_whitespace) {
                    return Err(self.syntax(&format!("a term after `{c}`")));
                }
            }
            let (text, quoted) = if self.peek() == Some('"') {
                (self.quoted()?, true)
            } else {
                let from = self.pos;
                while self.peek().is_some_and(|c| !c.is_whitespace()) {
                    if self.peek() == Some('"') {
                        return Err(self.syntax("a space before a quoted phrase"));
                    }
                    self.pos += 1;
                }
                (self.chars[from..self.pos].iter().collect::<String>(), false)
            };
            if optional {
                any.push(text);
            } else {
                all.push(Term {
                    text,
                    exclude,
                    quoted,
                });
            }
        }
        // `" "` alone matches everything, like the empty pattern.
        if any.is_empty()
            && all.len() == 1
            && all[0].quoted
            && all[0].text.trim().is_empty()
            && !all[0].exclude
        {
            return Ok(Pattern::MatchAll);
        }
        // When `?` terms are mixed with plain terms, AWS ignores the `?` terms.
        Ok(if all.is_empty() {
            Pattern::Terms(Terms::Any(any))
        } else {
            Pattern::Terms(Terms::All(all))
        })
    }
}

fn one_or<C>(mut items: Vec<Expr<C>>, make: fn(Vec<Expr<C>>) -> Expr<C>) -> Expr<C> {
    if items.len() == 1 {
        items.pop().expect("one item")
    } else {
        make(items)
    }
}

fn first_field(expr: &Expr<SpaceCondition>) -> &str {
    match expr {
        Expr::Cond(c) => &c.field,
        Expr::Or(items) | Expr::And(items) => first_field(&items[0]),
    }
}

/// Parses a number as the pattern language writes it: `[+|-] digits [. digits] [e [+|-] digits]`.
pub fn parse_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let from = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if !digits(&mut i) {
        return None;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    text.trim_start_matches('+').parse::<f64>().ok()
}

/// Checks a regular expression body against what AWS accepts.
fn check_regex(body: &str, offset: usize) -> Result<(), Error> {
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = offset + i + 1;
        if !c.is_ascii() {
            return Err(Error::new(
                column,
                ErrorKind::Unsupported,
                format!(
                    "{}: regular expressions may contain only ASCII characters",
                    quoted(&c.to_string())
                ),
            ));
        }
        match c {
            '(' | ')' => {
                return Err(Error::new(
                    column,
                    ErrorKind::Unsupported,
                    "`(` and `)` are not supported in regular expressions; use `|` between alternatives or write two conditions".into(),
                ))
            }
            ' ' => {
                return Err(Error::new(
                    column,
                    ErrorKind::Unsupported,
                    "a space is not allowed in a regular expression; use `\\s`".into(),
                ))
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('d' | 'D' | 's' | 'S' | 'w' | 'W') => i += 1,
                    Some('x') => {
                        let hex = chars.get(i + 2..i + 4).unwrap_or_default();
                        if hex.len() != 2 || !hex.iter().all(char::is_ascii_hexdigit) {
                            return Err(Error::new(
                                column,
                                ErrorKind::Syntax,
                                "expected two hexadecimal digits after `\\x`".into(),
                            ));
                        }
                        i += 3;
                    }
                    Some(e) if "^$?[]{}|\\*+.-:_#=@/;,".contains(*e) => i += 1,
                    Some(e) => {
                        return Err(Error::new(
                            column,
                            ErrorKind::Unsupported,
                            format!("{} is not supported; AWS allows \\d \\D \\s \\S \\w \\W \\xhh and escaped symbols", quoted(&format!("\\{e}"))),
                        ))
                    }
                    None => {
                        return Err(Error::new(
                            column,
                            ErrorKind::Syntax,
                            "expected an escape after `\\`, found the end of the regular expression".into(),
                        ))
                    }
                }
            }
            c if c.is_ascii_alphanumeric() || ":_#=@/;,-^$?[]{}|*+.".contains(c) => {}
            c => {
                return Err(Error::new(
                    column,
                    ErrorKind::Unsupported,
                    format!("{} is not allowed in a regular expression (AWS allows letters, digits, `:_#=@/;,-` and `^$?[]{{}}|\\*+.`)", quoted(&c.to_string())),
                ))
            }
        }
        i += 1;
    }
    regex_syntax::Parser::new().parse(body).map_err(|e| {
        Error::new(
            offset + 1,
            ErrorKind::Syntax,
            format!("invalid regular expression: {}", one_line(&e.to_string())),
        )
    })?;
    Ok(())
}

fn one_line(text: &str) -> String {
    text.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_string()
}
