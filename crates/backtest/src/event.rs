//! What the tally reads of one CloudTrail event: its time, account, id, name and principal.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The dotted paths of the event fields the tally itself reads. A reader that parses events
/// sparsely includes these, and the fields the patterns read ([`crate::Tally::fields`]).
pub const FIELDS: &[&str] = &[
    "eventTime",
    "eventID",
    "recipientAccountId",
    "eventName",
    "userIdentity.arn",
    "userIdentity.principalId",
    "userIdentity.invokedBy",
    "userIdentity.type",
];

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// An instant, in nanoseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Instant(i128);

impl Instant {
    /// The instant of a date-time.
    pub(crate) fn of(at: OffsetDateTime) -> Instant {
        Instant(at.unix_timestamp_nanos())
    }

    /// The instant `seconds` after the epoch.
    pub(crate) fn from_seconds(seconds: i64) -> Instant {
        Instant(i128::from(seconds) * NANOS_PER_SECOND)
    }

    /// Parses an RFC 3339 time such as CloudTrail's `2026-11-01T12:00:00Z`.
    pub(crate) fn parse(text: &str) -> Option<Instant> {
        OffsetDateTime::parse(text, &Rfc3339).ok().map(Instant::of)
    }

    /// The instant just before this one (the last one of a half-open range ending here).
    pub(crate) fn just_before(self) -> Instant {
        Instant(self.0 - 1)
    }

    /// The index of the `seconds`-long bucket holding it, buckets aligned on the epoch.
    pub(crate) fn bucket(self, seconds: i64) -> i64 {
        let index = self.0.div_euclid(i128::from(seconds) * NANOS_PER_SECOND);
        i64::try_from(index).expect("an OffsetDateTime's bucket fits in i64")
    }

    /// The index of its UTC day.
    pub(crate) fn day(self) -> i64 {
        self.bucket(SECONDS_PER_DAY)
    }

    /// As RFC 3339 text, in UTC.
    pub(crate) fn rfc3339(self) -> String {
        OffsetDateTime::from_unix_timestamp_nanos(self.0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| format!("@{}ns", self.0))
    }
}

/// The day with index `day` (days since the epoch), as `YYYY-MM-DD`.
pub(crate) fn day_text(day: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(day * SECONDS_PER_DAY) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => format!("day {day}"),
    }
}

/// The fields of one event the tally uses, borrowed from the parsed event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event<'a> {
    /// `eventTime`, when present and readable.
    pub time: Option<Instant>,
    /// `eventID`.
    pub id: Option<&'a str>,
    /// `recipientAccountId`: the account the record belongs to.
    pub account: Option<&'a str>,
    /// `eventName`.
    pub name: Option<&'a str>,
    /// Who made the call (see [`principal`]).
    pub principal: &'a str,
}

impl<'a> Event<'a> {
    /// Reads the fields from a parsed event, sparse or whole.
    pub(crate) fn read(parsed: &'a Value) -> Event<'a> {
        Event {
            time: text(parsed, "eventTime").and_then(Instant::parse),
            id: text(parsed, "eventID"),
            account: text(parsed, "recipientAccountId"),
            name: text(parsed, "eventName"),
            principal: principal(parsed),
        }
    }
}

/// `userIdentity.arn`, else `principalId`, else `invokedBy`, else `type`, else `unknown`.
fn principal(parsed: &Value) -> &str {
    ["arn", "principalId", "invokedBy", "type"]
        .iter()
        .find_map(|f| text(parsed.get("userIdentity")?, f).filter(|s| !s.is_empty()))
        .unwrap_or("unknown")
}

/// The string at a dotted path, if there is one.
fn text<'a>(parsed: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.')
        .try_fold(parsed, |node, field| node.get(field))?
        .as_str()
}
