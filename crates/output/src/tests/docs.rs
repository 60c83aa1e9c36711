//! The examples of docs/outputs.md are documents of a small run rendered here: one account,
//! `iam-policy-changes` non-compliant with its actions and `cloudtrail-config-changes` waived.
//! Each sits in a fenced block between `<!-- example:NAME:start -->` and
//! `<!-- example:NAME:end -->`; `UPDATE_DOCS=1 cargo test -p output` rewrites them.

use model::sample::REGION;
use serde_json::Value;

use super::formats::{controls, results, run};
use super::plain;
use crate::formats::{self, Run};
use crate::render::{self, Detail};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/outputs.md");

#[test]
fn docs_outputs_md_shows_documents_rendered_from_the_code() {
    let text = std::fs::read_to_string(PATH).expect("docs/outputs.md exists");
    let examples = examples();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = examples
            .iter()
            .fold(text.clone(), |doc, e| e.put_into(&doc));
        if updated != text {
            std::fs::write(PATH, updated).expect("docs/outputs.md is writable");
        }
        return;
    }
    for example in &examples {
        assert!(
            example.current(&text) == example.fenced(),
            "the {} example of docs/outputs.md is stale: run `UPDATE_DOCS=1 cargo test -p output`",
            example.name
        );
    }
}

/// One example: its marker name, the fence's language and the text.
struct Example {
    name: &'static str,
    language: &'static str,
    body: String,
}

impl Example {
    fn markers(&self) -> (String, String) {
        let marker = |edge| format!("<!-- example:{}:{edge} -->\n", self.name);
        (marker("start"), marker("end"))
    }

    /// What belongs between the markers.
    fn fenced(&self) -> String {
        format!("```{}\n{}```\n", self.language, self.body)
    }

    /// What is between the markers now.
    fn current<'t>(&self, text: &'t str) -> &'t str {
        let (start, end) = self.markers();
        let (_, rest) = text
            .split_once(&start)
            .unwrap_or_else(|| panic!("docs/outputs.md has no {}", start.trim()));
        let (current, _) = rest
            .split_once(&end)
            .unwrap_or_else(|| panic!("docs/outputs.md has no {}", end.trim()));
        current
    }

    /// The text with this example between its markers.
    fn put_into(&self, text: &str) -> String {
        let (start, end) = self.markers();
        let current = self.current(text);
        let old = format!("{start}{current}{end}");
        let new = format!("{start}{}{end}", self.fenced());
        text.replacen(&old, &new, 1)
    }
}

/// Every example, from the first account of the formats' fixture.
fn examples() -> Vec<Example> {
    let (results, controls) = (results(), controls());
    let run = run(&results[..1], &controls);
    let example = |name, language, body| Example {
        name,
        language,
        body,
    };
    vec![
        example("human", "text", human(&run)),
        example(
            "sarif",
            "json",
            first(&formats::sarif::document(&run), "/runs/0/results/0"),
        ),
        example("ocsf", "json", first(&formats::ocsf::document(&run), "/0")),
        example("asff", "json", first(&formats::asff::document(&run), "/0")),
        example("junit", "xml", formats::junit::document(&run)),
        example("csv", "csv", formats::csv::document(&run)),
        example("markdown", "markdown", formats::markdown::document(&run)),
    ]
}

/// The default human plan, up to its actions (the actions are in every other example).
fn human(run: &Run) -> String {
    let report = run.results[0]
        .report
        .as_ref()
        .expect("the account was read");
    let text = plain(render::plan(report, REGION, Detail::Summary));
    let before_actions = text.split("\nActions").next().unwrap_or_default();
    format!("{}\n", before_actions.trim_end())
}

/// One element of a JSON document, pretty-printed, fields in the document's order.
fn first(document: &str, pointer: &str) -> String {
    let value: Value = serde_json::from_str(document).expect("the document is JSON");
    let element = value
        .pointer(pointer)
        .expect("the document has the element");
    serde_json::to_string_pretty(element).expect("JSON serializes") + "\n"
}
