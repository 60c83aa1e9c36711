//! The backtest's window: `--since DURATION` or `--from DATE --to DATE`, and the archive's day
//! folders it covers.

use anyhow::{bail, Context, Result};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

/// A window, for the tally and for listing the archive.
#[derive(Debug, Clone)]
pub struct Window {
    /// The instants counted.
    pub tally: backtest::Window,
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
) -> Result<Option<Window>> {
    let (start, end) = match (since, from, to) {
        (Some(since), _, _) => (now - duration(since)?, now),
        (None, Some(from), Some(to)) => {
            (instant(from, "--from", false)?, instant(to, "--to", true)?)
        }
        _ => return Ok(None),
    };
    let tally = backtest::Window::new(start, end)?;
    Ok(Some(Window {
        tally,
        days: days(
            start.date(),
            (end - Duration::nanoseconds(1)).date().next_day(),
        ),
    }))
}

/// `30m`, `36h`, `7d`, `2w`.
fn duration(text: &str) -> Result<Duration> {
    let hint = || {
        format!("`--since {text}` is not a duration; write a number and a unit, such as `7d`, `36h`, `2w` or `90m`")
    };
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .with_context(hint)?,
    );
    let n: i64 = number.parse().ok().filter(|n| *n > 0).with_context(hint)?;
    Ok(match unit {
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        "w" => Duration::weeks(n),
        _ => bail!(hint()),
    })
}

/// A day (`2026-11-01`, UTC: its start, or for an inclusive end the start of the next day) or
/// an RFC 3339 instant.
fn instant(text: &str, flag: &str, end: bool) -> Result<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::format_description::parse_borrowed::<2>("[year]-[month]-[day]")
        .expect("a valid format");
    let day = Date::parse(text, &format).with_context(|| {
        format!("`{flag} {text}` is neither a day (2026-11-01) nor an RFC 3339 time (2026-11-01T12:00:00Z)")
    })?;
    let day = match end {
        true => day
            .next_day()
            .with_context(|| format!("`{flag} {text}` is too far ahead"))?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> OffsetDateTime {
        OffsetDateTime::parse(text, &Rfc3339).unwrap()
    }

    #[test]
    fn since_counts_back_from_now_and_lists_every_day_and_the_next() {
        let w = parse(Some("2d"), None, None, at("2026-11-03T10:00:00Z"))
            .unwrap()
            .unwrap();
        assert_eq!(
            w.days,
            ["2026/11/01", "2026/11/02", "2026/11/03", "2026/11/04"]
        );
    }

    #[test]
    fn from_and_to_are_whole_days_with_the_last_included() {
        let w = parse(
            None,
            Some("2026-12-30"),
            Some("2026-12-31"),
            at("2027-01-10T00:00:00Z"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(w.days, ["2026/12/30", "2026/12/31", "2027/01/01"]);
        let exact = parse(
            None,
            Some("2026-11-01T00:00:00Z"),
            Some("2026-11-02T00:00:00Z"),
            at("2027-01-10T00:00:00Z"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(exact.days, ["2026/11/01", "2026/11/02"]);
    }

    #[test]
    fn bad_windows_are_refused_with_what_to_write() {
        let now = at("2026-11-03T10:00:00Z");
        for since in ["7", "d", "0d", "7y", "-1d"] {
            let e = parse(Some(since), None, None, now).unwrap_err().to_string();
            assert!(e.contains("7d"), "{since}: {e}");
        }
        let e = parse(None, Some("yesterday"), Some("2026-11-02"), now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--from yesterday"), "{e}");
        let e = parse(None, Some("2026-11-05"), Some("2026-11-01"), now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("after its start"), "{e}");
    }
}
