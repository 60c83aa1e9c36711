//! The HTML report and backtest page (`--output html`) from plain values: every account and
//! control in the grid and its details, the chain's broken step, hostile text shown as text, and
//! nothing the page would fetch. The rendered page is checked in a real browser by
//! `tests/e2e/html.rs`.

use model::backtest::{BacktestInput, BacktestSource};
use model::report::Step;

use super::backtest;
use super::escaping::HOSTILE;
use super::formats::{controls, results, run};
use crate::formats::backtest_html::BacktestRun;
use crate::formats::{self, Format};

fn report() -> String {
    let (results, controls) = (results(), controls());
    formats::document(Format::Html, &run(&results, &controls)).expect("html is a run format")
}

/// The `data-` attributes of the detail section of `account`'s `control`.
fn section<'a>(html: &'a str, account: &str, control: &str) -> &'a str {
    let start = html
        .find(&format!(
            "data-account=\"{account}\" data-control=\"{control}\""
        ))
        .unwrap_or_else(|| panic!("no section for {account} {control}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[test]
fn every_account_and_control_has_a_cell_and_a_section_with_its_status() {
    let html = report();
    for (account, control, status) in [
        ("111122223333", "iam-policy-changes", "non_compliant"),
        ("111122223333", "cloudtrail-config-changes", "waived"),
        ("222233334444", "iam-policy-changes", "compliant"),
        ("333344445555", "cloudtrail-config-changes", "error"),
    ] {
        let section = section(&html, account, control);
        assert!(
            section.contains(&format!("data-status=\"{status}\"")),
            "{section}"
        );
    }
    assert_eq!(
        html.matches("<td class=\"cell ").count(),
        6,
        "3 accounts × 2 controls"
    );
}

#[test]
fn the_broken_step_is_the_reports_and_a_compliant_chain_holds_throughout() {
    let results = results();
    let iam = &results[0].report.as_ref().unwrap().controls[0];
    assert_eq!(
        iam.breaks_at(),
        Some(Step::Filter),
        "its filter misses two events"
    );
    let html = report();
    let broken = section(&html, "111122223333", "iam-policy-changes");
    assert!(broken.contains("data-breaks-at=\"filter\""), "{broken}");
    assert!(
        broken.contains("data-step=\"log_group\" data-state=\"holds\""),
        "{broken}"
    );
    assert!(
        broken.contains("data-step=\"filter\" data-state=\"breaks\""),
        "{broken}"
    );
    assert!(
        broken.contains("data-step=\"alarm\" data-state=\"unreached\""),
        "{broken}"
    );
    let holds = section(&html, "222233334444", "iam-policy-changes");
    assert_eq!(holds.matches("data-state=\"holds\"").count(), 6, "{holds}");
    let unread = section(&html, "333344445555", "iam-policy-changes");
    assert_eq!(
        unread.matches("data-state=\"unclear\"").count(),
        6,
        "{unread}"
    );
}

#[test]
fn the_page_fetches_nothing_and_shows_each_status_by_a_word_and_a_symbol() {
    let html = report();
    for fetch in ["src=", "<link", "url(", "@import", "http://", "https://"] {
        assert!(!html.contains(fetch), "the page must not fetch: {fetch}");
    }
    assert!(html.contains("✗ non-compliant") && html.contains("~ waived"));
    assert!(html.contains("<th scope=\"row\">") && html.contains("<th scope=\"col\">"));
    assert!(html.contains("@media print") && html.contains("max-width: 600px"));
}

#[test]
fn hostile_text_is_shown_as_text() {
    for (hostile, _) in HOSTILE {
        let mut results = results();
        let report = results[0].report.as_mut().unwrap();
        report.controls[1].waiver.as_mut().unwrap().reason = hostile.to_string();
        report.controls[0].findings[0].message = hostile.to_string();
        results[2].report = Err(hostile.to_string());
        let controls = controls();
        let html = formats::document(Format::Html, &run(&results, &controls)).unwrap();
        assert!(!html.contains("<script"), "{hostile:?}");
        assert!(!html.contains("<br> &"), "{hostile:?}");
        let controls_left = html
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .count();
        assert_eq!(controls_left, 0, "{hostile:?} leaves a control character");
    }
}

fn backtest_page(report: &model::backtest::Backtest) -> String {
    let source = BacktestSource::Files {
        paths: vec!["trail/".into()],
    };
    let input = BacktestInput::default();
    formats::backtest_html::document(&BacktestRun {
        benchmark: "cis-7.0",
        account: None,
        source: &source,
        input: &input,
        report,
        version: "0.1.0",
    })
}

#[test]
fn a_backtest_has_a_bar_per_day_numbered_when_the_window_is_a_month_at_most() {
    let month = backtest_page(&backtest::report(
        backtest::days(31, |i| (i % 3) as u64),
        None,
    ));
    assert_eq!(month.matches("<rect class=\"bar").count(), 31);
    assert_eq!(
        month.matches("text-anchor=\"middle\"").count(),
        31,
        "each bar numbered"
    );
    assert_eq!(
        month.matches("<rect class=\"bar zero\"").count(),
        11,
        "days 0, 3, … 30"
    );
    let quarter = backtest_page(&backtest::report(backtest::days(92, |_| 1), None));
    assert_eq!(quarter.matches("<rect class=\"bar").count(), 92);
    assert_eq!(quarter.matches("text-anchor=\"middle\"").count(), 0);
}

#[test]
fn a_backtest_lists_every_missed_event_it_kept_and_says_how_many_there_were() {
    let page = backtest_page(&backtest::report(
        backtest::days(2, |_| 1),
        Some(backtest::missed(12)),
    ));
    assert!(page.contains("data-missed=\"40\""), "{page}");
    assert!(page.contains("(the first 12 listed)"));
    assert_eq!(page.matches("<code>id-").count(), 12);
}

#[test]
fn a_backtest_has_a_table_of_rules_and_the_events_no_rule_catches() {
    let ruled = backtest::with_rules(
        backtest::report(backtest::days(3, |_| 1), None),
        backtest::days(3, |i| i as u64),
        backtest::missed(3),
    );
    let page = backtest_page(&ruled);
    assert!(
        page.contains("data-rule=\"arn:aws:events:eu-west-1:111122223333:rule/iam-changes\""),
        "{page}"
    );
    assert!(page.contains("<td>2 of 3</td>"), "{page}");
    assert!(page.contains("data-rules-missed=\"40\""), "{page}");
}

#[test]
fn a_chain_through_eventbridge_rules_is_drawn_with_its_rules() {
    let mut results = results();
    let compliant = &mut results[1].report.as_mut().unwrap().controls[0];
    let rule = "arn:aws:events:us-east-1:222233334444:rule/iam-changes";
    compliant.chain = Some(model::report::Chain {
        kind: model::report::ChainKind::Eventbridge,
        trail: "arn:aws:cloudtrail:us-east-1:222233334444:trail/main".into(),
        region: "us-east-1".into(),
        topic: Some("arn:aws:sns:us-east-1:222233334444:alerts".into()),
        rules: vec![rule.into()],
        ..model::report::Chain::default()
    });
    let controls = controls();
    let html = formats::document(Format::Html, &run(&results, &controls)).unwrap();
    let holds = section(&html, "222233334444", "iam-policy-changes");
    assert!(
        holds.contains("data-step=\"rules\" data-state=\"holds\""),
        "{holds}"
    );
    assert!(holds.contains("<code>iam-changes</code>"), "{holds}");
    assert!(!holds.contains("data-step=\"filter\""), "{holds}");
}
