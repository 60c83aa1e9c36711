//! JUnit XML for CI test reports: a test suite per account, a test case per control; a
//! non-compliant control fails, one that cannot be judged is an error, and waived or
//! not-applicable controls are skipped with the reason.
//!
//! The document is XML 1.0 whatever the text from AWS or a configuration file holds: every
//! attribute and text goes through `escaped`.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::run::{Item, Run};
use super::text;
use model::Status;

/// The JUnit XML of a run.
pub fn document(run: &Run) -> String {
    let items = run.items();
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    let result = write_all(&mut xml, run, &items);
    result.expect("writing XML to memory cannot fail");
    String::from_utf8(xml.into_inner()).expect("quick-xml writes UTF-8") + "\n"
}

type Xml = Writer<Vec<u8>>;

fn write_all(xml: &mut Xml, run: &Run, items: &[Item]) -> std::io::Result<()> {
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let name = format!("trailwatch {}", run.benchmark);
    let tally = Tally::of(items.iter());
    let mut suites = BytesStart::new("testsuites");
    attribute(&mut suites, "name", &name);
    tally.attributes(&mut suites);
    xml.write_event(Event::Start(suites))?;
    for result in run.results {
        let account = result.account_id.as_str();
        let own: Vec<&Item> = items.iter().filter(|i| i.account == account).collect();
        suite(xml, run, account, &own)?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

fn suite(xml: &mut Xml, run: &Run, account: &str, items: &[&Item]) -> std::io::Result<()> {
    let name = format!("account {account}");
    let timestamp = run.timestamp();
    let mut start = BytesStart::new("testsuite");
    attribute(&mut start, "name", &name);
    Tally::of(items.iter().copied()).attributes(&mut start);
    attribute(&mut start, "timestamp", timestamp.trim_end_matches('Z'));
    xml.write_event(Event::Start(start))?;
    for item in items {
        case(xml, run, item)?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn case(xml: &mut Xml, run: &Run, item: &Item) -> std::io::Result<()> {
    let name = format!(
        "{} {}: {}",
        item.control.number(),
        item.control.id,
        item.control.title
    );
    let classname = format!("trailwatch.{}.{}", run.benchmark, item.account);
    let mut start = BytesStart::new("testcase");
    attribute(&mut start, "name", &name);
    attribute(&mut start, "classname", &classname);
    let Some((tag, message, body)) = outcome(item) else {
        return xml.write_event(Event::Empty(start));
    };
    xml.write_event(Event::Start(start))?;
    let mut element = BytesStart::new(tag);
    attribute(&mut element, "message", &message);
    if tag == "skipped" {
        xml.write_event(Event::Empty(element))?;
    } else {
        attribute(&mut element, "type", item.result.status.as_str());
        xml.write_event(Event::Start(element))?;
        let body = escaped(&body, Place::Text);
        xml.write_event(Event::Text(BytesText::from_escaped(body)))?;
        xml.write_event(Event::End(BytesEnd::new(tag)))?;
    }
    xml.write_event(Event::End(BytesEnd::new("testcase")))
}

/// The element a control's status becomes, its message and its text; none when it passes.
fn outcome(item: &Item) -> Option<(&'static str, String, String)> {
    let first = item
        .result
        .findings
        .first()
        .map(|f| f.message.clone())
        .unwrap_or_default();
    let mut body = item.findings_text();
    if !item.actions.is_empty() {
        body.push_str("\ntrailwatch apply would run:\n");
        body.push_str(&item.actions_text().join("\n"));
    }
    match item.result.status {
        Status::Compliant => None,
        Status::NonCompliant => Some(("failure", first, body)),
        Status::Error => Some(("error", first, body)),
        Status::NotApplicable => Some(("skipped", format!("not applicable: {first}"), body)),
        Status::Waived => {
            let reason = item.result.waiver.as_ref().map_or(String::new(), |w| {
                format!("{} (until {})", w.reason, w.expires)
            });
            Some(("skipped", format!("waived: {reason}"), body))
        }
    }
}

/// The counts a `testsuites` or `testsuite` element carries.
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    fn of<'a, 'b: 'a>(items: impl Iterator<Item = &'a Item<'b>>) -> Self {
        let mut tally = Tally {
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for item in items {
            tally.tests += 1;
            match item.result.status {
                Status::NonCompliant => tally.failures += 1,
                Status::Error => tally.errors += 1,
                Status::Waived | Status::NotApplicable => tally.skipped += 1,
                Status::Compliant => {}
            }
        }
        tally
    }

    fn attributes(&self, element: &mut BytesStart) {
        for (key, n) in [
            ("tests", self.tests),
            ("failures", self.failures),
            ("errors", self.errors),
            ("skipped", self.skipped),
        ] {
            attribute(element, key, &n.to_string());
        }
    }
}

/// Adds an attribute whose value is escaped for XML (`escaped`).
fn attribute(element: &mut BytesStart, key: &str, value: &str) {
    let value = escaped(value, Place::Attribute);
    element.push_attribute((key.as_bytes(), value.as_bytes()));
}

/// Where escaped text goes: a parser turns the raw line breaks of an attribute value into
/// spaces, so there they are written as references.
#[derive(Clone, Copy)]
enum Place {
    Attribute,
    Text,
}

/// Text escaped as XML 1.0 allows it: markup characters and quotes as entities, line breaks as
/// line feeds, and every character XML forbids even as a reference (the C0 controls, U+FFFE,
/// U+FFFF) in its visible form, like the other control characters (tab, DEL, C1).
fn escaped(text: &str, place: Place) -> String {
    let line_break = match place {
        Place::Attribute => "&#10;",
        Place::Text => "\n",
    };
    let mut out = String::with_capacity(text.len());
    text::each_char(
        text,
        &mut out,
        |out| out.push_str(line_break),
        |out, c| match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '\u{fffe}' | '\u{ffff}' => text::push_visible(out, c),
            c => out.push(c),
        },
    );
    out
}
