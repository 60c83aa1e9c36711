//! JSON documents of events read as a stream: the document's structure (its object or array,
//! keys and commas) is followed here a token at a time, and each entry — the one thing held
//! whole, up to `MAX_ENTRY_BYTES` — is validated by serde_json and handed over as an event
//! before the next is read. A document of any size is read in the memory of one entry.

use crate::fault::Fault;
use crate::shape::{Keys, Member, Object, Shape, Unfit};
use crate::source::Source;
use crate::{MAX_ENTRY_BYTES, MAX_EVENT_BYTES};

/// Reads documents one after another to the end of the input, each of one of `shapes`, handing
/// `each` their events in order; returns how many. An input with no document is refused.
pub(crate) fn read(
    source: &mut Source,
    shapes: &'static [Shape],
    keys: Keys,
    each: &mut dyn FnMut(&str),
) -> Result<u64, Fault> {
    let mut reader = Reader {
        shapes,
        keys,
        entries: 0,
        events: 0,
        unreadable: None,
        each,
    };
    let mut documents = 0;
    while let Some(first) = source.peek()? {
        reader.document(source, first)?;
        documents += 1;
    }
    match documents {
        0 => Err(Fault::Refused),
        _ => Ok(reader.events),
    }
}

/// Where reading the documents of one input is.
struct Reader<'e> {
    shapes: &'static [Shape],
    keys: Keys,
    /// Entries read so far, across documents.
    entries: usize,
    /// Events handed over.
    events: u64,
    /// The first entry that is not an event: nothing after it is handed over, and it is
    /// refused once its document has been read whole (a document not of its shape is refused
    /// as that instead, as when documents were read whole).
    unreadable: Option<usize>,
    each: &'e mut dyn FnMut(&str),
}

impl Reader<'_> {
    /// One document, from its first byte.
    fn document(&mut self, source: &mut Source, first: u8) -> Result<(), Fault> {
        match first {
            b'[' if self.shapes.contains(&Shape::Array) => self.entries(source, Shape::Array)?,
            b'{' if self.shapes.iter().any(|s| s.is_object()) => self.object(source)?,
            _ => return Err(Fault::Refused),
        }
        match self.unreadable {
            Some(entry) => Err(Fault::Entry(entry)),
            None => Ok(()),
        }
    }

    /// A document object: its keys tell its shape as they come.
    fn object(&mut self, source: &mut Source) -> Result<(), Fault> {
        source.consume(1);
        let mut object = Object::new(self.shapes, self.keys);
        if !source.next_is(b'}')? {
            loop {
                let key = key(source)?;
                expect(source, b':')?;
                match object.member(&key).ok_or(Fault::Refused)? {
                    Member::Entries(shape) => self.entries(source, shape)?,
                    Member::Value(kind) => {
                        match source.value(MAX_ENTRY_BYTES, |v| kind.admits(v)) {
                            Ok(true) => {}
                            Ok(false) | Err(Fault::Long) => return Err(Fault::Refused),
                            Err(fault) => return Err(fault),
                        }
                    }
                }
                if !separated(source, b'}')? {
                    break;
                }
            }
        }
        match object.complete() {
            true => Ok(()),
            false => Err(Fault::Refused),
        }
    }

    /// A list of entries, each an event of `shape`.
    fn entries(&mut self, source: &mut Source, shape: Shape) -> Result<(), Fault> {
        expect(source, b'[')?;
        if source.next_is(b']')? {
            return Ok(());
        }
        loop {
            self.entries += 1;
            let entry = self.entries;
            let read = source.value(MAX_ENTRY_BYTES, |value| {
                match shape.event(value, self.keys) {
                    Ok(event) => self.hand_over(entry, &event),
                    Err(Unfit::NotOfShape) => Err(Fault::Refused),
                    Err(Unfit::NotEvent) => {
                        self.unreadable.get_or_insert(entry);
                        Ok(())
                    }
                }
            });
            match read {
                Ok(handed) => handed?,
                Err(Fault::Long) => return Err(Fault::TooLarge(entry as u64)),
                Err(fault) => return Err(fault),
            }
            if !separated(source, b']')? {
                return Ok(());
            }
        }
    }

    /// One entry's event to the caller, unless an earlier entry was not an event.
    fn hand_over(&mut self, entry: usize, event: &str) -> Result<(), Fault> {
        if self.unreadable.is_some() {
            return Ok(());
        }
        if event.len() > MAX_EVENT_BYTES {
            return Err(Fault::TooLarge(entry as u64));
        }
        self.events += 1;
        (self.each)(event);
        Ok(())
    }
}

/// A key of a document object.
fn key(source: &mut Source) -> Result<String, Fault> {
    match source.value(MAX_ENTRY_BYTES, |v| {
        serde_json::from_str::<String>(v.get()).ok()
    }) {
        Ok(Some(key)) => Ok(key),
        Ok(None) | Err(Fault::Long) => Err(Fault::Refused),
        Err(fault) => Err(fault),
    }
}

/// Uses `byte`, which must come next.
fn expect(source: &mut Source, byte: u8) -> Result<(), Fault> {
    match source.next_is(byte)? {
        true => Ok(()),
        false => Err(not_there(source)?),
    }
}

/// After a member or an entry: a comma (true: another follows) or `close` (false: the end).
fn separated(source: &mut Source, close: u8) -> Result<bool, Fault> {
    match source.peek()? {
        Some(b',') => {
            source.consume(1);
            Ok(true)
        }
        Some(byte) if byte == close => {
            source.consume(1);
            Ok(false)
        }
        _ => Err(not_there(source)?),
    }
}

/// What stands where a byte of the structure was expected: the end of the input, or not JSON.
fn not_there(source: &mut Source) -> Result<Fault, Fault> {
    Ok(match source.peek()? {
        None => Fault::Eof,
        Some(_) => Fault::Syntax,
    })
}
