//! The syntax tree of a CloudWatch Logs filter pattern: plain data, comparable, printable.

/// A parsed filter pattern, of one of the four kinds the first non-blank character selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// The empty pattern (or `" "`): matches every event.
    MatchAll,
    /// Unstructured terms, such as `ERROR -DEBUG` or `?ERROR ?WARN`.
    Terms(Terms),
    /// A standalone regular expression, `%…%`, searched in the whole message.
    Regex(String),
    /// A JSON pattern, `{ … }`.
    Json(Expr),
    /// A space-delimited pattern, `[ … ]`.
    Space(SpacePattern),
}

/// Unstructured terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Terms {
    /// Every included term must occur and no excluded term may (`ERROR -DEBUG "a phrase"`).
    All(Vec<Term>),
    /// At least one term must occur (`?ERROR ?WARN`).
    Any(Vec<String>),
}

/// One unstructured term.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The text to find, as a substring.
    pub text: String,
    /// True for `-term`: the event must not contain it.
    pub exclude: bool,
    /// True when written in double quotes.
    pub quoted: bool,
}

/// A boolean expression over conditions; `&&` binds tighter than `||`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<C = Condition> {
    /// Any operand holds.
    Or(Vec<Expr<C>>),
    /// Every operand holds.
    And(Vec<Expr<C>>),
    /// One condition.
    Cond(C),
}

/// A JSON pattern condition: a selector and a test on what it selects.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Which value(s) of the event.
    pub selector: Selector,
    /// What must hold for it.
    pub test: Test,
}

/// A JSON selector such as `$.userIdentity.type`, `$.users[0].email` or `$.['a.b']`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selector(pub Vec<Segment>);

/// One step of a selector.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// `.name`.
    Field(String),
    /// `.['key.with.dots']`.
    Key(String),
    /// `[3]`.
    Index(usize),
    /// `[*]`: any element of an array.
    AnyIndex,
    /// `.*`: any field of an object.
    AnyField,
}

impl Selector {
    /// True for `[*]` and `.*` segments.
    pub fn wildcards(&self) -> usize {
        self.0
            .iter()
            .filter(|s| matches!(s, Segment::AnyIndex | Segment::AnyField))
            .count()
    }
}

/// The test a condition applies.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `= value`.
    Eq(Value),
    /// `!= value`.
    Ne(Value),
    /// `< number`.
    Lt(Number),
    /// `> number`.
    Gt(Number),
    /// `<= number`.
    Le(Number),
    /// `>= number`.
    Ge(Number),
    /// `IS NULL`.
    IsNull,
    /// `IS TRUE`.
    IsTrue,
    /// `IS FALSE`.
    IsFalse,
    /// `NOT EXISTS`.
    NotExists,
}

/// The right-hand side of `=` or `!=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string, quoted or bare; a `*` at its start and/or end is a wildcard.
    Str {
        /// The text without quotes, with escapes resolved.
        text: String,
        /// True when written in double quotes.
        quoted: bool,
    },
    /// A bare number (`400`, `-1.5`, `1e3`).
    Number(Number),
    /// `%regex%`.
    Regex(String),
}

/// A number as written, with its value.
#[derive(Debug, Clone)]
pub struct Number {
    /// The text as written (kept so that printing gives the same pattern back).
    pub text: String,
    /// Its value.
    pub value: f64,
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// A space-delimited pattern: one entry per field of the event.
#[derive(Debug, Clone, PartialEq)]
pub struct SpacePattern(pub Vec<SpaceField>);

/// One entry of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum SpaceField {
    /// `...`: any number of fields.
    Ellipsis,
    /// A named field, with an optional condition (`status_code = 4* && status_code != 403`).
    Named {
        /// The field's name.
        name: String,
        /// The condition, over this and earlier fields.
        condition: Option<Expr<SpaceCondition>>,
    },
}

/// A condition on a named field of a space-delimited event.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceCondition {
    /// The field it tests.
    pub field: String,
    /// The test (`IS …` and `NOT EXISTS` do not occur here).
    pub test: Test,
}
