//! Parsing `--since`, `--from` and `--to` into a window and the archive's day folders.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::window::parse;

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

#[test]
fn the_archive_needs_a_window_and_local_files_do_not() {
    use crate::window::archive_days;
    let error = archive_days(None, true).unwrap_err().to_string();
    assert!(error.contains("pass `--since 7d`"), "{error}");
    assert!(archive_days(None, false).unwrap().is_empty());
    let w = parse(Some("1d"), None, None, at("2026-11-03T10:00:00Z")).unwrap();
    assert_eq!(archive_days(w.as_ref(), true).unwrap().len(), 3);
}
