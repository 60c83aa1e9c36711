//! A parsed event pattern: objects of fields, each field a nested object or a list of
//! matchers (any of which may match), and `$or` alternatives.

use crate::cidr::Cidr;
use crate::wildcard::Wildcard;

/// An object of a pattern: every field must match, and one alternative of each `$or`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The named fields, in the order written.
    pub fields: Vec<Field>,
    /// Each `$or` of this object: the event matches one of its patterns (at this level).
    pub any_of: Vec<Vec<Pattern>>,
}

/// One named field of a pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name in the event.
    pub name: String,
    /// What its value must be.
    pub node: Node,
}

/// What a field of a pattern asks of the event's field of that name.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// An object: the event's field is an object (or an array holding one) that matches it.
    Object(Pattern),
    /// A list of matchers: a value of the event's field (an element, for an array) matches one.
    Leaf(Vec<Matcher>),
}

/// One matcher of a field's list.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// The value itself: a string, a number (compared by value), `true`, `false` or `null`.
    Exact(serde_json::Value),
    /// A string starting with the text (`ignore_case`: in any case).
    Prefix { text: String, ignore_case: bool },
    /// A string ending with the text (`ignore_case`: in any case).
    Suffix { text: String, ignore_case: bool },
    /// A string equal to the text in any case.
    EqualsIgnoreCase(String),
    /// A string matching a pattern where `*` is any run of characters.
    Wildcard(Wildcard),
    /// A value that is none of these.
    AnythingBut(AnythingBut),
    /// A number within a range.
    Numeric(Numeric),
    /// A string that is an IP address within a CIDR block.
    Cidr(Cidr),
    /// The field is present (holding a value) or absent.
    Exists(bool),
}

/// What `anything-but` excludes.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    /// These strings.
    Strings(Vec<String>),
    /// These numbers (compared by value).
    Numbers(Vec<f64>),
    /// Strings starting with one of these.
    Prefix(Vec<String>),
    /// Strings ending with one of these.
    Suffix(Vec<String>),
    /// Strings matching one of these wildcard patterns.
    Wildcard(Vec<Wildcard>),
    /// These strings in any case.
    IgnoreCase(Vec<String>),
}

/// A numeric range: a number above `lower` (if any) and below `upper` (if any).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Numeric {
    /// The lower bound and whether it is included.
    pub lower: Option<(f64, bool)>,
    /// The upper bound and whether it is included.
    pub upper: Option<(f64, bool)>,
}

impl Numeric {
    /// Whether `x` is within the range.
    pub fn contains(&self, x: f64) -> bool {
        let above = match self.lower {
            Some((bound, true)) => x >= bound,
            Some((bound, false)) => x > bound,
            None => true,
        };
        let below = match self.upper {
            Some((bound, true)) => x <= bound,
            Some((bound, false)) => x < bound,
            None => true,
        };
        above && below
    }
}
