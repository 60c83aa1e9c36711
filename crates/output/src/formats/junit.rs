//! JUnit XML for CI test reports: a test suite per account, a test case per control; a
//! non-compliant control fails, one that cannot be judged is an error, and waived or
//! not-applicable controls are skipped with the reason.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::run::{Item, Run};
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
    suites.push_attribute(("name", name.as_str()));
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
    start.push_attribute(("name", name.as_str()));
    Tally::of(items.iter().copied()).attributes(&mut start);
    start.push_attribute(("timestamp", timestamp.trim_end_matches('Z')));
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
        item.control.cis_id, item.control.id, item.control.title
    );
    let classname = format!("trailwatch.{}.{}", run.benchmark, item.account);
    let mut start = BytesStart::new("testcase");
    start.push_attribute(("name", name.as_str()));
    start.push_attribute(("classname", classname.as_str()));
    let Some((tag, message, body)) = outcome(item) else {
        return xml.write_event(Event::Empty(start));
    };
    xml.write_event(Event::Start(start))?;
    let mut element = BytesStart::new(tag);
    element.push_attribute(("message", message.as_str()));
    if tag == "skipped" {
        xml.write_event(Event::Empty(element))?;
    } else {
        element.push_attribute(("type", item.result.status.as_str()));
        xml.write_event(Event::Start(element))?;
        xml.write_event(Event::Text(BytesText::new(&body)))?;
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
            element.push_attribute((key, n.to_string().as_str()));
        }
    }
}
