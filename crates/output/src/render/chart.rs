//! A backtest's matches per day as bars: a row per day, or, in a summary, each run of days
//! without a match as one row and, while there are more rows than fit on a screen, the days
//! grouped by the week (then two weeks, four…).

use std::fmt::Write as _;

use model::backtest::DayCount;

use super::detail::Detail;

/// The widest bar, in characters.
const BAR: u64 = 40;

/// The most rows of a summary's chart: a month of days.
const MAX_ROWS: usize = 31;

/// Consecutive days shown as one bar.
struct Row<'a> {
    first: &'a str,
    last: &'a str,
    days: usize,
    events: u64,
}

impl Row<'_> {
    fn label(&self) -> String {
        match self.days {
            1 => self.first.to_string(),
            _ => format!("{} … {}", self.first, self.last),
        }
    }
}

/// A drawn chart, and whether it shows fewer rows than days.
pub(super) struct Chart {
    pub(super) text: String,
    pub(super) grouped: bool,
}

/// The chart of `days` (every day of the window, in order).
pub(super) fn chart(days: &[DayCount], detail: Detail) -> Chart {
    let rows = match detail {
        Detail::Full => rows(days, 1, false),
        Detail::Summary => summary_rows(days),
    };
    Chart {
        grouped: rows.len() < days.len(),
        text: draw(&rows),
    }
}

/// The first grouping that fits in [`MAX_ROWS`]: days, weeks, two weeks…, quiet runs merged.
fn summary_rows(days: &[DayCount]) -> Vec<Row<'_>> {
    let mut size = 1;
    loop {
        let rows = rows(days, size, true);
        if rows.len() <= MAX_ROWS {
            return rows;
        }
        size = if size == 1 { 7 } else { size * 2 };
    }
}

/// `days` in groups of `size` days (the last may be shorter); with `merge_quiet`, a run of
/// groups without a match is one row.
fn rows(days: &[DayCount], size: usize, merge_quiet: bool) -> Vec<Row<'_>> {
    let mut out: Vec<Row> = Vec::new();
    for group in days.chunks(size) {
        let row = Row {
            first: &group[0].day,
            last: &group[group.len() - 1].day,
            days: group.len(),
            events: group.iter().map(|d| d.events).sum(),
        };
        match out.last_mut() {
            Some(quiet) if merge_quiet && quiet.events == 0 && row.events == 0 => {
                quiet.last = row.last;
                quiet.days += row.days;
            }
            _ => out.push(row),
        }
    }
    out
}

/// A line per row: its days, a bar scaled to the busiest row, its matches, and how many days
/// it spans when more than one.
fn draw(rows: &[Row]) -> String {
    let most = rows.iter().map(|r| r.events).max().unwrap_or(0).max(1);
    let labels: Vec<String> = rows.iter().map(Row::label).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (row, label) in rows.iter().zip(&labels) {
        let width = usize::try_from((row.events * BAR).div_ceil(most)).unwrap_or(0);
        let span = match row.days {
            1 => String::new(),
            n => format!(" ({n} days)"),
        };
        let _ = writeln!(
            out,
            "    {label:<label_width$}  {:<w$} {}{span}",
            "█".repeat(width),
            row.events,
            w = BAR as usize
        );
    }
    out
}
