//! Projection: parse only the parts of a JSON event that patterns read. A `Fields` is a tree of
//! the selector paths of one or more compiled patterns (plus any paths a caller adds);
//! `Fields::parse` builds a sparse `serde_json::Value` holding those paths and skips everything
//! else without building it, but validating it: a message is accepted or refused exactly as
//! `serde_json::from_str::<Value>` would, duplicate keys keep the last value, and the numbers and
//! strings kept are the ones a full parse gives.
//!
//! The skipping is `Skip`, not `serde::de::IgnoredAny`: serde_json's `IgnoredAny` accepts what a
//! full parse refuses (lone UTF-16 surrogates in `\u` escapes, numbers out of range such as
//! `1e400`, nesting deeper than 128).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::ast::{Expr, Pattern, Segment};

/// The JSON paths one or more patterns read, and how to parse just them.
///
/// The sparse value keeps, for every selected path, the whole value found there; on the way to
/// it, objects keep only their selected keys and arrays their selected indexes (an unselected
/// element before a selected index is `null`, elements after the last selected index are
/// dropped); scalars met on the way are kept as they are. Text patterns read no paths: they are
/// given the message itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    tree: Tree,
}

/// One node of the path tree. Invariant: every child under `keys` also holds the paths of
/// `any_key`, and every child under `indexes` those of `any_index`, so one lookup per key or
/// element finds every path that continues through it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tree {
    /// A path ends here: keep the whole value.
    whole: bool,
    keys: Vec<(String, Tree)>,
    any_key: Option<Box<Tree>>,
    indexes: Vec<(usize, Tree)>,
    any_index: Option<Box<Tree>>,
}

impl Fields {
    /// Adds the paths of one pattern's selectors (none for text patterns).
    pub fn add_pattern(&mut self, pattern: &Pattern) {
        if let Pattern::Json(expr) = pattern {
            self.add_expr(expr);
        }
    }

    fn add_expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Or(items) | Expr::And(items) => items.iter().for_each(|e| self.add_expr(e)),
            Expr::Cond(c) => self.add(&c.selector.0),
        }
    }

    /// These paths and a dotted one, such as `userIdentity.arn`, `resources[*].ARN`, `tags.*`
    /// or `items[0]`; the empty path selects the whole event.
    pub fn with(mut self, path: &str) -> Fields {
        self.add(&dotted(path));
        self
    }

    /// Adds the path of selector segments (as in `ast::Selector`).
    pub fn add(&mut self, segments: &[Segment]) {
        self.tree.insert(segments);
    }

    /// True when no path is selected (the patterns are all text patterns).
    pub fn is_empty(&self) -> bool {
        self.tree == Tree::default()
    }

    /// The sparse value of a message, or `None` when the message is not valid JSON.
    pub fn parse(&self, message: &str) -> Option<Json> {
        let mut de = serde_json::Deserializer::from_str(message);
        let value = Seed(&self.tree).deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(value)
    }
}

/// Splits a dotted path into segments; a part that does not read as `name[i]…` is a key.
fn dotted(path: &str) -> Vec<Segment> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split('.').flat_map(part).collect()
}

/// One dotted part: `*`, `name`, or `name` followed by `[digits]` and `[*]` steps.
fn part(text: &str) -> Vec<Segment> {
    if text == "*" {
        return vec![Segment::AnyField];
    }
    let name_end = text.find('[').unwrap_or(text.len());
    let (name, mut rest) = text.split_at(name_end);
    let mut out = Vec::new();
    if !name.is_empty() {
        out.push(Segment::Field(name.to_string()));
    }
    while !rest.is_empty() {
        let step = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .and_then(|(inside, after)| Some((index(inside)?, after)));
        let Some((segment, after)) = step else {
            return vec![Segment::Field(text.to_string())];
        };
        out.push(segment);
        rest = after;
    }
    out
}

fn index(inside: &str) -> Option<Segment> {
    match inside {
        "*" => Some(Segment::AnyIndex),
        digits => digits.parse().ok().map(Segment::Index),
    }
}

impl Tree {
    /// Adds a path, keeping the invariant that named children include the wildcard's paths.
    fn insert(&mut self, segments: &[Segment]) {
        let Some((first, rest)) = segments.split_first() else {
            self.whole = true;
            return;
        };
        match first {
            Segment::Field(name) | Segment::Key(name) => {
                let fallback = self.any_key.as_deref();
                child(&mut self.keys, name.clone(), fallback).insert(rest);
            }
            Segment::Index(i) => {
                let fallback = self.any_index.as_deref();
                child(&mut self.indexes, *i, fallback).insert(rest);
            }
            Segment::AnyField => {
                self.any_key.get_or_insert_default().insert(rest);
                self.keys.iter_mut().for_each(|(_, t)| t.insert(rest));
            }
            Segment::AnyIndex => {
                self.any_index.get_or_insert_default().insert(rest);
                self.indexes.iter_mut().for_each(|(_, t)| t.insert(rest));
            }
        }
    }

    /// The subtree for an object's key, if any path goes through it.
    fn key(&self, name: &str) -> Option<&Tree> {
        match self.keys.iter().find(|(k, _)| k == name) {
            Some((_, tree)) => Some(tree),
            None => self.any_key.as_deref(),
        }
    }

    /// The subtree for an array's element, if any path goes through it.
    fn element(&self, i: usize) -> Option<&Tree> {
        match self.indexes.iter().find(|(k, _)| *k == i) {
            Some((_, tree)) => Some(tree),
            None => self.any_index.as_deref(),
        }
    }

    /// How many leading elements of an array the sparse value keeps (`None`: all of them).
    fn kept_elements(&self) -> Option<usize> {
        match self.any_index {
            Some(_) => None,
            None => Some(self.indexes.iter().map(|(i, _)| i + 1).max().unwrap_or(0)),
        }
    }
}

/// The child of a node for a key or index, created from the wildcard's subtree when new.
fn child<'a, K: PartialEq>(
    children: &'a mut Vec<(K, Tree)>,
    key: K,
    fallback: Option<&Tree>,
) -> &'a mut Tree {
    let at = match children.iter().position(|(k, _)| *k == key) {
        Some(at) => at,
        None => {
            children.push((key, fallback.cloned().unwrap_or_default()));
            children.len() - 1
        }
    };
    &mut children[at].1
}

/// Deserializes the part of a value a path tree selects.
struct Seed<'t>(&'t Tree);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Json, D::Error> {
        if self.0.whole {
            return Json::deserialize(de);
        }
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // As serde_json's own Value visitor: a non-finite float is null.
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Key::Skip => {
                    map.next_value_seed(Skip)?;
                }
                Key::Take(name, tree) => {
                    let value = map.next_value_seed(Seed(tree))?;
                    out.insert(name, value);
                }
            }
        }
        Ok(Json::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let kept = self.0.kept_elements();
        let mut out = Vec::new();
        for i in 0.. {
            // An unselected element is skipped; before a selected index, `null` holds its place.
            let element = match self.0.element(i) {
                Some(tree) => seq.next_element_seed(Seed(tree))?,
                None => seq.next_element_seed(Skip)?.map(|()| Json::Null),
            };
            let Some(element) = element else { break };
            if kept.is_none_or(|k| i < k) {
                out.push(element);
            }
        }
        Ok(Json::Array(out))
    }
}

/// An object's key: kept with the subtree of paths through it, or skipped.
enum Key<'t> {
    Skip,
    Take(String, &'t Tree),
}

/// Reads a key (borrowed from the message when it has no escapes) and looks it up; only
/// selected keys are copied.
struct KeySeed<'t>(&'t Tree);

impl<'de, 't> DeserializeSeed<'de> for KeySeed<'t> {
    type Value = Key<'t>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Key<'t>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de, 't> Visitor<'de> for KeySeed<'t> {
    type Value = Key<'t>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'t>, E> {
        Ok(match self.0.key(key) {
            Some(tree) => Key::Take(key.to_string(), tree),
            None => Key::Skip,
        })
    }
}

/// Reads a value without keeping it, checking it as a full parse would: through
/// `deserialize_any`, so strings are unescaped (into serde_json's scratch buffer, allocating
/// nothing), numbers converted and nesting counted.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
}
