//! The window a backtest is asked for: `--since DURATION` or `--from DATE --to DATE`, parsed
//! against the `now` the caller gives, and the archive's day folders it covers.

use quoted::quoted;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

use crate::spec::{SpecError, TallyWindow};

/// The window the flags ask for: the instants the tally counts, and the archive's folders to
/// list.
#[derive(Debug, Clone)]
pub struct ParsedWindow {
    /// The instants counted.
    pub tally: TallyWindow,
    /// The archive's day folders (`YYYY/MM/DD`) that may hold its events: every day it
    /// touches, and the day after (log files are delivered up to about 15 minutes late).
    pub days: Vec<String>,
}

/// The window the flags give, if any (`now` is the end of a `--since` window).
pub fn parse(
    since: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    now: OffsetDateTime,
) -> Result<Option<ParsedWindow>, SpecError> {
    let (start, end) = match (since, from, to) {
        (Some(since), _, _) => (now - duration(since)?, now),
        (None, Some(from), Some(to)) => {
            (instant(from, "--from", false)?, instant(to, "--to", true)?)
        }
        _ => return Ok(None),
    };
    let tally = TallyWindow::new(start, end)?;
    Ok(Some(ParsedWindow {
        tally,
        days: days(
            start.date(),
            (end - Duration::nanoseconds(1)).date().next_day(),
        ),
    }))
}

/// The archive's day folders to list for `window`: reading the archive needs a window (local
/// files do not, and list nothing).
pub fn archive_days(
    window: Option<&ParsedWindow>,
    archive: bool,
) -> Result<Vec<String>, SpecError> {
    match (window, archive) {
        (None, true) => Err(SpecError("a backtest of the trail's archive needs a window: pass `--since 7d` or `--from DATE --to DATE` (or give local files)".into())),
        (window, _) => Ok(window.map(|w| w.days.clone()).unwrap_or_default()),
    }
}

/// `30m`, `36h`, `7d`, `2w`.
fn duration(text: &str) -> Result<Duration, SpecError> {
    let hint = || {
        SpecError(format!(
            "{} is not a duration; write a number and a unit, such as `7d`, `36h`, `2w` or `90m`",
            quoted(&format!("--since {text}"))
        ))
    };
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).ok_or_else(hint)?);
    let n: i64 = number.parse().ok().filter(|n| *n > 0).ok_or_else(hint)?;
    Ok(match unit {
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        "w" => Duration::weeks(n),
        _ => return Err(hint()),
    })
}

/// A day (`2026-11-01`, UTC: its start, or for an inclusive end the start of the next day) or
/// an RFC 3339 instant.
fn instant(text: &str, flag: &str, end: bool) -> Result<OffsetDateTime, SpecError> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::format_description::parse_borrowed::<2>("[year]-[month]-[day]")
        .expect("a valid format");
    let day = Date::parse(text, &format).map_err(|_| {
        SpecError(format!(
            "{} is neither a day (2026-11-01) nor an RFC 3339 time (2026-11-01T12:00:00Z)",
            quoted(&format!("{flag} {text}"))
        ))
    })?;
    let day = match end {
        true => day.next_day().ok_or_else(|| {
            SpecError(format!(
                "{} is too far ahead",
                quoted(&format!("{flag} {text}"))
            ))
        })?,
        false => day,
    };
    Ok(day.with_time(Time::MIDNIGHT).assume_utc())
}

/// The folders of the days from `first` to `last`, both included.
fn days(first: Date, last: Option<Date>) -> Vec<String> {
    let mut out = Vec::new();
    let mut day = Some(first);
    while let Some(d) = day.filter(|d| last.is_none_or(|l| *d <= l)) {
        out.push(format!(
            "{:04}/{:02}/{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        ));
        day = d.next_day();
    }
    out
}
