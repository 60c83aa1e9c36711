//! `--output html`: the report of a multi-account plan and a backtest's page, each loaded from
//! disk in headless Chromium (`tests/support/browse.py`). The rendered DOM must hold what the
//! JSON document of the same run says — every account and control with its status, the step
//! where each chain breaks, the totals, the days' bars and the alarm's notifications — and the
//! page must make no request. The page, screenshots (1280 px and phone width) and a printed PDF
//! are kept in `.tools/` as the test's artifacts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{in_days, json_of, python, root, Account};
use crate::{compliant, trail_only, CT, IAM, PAIR};

/// What the browser got from a page: the URLs it requested and the elements with `data-`
/// attributes, in document order.
struct Rendered {
    requests: Vec<String>,
    elements: Vec<Value>,
}

/// Loads `page` in Chromium; the screenshots and the PDF go to `.tools/NAME*.png` and `.pdf`.
fn browse(page: &Path, name: &str) -> Rendered {
    let tools = root().join(".tools");
    std::fs::create_dir_all(&tools).unwrap();
    let artifact = |suffix: &str| -> PathBuf { tools.join(format!("{name}{suffix}")) };
    std::fs::copy(page, artifact(".html")).expect("keep the page");
    let out = Command::new(python())
        .arg(root().join("tests/support/browse.py"))
        .arg(page)
        .arg("--screenshot")
        .arg(artifact(".png"))
        .arg("--phone-screenshot")
        .arg(artifact("-phone.png"))
        .arg("--pdf")
        .arg(artifact(".pdf"))
        .output()
        .expect("run browse.py");
    assert!(
        out.status.success(),
        "browse.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("browse.py prints JSON");
    let pdf = std::fs::read(artifact(".pdf")).expect("the page was printed");
    assert!(pdf.starts_with(b"%PDF"), "the print is a PDF");
    for png in [artifact(".png"), artifact("-phone.png")] {
        assert!(std::fs::metadata(&png)
            .map(|m| m.len() > 0)
            .unwrap_or(false));
    }
    Rendered {
        requests: serde_json::from_value(doc["requests"].clone()).unwrap(),
        elements: doc["elements"].as_array().unwrap().clone(),
    }
}

impl Rendered {
    fn with<'a>(&'a self, tag: &'a str, attr: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.elements
            .iter()
            .filter(move |e| e["tag"] == tag && e.get(attr).is_some())
    }

    /// The detail section of one account's control, and the chain steps inside it.
    fn section(&self, account: &str, control: &str) -> (&Value, Vec<&Value>) {
        let start = self
            .elements
            .iter()
            .position(|e| {
                e["tag"] == "section"
                    && e["data-account"] == account
                    && e["data-control"] == control
            })
            .unwrap_or_else(|| panic!("no section for {account} {control}"));
        let steps = self.elements[start + 1..]
            .iter()
            .take_while(|e| e["tag"] != "section")
            .filter(|e| e.get("data-step").is_some())
            .collect();
        (&self.elements[start], steps)
    }
}

/// The step where a control's chain breaks, as docs/json.md defines it: the chain's
/// `breaks_at`, else the trail for a failing (or waived) control without a chain.
fn breaks_at(control: &Value) -> &str {
    match (&control["chain"], control["status"].as_str().unwrap()) {
        (Value::Object(chain), _) => chain.get("breaks_at").and_then(Value::as_str).unwrap_or(""),
        (_, "non_compliant" | "waived") => "trail",
        _ => "",
    }
}

/// Four accounts: both chains hold in `a`; `b` has only its trail (its CloudTrail control
/// waived); `c`'s topic has no subscriber; `d` has no trail at all.
fn organization() -> (Account, Vec<Account>) {
    let (a, b, c, d) = (
        Account::new(),
        Account::new(),
        Account::new(),
        Account::new(),
    );
    a.build(&compliant());
    b.build(&trail_only());
    let mut silent = compliant();
    silent["topics"] = json!([{"name": "security-alerts", "subscriptions": []}]);
    c.build(&silent);
    std::fs::write(
        a.path().join("trailwatch.toml"),
        format!(
            "[[waiver]]\ncontrol = \"{CT}\"\naccounts = [\"{}\"]\nreason = \"trail managed by the landing zone\"\nexpires = {}\nticket = \"SEC-9\"\n",
            b.id,
            in_days(30)
        ),
    )
    .unwrap();
    (a, vec![b, c, d])
}

#[test]
fn the_report_of_many_accounts_shows_each_control_its_status_and_where_its_chain_breaks() {
    let (runner, others) = organization();
    let list: Vec<&str> = std::iter::once(runner.id.as_str())
        .chain(others.iter().map(|a| a.id.as_str()))
        .collect();
    let (code, doc) = json_of(runner.trailwatch().env("AWS_PROFILE", "base").args([
        "plan",
        "--controls",
        PAIR,
        "--accounts",
        &list.join(","),
        "--assume-role",
        "trailwatch-audit",
        "--json",
        "--output",
        "html=report.html",
    ]));
    assert_eq!(code, 2, "{doc:#}");
    let page = browse(&runner.path().join("report.html"), "report");
    assert_eq!(
        page.requests,
        Vec::<String>::new(),
        "the page fetches nothing"
    );

    let controls = doc["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 8);
    assert_sections(&page, controls);
    let waived = controls.iter().find(|c| c["status"] == "waived").unwrap();
    assert_eq!(waived["account_id"], others[0].id.as_str());
    assert_eq!(waived["id"], CT);

    assert_grid(&page, controls);
}

/// Each control's section has its status, and marks the step where its chain breaks.
fn assert_sections(page: &Rendered, controls: &[Value]) {
    let mut broken_steps = Vec::new();
    for control in controls {
        let (account, id) = (
            control["account_id"].as_str().unwrap(),
            control["id"].as_str().unwrap(),
        );
        let (section, steps) = page.section(account, id);
        assert_eq!(section["data-status"], control["status"], "{account} {id}");
        let expected = breaks_at(control);
        assert_eq!(section["data-breaks-at"], expected, "{account} {id}");
        let marked: Vec<&str> = steps
            .iter()
            .filter(|s| s["data-state"] == "breaks")
            .map(|s| s["data-step"].as_str().unwrap())
            .collect();
        let wanted: Vec<&str> = [expected].into_iter().filter(|s| !s.is_empty()).collect();
        assert_eq!(marked, wanted, "{account} {id}: the broken step is marked");
        assert_eq!(
            steps.len(),
            6,
            "trail → log group → filter → alarm → topic → subscribers"
        );
        broken_steps.push(expected.to_string());
    }
    for step in ["", "trail", "filter", "subscribers"] {
        assert!(
            broken_steps.iter().any(|s| s == step),
            "the run shows {step:?}: {broken_steps:?}"
        );
    }
}

/// A row per account, worst first; a cell per control with its status; the totals by status.
fn assert_grid(page: &Rendered, controls: &[Value]) {
    let rows: Vec<&Value> = page.with("tr", "data-account").collect();
    assert_eq!(rows.len(), 4);
    let status_of = |account: &str, id: &str| -> &str {
        controls
            .iter()
            .find(|c| c["account_id"] == account && c["id"] == id)
            .unwrap()["status"]
            .as_str()
            .unwrap()
    };
    let failing: Vec<usize> = rows
        .iter()
        .map(|r| {
            let account = r["data-account"].as_str().unwrap();
            [IAM, CT]
                .iter()
                .filter(|id| status_of(account, id) == "non_compliant")
                .count()
        })
        .collect();
    assert!(
        failing.windows(2).all(|w| w[0] >= w[1]),
        "worst first: {failing:?}"
    );
    let cells: Vec<&str> = page
        .with("td", "data-status")
        .map(|c| c["data-status"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = rows
        .iter()
        .flat_map(|r| [IAM, CT].map(|id| status_of(r["data-account"].as_str().unwrap(), id)))
        .collect();
    assert_eq!(cells, expected);
    for cell in page.with("td", "data-status") {
        let text = cell["text"].as_str().unwrap();
        let word = cell["data-status"].as_str().unwrap().replace('_', "-");
        assert!(
            text.contains(&word.replace("not-applicable", "not applicable")),
            "{text}"
        );
    }

    // The totals by status.
    for total in page.with("li", "data-count") {
        let status = total["data-status"].as_str().unwrap();
        let count = controls.iter().filter(|c| c["status"] == status).count();
        assert_eq!(total["data-count"], count.to_string(), "{status}");
    }
}

/// IAM changes on three days of November: 2, 0 and 5 of them, with everyday events between.
fn events(dir: &Path) -> PathBuf {
    let record = |day: u32, minute: u32, name: &str| {
        json!({
            "eventVersion": "1.09", "eventSource": "iam.amazonaws.com", "eventName": name,
            "eventTime": format!("2026-11-{day:02}T10:{minute:02}:00Z"), "awsRegion": "us-east-1",
            "eventID": format!("{day}-{minute}-{name}"), "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"},
        })
        .to_string()
    };
    let mut lines = Vec::new();
    for (day, changes) in [(1, 2), (2, 0), (3, 5)] {
        lines.extend((0..changes).map(|m| record(day, m, "CreatePolicy")));
        lines.push(record(day, 30, "ListRoles"));
    }
    let path = dir.join("events.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn the_backtest_page_draws_each_days_matches_and_the_alarms_notifications() {
    let account = Account::new();
    let file = events(account.path());
    let (code, doc) = json_of(account.trailwatch().args([
        "backtest",
        "--published-only",
        "--controls",
        IAM,
        "--json",
        "--output",
        "html=backtest.html",
        file.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{doc:#}");
    let page = browse(&account.path().join("backtest.html"), "backtest");
    assert_eq!(
        page.requests,
        Vec::<String>::new(),
        "the page fetches nothing"
    );

    let control = &doc["controls"][0];
    let sections: Vec<&Value> = page.with("section", "data-control").collect();
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0]["data-control"], IAM);
    let bars: Vec<(String, String)> = page
        .with("rect", "data-day")
        .map(|b| {
            (
                b["data-day"].as_str().unwrap().into(),
                b["data-events"].as_str().unwrap().into(),
            )
        })
        .collect();
    let days: Vec<(String, String)> = control["patterns"][0]["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["day"].as_str().unwrap().into(), d["events"].to_string()))
        .collect();
    assert_eq!(bars, days, "a bar per day of the window, with its matches");
    assert_eq!(
        days.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
        ["2", "0", "5"]
    );
    let notifications = control["alarm"]["outcome"]["notifications"].to_string();
    let shown: Vec<&Value> = page.with("strong", "data-notifications").collect();
    assert_eq!(shown[0]["data-notifications"], notifications);
    let top: Vec<&Value> = page.with("td", "data-matched").collect();
    assert_eq!(
        top[0]["data-matched"],
        control["patterns"][0]["matched"].to_string()
    );
}

#[test]
fn the_backtest_page_has_a_row_per_eventbridge_rule_and_the_events_no_rule_catches() {
    let (account, _) = crate::backtest::archived_account_with_rules();
    let mut args = crate::backtest::BACKTEST_IAM.to_vec();
    args.extend(["--output", "html=rules.html"]);
    let (code, doc) = account.json(&args);
    assert_eq!(code, 0, "{doc:#}");
    let page = browse(&account.path().join("rules.html"), "backtest-rules");
    let bridge = &doc["controls"][0]["eventbridge"];
    let rows: Vec<(String, String)> = page
        .with("tr", "data-rule")
        .map(|r| {
            (
                r["data-rule"].as_str().unwrap().into(),
                r["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    let rules = bridge["rules"].as_array().unwrap();
    assert_eq!(rows.len(), rules.len(), "{rows:?}");
    for (row, rule) in rows.iter().zip(rules) {
        assert_eq!(row.0, rule["arn"].as_str().unwrap());
        assert!(row.1.contains(&rule["matched"].to_string()), "{row:?}");
    }
    let missed: Vec<&Value> = page.with("p", "data-rules-missed").collect();
    assert_eq!(
        missed[0]["data-rules-missed"],
        bridge["missed"]["events"].to_string()
    );
}

#[test]
fn backtest_refuses_a_format_it_is_not_written_in_before_reading_anything() {
    let account = Account::new();
    let file = events(account.path());
    let (code, _, stderr) = account.run(&[
        "backtest",
        "--published-only",
        "--output",
        "sarif=out.sarif",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim(),
        "error: backtest writes its report as human, json or html; --output sarif is for plan and apply"
    );
    assert!(!account.path().join("out.sarif").exists());
}
