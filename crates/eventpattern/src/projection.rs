//! The parts of an event a pattern reads, and a parse of an event's JSON text that builds only
//! those parts (the rest is checked and skipped), so a pattern is tested on a large event
//! without building all of it. Objects keep the fields named; arrays keep every element
//! (projected alike); a field matched by a list keeps its whole value. Matching the projected
//! event gives what matching the whole event gives.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::ast::{Node, Pattern};

/// The fields of an object to keep, each whole or in part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    keys: BTreeMap<String, Keep>,
}

/// How much of a field to keep.
#[derive(Debug, Clone, PartialEq)]
enum Keep {
    Whole,
    Part(Projection),
}

impl Projection {
    /// What `pattern` reads, in every `$or` alternative.
    pub fn of(pattern: &Pattern) -> Projection {
        let mut projection = Projection::default();
        for field in &pattern.fields {
            let keep = match &field.node {
                Node::Object(inner) => Keep::Part(Projection::of(inner)),
                Node::Leaf(_) => Keep::Whole,
            };
            projection.add(&field.name, keep);
        }
        for alternative in pattern.any_of.iter().flatten() {
            projection.merge(Projection::of(alternative));
        }
        projection
    }

    /// This projection keeping `key` whole as well.
    pub fn with_whole(mut self, key: &str) -> Projection {
        self.add(key, Keep::Whole);
        self
    }

    /// This projection keeping `key` as well, at least its presence.
    pub fn with_present(mut self, key: &str) -> Projection {
        self.add(key, Keep::Part(Projection::default()));
        self
    }

    /// What is kept of `key`: `None` for all of it, or the projection of its fields.
    pub fn part(&self, key: &str) -> Option<Option<&Projection>> {
        self.keys.get(key).map(|keep| match keep {
            Keep::Whole => None,
            Keep::Part(projection) => Some(projection),
        })
    }

    /// Every path it keeps, as keys from the top, each ending where the value is kept whole (a
    /// field kept for its presence alone ends there too): for a reader whose projection is a
    /// set of paths (a backtest's `pattern::Fields`). Arrays are not steps: a path goes through
    /// every element of an array found on its way.
    pub fn paths(&self) -> Vec<Vec<&str>> {
        let mut out = Vec::new();
        for (key, keep) in &self.keys {
            match keep {
                Keep::Part(inner) if !inner.keys.is_empty() => {
                    for mut rest in inner.paths() {
                        rest.insert(0, key.as_str());
                        out.push(rest);
                    }
                }
                Keep::Part(_) | Keep::Whole => out.push(vec![key.as_str()]),
            }
        }
        out
    }

    /// Everything `other` keeps as well.
    pub fn merge(&mut self, other: Projection) {
        for (key, keep) in other.keys {
            self.add(&key, keep);
        }
    }

    fn add(&mut self, key: &str, keep: Keep) {
        match (self.keys.get_mut(key), keep) {
            (None, keep) => {
                self.keys.insert(key.to_string(), keep);
            }
            (Some(Keep::Whole), _) => {}
            (Some(slot), Keep::Whole) => *slot = Keep::Whole,
            (Some(Keep::Part(mine)), Keep::Part(theirs)) => mine.merge(theirs),
        }
    }

    /// Parses JSON text, keeping what the projection keeps; refuses what a full parse refuses.
    pub fn parse(&self, text: &str) -> serde_json::Result<Value> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = self.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }
}

impl<'de> DeserializeSeed<'de> for &Projection {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(Projected(self))
    }
}

/// The visitor of one value under a projection.
struct Projected<'a>(&'a Projection);

impl<'de> Visitor<'de> for Projected<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match self.0.keys.get(key.as_str()) {
                Some(Keep::Whole) => {
                    kept.insert(key.into(), map.next_value::<Value>()?);
                }
                Some(Keep::Part(inner)) => {
                    kept.insert(key.into(), map.next_value_seed(inner)?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.0)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// An object's key, borrowed from the text unless it holds escapes (allocated only when kept).
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(key) => key,
            Key::Owned(key) => key,
        }
    }
}

impl From<Key<'_>> for String {
    fn from(key: Key<'_>) -> String {
        match key {
            Key::Borrowed(key) => key.to_string(),
            Key::Owned(key) => key,
        }
    }
}

/// Reads a key as a [`Key`].
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_string()))
    }
}
