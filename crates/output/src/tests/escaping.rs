//! Text from AWS and configuration files through every `--output` format: hostile strings as a
//! waiver's reason and ticket, a finding, a filter's name and an account's read error, each
//! document read back by an independent parser (roxmltree for XML 1.0, the `csv` crate,
//! pulldown-cmark with GitHub's tables, serde_json) and compared with what a reader should see.

use model::report::{AccountResult, Finding};
use model::{FindingCode, Operation};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::formats::{controls, results, run};
use crate::formats;

/// A hostile string, and the text a reader should see for it, line breaks as `\n`.
pub(super) const HOSTILE: &[(&str, &str)] = &[
    (
        "nul\u{0}bell\u{7}esc\u{1b}[31mred\u{1b}[0m del\u{7f}",
        "nul␀bell␇esc␛[31mred␛[0m del␡",
    ),
    ("vt\u{b}ff\u{c}tab\there", "vt␋ff␌tab␉here"),
    ("next\u{85}line\u{9b}csi", "next⟨U+0085⟩line⟨U+009B⟩csi"),
    (
        "not characters \u{fffe}\u{ffff}",
        "not characters \u{fffe}\u{ffff}",
    ),
    ("a | b || c |", "a | b || c |"),
    ("two\nlines\r\nthree\rfour\n", "two\nlines\nthree\nfour\n"),
    (
        "<script>alert(1)</script> &amp; <br> &#1;",
        "<script>alert(1)</script> &amp; <br> &#1;",
    ),
    ("]]> <![CDATA[ x ]]>", "]]> <![CDATA[ x ]]>"),
    ("\"double\" 'single'", "\"double\" 'single'"),
    (
        "=HYPERLINK(\"https://example.com\",\"x\")",
        "=HYPERLINK(\"https://example.com\",\"x\")",
    ),
    ("+1", "+1"),
    ("-1+2", "-1+2"),
    ("@SUM(A1:A2)", "@SUM(A1:A2)"),
    (
        "*b* _e_ `c` [l](https://example.com) ~~s~~ \\ # > -",
        "*b* _e_ `c` [l](https://example.com) ~~s~~ \\ # > -",
    ),
];

/// XML 1.0 has no form for U+FFFE and U+FFFF, even as a reference: JUnit shows them visibly.
fn in_xml(shown: &str) -> String {
    shown
        .replace('\u{fffe}', "⟨U+FFFE⟩")
        .replace('\u{ffff}', "⟨U+FFFF⟩")
}

/// The fixture's run with `text` as the waiver's reason and ticket, a finding of the failing
/// control, the name of the filter its first action writes, and the unread account's error.
fn hostile(text: &str) -> Vec<AccountResult> {
    let mut results = results();
    let report = results[0].report.as_mut().unwrap();
    let waiver = report.controls[1]
        .waiver
        .as_mut()
        .expect("a waived control");
    waiver.reason = text.into();
    waiver.ticket = Some(text.into());
    let finding = Finding::new(FindingCode::ReadError, text);
    report.controls[0].findings.push(finding);
    match &mut report.actions[0].operation {
        Operation::PutMetricFilter { after, .. } => after.name = text.into(),
        other => panic!("the first action writes a filter: {other:?}"),
    }
    results[2].report = Err(text.into());
    results
}

#[test]
fn junit_is_xml_1_0_and_shows_every_hostile_string() {
    for (text, shown) in HOSTILE {
        let (results, controls) = (hostile(text), controls());
        let xml = formats::junit::document(&run(&results, &controls));
        let doc = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|e| panic!("{text:?}: not XML 1.0 ({e}):\n{xml}"));
        let shown = in_xml(shown);
        let element = |name: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name(name))
                .unwrap_or_else(|| panic!("{text:?}: no <{name}>:\n{xml}"))
        };
        let skipped = element("skipped").attribute("message");
        assert_eq!(
            skipped,
            Some(format!("waived: {shown} (until 2027-03-31)").as_str()),
            "{text:?}"
        );
        let failure = element("failure").text().unwrap_or_default();
        assert!(
            failure.contains(&format!("\n{shown}\n")),
            "{text:?}: {failure:?}"
        );
        let action = format!("put-metric-filter filter {shown} on log group");
        assert!(failure.contains(&action), "{text:?}: {failure:?}");
        let error = element("error");
        assert_eq!(error.attribute("message"), Some(shown.as_str()), "{text:?}");
        assert_eq!(error.text(), Some(shown.as_str()), "{text:?}");
    }
}

/// What a spreadsheet should show for `shown` in one cell: one line, and never a formula.
fn in_csv(shown: &str) -> String {
    let line = shown.replace('\n', " ");
    match line.starts_with(['=', '+', '-', '@']) {
        true => format!("'{line}"),
        false => line,
    }
}

#[test]
fn csv_keeps_a_line_per_record_shows_every_hostile_string_and_runs_no_formula() {
    for (text, shown) in HOSTILE {
        let (results, controls) = (hostile(text), controls());
        let csv = formats::csv::document(&run(&results, &controls));
        assert_eq!(
            csv.lines().count(),
            7,
            "{text:?}: a line per record:\n{csv}"
        );
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 6, "{text:?}");
        let expected = in_csv(shown);
        assert_eq!(&rows[1][10], expected, "{text:?}: the waiver's reason");
        assert_eq!(&rows[1][12], expected, "{text:?}: the waiver's ticket");
        let finding = format!("; {}", shown.replace('\n', " "));
        assert!(
            rows[0][8].ends_with(&finding),
            "{text:?}: {:?}",
            &rows[0][8]
        );
        assert_eq!(
            &rows[4][8], expected,
            "{text:?}: the unread account's error"
        );
        for field in rows.iter().flat_map(|r| r.iter()) {
            assert!(
                !field.starts_with(['=', '+', '-', '@']),
                "{text:?}: {field:?}"
            );
            assert!(!field.contains(char::is_control), "{text:?}: {field:?}");
        }
    }
}

/// The text of every table cell and list item, and the markup found in them: a reader should
/// see only text (and `<br>` line breaks) where trailwatch writes names and reasons.
struct Markdown {
    cells: Vec<Vec<String>>,
    items: Vec<String>,
    markup: Vec<String>,
}

fn read_markdown(text: &str) -> Markdown {
    let mut doc = Markdown {
        cells: Vec::new(),
        items: Vec::new(),
        markup: Vec::new(),
    };
    let mut current = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::TableHead | Tag::TableRow) => doc.cells.push(Vec::new()),
            Event::Start(Tag::TableCell | Tag::Item) => current.clear(),
            Event::End(TagEnd::TableCell) => {
                let row = doc.cells.last_mut().expect("a cell is in a row");
                row.push(std::mem::take(&mut current));
            }
            Event::End(TagEnd::Item) => doc.items.push(std::mem::take(&mut current)),
            Event::Text(t) => current.push_str(&t),
            Event::Code(c) => current.push_str(&c),
            Event::InlineHtml(html) if &*html == "<br>" => current.push('\n'),
            Event::SoftBreak => current.push('\n'),
            Event::Start(Tag::Paragraph | Tag::Table(_) | Tag::List(_) | Tag::Heading { .. })
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::List(_)
                | TagEnd::Heading(_),
            ) => {}
            other => doc.markup.push(format!("{other:?}")),
        }
    }
    doc
}

#[test]
fn markdown_keeps_each_table_row_and_shows_every_hostile_string_as_text() {
    for (text, shown) in HOSTILE {
        let (results, controls) = (hostile(text), controls());
        let markdown = formats::markdown::document(&run(&results, &controls));
        let doc = read_markdown(&markdown);
        assert!(
            doc.markup.is_empty(),
            "{text:?}: {:?}\n{markdown}",
            doc.markup
        );
        // The summary: a header and three accounts; the attention table: a header and four.
        let widths: Vec<usize> = doc.cells.iter().map(Vec::len).collect();
        assert_eq!(widths, [7, 7, 7, 7, 5, 5, 5, 5, 5], "{text:?}\n{markdown}");
        let unread = &doc.cells[3][1];
        assert_eq!(unread, &format!("could not be read: {shown}"), "{text:?}");
        let waived = &doc.cells[6][4];
        let waiver = format!("waived: {shown} (until 2027-03-31)");
        assert_eq!(waived, &waiver, "{text:?}");
        assert!(doc.cells[5][4].ends_with(&format!("\n{shown}")), "{text:?}");
        assert_eq!(
            &doc.cells[7][4], shown,
            "{text:?}: the unread account's error"
        );
        let action = format!("put-metric-filter filter {shown} on log group");
        assert!(doc.items[0].contains(&action), "{text:?}: {:?}", doc.items);
        assert!(!markdown.contains(|c: char| c.is_control() && c != '\n'));
    }
}

#[test]
fn json_formats_carry_every_hostile_string_as_it_is() {
    for (text, _) in HOSTILE {
        let (results, controls) = (hostile(text), controls());
        let run = run(&results, &controls);
        let sarif: serde_json::Value =
            serde_json::from_str(&formats::sarif::document(&run)).expect("SARIF is JSON");
        let suppression = &sarif["runs"][0]["results"][1]["suppressions"][0];
        assert_eq!(suppression["justification"], *text);
        let asff: serde_json::Value =
            serde_json::from_str(&formats::asff::document(&run)).expect("ASFF is JSON");
        assert!(asff[1]["Note"]["Text"].as_str().unwrap().contains(text));
        let ocsf: serde_json::Value =
            serde_json::from_str(&formats::ocsf::document(&run)).expect("OCSF is JSON");
        assert_eq!(ocsf[4]["status_detail"], *text);
    }
}
